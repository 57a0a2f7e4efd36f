package dev.sluice.api.read.sites;

import dev.sluice.api.problem.ProblemException;
import java.util.Locale;
import org.springframework.http.HttpStatus;

/** The {@code {site}} of a path: a host name as pages store it (lower-case, as the URL normaliser leaves it). */
public final class SiteName {

    private static final int MAX_LENGTH = 255;

    private SiteName() {}

    /** @throws ProblemException 400 {@code invalid-site} */
    public static String of(String text) {
        String site = text.toLowerCase(Locale.ROOT);
        if (site.isEmpty() || site.length() > MAX_LENGTH || !site.chars().allMatch(SiteName::hostCharacter)) {
            throw ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-site", "Invalid site",
                    "'" + (text.length() > 80 ? text.substring(0, 80) + "…" : text) + "' is not a site: give a host name such as example.com.");
        }
        return site;
    }

    private static boolean hostCharacter(int c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
    }
}
