package dev.sluice.core.topic;

import java.time.Duration;
import java.util.Objects;

/**
 * How a topic is named and laid out. Topic names, partition counts and retention are configuration.
 *
 * @param name topic name
 * @param partitions partition count; bounds how many consumers of one group can share the work
 * @param replicationFactor replicas per partition, or -1 for the broker's default
 * @param retention how long records are kept (for {@code pages.v1}: long enough to replay)
 * @param maxMessageBytes largest record batch the topic accepts (Kafka's default, 1 MB, is less than a large page)
 * @param minInSyncReplicas replicas that must hold a write before {@code acks=all} acknowledges it, or -1 for the
 *     replication factor minus one (at least 1): one broker may be down, and no acknowledged write rests on one
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Duration retention, int maxMessageBytes,
        short minInSyncReplicas) {

    /** Big enough for the largest page (4 MB by default) once escaped into an envelope. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("invalid topic name: '" + name + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least one partition");
        }
        if (replicationFactor < 1 && replicationFactor != -1) {
            throw new IllegalArgumentException("topic " + name + ": replication factor must be -1 (broker default) or >= 1");
        }
        Objects.requireNonNull(retention, "retention");
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("topic " + name + ": max message size must be at least 1 KB");
        }
        if (minInSyncReplicas < 1 && minInSyncReplicas != -1 || replicationFactor > 0 && minInSyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("topic " + name + ": min.insync.replicas must be -1 (derived) or from 1 to the replication factor");
        }
    }

    /** With {@code min.insync.replicas} derived from the replication factor. */
    public TopicSpec(String name, int partitions, short replicationFactor, Duration retention, int maxMessageBytes) {
        this(name, partitions, replicationFactor, retention, maxMessageBytes, (short) -1);
    }

    /** The {@code min.insync.replicas} to create the topic with, given the replication factor it will have. */
    public int minInSyncReplicas(int effectiveReplicationFactor) {
        return minInSyncReplicas > 0 ? minInSyncReplicas : Math.max(1, effectiveReplicationFactor - 1);
    }
}
