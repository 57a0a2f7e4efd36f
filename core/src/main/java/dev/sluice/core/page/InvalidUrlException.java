package dev.sluice.core.page;

/** A URL that cannot identify a page; the message completes the sentence "url …" for the client. */
public final class InvalidUrlException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidUrlException(String rule) {
        super(rule);
    }

    /** The rule that failed, phrased to follow the field name: "url must use the http or https scheme". */
    public String rule() {
        return getMessage();
    }
}
