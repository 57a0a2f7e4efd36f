package dev.sluice.store.apply;

/**
 * How a writer stores page bodies. Readers take either ({@code StoredBody.text}), so writers may differ.
 */
public enum BodyStorage {
    /** Compressed by the writer into {@code body_zstd} (the default: half PostgreSQL's CPU per row, smaller). */
    ZSTD,
    /** As text in {@code body}, compressed by PostgreSQL (pglz): for those who read bodies with SQL. */
    TEXT
}
