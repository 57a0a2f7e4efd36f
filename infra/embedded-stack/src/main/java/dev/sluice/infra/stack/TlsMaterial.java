package dev.sluice.infra.stack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A server certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's own keytool into a folder of
 * ours on first use (kept there for restarts): a PKCS12 keystore (Kafka), the same key and certificate as PEM files
 * (PostgreSQL, Redis), and the certificate as the PEM the clients trust. Self-signed, so that PEM is the whole
 * chain a client needs; hostnames are verified against it.
 *
 * @param privateKey the key as PKCS#8 PEM, readable by its owner only (PostgreSQL insists)
 */
public record TlsMaterial(Path keystore, String password, Path certificate, Path privateKey) {

    public static TlsMaterial in(Path directory) {
        Path keystore = directory.resolve("server.p12");
        Path certificate = directory.resolve("ca.pem");
        Path privateKey = directory.resolve("server.key");
        Path passwordFile = directory.resolve("keystore.password");
        try {
            if (Files.exists(keystore) && Files.exists(certificate) && Files.exists(passwordFile) && Files.exists(privateKey)) {
                return new TlsMaterial(keystore, Files.readString(passwordFile).strip(), certificate, privateKey);
            }
            Files.createDirectories(directory);
            String password = UUID.randomUUID().toString().replace("-", "");
            keytool("-genkeypair", "-alias", "sluice", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "365", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                    "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-alias", "sluice", "-keystore", keystore.toString(), "-storepass", password, "-rfc", "-file",
                    certificate.toString());
            Files.writeString(passwordFile, password);
            writePrivateKey(keystore, password, privateKey);
            return new TlsMaterial(keystore, password, certificate, privateKey);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the TLS material in " + directory, e);
        }
    }

    /** A client context that trusts this certificate only. */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(certificate)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("sluice", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + certificate, e);
        }
    }

    private static void writePrivateKey(Path keystore, String password, Path file) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password.toCharArray());
        }
        Key key = store.getKey("sluice", password.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(file, pem);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: PostgreSQL there checks nothing of the kind
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
