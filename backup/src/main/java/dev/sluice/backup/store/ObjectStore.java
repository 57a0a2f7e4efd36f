package dev.sluice.backup.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Where backups and the change archive are kept: a local directory or an S3-compatible bucket. Keys are
 * {@code /}-separated paths. Every object appears whole or not at all: an {@link Upload} becomes visible only
 * when committed, so a reader never sees a half-written file under its final name.
 */
public interface ObjectStore extends AutoCloseable {

    /** The bucket when {@code s3} names one, else the directory. */
    static ObjectStore of(java.nio.file.Path directory, S3Properties s3) {
        return s3.enabled() ? S3Store.connect(s3) : new DirectoryStore(directory);
    }

    /** Where this is, for messages: a folder, or {@code s3://bucket/prefix}. */
    String location();

    /** Starts writing {@code key}; nothing is visible under it until {@link Upload#commit()}. */
    Upload upload(String key) throws IOException;

    /** The object's bytes; {@link java.nio.file.NoSuchFileException} when there is none. */
    InputStream open(String key) throws IOException;

    /** The object's size, or empty when there is none. */
    OptionalLong size(String key) throws IOException;

    /** The keys under {@code prefix}, sorted; objects being written are not among them. */
    List<String> list(String prefix) throws IOException;

    /** The folders directly under {@code prefix} (a folder, ending in {@code /}, or empty for the top), sorted, without the slash. */
    List<String> folders(String prefix) throws IOException;

    /** Deletes the object (nothing happens when there is none). */
    void delete(String key) throws IOException;

    /**
     * Discards uploads that were started before {@code startedBefore} under a key {@code keys} accepts and never
     * committed or discarded (their writer crashed). Discarding one still in progress makes its commit fail.
     */
    void discardUnfinished(Predicate<String> keys, Instant startedBefore) throws IOException;

    @Override
    default void close() {}

    default void write(String key, byte[] bytes) throws IOException {
        try (Upload upload = upload(key)) {
            try (OutputStream out = upload.stream()) {
                out.write(bytes);
            }
            upload.commit();
        }
    }

    default byte[] read(String key) throws IOException {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        }
    }

    /** An object being written: closing it without a commit discards what was written. */
    interface Upload extends Closeable {

        /** Where the bytes go; closing it does not publish them. */
        OutputStream stream();

        /** Makes the object visible, whole, under its key (closing the stream first if it is open). */
        void commit() throws IOException;
    }
}
