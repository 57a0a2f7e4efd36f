-- Every change of a page moves its version, whoever writes it: the cache fences and the consistency checker compare
-- versions, so an UPDATE typed by hand that leaves version alone would otherwise leave a stale cached copy behind.
-- The workers always set the version themselves, so the trigger's WHEN (evaluated without calling the function)
-- is false for them. The one versionless change the pipeline makes, a tombstone of a page first seen as a delete
-- learning its URL, is invisible to readers and stays versionless.
CREATE FUNCTION pages_version_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER pages_every_change_moves_the_version
    BEFORE UPDATE ON pages
    FOR EACH ROW
    WHEN (NEW.version = OLD.version AND OLD.url IS NOT NULL AND NEW.* IS DISTINCT FROM OLD.*)
    EXECUTE FUNCTION pages_version_moves();
