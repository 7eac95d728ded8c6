-- Least privilege for machines: `keyshelf_machine`, the role a machine's database login is
-- given (`CREATE ROLE ci_eval LOGIN PASSWORD '…' IN ROLE keyshelf_machine`), reads the vault and
-- appends audit entries, and nothing else: whoever reads a CI job's environment gets a login
-- that can change no row, whatever the token. Created as `keyshelf_member` is (0002): only by a
-- creator who may create roles; otherwise the administrator runs the two commands the README shows.
DO $$
DECLARE
    may_create boolean;
BEGIN
    SELECT rolcreaterole OR rolsuper INTO may_create FROM pg_roles WHERE rolname = current_user;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keyshelf_machine') THEN
        IF may_create THEN
            BEGIN
                CREATE ROLE keyshelf_machine NOLOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        ELSE
            RAISE NOTICE 'keyshelf_machine not created: % may not create roles', current_user;
            RETURN;
        END IF;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO keyshelf_machine', current_database());
    GRANT USAGE ON SCHEMA public TO keyshelf_machine;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO keyshelf_machine;
    GRANT INSERT ON audit TO keyshelf_machine;
END
$$;
