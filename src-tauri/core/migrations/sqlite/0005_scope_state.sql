-- The set of a scope's secret states, sealed under the scope key in a chain (see vault/state.rs):
-- each seal covers the set (every secret's id and state tag) and the seal before it. A secret
-- written back from an older copy within one key epoch, or a deleted one re-inserted, no longer
-- matches the newest seal, and a device that remembers seal N refuses a newest seal that does not
-- descend from it. Seals of earlier key epochs are deleted by the next seal.
CREATE TABLE scope_state_seals (
    scope_id  TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    epoch     INTEGER NOT NULL,
    digest    BLOB    NOT NULL CHECK (length(digest) = 32),
    prev_seal BLOB,
    seal      BLOB    NOT NULL CHECK (length(seal) = 32),
    PRIMARY KEY (scope_id, seq)
);
