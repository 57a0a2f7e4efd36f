package dev.sluice.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.util.unit.DataSize;
import software.amazon.awssdk.services.s3.S3Client;

/** Both stores keep the same promises: an object is seen whole or not at all, and an abandoned upload leaves nothing. */
class ObjectStoreIT {

    private static final AtomicInteger buckets = new AtomicInteger();

    @TempDir
    static Path folder;

    static Stream<Arguments> stores() {
        S3Properties bucket = S3Server.shared().newBucket("store-it-" + buckets.incrementAndGet(), "team/sluice", DataSize.ofMegabytes(5));
        return Stream.of(
                Arguments.of("a directory", new DirectoryStore(folder.resolve("store-" + buckets.incrementAndGet()))),
                Arguments.of("an S3 bucket", S3Store.connect(bucket)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void anObjectIsInvisibleUntilCommittedThenWhole(String kind, ObjectStore store) throws IOException {
        byte[] large = new byte[12 << 20]; // more than two parts of 5 MB: a multipart upload in S3
        new Random(7).nextBytes(large);

        try (ObjectStore.Upload upload = store.upload("b1/pages.copy.zst")) {
            try (OutputStream out = upload.stream()) {
                for (int offset = 0; offset < large.length; offset += 100_000) {
                    out.write(large, offset, Math.min(100_000, large.length - offset));
                }
            }
            assertThat(store.list("")).as("written, not committed").isEmpty();
            assertThat(store.size("b1/pages.copy.zst")).isEmpty();
            upload.commit();
        }
        store.write("b1/manifest.json", "{}".getBytes());
        store.write("archive/segment-1.json", "{}".getBytes());

        assertThat(store.read("b1/pages.copy.zst")).isEqualTo(large);
        assertThat(store.size("b1/pages.copy.zst")).hasValue(large.length);
        assertThat(store.list("")).containsExactly("archive/segment-1.json", "b1/manifest.json", "b1/pages.copy.zst");
        assertThat(store.list("b1/")).containsExactly("b1/manifest.json", "b1/pages.copy.zst");
        assertThat(store.list("archive/segment-")).containsExactly("archive/segment-1.json");
        assertThat(store.folders("")).containsExactly("archive", "b1");
        assertThatThrownBy(() -> store.open("b1/missing")).isInstanceOf(NoSuchFileException.class);

        store.delete("b1/pages.copy.zst");
        store.delete("b1/manifest.json");
        assertThat(store.list("")).containsExactly("archive/segment-1.json");
        assertThat(store.folders("")).containsExactly("archive");
        store.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void anUploadClosedWithoutACommitLeavesNothing(String kind, ObjectStore store) throws IOException {
        try (ObjectStore.Upload upload = store.upload("b2/pages.copy.zst")) {
            upload.stream().write(new byte[11 << 20]); // two parts sent
        }

        assertThat(store.list("")).isEmpty();
        assertThat(unfinished(store)).isZero();
        store.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void anUploadACrashedWriterLeftIsDiscardedAndCanNeverBePublished(String kind, ObjectStore store) throws IOException {
        ObjectStore.Upload crashed = store.upload("b3/pages.copy.zst");
        crashed.stream().write(new byte[6 << 20]);
        crashed.stream().flush();
        ObjectStore.Upload archiving = store.upload("archive/segment-9.ndjson.zst");
        archiving.stream().write(new byte[6 << 20]);
        archiving.stream().flush();

        store.discardUnfinished(key -> !key.startsWith("archive/"), Instant.now().plusSeconds(1));

        assertThat(unfinished(store)).as("the archive's upload is not touched").isEqualTo(1);
        assertThatThrownBy(crashed::commit).isInstanceOf(IOException.class);
        assertThat(store.list("")).isEmpty();
        archiving.commit();
        assertThat(store.list("")).containsExactly("archive/segment-9.ndjson.zst");
        store.close();
    }

    /** Uploads started and neither committed nor discarded: hidden files in a directory, multipart uploads in S3. */
    private static int unfinished(ObjectStore store) throws IOException {
        if (store instanceof DirectoryStore) {
            Path root = Path.of(store.location());
            if (!java.nio.file.Files.isDirectory(root)) {
                return 0;
            }
            try (Stream<Path> files = java.nio.file.Files.walk(root)) {
                return (int) files.filter(file -> file.getFileName().toString().startsWith(".partial-")).count();
            }
        }
        String bucket = store.location().substring("s3://".length(), store.location().indexOf('/', "s3://".length()));
        try (S3Client client = S3Server.shared().client()) {
            return client.listMultipartUploads(request -> request.bucket(bucket)).uploads().size();
        }
    }
}
