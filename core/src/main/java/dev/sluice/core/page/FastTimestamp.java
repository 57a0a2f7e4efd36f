package dev.sluice.core.page;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The common shape of an RFC 3339 timestamp, read by hand: {@code yyyy-MM-ddTHH:mm:ss[.f…](Z|±HH:mm)}, with
 * {@code t}, {@code z} accepted as RFC 3339 allows. Returns null for any other shape (or an impossible date), so
 * the caller can fall back to the full parser, which also produces the error.
 */
public final class FastTimestamp {

    private FastTimestamp() {}

    public static Instant parse(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        int at = 19;
        long micros = 0;
        if (at < n && s.charAt(at) == '.') {
            int start = ++at;
            while (at < n && Character.isDigit(s.charAt(at))) {
                at++;
            }
            int count = at - start;
            if (count == 0 || count > 9) {
                return null;
            }
            for (int i = 0; i < 6; i++) {
                micros = micros * 10 + (start + i < at ? s.charAt(start + i) - '0' : 0);
            }
        }
        int offsetSeconds;
        if (at == n - 1 && (s.charAt(at) == 'Z' || s.charAt(at) == 'z')) {
            offsetSeconds = 0;
        } else if (at == n - 6 && (s.charAt(at) == '+' || s.charAt(at) == '-') && s.charAt(at + 3) == ':') {
            int offsetHours = digits(s, at + 1, 2);
            int offsetMinutes = digits(s, at + 4, 2);
            if (offsetHours < 0 || offsetMinutes < 0 || offsetHours > 18 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (s.charAt(at) == '-' ? -1 : 1);
        } else {
            return null;
        }
        try {
            long epochDay = LocalDate.of(year, month, day).toEpochDay();
            long epochSecond = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
            return Instant.ofEpochSecond(epochSecond, micros * 1000);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
