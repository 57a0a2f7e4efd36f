package dev.sluice.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Backups in an {@link ObjectStore}, one folder each ({@code <id>/}). Every file is an object published whole, and
 * the manifest is published last: a backup is complete, and listed, exactly when its manifest exists. A crash at
 * any point leaves files without a manifest, never listed, and removed by the next backup. A delete removes the
 * manifest first. The change archive lives beside the backups, under {@value #ARCHIVE}.
 */
public final class BackupStore {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BackupStore.class);

    /** The change archive's folder. */
    public static final String ARCHIVE = "archive/";

    private final ObjectStore objects;

    public BackupStore(ObjectStore objects) {
        this.objects = objects;
    }

    public ObjectStore objects() {
        return objects;
    }

    public String location() {
        return objects.location();
    }

    /** A backup being written. */
    public final class Pending {
        private final String id;

        private Pending(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** A file of the backup; commit it once written. */
        public ObjectStore.Upload create(String file) throws IOException {
            return objects.upload(id + "/" + file);
        }

        /** Publishes the manifest, which makes the backup complete. */
        public void complete(Manifest manifest) throws IOException {
            objects.write(id + "/" + Manifest.FILE_NAME, manifest.toJson());
        }

        /** Removes what was written (a failed backup). */
        public void abandon() throws IOException {
            removeFolder(id);
        }
    }

    /**
     * Starts a backup named {@code id}, first removing what crashed backups left (files without a manifest, uploads
     * never finished). One backup is written at a time: the snapshot writer holds a lock for it.
     */
    public Pending begin(String id) throws IOException {
        if (objects.size(id + "/" + Manifest.FILE_NAME).isPresent()) {
            throw new IOException("a backup named " + id + " exists already");
        }
        for (Map.Entry<String, Boolean> folder : folders().entrySet()) {
            if (!folder.getValue()) {
                removeFolder(folder.getKey());
            }
        }
        objects.discardUnfinished(key -> !key.startsWith(ARCHIVE), Instant.MAX);
        return new Pending(id);
    }

    /**
     * Complete backups, oldest first. A backup whose manifest is refused ({@link Manifest#fromJson}) is left out, with
     * a warning: it is neither restored nor deleted by retention.
     */
    public List<Manifest> list() throws IOException {
        List<Manifest> manifests = new ArrayList<>();
        for (Map.Entry<String, Boolean> folder : folders().entrySet()) {
            if (folder.getValue()) {
                try {
                    manifests.add(Manifest.fromJson(objects.read(folder.getKey() + "/" + Manifest.FILE_NAME), folder.getKey()));
                } catch (Manifest.InvalidManifestException e) {
                    log.warn("Left out: {} (it is not restored, and retention does not delete it)", e.getMessage());
                }
            }
        }
        manifests.sort(Comparator.comparing(Manifest::snapshotAt).thenComparing(Manifest::id));
        return manifests;
    }

    /** @throws Manifest.InvalidManifestException if the backup exists and its manifest is refused */
    public Optional<Manifest> find(String id) throws IOException {
        for (Map.Entry<String, Boolean> folder : folders().entrySet()) {
            if (folder.getKey().equals(id) && folder.getValue()) {
                return Optional.of(Manifest.fromJson(objects.read(id + "/" + Manifest.FILE_NAME), id));
            }
        }
        return Optional.empty();
    }

    public Optional<Manifest> latest() throws IOException {
        List<Manifest> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    public InputStream open(Manifest backup, String file) throws IOException {
        return objects.open(backup.id() + "/" + file);
    }

    /** The size of a backup's file as stored, or empty when it is missing. */
    public OptionalLong size(Manifest backup, String file) throws IOException {
        return objects.size(backup.id() + "/" + file);
    }

    /** Deletes a backup: its manifest first (it is no longer listed), then its files. */
    public void delete(Manifest backup) throws IOException {
        objects.delete(backup.id() + "/" + Manifest.FILE_NAME);
        removeFolder(backup.id());
    }

    /** Each backup folder, and whether it has its manifest. */
    private Map<String, Boolean> folders() throws IOException {
        Map<String, Boolean> folders = new LinkedHashMap<>();
        for (String folder : objects.folders("")) {
            if (!ARCHIVE.equals(folder + "/")) {
                folders.put(folder, objects.size(folder + "/" + Manifest.FILE_NAME).isPresent());
            }
        }
        return folders;
    }

    private void removeFolder(String id) throws IOException {
        for (String key : objects.list(id + "/")) {
            objects.delete(key);
        }
    }
}
