-- Full-text search, maintained in batches by the search indexer from cdc.pages: eventually consistent.
CREATE TABLE page_search (
    id            text        PRIMARY KEY,
    site          text        NOT NULL,
    url           text        NOT NULL,
    fetched_at    timestamptz NOT NULL,
    title         text,
    content       text        NOT NULL,            -- visible text extracted from the HTML, for snippets
    document      tsvector    NOT NULL,            -- title (weight A) and content (weight B)
    page_version  bigint      NOT NULL,            -- the pages.version indexed: an older change never overwrites it
    indexed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX page_search_document ON page_search USING gin (document);
CREATE INDEX page_search_site ON page_search (site, fetched_at DESC, id DESC);
