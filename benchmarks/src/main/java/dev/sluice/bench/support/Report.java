package dev.sluice.bench.support;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Medians over rounds, printed as a table; these machines are noisy, so no single run is quoted. */
public final class Report {

    public record Row(String name, double perSecond, double mibPerSecond, double p50Millis, double p99Millis, long failures,
            Double ratio, String ratioTo) {}

    private final List<Row> rows = new ArrayList<>();

    /** The median of each figure over the rounds of one scenario. */
    public static Measurement.Result median(List<Measurement.Result> rounds) {
        return new Measurement.Result(rounds.get(0).name(),
                median(rounds, Measurement.Result::perSecond), median(rounds, Measurement.Result::mibPerSecond),
                median(rounds, Measurement.Result::p50Millis), median(rounds, Measurement.Result::p99Millis),
                rounds.stream().mapToLong(Measurement.Result::failures).sum(), rounds.get(0).elapsed());
    }

    private static double median(List<Measurement.Result> rounds, ToDoubleFunction<Measurement.Result> figure) {
        double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    public void add(Measurement.Result result, Measurement.Result limit, String limitName) {
        rows.add(new Row(result.name(), result.perSecond(), result.mibPerSecond(), result.p50Millis(), result.p99Millis(),
                result.failures(), limit == null ? null : result.perSecond() / limit.perSecond(), limitName));
    }

    public void print(PrintStream out, String unit) {
        rows.sort(Comparator.comparing(Row::name));
        out.printf("%n%-44s %12s %9s %9s %9s %7s %s%n", "scenario (medians)", unit + "/s", "MiB/s", "p50 ms", "p99 ms", "errors", "ratio");
        for (Row row : rows) {
            out.printf("%-44s %12.0f %9.1f %9.1f %9.1f %7d %s%n", row.name(), row.perSecond(), row.mibPerSecond(), row.p50Millis(),
                    row.p99Millis(), row.failures(), row.ratio() == null ? "" : String.format("%.2f x %s", row.ratio(), row.ratioTo()));
        }
    }
}
