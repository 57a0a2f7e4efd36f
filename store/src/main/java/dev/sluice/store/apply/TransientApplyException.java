package dev.sluice.store.apply;

/** The batch could not be applied now (the database is down, restarting, busy): retry it, never dead-letter it. */
public final class TransientApplyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TransientApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
