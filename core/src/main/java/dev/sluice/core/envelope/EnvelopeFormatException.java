package dev.sluice.core.envelope;

/** A record on pages.v1 that is not a valid envelope: poison, never retried. The message is the reason. */
public final class EnvelopeFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EnvelopeFormatException(String reason) {
        super(reason);
    }

    public EnvelopeFormatException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
