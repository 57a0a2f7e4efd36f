package dev.sluice.bench.support;

import java.util.List;

/** The median of a few measurements (these machines are noisy: figures are medians of rounds). */
public final class Medians {

    private Medians() {}

    public static double of(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        if (n == 0) {
            throw new IllegalArgumentException("no measurements");
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
