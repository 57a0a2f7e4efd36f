package dev.sluice.infra.local;

import dev.sluice.core.apikey.ApiKeyFormat;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * Secrets of the local run, generated on first start and kept in the data folder (mode 600), so tokens issued
 * before a restart stay valid after it. Production deployments set their own; no secret has a default.
 */
final class LocalSecrets {

    static final String TOKEN_SECRET = "SLUICE_TOKENS_SECRETS";
    static final String DEV_KEY = "SLUICE_API_AUTH_DEV_KEY";

    private final Properties values = new Properties();

    private LocalSecrets() {}

    static LocalSecrets loadOrCreate(Path dataDirectory) {
        Path file = dataDirectory.resolve("secrets.properties");
        LocalSecrets secrets = new LocalSecrets();
        try {
            if (Files.exists(file)) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    secrets.values.load(reader);
                }
            }
            if (secrets.values.getProperty(TOKEN_SECRET) == null || secrets.values.getProperty(DEV_KEY) == null) {
                secrets.values.putIfAbsent(TOKEN_SECRET, random(32));
                secrets.values.putIfAbsent(DEV_KEY, ApiKeyFormat.generate());
                Files.createDirectories(dataDirectory);
                try (Writer writer = Files.newBufferedWriter(file)) {
                    secrets.values.store(writer, "Secrets of the local run. Do not reuse them anywhere else.");
                }
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: nothing more to do
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the local secrets in " + file, e);
        }
        return secrets;
    }

    String tokenSecret() {
        return values.getProperty(TOKEN_SECRET);
    }

    /** The API key the local run installs as 'local-dev' (generous limits), for curl and the examples. */
    String devKey() {
        return values.getProperty(DEV_KEY);
    }

    private static String random(int bytes) {
        byte[] secret = new byte[bytes];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
}
