package dev.sluice.invalidator.cdc;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Debezium's own streaming metrics (JMX only) as gauges, so that a feed falling behind shows where: a full queue
 * means the publishing to Kafka cannot keep up, an empty one with a growing distance behind the source means the
 * reading and decoding of the WAL cannot. NaN while this instance does not read the slot.
 */
final class DebeziumStreamingMetrics {

    private DebeziumStreamingMetrics() {}

    static void register(MeterRegistry meters, String topicPrefix) {
        ObjectName streaming = objectName("debezium.postgres:type=connector-metrics,context=streaming,server=" + topicPrefix);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Gauge.builder("sluice.cdc.behind.source", () -> attribute(server, streaming, "MilliSecondsBehindSource")).baseUnit("milliseconds")
                .description("Debezium: from a change's commit to its reading by the feed").register(meters);
        Gauge.builder("sluice.cdc.queue.remaining", () -> attribute(server, streaming, "QueueRemainingCapacity"))
                .description("Debezium: free places in the queue between reading the WAL and publishing to Kafka").register(meters);
    }

    private static double attribute(MBeanServer server, ObjectName name, String attribute) {
        try {
            return server.isRegistered(name) ? ((Number) server.getAttribute(name, attribute)).doubleValue() : Double.NaN;
        } catch (JMException | ClassCastException e) {
            return Double.NaN;
        }
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (JMException e) {
            throw new IllegalArgumentException(name, e);
        }
    }
}
