package dev.sluice.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest is read only if every field has the shape this version writes: its table, columns, file and id go
 * into SQL and store keys during a restore or retention, and nothing signs it.
 */
class ManifestTest {

    static final String ID = "20261205T102244.042Z";
    static final String SHA = "1e8672d30232dcf296e741d18c14aefdb3b8aebb1e18b44477ea649962e2aa32";

    static Manifest valid() {
        return new Manifest(Manifest.FORMAT, ID, "9", "0/B569468", Instant.parse("2026-12-05T10:22:44.108877Z"),
                Instant.parse("2026-12-05T10:22:45Z"), List.of(
                        new Manifest.TableFile("pages", "pages.copy.zst", "id, url, \"partition\", site", 200, 150_076, SHA, 5_520, SHA),
                        new Manifest.TableFile("api_keys", "api_keys.copy.zst", "id, name", 1, 10, SHA, 9, SHA)));
    }

    static String json() {
        return new String(valid().toJson(), StandardCharsets.UTF_8);
    }

    @Test
    void whatThisVersionWritesReadsBack() {
        assertThat(Manifest.fromJson(valid().toJson(), ID)).isEqualTo(valid());
    }

    @Test
    void eachFieldThatCouldReachSqlOrAStoreKeyIsRefusedByName() {
        List<List<String>> cases = List.of(
                List.of("\"id\" : \"" + ID + "\"", "\"id\" : \"archive\"", "id"),
                List.of("\"table\" : \"api_keys\"", "\"table\" : \"pg_authid\"", "tables[1].table"),
                List.of("\"table\" : \"api_keys\"", "\"table\" : \"pages\"", "tables[1].table"), // twice
                List.of("\"table\" : \"pages\"", "\"table\" : \"pages; DROP TABLE api_keys\"", "tables[0].table"),
                List.of("\"columns\" : \"id, name\"", "\"columns\" : \"id) FROM STDIN; DROP TABLE pages; --\"", "tables[1].columns"),
                List.of("\"file\" : \"pages.copy.zst\"", "\"file\" : \"../../archive/x\"", "tables[0].file"),
                List.of("\"rows\" : 200", "\"rows\" : -1", "tables[0].rows"),
                List.of("\"lsn\" : \"0/B569468\"", "\"lsn\" : \"0/1'; --\"", "lsn"));
        for (List<String> change : cases) {
            String tampered = json().replace(change.get(0), change.get(1));
            assertThat(tampered).as("premise").isNotEqualTo(json());
            assertThatThrownBy(() -> Manifest.fromJson(tampered.getBytes(StandardCharsets.UTF_8), ID))
                    .as(change.get(1))
                    .isInstanceOf(Manifest.InvalidManifestException.class)
                    .hasMessageContaining("backup " + ID + " is refused: " + change.get(2));
        }
    }

    @Test
    void aBackupWithARefusedManifestIsNeitherListedNorFoundSoRetentionCannotDeleteByIt(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve(ID));
        Files.write(root.resolve(ID).resolve(Manifest.FILE_NAME), json().replace("\"id\" : \"" + ID + "\"", "\"id\" : \"archive\"")
                .getBytes(StandardCharsets.UTF_8));
        BackupStore store = new BackupStore(new DirectoryStore(root));

        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.find(ID)).hasMessageContaining("is refused: id 'archive'");
    }
}
