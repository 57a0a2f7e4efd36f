package dev.sluice.store.search;

/**
 * A 64-bit simhash of a page's visible text (Charikar's sketch, as Manku, Jain and Das Sarma used it to find
 * near-duplicate web pages: two fingerprints within a Hamming distance of 3 are near-duplicates). The features are
 * the text's words, lower-cased (runs of letters and digits; each ideograph, kana or Thai letter a word of its own, as
 * those scripts do not separate words), each hashed to 64 bits and counted as often as it occurs. Editing a few words
 * moves a few features, so the fingerprint moves by a bit or two; a different text moves half of its bits. Words
 * rather than word pairs: on the labelled set (SimhashTest) pairs found 72 % of the edited copies, words 95 %, both
 * with no two different pages taken for copies.
 */
public final class Simhash {

    /** The published threshold for web pages: at most 3 of 64 bits apart. */
    public static final int NEAR = 3;

    private Simhash() {}

    /** The fingerprint, or null for a text without a single word (nothing to compare). */
    public static Long of(String text) {
        BitCounts counts = new BitCounts();
        int length = text.length();
        int i = 0;
        while (i < length) {
            int c = text.codePointAt(i);
            if (!Character.isLetterOrDigit(c)) {
                i += Character.charCount(c);
                continue;
            }
            long word = FNV_OFFSET;
            if (isUnspaced(c)) {
                word = mix(word, Character.toLowerCase(c));
                i += Character.charCount(c);
            } else {
                while (i < length) {
                    c = text.codePointAt(i);
                    if (!Character.isLetterOrDigit(c) || isUnspaced(c)) {
                        break;
                    }
                    word = mix(word, Character.toLowerCase(c));
                    i += Character.charCount(c);
                }
            }
            counts.add(finish(word));
        }
        return counts.fingerprint();
    }

    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private static long mix(long hash, int codePoint) {
        return (hash ^ codePoint) * FNV_PRIME;
    }

    /** MurmurHash3's finaliser: every input bit reaches every output bit (FNV alone leaves the high bits weak). */
    private static long finish(long hash) {
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }

    /**
     * Counts, per bit position, the features that have it set; a bit of the fingerprint is set when more than half
     * of them do. Eight counters share a long (one byte each: lane {@code i}, byte {@code b} counts bit
     * {@code 8b + i}), so a feature costs eight additions rather than sixty-four; the bytes are emptied into
     * {@code ones} before they can overflow.
     */
    private static final class BitCounts {
        private static final long LOW_BITS = 0x0101_0101_0101_0101L;
        private final long[] lanes = new long[8];
        private final int[] ones = new int[64];
        private int pending;
        private int features;

        void add(long feature) {
            for (int lane = 0; lane < 8; lane++) {
                lanes[lane] += feature >>> lane & LOW_BITS;
            }
            features++;
            if (++pending == 255) {
                flush();
            }
        }

        private void flush() {
            for (int lane = 0; lane < 8; lane++) {
                for (int b = 0; b < 8; b++) {
                    ones[8 * b + lane] += (int) (lanes[lane] >>> 8 * b & 0xFF);
                }
                lanes[lane] = 0;
            }
            pending = 0;
        }

        Long fingerprint() {
            if (features == 0) {
                return null;
            }
            flush();
            long fingerprint = 0;
            for (int bit = 0; bit < 64; bit++) {
                if (2 * ones[bit] > features) {
                    fingerprint |= 1L << bit;
                }
            }
            return fingerprint;
        }
    }

    /** Scripts written without spaces between words: each character counts as a word. */
    private static boolean isUnspaced(int codePoint) {
        if (codePoint < 0x0E00) { // below Thai: the common case, without looking the script up
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(codePoint);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.THAI;
    }
}
