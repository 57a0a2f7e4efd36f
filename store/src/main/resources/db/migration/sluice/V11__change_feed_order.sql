-- The change feed's order (GET /v1/changes): each row remembers the transaction that last changed it. A reader
-- returns only rows of transactions older than its snapshot's xmin, every one of which has ended, in
-- (change_xid, id) order: a transaction still running, or committing after a younger one, holds the feed back
-- rather than being skipped, so a cursor never passes a change that has yet to appear. Transaction ids grow, so
-- no change can later appear behind a cursor. The value is this cluster's: backups leave it out, and a restore
-- gives every row the restoring transaction's.
ALTER TABLE pages ADD COLUMN change_xid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);

COMMENT ON COLUMN pages.change_xid IS 'The transaction that last changed the row (its 64-bit id): the change feed''s order';

-- The workers set it themselves (no function call on the hot path); any other UPDATE is caught here.
CREATE FUNCTION pages_change_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$$;

CREATE TRIGGER pages_change_xid
    BEFORE UPDATE ON pages
    FOR EACH ROW
    WHEN (NEW.change_xid = OLD.change_xid AND NEW.* IS DISTINCT FROM OLD.*)
    EXECUTE FUNCTION pages_change_xid();

CREATE INDEX pages_change_order ON pages (change_xid, id);
