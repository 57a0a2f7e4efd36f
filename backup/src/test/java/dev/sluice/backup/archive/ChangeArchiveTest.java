package dev.sluice.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backup.store.DirectoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeArchiveTest {

    static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");

    @TempDir
    Path folder;

    @Test
    void segmentsAreChosenByCommitTimeFromTheListingAloneAndReadBackInOrder() throws IOException {
        ChangeArchive archive = new ChangeArchive(new DirectoryStore(folder));
        for (int hour = 0; hour < 4; hour++) {
            write(archive, hour, DAY.plusSeconds(hour * 3600L), DAY.plusSeconds(hour * 3600L + 1800));
        }
        // a manifest the choice does not need is never read: garbage in hour 0's goes unnoticed
        Files.writeString(manifests().get(0), "not json");

        List<ChangeArchive.Segment> chosen = archive.segments(DAY.plusSeconds(3600 + 1000), DAY.plusSeconds(2 * 3600 + 10));

        assertThat(chosen).extracting(ChangeArchive.Segment::sequence).containsExactly(2L, 3L);
        List<String> keys = new ArrayList<>();
        archive.read(chosen.get(1), change -> keys.add(change.key()));
        assertThat(keys).containsExactly("page-2", "page-2");
        assertThat(archive.lastCommit()).hasValue(DAY.plusSeconds(3 * 3600 + 1800));
    }

    @Test
    void aManifestNamedWithoutItsTimesIsStillListedAndPruned() throws IOException {
        ChangeArchive archive = new ChangeArchive(new DirectoryStore(folder));
        write(archive, 0, DAY, DAY.plusSeconds(60));
        write(archive, 1, DAY.plusSeconds(7200), DAY.plusSeconds(7260));
        Path timed = manifests().get(0);
        Files.move(timed, timed.resolveSibling(timed.getFileName().toString().replaceFirst("\\.\\d+-\\d+\\.json$", ".json")));

        assertThat(archive.segments()).extracting(ChangeArchive.Segment::firstCommit).containsExactly(DAY, DAY.plusSeconds(7200));
        assertThat(archive.prune(DAY.plusSeconds(7200 + 3600), false)).as("older than the snapshot less the replay overlap").isEqualTo(1);
        assertThat(archive.segments()).singleElement().extracting(ChangeArchive.Segment::sequence).isEqualTo(2L);
        try (Stream<Path> files = Files.list(folder.resolve("archive"))) {
            assertThat(files.count()).as("the pruned segment's data went with its manifest").isEqualTo(2);
        }
    }

    @Test
    void aHoleInTheOffsetsTheSegmentsCoverIsNamedWhileOverlapsAndTombstonesAreNot() throws IOException {
        ChangeArchive archive = new ChangeArchive(new DirectoryStore(folder));
        byte[] event = "{\"op\":\"u\"}".getBytes(StandardCharsets.UTF_8);
        try (ChangeArchive.Writer segment = archive.next()) {
            segment.append(0, 0, "a", DAY.toEpochMilli(), event);
            segment.append(0, 1, "a", DAY.toEpochMilli(), null); // a Kafka tombstone: read, and covered
            segment.append(1, 7, "b", DAY.toEpochMilli(), event);
            segment.cover(1, 5, 8); // the reader stood at 5 (offsets 5 and 6 hold transaction markers)
            segment.complete();
        }
        try (ChangeArchive.Writer segment = archive.next()) {
            segment.append(0, 1, "a", DAY.plusSeconds(60).toEpochMilli(), null); // archived again after a crash
            segment.append(0, 2, "a", DAY.plusSeconds(60).toEpochMilli(), event);
            segment.cover(1, 8, 8);
            segment.complete();
        }
        assertThat(ChangeArchive.gaps(archive.segments())).isEmpty();
        assertThat(archive.segments().get(0).ranges()).containsEntry(0, new ChangeArchive.OffsetRange(0, 2))
                .containsEntry(1, new ChangeArchive.OffsetRange(5, 8));
        assertThat(archive.segments().get(0).events()).as("tombstones are not change events").isEqualTo(2);
        List<Boolean> tombstones = new ArrayList<>();
        archive.read(archive.segments().get(0), change -> tombstones.add(change.event() == null));
        assertThat(tombstones).containsExactly(false, true, false);

        try (ChangeArchive.Writer segment = archive.next()) {
            segment.append(0, 40, "a", DAY.plusSeconds(120).toEpochMilli(), event); // retention removed 3 to 39 first
            segment.cover(0, 40, 41);
            segment.complete();
        }
        assertThat(ChangeArchive.gaps(archive.segments())).singleElement().satisfies(gap -> {
            assertThat(gap).isEqualTo(new ChangeArchive.Gap(0, 3, 40, DAY.plusSeconds(60)));
            assertThat(gap.toString()).isEqualTo("partition 0: offsets 3 to 39 are in no segment (the archive is complete on it up to "
                    + DAY.plusSeconds(60) + ")");
        });
    }

    private static void write(ChangeArchive archive, int n, Instant first, Instant last) throws IOException {
        try (ChangeArchive.Writer segment = archive.next()) {
            byte[] event = "{\"op\":\"u\"}".getBytes(StandardCharsets.UTF_8);
            segment.append(0, n, "page-" + n, first.toEpochMilli(), event);
            segment.append(0, n + 100, "page-" + n, last.toEpochMilli(), event);
            segment.complete();
        }
    }

    private List<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.list(folder.resolve("archive"))) {
            return files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
        }
    }
}
