package dev.sluice.bench.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/** One scrape of a service's {@code /actuator/prometheus}: a histogram's cumulative buckets and a counter's sum. */
public record PrometheusScrape(String text) {

    public static PrometheusScrape of(int port) throws IOException, InterruptedException {
        return get("http://127.0.0.1:" + port + "/actuator/prometheus");
    }

    /**
     * Only the metrics named (as exposed, such as {@code sluice_invalidator_lag_seconds}): less text to render and
     * parse. The registry still collects every meter for it (hundreds of Kafka client meters), so a figure read every
     * second is read from {@code /actuator/metrics} instead ({@link ActuatorMetrics}).
     */
    public static PrometheusScrape of(int port, String... names) throws IOException, InterruptedException {
        StringBuilder query = new StringBuilder();
        for (String name : names) {
            query.append(query.isEmpty() ? "?" : "&").append("includedNames=").append(name);
            if (name.endsWith("_total")) { // a counter's family is named without the suffix
                query.append("&includedNames=").append(name, 0, name.length() - "_total".length());
            }
        }
        return get("http://127.0.0.1:" + port + "/actuator/prometheus" + query);
    }

    private static PrometheusScrape get(String uri) throws IOException, InterruptedException {
        return new PrometheusScrape(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Upper bound (seconds) → cumulative count, of the histogram {@code name} (summed over its other tags). */
    public TreeMap<Double, Double> buckets(String name) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "_bucket{")) {
                int le = line.indexOf("le=\"") + 4;
                String bound = line.substring(le, line.indexOf('"', le));
                double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
                buckets.merge(upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
            }
        }
        return buckets;
    }

    /** The sum of every series of the counter {@code name}. */
    public double counter(String name) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The sum of the series of the counter {@code name} that carry {@code label} (such as {@code reason="timeout"}). */
    public double counter(String name, String label) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") && line.substring(0, line.lastIndexOf('}') + 1).contains(label)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The largest value among the series of the gauge {@code name} that carry {@code label}; NaN if none. */
    public double max(String name, String label) {
        double max = Double.NaN;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") && line.substring(0, line.lastIndexOf('}') + 1).contains(label)) {
                double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                max = Double.isNaN(max) ? value : Math.max(max, value);
            }
        }
        return max;
    }

    /** The {@code quantile} of the observations between two scrapes of a histogram (upper bound of its bucket). */
    public static double quantile(TreeMap<Double, Double> before, TreeMap<Double, Double> after, double quantile) {
        TreeMap<Double, Double> delta = new TreeMap<>();
        after.forEach((bound, count) -> delta.put(bound, count - before.getOrDefault(bound, 0.0)));
        double total = delta.lastEntry().getValue();
        for (Map.Entry<Double, Double> bucket : delta.entrySet()) {
            if (bucket.getValue() >= quantile * total) {
                return bucket.getKey();
            }
        }
        return Double.NaN;
    }
}
