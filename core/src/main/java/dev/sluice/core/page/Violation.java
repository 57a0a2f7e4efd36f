package dev.sluice.core.page;

/**
 * One broken rule of a page, fit to show the client.
 *
 * @param field the JSON field, as posted ({@code fetched_at}), or {@code null} for the page as a whole
 * @param code a stable, machine-readable rule name
 * @param message what is wrong, in a sentence that starts with the field
 */
public record Violation(String field, Code code, String message) {

    /** Stable rule names; clients may switch on them. */
    public enum Code {
        REQUIRED,
        MALFORMED,
        WRONG_TYPE,
        INVALID,
        TOO_LONG,
        TOO_LARGE,
        OUT_OF_RANGE,
        UNKNOWN_FIELD;

        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Violation of(String field, Code code, String rule) {
        return new Violation(field, code, field + " " + rule);
    }
}
