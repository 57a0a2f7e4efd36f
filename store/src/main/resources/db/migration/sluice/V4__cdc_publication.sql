-- The change-data-capture feed (Debezium, pgoutput) covers the pipeline's tables. Created here, not by Debezium,
-- so the connector needs no table ownership and the set of tables is versioned with the schema.
CREATE PUBLICATION sluice_cdc FOR TABLE pages, page_search;
