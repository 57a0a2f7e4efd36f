-- Where a replay's range began on each partition. A shadow table built by a replay knows only the writes from
-- there to next_offset: a live row reflecting an older write is outside it, and a shadow swap must leave it alone
-- (absent from the shadow does not mean deleted). Null for the live workers, which apply from the log's start.
ALTER TABLE consumer_positions ADD COLUMN first_offset bigint;
ALTER TABLE consumer_positions ADD CONSTRAINT consumer_positions_range_ordered
    CHECK (first_offset IS NULL OR (first_offset >= 0 AND first_offset <= next_offset));

COMMENT ON COLUMN consumer_positions.first_offset IS
    'A replay''s first offset on this partition: it covers [first_offset, next_offset); null for the live workers';
