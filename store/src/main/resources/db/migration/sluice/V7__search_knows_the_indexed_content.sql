-- The search indexer skips unchanged re-crawls: it compares the page's content hash with the one it indexed, and
-- then only moves the fetch time and version, without reading or parsing the body again.
ALTER TABLE page_search ADD COLUMN content_hash bytea;

-- page_search is derived from pages (the indexer can rebuild it); publishing its changes would double the change
-- stream with large text and feed the indexer its own writes. The CDC feed covers the source of truth: pages.
ALTER PUBLICATION sluice_cdc DROP TABLE page_search;

COMMENT ON COLUMN page_search.page_version IS 'pages.version indexed here: older states never overwrite newer ones';
