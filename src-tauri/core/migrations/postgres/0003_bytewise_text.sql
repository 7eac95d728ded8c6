-- Text compares and orders bytewise, as in SQLite (whose every column has the BINARY
-- collation), whatever the server's locale: every text column is collated "C". Listings then
-- come out in the same order on either engine, "in id order" means one order, and the
-- queries (written once for both engines) need no COLLATE of their own. Under "C", ILIKE folds
-- ASCII letters only, as SQLite's LIKE does. Indexes on these columns are rebuilt; no value
-- changes.

ALTER TABLE vault
    ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN name TYPE text COLLATE "C";

ALTER TABLE members
    ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN name TYPE text COLLATE "C",
    ALTER COLUMN role TYPE text COLLATE "C",
    ALTER COLUMN status TYPE text COLLATE "C",
    ALTER COLUMN lead_of TYPE text COLLATE "C",
    ALTER COLUMN approved_by TYPE text COLLATE "C";

ALTER TABLE key_envelopes
    ALTER COLUMN member_id TYPE text COLLATE "C",
    ALTER COLUMN kind TYPE text COLLATE "C";

ALTER TABLE projects
    ALTER COLUMN name TYPE text COLLATE "C";

ALTER TABLE environments
    ALTER COLUMN name TYPE text COLLATE "C";

ALTER TABLE scopes
    ALTER COLUMN id TYPE text COLLATE "C";

ALTER TABLE grants
    ALTER COLUMN scope_id TYPE text COLLATE "C",
    ALTER COLUMN member_id TYPE text COLLATE "C",
    ALTER COLUMN granted_by TYPE text COLLATE "C";

ALTER TABLE secrets
    ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN scope_id TYPE text COLLATE "C",
    ALTER COLUMN name TYPE text COLLATE "C",
    ALTER COLUMN kind TYPE text COLLATE "C",
    ALTER COLUMN file_name TYPE text COLLATE "C",
    ALTER COLUMN exposed_reason TYPE text COLLATE "C",
    ALTER COLUMN policy TYPE text COLLATE "C",
    ALTER COLUMN check_command TYPE text COLLATE "C",
    ALTER COLUMN check_by TYPE text COLLATE "C";

ALTER TABLE secret_versions
    ALTER COLUMN secret_id TYPE text COLLATE "C",
    ALTER COLUMN state TYPE text COLLATE "C",
    ALTER COLUMN created_by TYPE text COLLATE "C",
    ALTER COLUMN check_status TYPE text COLLATE "C";

ALTER TABLE audit
    ALTER COLUMN actor TYPE text COLLATE "C",
    ALTER COLUMN device TYPE text COLLATE "C",
    ALTER COLUMN action TYPE text COLLATE "C",
    ALTER COLUMN target TYPE text COLLATE "C";

ALTER TABLE access_requests
    ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN member_id TYPE text COLLATE "C",
    ALTER COLUMN scope_id TYPE text COLLATE "C",
    ALTER COLUMN reason TYPE text COLLATE "C",
    ALTER COLUMN status TYPE text COLLATE "C",
    ALTER COLUMN decided_by TYPE text COLLATE "C",
    ALTER COLUMN decision_note TYPE text COLLATE "C";

ALTER TABLE deployments
    ALTER COLUMN scope_id TYPE text COLLATE "C",
    ALTER COLUMN member_id TYPE text COLLATE "C",
    ALTER COLUMN note TYPE text COLLATE "C";

ALTER TABLE rotation_overrides
    ALTER COLUMN set_by TYPE text COLLATE "C";

ALTER TABLE scope_epochs
    ALTER COLUMN scope_id TYPE text COLLATE "C",
    ALTER COLUMN signed_by TYPE text COLLATE "C";

ALTER TABLE removals
    ALTER COLUMN member_id TYPE text COLLATE "C",
    ALTER COLUMN removed_by TYPE text COLLATE "C";

ALTER TABLE scope_state_seals
    ALTER COLUMN scope_id TYPE text COLLATE "C";
