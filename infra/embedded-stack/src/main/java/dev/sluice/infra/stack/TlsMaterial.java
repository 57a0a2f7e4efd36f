package dev.sluice.infra.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A server certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's own keytool into a folder of
 * ours on first use (kept there for restarts): a PKCS12 keystore for the server, and the certificate as PEM for the
 * clients to trust. Self-signed, so the PEM is the whole chain a client needs; hostnames are verified against it.
 */
public record TlsMaterial(Path keystore, String password, Path certificate) {

    public static TlsMaterial in(Path directory) {
        Path keystore = directory.resolve("server.p12");
        Path certificate = directory.resolve("ca.pem");
        Path passwordFile = directory.resolve("keystore.password");
        try {
            if (Files.exists(keystore) && Files.exists(certificate) && Files.exists(passwordFile)) {
                return new TlsMaterial(keystore, Files.readString(passwordFile).strip(), certificate);
            }
            Files.createDirectories(directory);
            String password = UUID.randomUUID().toString().replace("-", "");
            keytool("-genkeypair", "-alias", "sluice", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "365", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                    "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-alias", "sluice", "-keystore", keystore.toString(), "-storepass", password, "-rfc", "-file",
                    certificate.toString());
            Files.writeString(passwordFile, password);
            return new TlsMaterial(keystore, password, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
