package dev.sluice.api.auth;

import java.util.Set;

/**
 * An authenticated API key: who is calling, what it may do, how fast.
 *
 * @param id the key's public id (the part after {@code slk_})
 * @param name its human name; becomes the {@code client} of every write it makes
 * @param scopes {@code read}, {@code write}
 * @param ratePerSecond pages per second, sustained
 * @param burst pages at once
 */
public record ApiKey(String id, String name, Set<String> scopes, int ratePerSecond, int burst) {

    public static final String READ = "read";
    public static final String WRITE = "write";

    public boolean may(String scope) {
        return scopes.contains(scope);
    }
}
