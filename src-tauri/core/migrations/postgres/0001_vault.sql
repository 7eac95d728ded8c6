-- Keyshelf vault schema on PostgreSQL, format 1: the same tables as the SQLite engine's
-- migrations 0001-0005 (read those for what each column means), in PostgreSQL's types.
-- Names, labels and dates are metadata in clear; values, notes and file contents are
-- XChaCha20-Poly1305 ciphertext; nothing here is trusted for integrity (docs/SECURITY.md).

CREATE TABLE vault (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    format      BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE members (
    id                  TEXT    PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE,
    role                TEXT    NOT NULL CHECK (role IN ('owner', 'lead', 'member')),
    status              TEXT    NOT NULL CHECK (status IN ('active', 'pending', 'removed')),
    sealing_public      BYTEA   NOT NULL CHECK (octet_length(sealing_public) = 32),
    signing_public      BYTEA   NOT NULL CHECK (octet_length(signing_public) = 32),
    identity_nonce      BYTEA   NOT NULL,
    identity_ciphertext BYTEA   NOT NULL,
    created_at          BIGINT  NOT NULL,
    lead_of             TEXT    NOT NULL DEFAULT '',
    approved_by         TEXT    REFERENCES members(id),
    approved_at         BIGINT,
    approval_signature  BYTEA
);

CREATE TABLE key_envelopes (
    member_id   TEXT    NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('passphrase', 'recovery')),
    kdf_m_kib   BIGINT,
    kdf_t       BIGINT,
    kdf_p       BIGINT,
    salt        BYTEA,
    nonce       BYTEA   NOT NULL,
    ciphertext  BYTEA   NOT NULL,
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (member_id, kind)
);

CREATE TABLE projects (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE environments (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  BIGINT  NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE scopes (
    id              TEXT    PRIMARY KEY,
    environment_id  BIGINT  NOT NULL UNIQUE REFERENCES environments(id) ON DELETE CASCADE,
    key_epoch       BIGINT  NOT NULL DEFAULT 1,
    created_at      BIGINT  NOT NULL
);

CREATE TABLE grants (
    scope_id    TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    member_id   TEXT    NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    key_epoch   BIGINT  NOT NULL,
    sealed_key  BYTEA   NOT NULL,
    granted_by  TEXT    NOT NULL REFERENCES members(id),
    granted_at  BIGINT  NOT NULL,
    expires_at  BIGINT,
    signature   BYTEA   NOT NULL,
    PRIMARY KEY (scope_id, member_id, key_epoch)
);

CREATE TABLE secrets (
    id                  TEXT    PRIMARY KEY,
    scope_id            TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    is_file             BOOLEAN NOT NULL DEFAULT FALSE,
    file_name           TEXT,
    note_nonce          BYTEA,
    note_ciphertext     BYTEA,
    rotate_every_secs   BIGINT,
    last_rotated_at     BIGINT  NOT NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    exposed_at          BIGINT,
    exposed_reason      TEXT,
    policy              TEXT    NOT NULL DEFAULT 'default'
        CHECK (policy IN ('default', 'every', 'on-deploy', 'manual')),
    check_command       TEXT,
    check_by            TEXT    REFERENCES members(id),
    check_signature     BYTEA,
    state_tag           BYTEA,
    UNIQUE (scope_id, name)
);

CREATE TABLE secret_versions (
    secret_id    TEXT    NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    version      BIGINT  NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('current', 'previous', 'pending', 'retired')),
    key_epoch    BIGINT  NOT NULL,
    nonce        BYTEA   NOT NULL,
    ciphertext   BYTEA   NOT NULL,
    created_by   TEXT    NOT NULL REFERENCES members(id),
    created_at   BIGINT  NOT NULL,
    retire_at    BIGINT,
    check_status TEXT    CHECK (check_status IN ('passed', 'failed')),
    PRIMARY KEY (secret_id, version)
);
CREATE UNIQUE INDEX secret_versions_one_current ON secret_versions (secret_id) WHERE state = 'current';

CREATE TABLE audit (
    seq         BIGINT  PRIMARY KEY,
    at          BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    device      TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    prev_hash   BYTEA   NOT NULL,
    hash        BYTEA   NOT NULL,
    signature   BYTEA   NOT NULL
);
CREATE INDEX audit_target ON audit (target);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TABLE access_requests (
    id                  TEXT    PRIMARY KEY,
    member_id           TEXT    NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    scope_id            TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    reason              TEXT    NOT NULL,
    duration_secs       BIGINT,
    created_at          BIGINT  NOT NULL,
    signature           BYTEA   NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    decided_by          TEXT    REFERENCES members(id),
    decided_at          BIGINT,
    decision_note       TEXT,
    expires_at          BIGINT,
    decision_signature  BYTEA
);
CREATE INDEX access_requests_status ON access_requests (status);

CREATE TABLE deployments (
    scope_id    TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    at          BIGINT  NOT NULL,
    member_id   TEXT    NOT NULL REFERENCES members(id),
    note        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX deployments_scope_at ON deployments (scope_id, at);

CREATE TABLE rotation_overrides (
    project_id      BIGINT  NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    environment_id  BIGINT  NOT NULL DEFAULT 0,
    max_every_secs  BIGINT  NOT NULL CHECK (max_every_secs > 0),
    set_by          TEXT    NOT NULL REFERENCES members(id),
    set_at          BIGINT  NOT NULL,
    PRIMARY KEY (project_id, environment_id)
);

CREATE TABLE scope_epochs (
    scope_id        TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    epoch           BIGINT  NOT NULL,
    key_id          BYTEA   NOT NULL CHECK (octet_length(key_id) = 32),
    link_nonce      BYTEA,
    link_ciphertext BYTEA,
    signed_by       TEXT    NOT NULL REFERENCES members(id),
    signed_at       BIGINT  NOT NULL,
    signature       BYTEA   NOT NULL,
    PRIMARY KEY (scope_id, epoch)
);

CREATE TABLE removals (
    member_id   TEXT    PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    removed_by  TEXT    NOT NULL REFERENCES members(id),
    removed_at  BIGINT  NOT NULL,
    audit_seq   BIGINT  NOT NULL,
    signature   BYTEA   NOT NULL
);

CREATE TABLE scope_state_seals (
    scope_id  TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    seq       BIGINT  NOT NULL,
    epoch     BIGINT  NOT NULL,
    digest    BYTEA   NOT NULL CHECK (octet_length(digest) = 32),
    prev_seal BYTEA,
    seal      BYTEA   NOT NULL CHECK (octet_length(seal) = 32),
    PRIMARY KEY (scope_id, seq)
);
