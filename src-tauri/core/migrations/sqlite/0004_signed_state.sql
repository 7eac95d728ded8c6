-- Signed state (docs/SECURITY.md): facts that decide access are signed records, not columns.

-- Which key is current for each scope. A record names the key by its public id (a hash of a
-- one-way token of the key), is signed by whoever made the key, and, after the first, carries
-- the previous key's token sealed under the new key's token: only someone who held the previous
-- key can write the next record. Clients use the newest record, never `scopes.key_epoch` alone,
-- and each device remembers the newest it has seen, so an older key written back is refused.
CREATE TABLE scope_epochs (
    scope_id        TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    epoch           INTEGER NOT NULL,
    key_id          BLOB    NOT NULL CHECK (length(key_id) = 32),
    link_nonce      BLOB,
    link_ciphertext BLOB,
    signed_by       TEXT    NOT NULL REFERENCES members(id),
    signed_at       INTEGER NOT NULL,
    signature       BLOB    NOT NULL,
    PRIMARY KEY (scope_id, epoch)
);

-- A member's removal, signed by the owner. It decides, not `members.status`: a removed member
-- who sets their status back to active is still removed. `audit_seq` is the log entry of the
-- removal: entries the member signs after it are not theirs to sign.
CREATE TABLE removals (
    member_id   TEXT    PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    removed_by  TEXT    NOT NULL REFERENCES members(id),
    removed_at  INTEGER NOT NULL,
    audit_seq   INTEGER NOT NULL,
    signature   BLOB    NOT NULL
);

-- The state of a secret's versions (current, previous until when, pending and its check) and its
-- exposure, sealed under the scope key by whoever last changed it (see vault/state.rs).
ALTER TABLE secrets ADD COLUMN state_tag BLOB;
