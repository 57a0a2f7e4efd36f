-- Consumed positions of the workers, committed in the same transaction as the rows they produced: this is what
-- makes a batch effectively once. On assignment a worker resumes from here, not from Kafka's committed offsets.
CREATE TABLE consumer_positions (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    next_offset    bigint      NOT NULL,           -- the next offset to apply: everything before it is applied
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition),
    CONSTRAINT consumer_positions_offset_non_negative CHECK (next_offset >= 0)
);
