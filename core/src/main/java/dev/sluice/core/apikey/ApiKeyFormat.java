package dev.sluice.core.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API keys: {@code slk_<id>_<secret>}, an 8-character public id and a 32-character secret, both base62 (about 190
 * bits of secret). Only SHA-256 of the whole key is stored: a fast hash is enough for a random key of this
 * length (there is nothing to brute-force from a dictionary), and it keeps per-request verification cheap.
 */
public final class ApiKeyFormat {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Pattern KEY = Pattern.compile("^slk_([0-9A-Za-z]{8})_([0-9A-Za-z]{32})$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeyFormat() {}

    /** A key as presented by a client: its public id and the hash to compare with the stored one. */
    public record PresentedKey(String id, byte[] hash) {}

    public static String generate() {
        return "slk_" + random(8) + "_" + random(32);
    }

    /** Parses a presented key; empty if it does not have the shape of a key (no lookup is worth doing). */
    public static Optional<PresentedKey> parse(String key) {
        if (key == null) {
            return Optional.empty();
        }
        Matcher matcher = KEY.matcher(key);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new PresentedKey(matcher.group(1), hash(key)));
    }

    public static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Constant-time comparison of a presented hash with a stored one. */
    public static boolean matches(byte[] presentedHash, byte[] storedHash) {
        return MessageDigest.isEqual(presentedHash, storedHash);
    }

    private static String random(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return out.toString();
    }
}
