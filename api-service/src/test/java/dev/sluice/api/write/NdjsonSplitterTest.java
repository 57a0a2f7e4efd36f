package dev.sluice.api.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NdjsonSplitterTest {

    static List<String> split(String text, int chunk, int maxLine) {
        NdjsonSplitter splitter = new NdjsonSplitter(maxLine);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += chunk) {
            splitter.feed(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + chunk))).forEach(l -> lines.add(describe(l)));
        }
        splitter.finish().forEach(l -> lines.add(describe(l)));
        return lines;
    }

    static String describe(NdjsonSplitter.Line line) {
        return line.number() + ":" + (line.bytes() == null ? "<too long>" : new String(line.bytes(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 1000})
    void splitsOnLineFeedsWhateverTheChunking(int chunk) {
        assertThat(split("{\"a\":\"é\"}\r\n\n{\"b\":2}\n{\"c\":3}", chunk, 100))
                .containsExactly("1:{\"a\":\"é\"}", "2:", "3:{\"b\":2}", "4:{\"c\":3}");
    }

    @Test
    void aTrailingLineFeedAddsNoLine() {
        assertThat(split("{}\n{}\n", 2, 100)).containsExactly("1:{}", "2:{}");
    }

    @Test
    void aLineTooLongIsReportedWithoutBeingHeld() {
        assertThat(split("{}\n" + "x".repeat(50) + "\n{}", 7, 10)).containsExactly("1:{}", "2:<too long>", "3:{}");
        assertThat(split("{}\n" + "x".repeat(50), 7, 10)).containsExactly("1:{}", "2:<too long>");
    }
}
