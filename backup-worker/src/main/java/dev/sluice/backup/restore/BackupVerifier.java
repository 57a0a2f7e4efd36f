package dev.sluice.backup.restore;

import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;

/** Checks every file of a backup against its manifest: present, of the size written, with the SHA-256 written. */
public final class BackupVerifier {

    private final BackupStore store;

    public BackupVerifier(BackupStore store) {
        this.store = store;
    }

    /** The problems found, each naming its file; empty when the backup is intact. */
    public List<String> verify(Manifest backup) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Manifest.TableFile table : backup.tables()) {
            OptionalLong size = store.size(backup, table.file());
            if (size.isEmpty()) {
                problems.add(table.file() + ": missing");
                continue;
            }
            if (size.getAsLong() != table.storedBytes()) {
                problems.add(table.file() + ": " + size.getAsLong() + " bytes, the manifest says " + table.storedBytes());
                continue;
            }
            String sha256 = sha256(store.open(backup, table.file()));
            if (!sha256.equals(table.sha256())) {
                problems.add(table.file() + ": SHA-256 " + sha256 + ", the manifest says " + table.sha256());
            }
        }
        return problems;
    }

    private static String sha256(InputStream file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = file) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
