package dev.sluice.core.token;

/**
 * A token or cursor that cannot be trusted: garbled, truncated, forged, or issued by another deployment. Over
 * HTTP this is a 400 with the message as its detail, never a 500.
 */
public final class InvalidTokenException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String reason) {
        super(reason);
    }
}
