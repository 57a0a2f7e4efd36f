package dev.sluice.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Objects as files under a folder. An upload is written to a hidden {@code .partial-<name>-<random>} file beside
 * its target, synced, and renamed onto the key in one atomic step (then the folder is synced), so a crash leaves
 * at most a hidden file, never a partial object.
 */
public final class DirectoryStore implements ObjectStore {

    private static final String PARTIAL = ".partial-";

    private final Path root;

    public DirectoryStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public Upload upload(String key) throws IOException {
        Path target = file(key);
        Path partial = target.resolveSibling(PARTIAL + target.getFileName() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        OutputStream stream = null;
        for (int attempt = 1; stream == null; attempt++) {
            Files.createDirectories(target.getParent());
            try {
                stream = Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (java.nio.file.NoSuchFileException e) { // a delete removed the folder as it emptied: make it again
                if (attempt == 3) {
                    throw e;
                }
            }
        }
        OutputStream out = stream;
        return new Upload() {
            private boolean committed;

            @Override
            public OutputStream stream() {
                return out;
            }

            @Override
            public void commit() throws IOException {
                out.close();
                sync(partial);
                try {
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the folder " + root + " cannot rename atomically", e);
                }
                sync(target.getParent());
                committed = true;
            }

            @Override
            public void close() throws IOException {
                if (!committed) {
                    out.close();
                    Files.deleteIfExists(partial);
                }
            }
        };
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(file(key));
    }

    @Override
    public OptionalLong size(String key) throws IOException {
        Path file = file(key);
        return Files.isRegularFile(file) ? OptionalLong.of(Files.size(file)) : OptionalLong.empty();
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        Path base = prefix.contains("/") ? file(prefix.substring(0, prefix.lastIndexOf('/'))) : root;
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(base)) {
            return files.filter(Files::isRegularFile).map(this::key)
                    .filter(key -> key.startsWith(prefix) && !key.startsWith(".") && !key.contains("/."))
                    .sorted().toList();
        }
    }

    @Override
    public List<String> folders(String prefix) throws IOException {
        Path base = prefix.isEmpty() ? root : file(prefix);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(base)) {
            return children.filter(Files::isDirectory).map(child -> child.getFileName().toString())
                    .filter(name -> !name.startsWith(".")).sorted().toList();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Path file = file(key);
        Files.deleteIfExists(file);
        removeEmptyFolders(file.getParent());
    }

    @Override
    public void discardUnfinished(Predicate<String> keys, Instant startedBefore) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path partial : files.filter(file -> file.getFileName().toString().startsWith(PARTIAL)).toList()) {
                String name = partial.getFileName().toString();
                String key = key(partial.resolveSibling(name.substring(PARTIAL.length(), name.lastIndexOf('-'))));
                if (keys.test(key) && Files.getLastModifiedTime(partial).toInstant().isBefore(startedBefore)) {
                    Files.deleteIfExists(partial);
                    removeEmptyFolders(partial.getParent());
                }
            }
        }
    }

    private Path file(String key) {
        Path file = root.resolve(key).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IllegalArgumentException("not a key inside " + root + ": " + key);
        }
        return file;
    }

    private String key(Path file) {
        return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    private void removeEmptyFolders(Path folder) throws IOException {
        for (Path current = folder; current != null && current.startsWith(root) && !current.equals(root); current = current.getParent()) {
            try {
                Files.deleteIfExists(current);
            } catch (DirectoryNotEmptyException e) {
                return;
            }
        }
    }

    private static void sync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
