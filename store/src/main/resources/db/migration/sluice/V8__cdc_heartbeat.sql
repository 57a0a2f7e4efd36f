-- The change feed's heartbeat writes here (Debezium heartbeat.action.query). Without a change the feed can see,
-- an idle pages table would leave the replication slot behind while other databases of the server write WAL,
-- and the server would keep all of it. In the publication, so the feed sees the write and confirms its position.
CREATE TABLE cdc_heartbeat (
    id integer     PRIMARY KEY CHECK (id = 1),
    at timestamptz NOT NULL
);

ALTER PUBLICATION sluice_cdc ADD TABLE cdc_heartbeat;
