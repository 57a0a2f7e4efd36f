package dev.sluice.backup.restore;

import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Checksums;
import dev.sluice.backup.store.Manifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

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
            String damage = Checksums.damage(store.objects(), backup.id() + "/" + table.file(), table.file(), table.storedBytes(), table.sha256(),
                    contents);
            if (damage != null) {
                problems.add(damage);
            }
        }
        return problems;
    }
}
