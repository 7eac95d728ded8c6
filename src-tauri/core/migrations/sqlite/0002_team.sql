-- A signed roster: each admitted member carries the signature of whoever admitted them (the
-- owner, or a lead for plain members), over everything that decides what they may do. A device
-- trusts the owner key it pinned at init or join, and everyone else through these signatures,
-- so a member row added to the file by hand is not trusted.
ALTER TABLE members ADD COLUMN lead_of TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN approved_by TEXT REFERENCES members(id);
ALTER TABLE members ADD COLUMN approved_at INTEGER;
ALTER TABLE members ADD COLUMN approval_signature BLOB;

-- Access requests: signed by the requester; approvals and denials signed by whoever decided.
-- An approval also writes the grant (the scope key sealed to the requester, with its expiry).
CREATE TABLE access_requests (
    id                  TEXT    PRIMARY KEY,
    member_id           TEXT    NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    scope_id            TEXT    NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
    reason              TEXT    NOT NULL,
    duration_secs       INTEGER,
    created_at          INTEGER NOT NULL,
    signature           BLOB    NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    decided_by          TEXT    REFERENCES members(id),
    decided_at          INTEGER,
    decision_note       TEXT,
    expires_at          INTEGER,
    decision_signature  BLOB
);
CREATE INDEX access_requests_status ON access_requests (status);

-- Set when a member who read the secret lost access (revocation, removal): the value must be
-- rotated at the provider, since they may have kept it.
ALTER TABLE secrets ADD COLUMN exposed_at INTEGER;
ALTER TABLE secrets ADD COLUMN exposed_reason TEXT;
