package dev.sluice.store.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.json.Json;
import dev.sluice.infra.sample.Corpus;
import dev.sluice.infra.sample.NearDuplicateSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class SimhashTest {

    @Test
    void theSameTextHasTheSameFingerprintWhateverItsCaseAndPunctuation() {
        assertThat(Simhash.of("The quick brown fox, jumps over the lazy dog."))
                .isEqualTo(Simhash.of("the QUICK brown fox jumps over the lazy dog"));
    }

    @Test
    void aTextWithoutAWordHasNoFingerprint() {
        assertThat(Simhash.of("")).isNull();
        assertThat(Simhash.of(" … — ! ")).isNull();
        assertThat(Simhash.of("word")).isNotNull();
    }

    @Test
    void wordsOfScriptsWithoutSpacesAreTheirCharacters() {
        Long one = Simhash.of("東京都は日本の首都であり、世界有数の大都市である。人口は約千四百万人。");
        Long edited = Simhash.of("東京都は日本の首都であり、世界有数の大都市である。人口は約千三百万人。");
        Long other = Simhash.of("大阪は商人の町として知られ、食文化が豊かで、多くの観光客が訪れる。");
        assertThat(Simhash.distance(one, edited)).isLessThan(Simhash.distance(one, other));
    }

    /**
     * The labelled set (real pages of one site, and lightly edited copies): at the published threshold, nearly every
     * copy is found and almost no two different pages are taken for copies.
     */
    @Test
    void findsLightlyEditedCopiesAndTellsDifferentPagesApart() {
        for (long seed : new long[] {20261205, 1, 2}) {
            Measured measured = Measured.of(NearDuplicateSet.of(corpusTexts(), seed), Simhash.NEAR);
            System.out.println("SimhashTest: edits of seed " + seed + ", " + measured);

            assertThat(measured.recall()).as(measured.toString()).isGreaterThanOrEqualTo(0.90);
            assertThat(measured.precision()).as(measured.toString()).isGreaterThanOrEqualTo(0.99);
        }
    }

    /** The visible text of every page of the sample corpus, as the indexer extracts it. */
    static List<String> corpusTexts() {
        return Corpus.pages().stream().map(line -> {
            JsonNode page = Json.mapper().readTree(line);
            return PageText.extract(page.path("title").asString(null), page.path("body").asString(""),
                    page.path("content_type").asString("text/html")).content();
        }).toList();
    }

    /** Precision and recall of "within {@code threshold} bits" on a labelled set. */
    record Measured(int copies, int found, long differentPairs, long falselyNear, int threshold) {

        static Measured of(NearDuplicateSet set, int threshold) {
            int n = set.originals().size();
            long[] originals = new long[n];
            int found = 0;
            for (int i = 0; i < n; i++) {
                originals[i] = Simhash.of(set.originals().get(i));
                if (Simhash.distance(originals[i], Simhash.of(set.copies().get(i))) <= threshold) {
                    found++;
                }
            }
            long falselyNear = 0;
            long pairs = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    pairs++;
                    if (Simhash.distance(originals[i], originals[j]) <= threshold) {
                        falselyNear++;
                    }
                }
            }
            return new Measured(n, found, pairs, falselyNear, threshold);
        }

        double recall() {
            return (double) found / copies;
        }

        double precision() {
            return found + falselyNear == 0 ? 1 : (double) found / (found + falselyNear);
        }

        @Override
        public String toString() {
            return String.format("within %d bits: recall %.3f (%d of %d copies), precision %.3f (%d of %,d pairs of different pages taken for copies)",
                    threshold, recall(), found, copies, precision(), falselyNear, differentPairs);
        }
    }
}
