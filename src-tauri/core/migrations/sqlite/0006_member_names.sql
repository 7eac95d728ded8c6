-- A name belongs to one current member: a machine's rotation is a new member under the old
-- name, and a removed person may join again under theirs. A removed row keeps its name (its
-- signed admission covers it, and the audit log's entries are its). The role column may say
-- 'machine'; rows written before keep 'member', and the signed admission decides either way.
-- SQLite changes a constraint by rebuilding the table; the store runs this with foreign keys
-- off, so dropping the old table cascades nothing, and checks them afterwards.
CREATE TABLE members_new (
    id                  TEXT    PRIMARY KEY,
    name                TEXT    NOT NULL,
    role                TEXT    NOT NULL CHECK (role IN ('owner', 'lead', 'member', 'machine')),
    status              TEXT    NOT NULL CHECK (status IN ('active', 'pending', 'removed')),
    sealing_public      BLOB    NOT NULL CHECK (length(sealing_public) = 32),
    signing_public      BLOB    NOT NULL CHECK (length(signing_public) = 32),
    -- X25519 secret || Ed25519 secret, under the member's account key.
    identity_nonce      BLOB    NOT NULL,
    identity_ciphertext BLOB    NOT NULL,
    created_at          INTEGER NOT NULL,
    lead_of             TEXT    NOT NULL DEFAULT '',
    approved_by         TEXT    REFERENCES members(id),
    approved_at         INTEGER,
    approval_signature  BLOB
);

INSERT INTO members_new (id, name, role, status, sealing_public, signing_public, identity_nonce,
                         identity_ciphertext, created_at, lead_of, approved_by, approved_at,
                         approval_signature)
SELECT id, name, role, status, sealing_public, signing_public, identity_nonce,
       identity_ciphertext, created_at, lead_of, approved_by, approved_at, approval_signature
FROM members;

DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
CREATE UNIQUE INDEX members_current_name ON members (name) WHERE status <> 'removed';
