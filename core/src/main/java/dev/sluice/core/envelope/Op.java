package dev.sluice.core.envelope;

import java.util.Locale;

/** What a write asks for. */
public enum Op {
    UPSERT,
    DELETE;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Op parse(String value) {
        return switch (value) {
            case "upsert" -> UPSERT;
            case "delete" -> DELETE;
            default -> throw new EnvelopeFormatException("op must be 'upsert' or 'delete', not '" + value + "'");
        };
    }
}
