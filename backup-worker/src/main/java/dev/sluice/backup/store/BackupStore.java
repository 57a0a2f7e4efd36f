package dev.sluice.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Backups in a local directory, one folder each. A backup is written into a hidden {@code .partial-<id>} folder,
 * every file synced, the manifest written last, and only then renamed to {@code <id>} in one atomic step: a
 * crash at any point leaves a partial folder that is never listed (and is cleared by the next backup), never a
 * complete-looking backup.
 */
public final class BackupStore {

    private static final String PARTIAL = ".partial-";
    private static final String DELETING = ".deleting-";

    private final Path root;

    public BackupStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    /** A backup being written. */
    public final class Pending {
        private final String id;
        private final Path folder;

        private Pending(String id, Path folder) {
            this.id = id;
            this.folder = folder;
        }

        public String id() {
            return id;
        }

        public OutputStream create(String file) throws IOException {
            return Files.newOutputStream(folder.resolve(file), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        /** Syncs every file, writes the manifest, and makes the backup visible, atomically. */
        public void complete(Manifest manifest) throws IOException {
            Files.write(folder.resolve(Manifest.FILE_NAME), manifest.toJson(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    sync(file);
                }
            }
            sync(folder);
            Path target = root.resolve(id);
            try {
                Files.move(folder, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the backup directory " + root + " cannot rename atomically", e);
            }
            sync(root);
        }

        /** Removes what was written (a failed backup). */
        public void abandon() {
            deleteTree(folder);
        }
    }

    /** Starts a backup named {@code id}; clears partial folders that crashed backups left behind. */
    public Pending begin(String id) throws IOException {
        Files.createDirectories(root);
        if (Files.exists(root.resolve(id))) {
            throw new IOException("a backup named " + id + " exists already");
        }
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(root, PARTIAL + "*")) {
            partials.forEach(BackupStore::deleteTree);
        }
        Path folder = Files.createDirectory(root.resolve(PARTIAL + id));
        return new Pending(id, folder);
    }

    /** Complete backups, oldest first. */
    public List<Manifest> list() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Manifest> manifests = new ArrayList<>();
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, path -> !path.getFileName().toString().startsWith("."))) {
            for (Path folder : folders) {
                Path manifest = folder.resolve(Manifest.FILE_NAME);
                if (Files.isRegularFile(manifest)) {
                    manifests.add(Manifest.fromJson(Files.readAllBytes(manifest)));
                }
            }
        }
        manifests.sort(Comparator.comparing(Manifest::snapshotAt).thenComparing(Manifest::id));
        return manifests;
    }

    public Optional<Manifest> find(String id) throws IOException {
        return list().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    public Optional<Manifest> latest() throws IOException {
        List<Manifest> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    public InputStream open(Manifest backup, String file) throws IOException {
        return Files.newInputStream(root.resolve(backup.id()).resolve(file));
    }

    public Path path(Manifest backup, String file) {
        return root.resolve(backup.id()).resolve(file);
    }

    /** Deletes a backup: first renamed out of the listing in one atomic step, then removed. */
    public void delete(Manifest backup) throws IOException {
        Path doomed = root.resolve(DELETING + backup.id());
        Files.move(root.resolve(backup.id()), doomed, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(doomed);
    }

    private static void sync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + folder, e);
        }
    }
}
