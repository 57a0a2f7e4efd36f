package dev.sluice.backup.store;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import org.springframework.util.unit.DataSize;

/**
 * An S3-compatible server for the tests, one per test JVM: the one {@code SLUICE_TEST_S3_ENDPOINT} names (with
 * {@code SLUICE_TEST_S3_ACCESS_KEY} and {@code SLUICE_TEST_S3_SECRET_KEY}; the compose stack's MinIO, say), else
 * S3Proxy, started as a process of its own on a free port over a folder in {@code target/}.
 */
public final class S3Server {

    private static S3Server shared;

    final String endpoint;
    final String accessKey;
    final String secretKey;

    private S3Server(String endpoint, String accessKey, String secretKey) {
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    public static synchronized S3Server shared() {
        if (shared == null) {
            String external = System.getenv("SLUICE_TEST_S3_ENDPOINT");
            shared = external != null
                    ? new S3Server(external, System.getenv("SLUICE_TEST_S3_ACCESS_KEY"), System.getenv("SLUICE_TEST_S3_SECRET_KEY"))
                    : startS3Proxy();
        }
        return shared;
    }

    /** Settings for a new bucket of this server's. */
    public S3Properties newBucket(String name, String prefix, DataSize partSize) {
        try (S3Client client = client()) {
            client.createBucket(request -> request.bucket(name));
        }
        return new S3Properties(name, prefix, endpoint, "us-east-1", true, accessKey, secretKey, partSize);
    }

    /** The bucket's settings as the worker reads them ({@code sluice.backup.s3.*}). */
    public static java.util.Map<String, String> properties(S3Properties bucket) {
        return java.util.Map.of("sluice.backup.s3.bucket", bucket.bucket(), "sluice.backup.s3.prefix", bucket.prefix(),
                "sluice.backup.s3.endpoint", bucket.endpoint(), "sluice.backup.s3.path-style", String.valueOf(bucket.pathStyle()),
                "sluice.backup.s3.access-key", bucket.accessKey(), "sluice.backup.s3.secret-key", bucket.secretKey(),
                "sluice.backup.s3.part-size", bucket.partSize().toMegabytes() + "MB");
    }

    /** The same as environment variables ({@code SLUICE_BACKUP_S3_BUCKET}, ...), as {@code sluice backup} reads them. */
    public static java.util.Map<String, String> environment(S3Properties bucket) {
        java.util.Map<String, String> environment = new java.util.HashMap<>();
        properties(bucket).forEach((name, value) -> environment.put(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'), value));
        return environment;
    }

    public S3Client client() {
        return S3Client.builder().httpClientBuilder(ApacheHttpClient.builder()).region(Region.US_EAST_1).forcePathStyle(true)
                .endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey))).build();
    }

    private static S3Server startS3Proxy() {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the build copies it in the pre-integration-test phase (./mvnw verify)");
        }
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path home = Files.createTempDirectory(jar.getParent(), "data-");
            String endpoint = "http://127.0.0.1:" + port;
            Path settings = home.resolve("s3proxy.conf");
            Files.writeString(settings, String.join("\n",
                    "s3proxy.endpoint=" + endpoint,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=sluice",
                    "s3proxy.credential=sluice-secret",
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + Files.createDirectory(home.resolve("buckets"))));
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", jar.toString(), "--properties", settings.toString())
                    .redirectErrorStream(true).redirectOutput(home.resolve("s3proxy.log").toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .failFast("S3Proxy exited: see " + home.resolve("s3proxy.log"), () -> !process.isAlive()).until(() -> {
                return http.send(HttpRequest.newBuilder(URI.create(endpoint)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() > 0;
            });
            return new S3Server(endpoint, "sluice", "sluice-secret");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
