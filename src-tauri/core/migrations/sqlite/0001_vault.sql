-- Keyshelf vault schema, format 1.
-- Names, labels and dates are metadata in clear (members browse and request access by them);
-- values, notes and file contents are XChaCha20-Poly1305 ciphertext. See docs/SECURITY.md.

-- Exactly one row: the vault's identity and format.
CREATE TABLE vault (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    format      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE members (
    id                  TEXT    PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE,
    role                TEXT    NOT NULL CHECK (role IN ('owner', 'lead', 'member')),
    status              TEXT    NOT NULL CHECK (status IN ('active', 'pending', 'removed')),
    sealing_public      BLOB    NOT NULL CHECK (length(sealing_public) = 32),
    signing_public      BLOB    NOT NULL CHECK (length(signing_public) = 32),
    -- X25519 secret || Ed25519 secret, under the member's account key.
    identity_nonce      BLOB    NOT NULL,
    identity_ciphertext BLOB    NOT NULL,
    created_at          INTEGER NOT NULL
);

-- The account key wrapped by a passphrase-derived key ('passphrase', Argon2id) or by the
-- recovery key ('recovery', HKDF). KDF parameters live with the envelope they protect.
CREATE TABLE key_envelopes (
    member_id   TEXT    NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('passphrase', 'recovery')),
    kdf_m_kib   INTEGER,
    kdf_t       INTEGER,
    kdf_p       INTEGER,
    salt        BLOB,
    nonce       BLOB    NOT NULL,
    ciphertext  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (member_id, kind)
);

CREATE TABLE projects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE environments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (project_id, name)
);

-- One scope per project x environment: the unit of access and of encryption.
-- key_epoch grows when the scope is rekeyed (revocation, expiry).
CREATE TABLE scopes (
    id              TEXT    PRIMARY KEY,
    environment_id  INTEGER NOT NULL UNIQUE REFERENCES environments(id) ON DELETE CASCADE,
    key_epoch       INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL
);

-- A member's access to a scope: the scope key sealed to the member's X25519 key, signed by
-- the member who granted it.
CREATE TABLE grants (
    scope_id    TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    member_id   TEXT    NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    key_epoch   INTEGER NOT NULL,
    sealed_key  BLOB    NOT NULL,
    granted_by  TEXT    NOT NULL REFERENCES members(id),
    granted_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    signature   BLOB    NOT NULL,
    PRIMARY KEY (scope_id, member_id, key_epoch)
);

CREATE TABLE secrets (
    id                  TEXT    PRIMARY KEY,
    scope_id            TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    is_file             INTEGER NOT NULL DEFAULT 0,
    file_name           TEXT,
    note_nonce          BLOB,
    note_ciphertext     BLOB,
    rotate_every_secs   INTEGER,
    last_rotated_at     INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (scope_id, name)
);

CREATE TABLE secret_versions (
    secret_id   TEXT    NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('current', 'previous', 'pending', 'retired')),
    key_epoch   INTEGER NOT NULL,
    nonce       BLOB    NOT NULL,
    ciphertext  BLOB    NOT NULL,
    created_by  TEXT    NOT NULL REFERENCES members(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (secret_id, version)
);
CREATE UNIQUE INDEX secret_versions_one_current ON secret_versions (secret_id) WHERE state = 'current';

-- Append-only, hash-chained, signed by the actor. Written in the same transaction as what it records.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    device      TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL,
    signature   BLOB    NOT NULL
);
CREATE INDEX audit_target ON audit (target);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
