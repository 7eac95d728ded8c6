-- A signed roster: each admitted member carries the signature of whoever admitted them (the
-- owner, or a lead for plain members), over everything that decides what they may do. A device
-- trusts the owner key it pinned at init or join, and everyone else through these signatures,
-- so a member row added to the file by hand is not trusted.
ALTER TABLE members ADD COLUMN lead_of TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN approved_by TEXT REFERENCES members(id);
ALTER TABLE members ADD COLUMN approved_at INTEGER;
ALTER TABLE members ADD COLUMN approval_signature BLOB;
