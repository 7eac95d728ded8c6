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
    -- Of the key envelopes a machine sees only the recovery kind (its own is one; the token's
    -- secret opens it through HKDF, and so does each person's high-entropy recovery key): the
    -- passphrase envelopes would give a leaked job login Argon2 material to guess people's
    -- passphrases offline. Members see every envelope, as before; the owner's login (the
    -- tables' owner) is not subject to the policies.
    ALTER TABLE key_envelopes ENABLE ROW LEVEL SECURITY;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'keyshelf_member') THEN
        CREATE POLICY members_all ON key_envelopes TO keyshelf_member USING (true) WITH CHECK (true);
    END IF;
    CREATE POLICY machines_recovery ON key_envelopes FOR SELECT TO keyshelf_machine
        USING (kind = 'recovery');
END
$$;
