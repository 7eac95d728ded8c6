-- Least privilege in the database: `keyshelf_member`, the role a team's database logins are
-- given (`CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE keyshelf_member`), may read and write
-- the vault's tables but may never UPDATE, DELETE or TRUNCATE the audit log, so the append-only
-- log rests on privileges, not on a trigger any table owner can drop. Roles are per cluster:
-- created once, shared by every vault database on it. Creating it needs CREATEROLE; a creator
-- without it leaves the role to the administrator (the README shows the two commands).
DO $$
DECLARE
    may_create boolean;
BEGIN
    SELECT rolcreaterole OR rolsuper INTO may_create FROM pg_roles WHERE rolname = current_user;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keyshelf_member') THEN
        IF may_create THEN
            -- Two vaults created at once on one server both find it missing: one creates it.
            BEGIN
                CREATE ROLE keyshelf_member NOLOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        ELSE
            RAISE NOTICE 'keyshelf_member not created: % may not create roles', current_user;
            RETURN;
        END IF;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO keyshelf_member', current_database());
    GRANT USAGE ON SCHEMA public TO keyshelf_member;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO keyshelf_member;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO keyshelf_member;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM keyshelf_member;
END
$$;
