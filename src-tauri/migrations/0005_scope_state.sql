-- The set of a scope's secret states, sealed under the scope key with a counter that every change
-- moves forward (see vault/state.rs): a secret written back from an older copy within one key
-- epoch, or a deleted one re-inserted, no longer matches, and devices remember the counter.
ALTER TABLE scopes ADD COLUMN state_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scopes ADD COLUMN state_seal BLOB;
