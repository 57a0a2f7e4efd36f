package dev.sluice.backup.restore;

import java.util.regex.Pattern;

/** A PostgreSQL WAL position, written as PostgreSQL writes it ({@code 0/55B2398}: two 32-bit halves in hex). */
public record Lsn(long value) implements Comparable<Lsn> {

    private static final Pattern TEXT = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    public static boolean looksLikeOne(String text) {
        return TEXT.matcher(text).matches();
    }

    public static Lsn parse(String text) {
        if (!looksLikeOne(text)) {
            throw new IllegalArgumentException("'" + text + "' is not a WAL position like 0/55B2398");
        }
        int slash = text.indexOf('/');
        return new Lsn(Long.parseLong(text.substring(0, slash), 16) << 32 | Long.parseLong(text.substring(slash + 1), 16));
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
