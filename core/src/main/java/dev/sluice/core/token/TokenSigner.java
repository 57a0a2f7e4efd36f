package dev.sluice.core.token;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals small payloads (consistency tokens, pagination cursors) into opaque, tamper-evident strings:
 * {@code base64url(payload ‖ HMAC-SHA256(key, purpose ‖ payload)[0..16])}.
 *
 * <p>The purpose is part of the MAC, so a cursor is never accepted as a token, nor a token of one topic for
 * another. Several secrets allow rotation: the first seals, any opens.
 */
public final class TokenSigner {

    /** 128-bit tags: forging one takes 2^128 tries; the token stays short. */
    static final int TAG_LENGTH = 16;
    /** Generous for any real token; refuses abuse before any work. */
    public static final int MAX_TOKEN_LENGTH = 4096;
    private static final int MIN_SECRET_LENGTH = 32;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final List<SecretKeySpec> keys;

    /**
     * @param secrets at least one secret of 32 or more characters; the first is used to seal
     */
    public TokenSigner(List<String> secrets) {
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one token secret is required (sluice.tokens.secrets)");
        }
        this.keys = secrets.stream().map(TokenSigner::key).toList();
    }

    private static SecretKeySpec key(String secret) {
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("a token secret must be at least " + MIN_SECRET_LENGTH + " characters");
        }
        return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public String seal(String purpose, byte[] payload) {
        byte[] tag = tag(keys.get(0), purpose, payload, payload.length);
        byte[] sealed = ByteBuffer.allocate(payload.length + TAG_LENGTH).put(payload).put(tag).array();
        return ENCODER.encodeToString(sealed);
    }

    /**
     * @return the payload
     * @throws InvalidTokenException if the text is not one this signer sealed for this purpose
     */
    public byte[] open(String purpose, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidTokenException("is empty");
        }
        if (text.length() > MAX_TOKEN_LENGTH) {
            throw new InvalidTokenException("is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        byte[] sealed;
        try {
            sealed = DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("is not base64url text");
        }
        if (sealed.length <= TAG_LENGTH) {
            throw new InvalidTokenException("is truncated");
        }
        int payloadLength = sealed.length - TAG_LENGTH;
        byte[] tag = Arrays.copyOfRange(sealed, payloadLength, sealed.length);
        for (SecretKeySpec key : keys) {
            if (MessageDigest.isEqual(tag, tag(key, purpose, sealed, payloadLength))) {
                return Arrays.copyOf(sealed, payloadLength);
            }
        }
        throw new InvalidTokenException("has a signature that does not match: it was altered, or issued by another deployment");
    }

    private static byte[] tag(SecretKeySpec key, String purpose, byte[] payload, int payloadLength) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(purpose.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(payload, 0, payloadLength);
            return Arrays.copyOf(mac.doFinal(), TAG_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }
}
