package dev.sluice.backup.restore;

import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
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
        return check(backup, true);
    }

    /** Only what costs no reading: every file present, of the size written. */
    public List<String> verifySizes(Manifest backup) throws IOException {
        return check(backup, false);
    }

    private List<String> check(Manifest backup, boolean contents) throws IOException {
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
            if (contents) {
                MessageDigest sha256 = sha256();
                try (InputStream in = new DigestInputStream(store.open(backup, table.file()), sha256)) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                String actual = HexFormat.of().formatHex(sha256.digest());
                if (!actual.equals(table.sha256())) {
                    problems.add(table.file() + ": SHA-256 " + actual + ", the manifest says " + table.sha256());
                }
            }
        }
        return problems;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
