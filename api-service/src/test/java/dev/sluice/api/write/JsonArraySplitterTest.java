package dev.sluice.api.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonArraySplitterTest {

    static List<String> split(String json, int chunk) {
        JsonArraySplitter splitter = new JsonArraySplitter(1024);
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        List<String> elements = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += chunk) {
            byte[] part = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + chunk));
            splitter.feed(part).forEach(e -> elements.add(e == null ? null : new String(e, StandardCharsets.UTF_8)));
        }
        splitter.finish();
        return elements;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 1000})
    void splitsTopLevelElementsWhateverTheChunking(int chunk) {
        String json = " [ {\"a\":\"x,]}\\\"\"} , [1,[2]] ,\"s\\\\\",\n3, {\"ü\":\"é\"} ]\n ";

        assertThat(split(json, chunk)).containsExactly(
                "{\"a\":\"x,]}\\\"\"} ", "[1,[2]] ", "\"s\\\\\"", "3", "{\"ü\":\"é\"} ");
    }

    @Test
    void anEmptyArrayHasNoElements() {
        assertThat(split("[ ]", 1)).isEmpty();
    }

    @Test
    void anElementTooLargeIsReportedAsNullWithoutHoldingIt() {
        String big = "{\"b\":\"" + "x".repeat(2000) + "\"}";
        assertThat(split("[" + big + ",{}]", 100)).containsExactly(null, "{}");
    }

    @Test
    void theArraysOwnShapeIsChecked() {
        assertThatThrownBy(() -> split("{\"a\":1}", 10))
                .isInstanceOfSatisfying(JsonArraySplitter.ShapeException.class, e -> assertThat(e.wholeBody).isTrue());
        assertThatThrownBy(() -> split("", 10)).hasMessage("The body is empty: send a JSON array of pages.");
        assertThatThrownBy(() -> split("[{},]", 10)).hasMessage("the array has a trailing comma");
        assertThatThrownBy(() -> split("[{},,{}]", 10)).hasMessage("the array has an empty element (two commas in a row)");
        assertThatThrownBy(() -> split("[{}] x", 10)).hasMessage("there is content after the array's closing bracket");
        assertThatThrownBy(() -> split("[{}, {\"a\":", 10))
                .isInstanceOfSatisfying(JsonArraySplitter.ShapeException.class, e -> {
                    assertThat(e.index).isEqualTo(1);
                    assertThat(e).hasMessage("the array is not closed: the body ends inside it");
                });
    }
}
