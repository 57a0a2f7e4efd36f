-- Near-duplicate pages: the search indexer stores a 64-bit simhash of each page's visible text. Two pages are
-- near-duplicates within a Hamming distance of 3; split into four 16-bit blocks, two such fingerprints share at
-- least one block whole (pigeonhole), so a GIN index over the blocks (each tagged with its position) finds the
-- candidates, and the exact distance filters them.
CREATE FUNCTION simhash_blocks(fingerprint bigint) RETURNS int[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY[((fingerprint >> 48) & 65535)::int,
                 65536 + ((fingerprint >> 32) & 65535)::int,
                 131072 + ((fingerprint >> 16) & 65535)::int,
                 196608 + (fingerprint & 65535)::int]
$$;

CREATE FUNCTION simhash_distance(a bigint, b bigint) RETURNS int LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT bit_count((a # b)::bit(64))::int
$$;

ALTER TABLE page_search
    ADD COLUMN simhash bigint,
    -- a page of the same site within the distance, found when this one was indexed (the site's duplicate ratio)
    ADD COLUMN duplicate_of text;
ALTER TABLE page_search ADD COLUMN simhash_blocks int[] GENERATED ALWAYS AS (simhash_blocks(simhash)) STORED;

CREATE INDEX page_search_simhash ON page_search USING gin (simhash_blocks);

COMMENT ON COLUMN page_search.simhash IS 'A 64-bit simhash of the visible text (null: no word to fingerprint); near-duplicates are within 3 bits';
