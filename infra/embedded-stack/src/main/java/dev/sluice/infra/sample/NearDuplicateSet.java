package dev.sluice.infra.sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A labelled set for near-duplicate detection, from real texts (the visible text of the sample {@link Corpus}'s
 * pages: 230 pages of one site, sharing its navigation and footer): each text, and for each a lightly edited copy (a
 * few words replaced, a sentence inserted, a run of words deleted, the numbers of a date or counter changed, or two
 * of these; at most about 2 % of its words). Positive pairs: a text and its copy. Negative pairs: two different texts.
 */
public record NearDuplicateSet(List<String> originals, List<String> copies) {

    /** The texts (blank ones left out) and an edited copy of each, the edits drawn from {@code seed}. */
    public static NearDuplicateSet of(List<String> texts, long seed) {
        Random random = new Random(seed);
        List<String> originals = new ArrayList<>();
        List<String> copies = new ArrayList<>();
        for (String text : texts) {
            if (!text.isBlank()) {
                originals.add(text);
                copies.add(edit(text, random));
            }
        }
        return new NearDuplicateSet(originals, copies);
    }

    /** One light edit, or two. */
    public static String edit(String text, Random random) {
        List<String> words = new ArrayList<>(Arrays.asList(text.split(" ")));
        int budget = Math.max(1, words.size() / 50);
        int edits = random.nextInt(3) == 0 ? 2 : 1;
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(words.size());
            switch (random.nextInt(4)) {
                case 0 -> { // replace a few words
                    for (int n = 0; n < Math.min(3, budget); n++) {
                        words.set(random.nextInt(words.size()), WORDS[random.nextInt(WORDS.length)]);
                    }
                }
                case 1 -> { // insert a sentence
                    List<String> sentence = new ArrayList<>();
                    for (int n = 0; n < Math.min(8, budget + 2); n++) {
                        sentence.add(WORDS[random.nextInt(WORDS.length)]);
                    }
                    words.addAll(at, sentence);
                }
                case 2 -> { // delete a run of words
                    int run = Math.min(Math.min(5, budget), words.size() - at);
                    if (words.size() - run > 3) {
                        words.subList(at, at + run).clear();
                    }
                }
                default -> { // a date or a counter moves on
                    words.add(at, (2020 + random.nextInt(7)) + "-" + (1 + random.nextInt(12)) + "-" + (1 + random.nextInt(28)));
                }
            }
        }
        return String.join(" ", words);
    }

    private static final String[] WORDS = {"updated", "yesterday", "sponsored", "note", "latest", "revision", "archive",
        "comments", "share", "print", "edition", "today", "breaking", "related", "advertisement", "subscribe"};
}
