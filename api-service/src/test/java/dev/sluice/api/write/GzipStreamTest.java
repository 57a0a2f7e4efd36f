package dev.sluice.api.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GzipStreamTest {

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** Feeds in chunks of {@code chunk} bytes and pulls everything, as the request pipeline does. */
    static byte[] decode(byte[] compressed, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipStream gzip = new GzipStream()) {
            for (int at = 0; at < compressed.length; at += chunk) {
                gzip.input(Arrays.copyOfRange(compressed, at, Math.min(compressed.length, at + chunk)));
                for (byte[] next = gzip.next(); next != null; next = gzip.next()) {
                    assertThat(next.length).isBetween(1, GzipStream.CHUNK);
                    out.writeBytes(next);
                }
            }
            gzip.finish();
        }
        return out.toByteArray();
    }

    static byte[] text(int size) {
        byte[] bytes = new byte[size];
        Random random = new Random(size);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ("<html> abcdefghij\n".charAt(random.nextInt(18)));
        }
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 512, 65_536, 1 << 22})
    void decodesWhateverTheChunking(int chunk) {
        byte[] content = text(300_000);
        assertThat(decode(gzip(content), chunk)).isEqualTo(content);
    }

    @Test
    void concatenatedMembersAreOneStream() {
        byte[] first = gzip("first,".getBytes(StandardCharsets.UTF_8));
        byte[] second = gzip("second".getBytes(StandardCharsets.UTF_8));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);

        assertThat(new String(decode(both, 3), StandardCharsets.UTF_8)).isEqualTo("first,second");
    }

    @Test
    void optionalHeaderFieldsAreSkippedAndTheHeaderChecksumVerified() {
        byte[] content = "with every optional header field".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3});
        header.writeBytes(new byte[] {3, 0, 'a', 'b', 'c'}); // FEXTRA
        header.writeBytes("name.json\0".getBytes(StandardCharsets.ISO_8859_1)); // FNAME
        header.writeBytes("a comment\0".getBytes(StandardCharsets.ISO_8859_1)); // FCOMMENT
        CRC32 headerCrc = new CRC32();
        headerCrc.update(header.toByteArray());
        header.write((int) headerCrc.getValue() & 0xff);
        header.write((int) (headerCrc.getValue() >> 8) & 0xff); // FHCRC
        byte[] stream = withTrailer(header.toByteArray(), content);

        assertThat(decode(stream, 2)).isEqualTo(content);
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] compressed = gzip(text(5_000));
        for (int length = 1; length < compressed.length; length++) {
            byte[] cut = Arrays.copyOf(compressed, length);
            assertThatThrownBy(() -> decode(cut, 64)).as("cut at %d of %d", length, compressed.length)
                    .isInstanceOf(GzipStream.FormatException.class);
        }
    }

    @Test
    void corruptionIsRefusedWithAReason() {
        byte[] compressed = gzip(text(5_000));
        byte[] badCrc = compressed.clone();
        badCrc[badCrc.length - 8] ^= 1;
        assertThatThrownBy(() -> decode(badCrc, 100)).hasMessage("a gzip member's CRC-32 does not match its content");

        byte[] badLength = compressed.clone();
        badLength[badLength.length - 1] ^= 1;
        assertThatThrownBy(() -> decode(badLength, 100)).hasMessage("a gzip member's length does not match its content");

        assertThatThrownBy(() -> decode("plain text".getBytes(StandardCharsets.UTF_8), 100))
                .hasMessage("it does not start with the gzip magic bytes");
        assertThatThrownBy(() -> decode(new byte[0], 100)).hasMessage("the body is empty, not a gzip stream");

        byte[] trailingGarbage = Arrays.copyOf(compressed, compressed.length + 3);
        assertThatThrownBy(() -> decode(trailingGarbage, 100))
                .hasMessage("it has bytes after the last gzip member that are not another member");
    }

    @Test
    void aBombComesOutInBoundedChunksAndOnlyAsPulled() {
        byte[] bomb = gzip(new byte[50 * 1024 * 1024]); // 50 MB of zeros, ~50 KB compressed
        try (GzipStream gzip = new GzipStream()) {
            gzip.input(bomb);
            byte[] first = gzip.next();
            assertThat(first).hasSize(GzipStream.CHUNK); // one chunk inflated, the rest waits for demand
        }
    }

    @Test
    void aHeaderNameThatNeverEndsIsRefusedOnceItPassesTheBoundNotHeld() {
        try (GzipStream gzip = new GzipStream()) {
            gzip.input(new byte[] {0x1f, (byte) 0x8b, 8, 8 /* FNAME */, 0, 0, 0, 0, 0, 3});
            byte[] name = new byte[1024];
            Arrays.fill(name, (byte) 'a');
            assertThatThrownBy(() -> {
                for (int i = 0; i < 48 * 1024; i++) { // 48 MB of name, never ended by a NUL
                    gzip.input(name);
                    assertThat(gzip.next()).isNull();
                }
            }).isInstanceOf(GzipStream.FormatException.class)
                    .hasMessage("its header (name, comment or extra field) is longer than " + GzipStream.MAX_HEADER_BYTES + " bytes");
        }
        byte[] longButBounded = new byte[GzipStream.MAX_HEADER_BYTES - 64];
        Arrays.fill(longButBounded, (byte) 'n');
        byte[] header = new byte[10 + longButBounded.length + 1];
        System.arraycopy(new byte[] {0x1f, (byte) 0x8b, 8, 8, 0, 0, 0, 0, 0, 3}, 0, header, 0, 10);
        System.arraycopy(longButBounded, 0, header, 10, longButBounded.length);
        assertThat(decode(withTrailer(header, text(1_000)), 100)).isEqualTo(text(1_000));
    }

    private static byte[] withTrailer(byte[] header, byte[] content) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(content);
        deflater.finish();
        byte[] buffer = new byte[content.length + 64];
        int n = deflater.deflate(buffer);
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(content);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.write(buffer, 0, n);
        for (long value : new long[] {crc.getValue(), content.length}) {
            for (int i = 0; i < 4; i++) {
                out.write((int) (value >> (8 * i)) & 0xff);
            }
        }
        return out.toByteArray();
    }
}
