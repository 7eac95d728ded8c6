-- Rotation policies, staged rotation and deployments (DESIGN.md, Rotation).

-- Exposure (secrets.exposed_at, 0002) now stays recorded after a rotation: a secret is exposed
-- while its current version was created at or before that moment, so promoting a value staged
-- before the exposure, or rolling back to an old one, keeps it flagged.

-- How a secret's deadline is set: 'default' follows its kind and any project/environment
-- override; 'every' uses rotate_every_secs; 'on-deploy' is due at the first deployment after
-- its last rotation; 'manual' has no deadline.
ALTER TABLE secrets ADD COLUMN policy TEXT NOT NULL DEFAULT 'default'
    CHECK (policy IN ('default', 'every', 'on-deploy', 'manual'));
-- A command that validates a candidate value (it gets it in its environment) before promotion.
-- Metadata in clear, like names: it must not contain a secret (the CLI says so). Signed by the
-- member who saved it: a device runs it only when that member is one it trusts.
ALTER TABLE secrets ADD COLUMN check_command TEXT;
ALTER TABLE secrets ADD COLUMN check_by TEXT REFERENCES members(id);
ALTER TABLE secrets ADD COLUMN check_signature BLOB;

-- Until when a 'previous' version stays readable (the overlap window after a promotion).
ALTER TABLE secret_versions ADD COLUMN retire_at INTEGER;
-- The outcome of the check run on a pending version: NULL (not run), 'passed' or 'failed'.
ALTER TABLE secret_versions ADD COLUMN check_status TEXT CHECK (check_status IN ('passed', 'failed'));

-- Secrets stored before policies existed took their kind's default interval: keep that meaning
-- ('default'), and keep any other choice as it was.
UPDATE secrets SET policy = CASE
    WHEN rotate_every_secs IS NULL AND kind = 'generic' THEN 'default'
    WHEN rotate_every_secs = 7776000 AND kind IN ('openai', 'anthropic', 'hugging-face', 'wandb') THEN 'default'
    WHEN rotate_every_secs = 2592000 AND kind IN ('aws', 'gcp-service-account', 'database-url') THEN 'default'
    WHEN rotate_every_secs IS NULL THEN 'manual'
    ELSE 'every'
END;

-- Deployments recorded by `keyshelf deploy-mark`: 'on-deploy' secrets fall due at each one.
CREATE TABLE deployments (
    scope_id    TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    member_id   TEXT    NOT NULL REFERENCES members(id),
    note        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX deployments_scope_at ON deployments (scope_id, at);

-- A stricter interval for a project, or one environment of it (prod stricter than dev): secrets
-- with a 'default' or 'every' policy rotate at least this often there.
CREATE TABLE rotation_overrides (
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    -- 0 for the whole project (a NULL would defeat the primary key).
    environment_id  INTEGER NOT NULL DEFAULT 0,
    max_every_secs  INTEGER NOT NULL CHECK (max_every_secs > 0),
    set_by          TEXT    NOT NULL REFERENCES members(id),
    set_at          INTEGER NOT NULL,
    PRIMARY KEY (project_id, environment_id)
);
