package dev.sluice.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.OptionalLong;

/** The SHA-256 checks every stored file (snapshot table or archive segment) gets against its manifest. */
public final class Checksums {

    private Checksums() {}

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has it
        }
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** {@code name: SHA-256 <actual>, the manifest says <expected>}, or null when they agree. */
    public static String disagreement(String name, String actual, String expected) {
        return actual.equals(expected) ? null : name + ": SHA-256 " + actual + ", the manifest says " + expected;
    }

    /**
     * Why the object under {@code key} (named {@code name} in the message) is not what its manifest says: missing,
     * of another size, or (when {@code contents}, which reads it whole) of another SHA-256; null when it is.
     */
    public static String damage(ObjectStore objects, String key, String name, long bytes, String sha256, boolean contents) throws IOException {
        OptionalLong size = objects.size(key);
        if (size.isEmpty()) {
            return name + ": missing";
        }
        if (size.getAsLong() != bytes) {
            return name + ": " + size.getAsLong() + " bytes, the manifest says " + bytes;
        }
        if (!contents) {
            return null;
        }
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(objects.open(key), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return disagreement(name, hex(digest), sha256);
    }
}
