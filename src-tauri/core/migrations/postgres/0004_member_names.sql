-- A name belongs to one current member: a machine's rotation is a new member under the old
-- name, and a removed person may join again under theirs. A removed row keeps its name (its
-- signed admission covers it, and the audit log's entries are its). The role column may say
-- 'machine'; rows written before keep 'member', and the signed admission decides either way.
ALTER TABLE members DROP CONSTRAINT members_name_key;
CREATE UNIQUE INDEX members_current_name ON members (name) WHERE status <> 'removed';
ALTER TABLE members DROP CONSTRAINT members_role_check;
ALTER TABLE members ADD CONSTRAINT members_role_check
    CHECK (role IN ('owner', 'lead', 'member', 'machine'));
