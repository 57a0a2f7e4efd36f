package dev.sluice.core.page;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code pages.content_hash}: SHA-256 of what a page says (title, content type, status, body, metadata), each field
 * length-prefixed so no two different pages hash alike by shifting bytes between fields. Equal hashes mark an
 * unchanged re-crawl; whatever writes pages (the worker, a replay, a benchmark's limits) computes it here.
 */
public final class ContentHash {

    private ContentHash() {}

    public static byte[] of(Page page) {
        return of(page, page.body() == null ? null : page.body().getBytes(StandardCharsets.UTF_8));
    }

    /** The same, given the body's UTF-8 (a writer that also compresses the body encodes it once for both). */
    public static byte[] of(Page page, byte[] bodyUtf8) {
        MessageDigest digest = sha256();
        field(digest, page.title());
        field(digest, page.contentType());
        field(digest, page.status() == null ? null : page.status().toString());
        field(digest, bodyUtf8);
        field(digest, page.metadata().toString());
        return digest.digest();
    }

    private static void field(MessageDigest digest, String value) {
        field(digest, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private static void field(MessageDigest digest, byte[] bytes) {
        if (bytes == null) {
            digest.update(ByteBuffer.allocate(4).putInt(-1).array());
            return;
        }
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
