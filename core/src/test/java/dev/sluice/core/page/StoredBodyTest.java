package dev.sluice.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StoredBodyTest {

    private static final String PAGE = "<html><head><title>Prix – été</title></head><body>" + "<p>naïve café 🚀</p>\n".repeat(200) + "</body></html>";

    @Test
    void aBodyComesBackAsItWasWrittenAndSmaller() {
        try (StoredBody.Compressor compressor = StoredBody.compressor()) {
            byte[] frame = compressor.compress(PAGE);

            assertThat(frame.length).isLessThan(PAGE.getBytes(StandardCharsets.UTF_8).length / 4);
            assertThat(StoredBody.text(null, frame)).isEqualTo(PAGE);
        }
    }

    @Test
    void emptyAndAbsentBodiesStayWhatTheyAre() {
        try (StoredBody.Compressor compressor = StoredBody.compressor()) {
            assertThat(compressor.compress(null)).isNull();
            assertThat(StoredBody.text(null, compressor.compress(""))).isEmpty();
        }
        assertThat(StoredBody.text(null, null)).isNull();
    }

    @Test
    void rowsWrittenBeforeCompressionAreReadAsTheirText() {
        assertThat(StoredBody.text("<p>stored as text</p>", null)).isEqualTo("<p>stored as text</p>");
    }

    @Test
    void oneCompressorServesManyBodies() {
        try (StoredBody.Compressor compressor = StoredBody.compressor()) {
            for (int i = 0; i < 100; i++) {
                String body = PAGE + i;
                assertThat(StoredBody.text(null, compressor.compress(body))).isEqualTo(body);
            }
        }
    }

    @Test
    void aValueThatIsNotAFrameIsRefusedByName() {
        assertThatThrownBy(() -> StoredBody.text(null, "<p>not zstd</p>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a stored body");
    }

    @Test
    void aDamagedFrameIsRefusedNotReturnedAsGarbage() {
        byte[] frame;
        try (StoredBody.Compressor compressor = StoredBody.compressor()) {
            frame = compressor.compress(PAGE);
        }
        frame[frame.length / 2] ^= 0x5a;
        frame[frame.length / 2 + 1] ^= 0x5a;

        assertThatThrownBy(() -> StoredBody.text(null, frame))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not decompress");
    }

    @Test
    void aFrameThatDoesNotDeclareItsSizeIsRefused() {
        byte[] streamed = Zstd.compress(PAGE.getBytes(StandardCharsets.UTF_8), 3);
        byte[] sizeless = new com.github.luben.zstd.ZstdCompressCtx().setContentSize(false).compress(PAGE.getBytes(StandardCharsets.UTF_8));

        assertThat(StoredBody.text(null, streamed)).isEqualTo(PAGE);
        assertThatThrownBy(() -> StoredBody.text(null, sizeless)).hasMessageContaining("declares its size");
    }
}
