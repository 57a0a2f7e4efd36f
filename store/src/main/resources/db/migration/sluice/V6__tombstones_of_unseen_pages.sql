-- A delete can arrive for a page this database has never seen (it was deleted before its first fetch was
-- applied, or its upsert is still behind it in Kafka). Its tombstone must still fence off older fetches, so it
-- is a row without url or site: only live pages need them.
ALTER TABLE pages ALTER COLUMN url DROP NOT NULL;
ALTER TABLE pages ALTER COLUMN site DROP NOT NULL;
ALTER TABLE pages ADD CONSTRAINT pages_live_pages_have_url_and_site
    CHECK (deleted_at IS NOT NULL OR (url IS NOT NULL AND site IS NOT NULL));

COMMENT ON COLUMN pages.version IS
    'Number of writes that changed this page, counted in arrival order: the same whatever the batching, redelivery or crashes';

-- Such tombstones learn their URL from any later write of the page; this index finds them without scanning pages.
CREATE INDEX pages_nameless_tombstones ON pages (id) WHERE url IS NULL;
