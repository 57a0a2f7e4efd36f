-- Bodies compressed by whoever writes the row (zstd frames with their size and a checksum, StoredBody), stored as
-- they come: PostgreSQL's pglz TOAST compression of body was the largest single cost of ingest, on the one
-- database every worker shares (bench compression: COPY 2.2x to 4x faster, bodies 0.8x pglz's size). EXTERNAL: a
-- frame is not compressed again, only moved out of line when large. Rows written before keep their text in body
-- (readers take whichever a row has); `sluice admin compress-bodies` moves them over.
ALTER TABLE pages ADD COLUMN body_zstd bytea;
ALTER TABLE pages ALTER COLUMN body_zstd SET STORAGE EXTERNAL;
ALTER TABLE pages ADD CONSTRAINT pages_one_body CHECK (body IS NULL OR body_zstd IS NULL) NOT VALID; -- every row passes: no scan

COMMENT ON COLUMN pages.body IS 'The body as text, in rows written before schema 13 or by a writer told to store text (ingest.body-storage=text)';
COMMENT ON COLUMN pages.body_zstd IS 'The body as a zstd frame (UTF-8, size and checksum included); `sluice export` writes it out as text';

-- A body moved from text to its frame (sluice bodies compress) changes nothing a reader sees: it keeps its version
-- (no cache entry to fence off) and its place in the change feed, like the tombstone naming V9 leaves versionless.
CREATE FUNCTION pages_only_body_compressed(old pages, new pages) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT old.body IS NOT NULL AND new.body IS NULL AND new.body_zstd IS NOT NULL AND old.body_zstd IS NULL
       AND to_jsonb(new) - ARRAY['body', 'body_zstd', 'change_xid', 'updated_at']
         = to_jsonb(old) - ARRAY['body', 'body_zstd', 'change_xid', 'updated_at']
$$;

CREATE OR REPLACE FUNCTION pages_version_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pages_only_body_compressed(OLD, NEW) THEN
        RETURN NEW;
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION pages_change_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pages_only_body_compressed(OLD, NEW) THEN
        RETURN NEW;
    END IF;
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$$;
