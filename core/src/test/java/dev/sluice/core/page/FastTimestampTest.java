package dev.sluice.core.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FastTimestampTest {

    static Instant reference(String text) {
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().truncatedTo(ChronoUnit.MICROS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-20T10:15:30Z", "2026-11-20T10:15:30.5Z", "2026-11-20T10:15:30.123456789+01:00",
            "1999-12-31T23:59:59.999999-08:30", "2024-02-29T00:00:00+00:00", "0001-01-01T00:00:00Z"})
    void readsTheCommonShapeExactlyAsTheFullParserDoes(String text) {
        assertThat(FastTimestamp.parse(text)).isEqualTo(reference(text));
        assertThat(PageParser.parseTimestamp(text)).isEqualTo(reference(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-20T10:15:30", "2026-02-30T10:15:30Z", "2026-11-20 10:15:30Z", "2026-11-20T24:00:00Z",
            "2026-11-20T10:15:30.Z", "2026-11-20T10:15:30+0100", "20261120T101530Z", "2026-11-20T10:15:30.1234567890Z"})
    void leavesEveryOtherShapeToTheFullParser(String text) {
        assertThat(FastTimestamp.parse(text)).isNull();
    }

    @Test
    void agreesWithTheFullParserOnRandomInstantsAndOffsets() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-2_000_000_000L, 4_000_000_000L), random.nextInt(1_000_000_000));
            int offsetMinutes = (random.nextInt(36 * 60 + 1) - 18 * 60) / 15 * 15;
            String text = OffsetDateTime.ofInstant(instant, java.time.ZoneOffset.ofTotalSeconds(offsetMinutes * 60)).toString();
            if (text.length() >= 20 && text.charAt(19) != 'Z' && text.charAt(19) != '+' && text.charAt(19) != '-' && text.charAt(19) != '.') {
                continue; // toString omits seconds when zero: not RFC 3339
            }
            assertThat(FastTimestamp.parse(text)).as(text).isEqualTo(reference(text));
        }
    }
}
