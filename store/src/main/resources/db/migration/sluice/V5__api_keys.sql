-- API keys. A key is "slk_<id>_<secret>"; only its SHA-256 is stored. The id is public (it names the key in
-- logs and metrics); the secret never leaves the client after creation.
CREATE TABLE api_keys (
    id              text        PRIMARY KEY,
    name            text        NOT NULL UNIQUE,
    secret_hash     bytea       NOT NULL,          -- SHA-256 of the whole key
    scopes          text[]      NOT NULL DEFAULT ARRAY['read', 'write'],
    rate_per_second integer     NOT NULL,          -- pages per second, sustained
    burst           integer     NOT NULL,          -- pages at once
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    CONSTRAINT api_keys_rate_positive CHECK (rate_per_second > 0 AND burst > 0),
    CONSTRAINT api_keys_hash_is_sha256 CHECK (octet_length(secret_hash) = 32),
    CONSTRAINT api_keys_scopes_known CHECK (scopes <@ ARRAY['read', 'write'])
);
