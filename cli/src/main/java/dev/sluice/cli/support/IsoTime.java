package dev.sluice.cli.support;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** Reads an option's time: ISO-8601 with a zone, seconds optional ({@code 2026-11-20T10:15Z}, {@code 2026-11-20T11:15+01:00}). */
public final class IsoTime implements CommandLine.ITypeConverter<Instant> {

    @Override
    public Instant convert(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not an ISO-8601 time with a zone, like 2026-11-20T10:15Z");
        }
    }
}
