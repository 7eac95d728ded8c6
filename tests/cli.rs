//! End-to-end tests of the `keyshelf` binary, driven as a user would: real processes, real
//! SQLite files in temp dirs (or real PostgreSQL databases: tests/common), and (in `keychain_*`)
//! the real OS keychain: the Secret Service of the gnome-keyring that `make test` starts in a
//! private D-Bus session.

mod common;

use std::fs;
use std::process::Stdio;

use common::{blob, db_exec, db_query_blob, engine_is_postgres, sql, zero_blob, Vault, OPENAI};

#[test]
fn first_run_to_export_and_back() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev", "--env", "prod"]);
    v.set("llm-eval/dev/OPENAI_API_KEY", OPENAI);
    assert_eq!(v.get("llm-eval/dev/OPENAI_API_KEY"), OPENAI.as_bytes());

    // Listings carry names and metadata, never the value.
    let ls = v.ok(&["ls", "--json"]);
    assert!(!ls.contains(OPENAI));
    let rows: serde_json::Value = serde_json::from_str(&ls).expect("json");
    assert_eq!(rows[0]["name"], "OPENAI_API_KEY");
    assert_eq!(rows[0]["kind"], "openai");
    assert_eq!(rows[0]["version"], 1);
    let ninety_days = 90 * 86_400;
    assert_eq!(rows[0]["rotate_every_secs"], ninety_days);
    assert!(!v.ok(&["project", "ls"]).contains(OPENAI));

    // run: the child sees the variable; exit codes pass through.
    let out = v.ok(&[
        "run",
        "--scope",
        "llm-eval/dev",
        "--",
        "sh",
        "-c",
        "printf %s \"$OPENAI_API_KEY\"",
    ]);
    assert_eq!(out, OPENAI);
    let status = v
        .cmd(&["run", "--scope", "llm-eval/dev", "--", "sh", "-c", "exit 7"])
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(7));

    // export -> import into another scope -> same values.
    v.set("llm-eval/dev/DATABASE_URL", "postgres://u:p@db/x?sslmode=require");
    let dotenv = v.ok(&["export", "--scope", "llm-eval/dev"]);
    let file = v.dir.path().join("dev.env");
    fs::write(&file, &dotenv).expect("write");
    v.ok(&["import", file.to_str().expect("utf8"), "--scope", "llm-eval/prod"]);
    assert_eq!(v.ok(&["export", "--scope", "llm-eval/prod"]), dotenv);
    let json: serde_json::Value =
        serde_json::from_str(&v.ok(&["export", "--scope", "llm-eval/prod", "--format", "json"])).expect("json");
    assert_eq!(json["OPENAI_API_KEY"], OPENAI);

    // A second set keeps history; rm removes everything.
    v.set("llm-eval/dev/OPENAI_API_KEY", "sk-proj-second");
    let history: serde_json::Value =
        serde_json::from_str(&v.ok(&["history", "llm-eval/dev/OPENAI_API_KEY", "--json"])).expect("json");
    assert_eq!(history[0]["state"], "current");
    assert_eq!(history[1]["state"], "previous");
    v.ok(&["rm", "llm-eval/dev/OPENAI_API_KEY"]);
    let err = v.fail(&["get", "llm-eval/dev/OPENAI_API_KEY"]);
    assert!(err.contains("no secret llm-eval/dev/OPENAI_API_KEY"), "{err}");

    // Every read and change is in a verified audit chain.
    assert!(v.ok(&["audit", "verify"]).contains("intact"));
    let audit = v.ok(&["audit", "ls", "--json", "--limit", "100"]);
    assert!(audit.contains("secret.read:run") && audit.contains("secret.read:export"));
    assert!(!audit.contains(OPENAI));
}

#[test]
fn the_vault_file_holds_no_plaintext() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/OPENAI_API_KEY", OPENAI);
    v.set_with(
        &["set", "p/dev/NOTED", "--note", "rotate-me-via-dashboard-7731"],
        "noted-value-1",
    );
    let _ = v.cmd(&["get", "p/dev/OPENAI_API_KEY"]).output();
    // The SQLite files whole (WAL included), or every column of every table of the database.
    let stored = v.stored_bytes();
    assert!(
        stored.iter().any(|(_, bytes)| !bytes.is_empty()),
        "nothing of the vault was read"
    );
    for (place, bytes) in stored {
        for needle in [OPENAI.as_bytes(), b"rotate-me-via-dashboard-7731".as_slice()] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{place} contains a plaintext value"
            );
        }
    }
}

#[test]
fn wrong_passphrase_is_named_and_changes_nothing() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/TOKEN", "tok-123456");
    let before = v.ok(&["audit", "ls", "--json", "--limit", "1000"]);
    let out = v
        .cmd(&["get", "p/dev/TOKEN"])
        .env("KEYSHELF_PASSPHRASE", "not the passphrase")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "keyshelf: wrong passphrase"
    );
    assert_eq!(v.ok(&["audit", "ls", "--json", "--limit", "1000"]), before);
}

#[test]
fn tampered_ciphertexts_fail_authentication_and_print_nothing() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/A_KEY", "value-of-a-123");
    v.set("p/dev/B_KEY", "value-of-b-456");

    // Swap the two rows' ciphertexts (and nonces): each is valid, but bound to the other row.
    let a = db_query_blob(&v.db(), "SELECT v.nonce || v.ciphertext FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.name = 'A_KEY'");
    let b = db_query_blob(&v.db(), "SELECT v.nonce || v.ciphertext FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.name = 'B_KEY'");
    assert_ne!(a, b);
    db_exec(
        &v.db(),
        "UPDATE secret_versions SET nonce = (SELECT nonce FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.name = 'B_KEY'),
            ciphertext = (SELECT ciphertext FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.name = 'B_KEY')
         WHERE secret_id = (SELECT id FROM secrets WHERE name = 'A_KEY')",
    );
    let out = v.cmd(&["get", "p/dev/A_KEY"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no garbage plaintext on stdout");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("secret p/dev/A_KEY version 1 failed authentication"),
        "{err}"
    );
    assert!(!err.contains("value-of"));

    // One changed byte in B (always a change, whatever the byte was).
    db_exec(
        &v.db(),
        &format!(
            "UPDATE secret_versions SET ciphertext =
                (CASE WHEN substr(ciphertext, 1, 1) = {zero} THEN {one} ELSE {zero} END) || substr(ciphertext, 2)
             WHERE secret_id = (SELECT id FROM secrets WHERE name = 'B_KEY')",
            zero = blob("00"),
            one = blob("01"),
        ),
    );
    let err = v.fail(&["get", "p/dev/B_KEY"]);
    assert!(
        err.contains("secret p/dev/B_KEY version 1 failed authentication"),
        "{err}"
    );
    // run and export refuse the whole scope rather than hand out a partial one.
    assert!(v
        .fail(&["export", "--scope", "p/dev"])
        .contains("failed authentication"));
    assert!(v
        .fail(&["run", "--scope", "p/dev", "--", "true"])
        .contains("failed authentication"));
}

#[test]
fn renamed_rows_and_swapped_environments_fail_authentication() {
    let v = Vault::init();
    v.ok(&["project", "add", "app", "--env", "dev", "--env", "prod"]);
    v.set("app/dev/API_KEY", "dev-api-key-111");
    v.set("app/dev/OTHER_KEY", "dev-other-key-222");
    v.set("app/prod/API_KEY", "prod-api-key-333");
    // Swap two secrets' names: each would otherwise be handed out under the other's name.
    db_exec(
        &v.db(),
        "UPDATE secrets SET name = 'SWAP_TMP' WHERE name = 'OTHER_KEY';
         UPDATE secrets SET name = 'OTHER_KEY' WHERE name = 'API_KEY'
           AND scope_id = (SELECT scope_id FROM secrets WHERE name = 'SWAP_TMP');
         UPDATE secrets SET name = 'API_KEY' WHERE name = 'SWAP_TMP';",
    );
    let err = v.fail(&["get", "app/dev/API_KEY"]);
    assert!(err.contains("failed authentication"), "{err}");
    // Point dev's scope at prod's environment and back: `run --scope app/dev` must not get prod values.
    // (Through a negative id, with the foreign keys off for the attacker's session.)
    let foreign_keys_off = sql("PRAGMA foreign_keys = OFF;", "SET session_replication_role = replica;");
    db_exec(
        &v.db(),
        &format!(
            "{foreign_keys_off}
         UPDATE scopes SET environment_id = -environment_id;
         UPDATE scopes SET environment_id = CASE -environment_id
             WHEN (SELECT id FROM environments WHERE name = 'dev') THEN (SELECT id FROM environments WHERE name = 'prod')
             ELSE (SELECT id FROM environments WHERE name = 'dev') END;"
        ),
    );
    let err = v.fail(&["run", "--scope", "app/dev", "--", "env"]);
    assert!(err.contains("failed"), "{err}");
}

#[test]
fn a_grant_signed_by_someone_else_is_refused() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/T", "self-granted-value");
    // Someone with the file adds a "member" and makes the grant theirs.
    db_exec(
        &v.db(),
        &format!(
            "INSERT INTO members (id, name, role, status, sealing_public, signing_public, identity_nonce, identity_ciphertext, created_at)
             VALUES ('intruder', 'intruder', 'owner', 'active', {key}, {key}, {byte}, {byte}, 0);
             UPDATE grants SET granted_by = 'intruder'",
            key = zero_blob(32),
            byte = blob("00"),
        ),
    );
    let err = v.fail(&["get", "p/dev/T"]);
    assert!(err.contains("grant for p/dev failed verification"), "{err}");
}

#[test]
fn run_keeps_keyshelfs_own_credentials_from_the_command() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/T", "visible-to-child");
    let out = v.ok(&[
        "run",
        "--scope",
        "p/dev",
        "--",
        "sh",
        "-c",
        "printf '%s|%s|%s' \"$T\" \"${KEYSHELF_PASSPHRASE-unset}\" \"${KEYSHELF_RECOVERY_KEY-unset}\"",
    ]);
    assert_eq!(out, "visible-to-child|unset|unset");
    // And an imported .env cannot pull them in through ${...}.
    let file = v.dir.path().join("sneaky.env");
    fs::write(&file, "STOLEN=x${KEYSHELF_PASSPHRASE}\n").expect("write");
    v.ok(&["import", file.to_str().expect("utf8"), "--scope", "p/dev"]);
    assert_eq!(v.get("p/dev/STOLEN"), b"x");
}

#[test]
fn a_forged_grant_is_refused() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/T", "granted-value-9");
    // Replace the sealed scope key with one sealed by someone else: the signature no longer covers it.
    db_exec(
        &v.db(),
        sql(
            "UPDATE grants SET sealed_key = randomblob(length(sealed_key))",
            "UPDATE grants SET sealed_key = (SELECT decode(string_agg(lpad(to_hex(floor(random() * 256)::int), 2, '0'), ''), 'hex')
             FROM generate_series(1, octet_length(sealed_key)))",
        ),
    );
    let err = v.fail(&["get", "p/dev/T"]);
    assert!(err.contains("grant for p/dev failed verification"), "{err}");
}

#[test]
fn malformed_dotenv_names_the_line_and_imports_nothing() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    let file = v.dir.path().join("bad.env");
    fs::write(
        &file,
        "GOOD=1\nALSO_GOOD='two'\nBROKEN=\"sk-unterminated-secret\nNEXT=3\n",
    )
    .expect("write");
    let err = v.fail(&["import", file.to_str().expect("utf8"), "--scope", "p/dev"]);
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(!err.contains("sk-unterminated-secret"), "{err}");
    assert!(v.ok(&["ls", "p/dev", "--json"]).trim() == "[]");

    fs::write(&file, "GOOD=1\n9-not-a-valid-name=2\n").expect("write");
    let err = v.fail(&["import", file.to_str().expect("utf8"), "--scope", "p/dev"]);
    assert!(err.contains("line 2") && err.contains("9-not-a-valid-name"), "{err}");
    assert!(v.ok(&["ls", "p/dev", "--json"]).trim() == "[]");

    // A quoted key that runs over lines must not carry the text it swallowed into the error.
    fs::write(&file, "GOOD=1\n'oops\nLEAKED=sk-leak-in-key-0042\n'=x\n").expect("write");
    let err = v.fail(&["import", file.to_str().expect("utf8"), "--scope", "p/dev"]);
    assert!(err.contains("line 2") && !err.contains("sk-leak-in-key-0042"), "{err}");
}

#[test]
fn dotted_and_dashed_names_are_stored_exported_and_passed_as_they_are() {
    let v = Vault::init();
    v.ok(&["project", "add", "svc", "--env", "prod"]);
    let file = v.dir.path().join("spring.env");
    fs::write(
        &file,
        "spring.datasource.password=pw-dotted-1\nmy-api-key=pw-dashed-2\nPLAIN=pw-plain-3\n",
    )
    .expect("write");
    v.remember("pw-dotted-1");
    v.remember("pw-dashed-2");
    v.ok(&["import", file.to_str().expect("utf8"), "--scope", "svc/prod"]);
    assert_eq!(v.get("svc/prod/spring.datasource.password"), b"pw-dotted-1");
    let exported = v.ok(&["export", "--scope", "svc/prod"]);
    assert!(
        exported.contains("spring.datasource.password=") && exported.contains("my-api-key="),
        "{exported}"
    );

    // run passes them as named (a program, here `env`, sees them) and says a shell cannot expand them.
    let (stdout, stderr) = v.ok_with_stderr(&["run", "--scope", "svc/prod", "--", "env"]);
    assert!(
        stdout.lines().any(|l| l == "spring.datasource.password=pw-dotted-1"),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l == "my-api-key=pw-dashed-2"), "{stdout}");
    assert!(
        stderr.contains("my-api-key, spring.datasource.password") && stderr.contains("a shell cannot expand"),
        "{stderr}"
    );
    // No bash snippet can set one; Python's can.
    let err = v.fail(&["snippet", "svc/prod/my-api-key", "--lang", "bash"]);
    assert!(err.contains("'.' or '-'"), "{err}");
    assert!(v
        .ok(&["snippet", "svc/prod/my-api-key"])
        .contains(r#"os.environ["my-api-key"]"#));
}

#[test]
fn every_way_in_applies_the_same_value_rules() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    let file = v.dir.path().join("values.env");
    let import_fails = |text: &[u8], line: &str, why: &str| {
        fs::write(&file, text).expect("write");
        let err = v.fail(&["import", file.to_str().expect("utf8"), "--scope", "p/dev"]);
        assert!(err.contains(line) && err.contains(why), "{err}");
        assert!(!err.contains("sk-nul"), "{err}");
        assert_eq!(v.ok(&["ls", "p/dev", "--json"]).trim(), "[]", "nothing imported");
    };
    // A NUL byte would make `run` refuse the whole scope later; 2 MiB passes the 1 MiB limit;
    // an empty value is refused as `set` refuses it.
    import_fails(b"GOOD=1\nHAS_NUL=sk-nul\0after\n", "line 2", "NUL byte");
    import_fails(
        format!("GOOD=1\nBIG={}\n", "x".repeat(2 << 20)).as_bytes(),
        "line 2",
        "limit",
    );
    import_fails(b"GOOD=1\nEMPTY=\n", "line 2", "is empty");

    // set and rotate: the same rules, and a NUL points at file secrets.
    let out = common::run_with_stdin(v.cmd(&["set", "p/dev/BIN"]), b"ab\0cd");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("NUL byte") && err.contains("--file"), "{err}");
    let bin = v.dir.path().join("blob.bin");
    fs::write(&bin, b"ab\0cd").expect("write");
    v.ok(&["set", "p/dev/BIN", "--file", bin.to_str().expect("utf8")]);
    assert_eq!(v.get("p/dev/BIN"), b"ab\0cd");
}

#[test]
fn missing_foreign_and_newer_files_get_clear_messages() {
    let v = Vault::init();
    if engine_is_postgres() {
        // A server has no missing file: an empty database is where no vault is yet (init makes
        // one there), and a database holding something else is not a vault, for init either.
        let empty = common::Database::create();
        let err = v.fail_with_vault(&empty.url(), &["ls"]);
        assert!(err.contains("no vault at") && err.contains("keyshelf init"), "{err}");

        let foreign = common::Database::create();
        db_exec(
            &foreign.url(),
            "CREATE TABLE vault (door TEXT, code INTEGER); INSERT INTO vault VALUES ('front', 4242);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT); INSERT INTO orders VALUES (1, 'keys');",
        );
        let err = v.fail_with_vault(&foreign.url(), &["ls"]);
        assert!(err.contains("is not a Keyshelf vault"), "{err}");
        let other_app = common::Database::create();
        db_exec(
            &other_app.url(),
            "CREATE TABLE projects (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO projects VALUES (1, 'theirs');",
        );
        let err = v.fail_with_vault(&other_app.url(), &["ls"]);
        assert!(err.contains("is not a Keyshelf vault"), "{err}");
        let err = v.fail_with_vault(&other_app.url(), &["init", "--name", "t", "--user", "u"]);
        assert!(err.contains("is not a Keyshelf vault"), "{err}");
        assert_eq!(
            common::db_query_i64(&other_app.url(), "SELECT COUNT(*) FROM projects WHERE title = 'theirs'"),
            1,
            "init left another application's data alone"
        );
    } else {
        let missing = v.dir.path().join("nope.db");
        let err = v.fail_with_vault(&missing, &["ls"]);
        assert!(err.contains("no vault at") && err.contains("keyshelf init"), "{err}");

        let junk = v.dir.path().join("junk.db");
        fs::write(&junk, vec![0x42u8; 8192]).expect("write");
        let err = v.fail_with_vault(&junk, &["ls"]);
        assert!(err.contains("is not a Keyshelf vault"), "{err}");
        assert_eq!(fs::read(&junk).expect("read"), vec![0x42u8; 8192], "left as it was");

        // An empty file, or a text file, at the vault path: refused, and never made a database.
        for (name, content) in [("empty.db", &b""[..]), ("notes.txt", &b"not a vault\n"[..])] {
            let file = v.dir.path().join(name);
            fs::write(&file, content).expect("write");
            for args in [&["status"][..], &["ls"], &["audit", "verify"]] {
                let err = v.fail_with_vault(&file, args);
                assert!(err.contains("is not a Keyshelf vault"), "{args:?}: {err}");
            }
            assert_eq!(fs::read(&file).expect("read"), content, "{name} was modified");
            assert!(!v.dir.path().join(format!("{name}-wal")).exists());
        }
    }

    db_exec(&v.db(), "UPDATE vault SET format = 99");
    let err = v.fail(&["ls"]);
    assert!(err.contains("newer Keyshelf") && err.contains("99"), "{err}");

    let again = v.cmd(&["init"]).output().expect("run");
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

/// A vault file in a read-only folder (a mounted backup, a read-only share), on either pass: it
/// is listed and verified as it is, and gives no value, since the read could not be audited, in
/// a message saying so. The folder is a read-only bind mount in a user namespace (the tests run
/// as root, whom mode bits do not stop).
#[test]
fn a_vault_on_a_read_only_mount_is_listed_and_verified_but_gives_no_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("backup");
    fs::create_dir(&folder).expect("folder");
    let vault = folder.join("team.db");
    let keyshelf = |args: &[&str], stdin: &str| {
        let mut cmd = std::process::Command::new(common::bin());
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("KEYSHELF_CONFIG_DIR", dir.path().join("config"))
            .env("KEYSHELF_VAULT", &vault)
            .env("KEYSHELF_KEYCHAIN", "off")
            .env("KEYSHELF_PASSPHRASE", common::PASSPHRASE)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("keyshelf");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stdin.as_bytes()).expect("stdin");
        let out = child.wait_with_output().expect("keyshelf");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    keyshelf(&["init", "--name", "t", "--user", "ada"], "");
    keyshelf(&["project", "add", "llm-eval", "--env", "dev"], "");
    keyshelf(&["set", "llm-eval/dev/OPENAI_API_KEY"], OPENAI);
    // As a backup holds it: one file, its WAL folded in.
    db_exec(&vault, "PRAGMA wal_checkpoint(TRUNCATE)");
    for side in ["team.db-wal", "team.db-shm"] {
        let _ = fs::remove_file(folder.join(side));
    }
    let before = fs::read(&vault).expect("read");

    let mounted = |args: &[&str]| {
        let script = format!(
            "mount --bind {0} {0} && mount -o remount,bind,ro {0} && exec \"$0\" \"$@\"",
            folder.display()
        );
        std::process::Command::new("unshare")
            .args(["-rm", "sh", "-c", &script, common::bin()])
            .args(args)
            .env("KEYSHELF_CONFIG_DIR", dir.path().join("config"))
            .env("KEYSHELF_VAULT", &vault)
            .env("KEYSHELF_KEYCHAIN", "off")
            .env("KEYSHELF_PASSPHRASE", common::PASSPHRASE)
            .stdin(Stdio::null())
            .output()
            .expect("unshare (util-linux)")
    };
    let listed = mounted(&["ls"]);
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("llm-eval/dev/OPENAI_API_KEY"));
    let verified = mounted(&["audit", "verify"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    assert!(String::from_utf8_lossy(&verified.stdout).contains("audit log intact"));

    let read = mounted(&["get", "llm-eval/dev/OPENAI_API_KEY"]);
    let said = String::from_utf8_lossy(&read.stderr);
    assert_eq!(read.status.code(), Some(1), "{said}");
    assert!(read.stdout.is_empty(), "a value came out of an unaudited read");
    assert!(
        said.contains("read-only here") && said.contains("every read of a value"),
        "{said}"
    );
    assert!(!said.contains(OPENAI));
    assert_eq!(fs::read(&vault).expect("read"), before, "the file is unchanged");
}

#[test]
fn weakened_kdf_parameters_are_refused() {
    let v = Vault::init();
    db_exec(
        &v.db(),
        "UPDATE key_envelopes SET kdf_m_kib = 1024 WHERE kind = 'passphrase'",
    );
    let err = v.fail(&["project", "add", "p"]);
    assert!(err.contains("below the floor"), "{err}");
}

#[test]
fn usage_errors_exit_2_and_bad_names_exit_1() {
    let v = Vault::init();
    for args in [&["get"][..], &["frobnicate"], &["run", "--scope", "p/dev"]] {
        let out = v.cmd(args).output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let err = v.fail(&["get", "just-a-name"]);
    assert!(err.contains("PROJECT/ENV/NAME"), "{err}");
    let err = v.fail(&["set", "p/dev/bad-name"]);
    assert!(err.contains("bad-name"), "{err}");
    let err = v.fail(&["set", "p/dev/X", "--rotate-every", "soon"]);
    assert!(
        err.contains("\"soon\"") && err.contains("90d") && err.contains("on-deploy"),
        "{err}"
    );
}

#[test]
fn concurrent_writers_all_land() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    let writers = 2;
    let per_writer = 6;
    let children: Vec<_> = (0..writers)
        .map(|w| {
            let script = (0..per_writer)
                .map(|i| format!("printf 'value-{w}-{i}' | \"$KS\" set p/dev/W{w}_{i} || exit 1"))
                .collect::<Vec<_>>()
                .join("; ");
            v.cmd_raw("sh")
                .args(["-c", &script])
                .env("KS", common::bin())
                .env("KEYSHELF_PASSPHRASE", common::PASSPHRASE)
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let rows: serde_json::Value = serde_json::from_str(&v.ok(&["ls", "p/dev", "--json"])).expect("json");
    assert_eq!(rows.as_array().map(Vec::len), Some(writers * per_writer));
    assert_eq!(v.get("p/dev/W1_5"), b"value-1-5");
    assert!(v.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn audit_tampering_is_reported_by_position() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/T", "t-value-1");
    let _ = v.get("p/dev/T");
    // The triggers refuse edits through SQL...
    let refused = common::db_try_exec(&v.db(), "DELETE FROM audit WHERE seq = 3");
    assert!(refused.is_err_and(|e| e.contains("append-only")));
    // ...but someone with the file can drop them. verify still catches it.
    db_exec(
        &v.db(),
        sql("DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_update ON audit"),
    );
    db_exec(&v.db(), "UPDATE audit SET target = 'p/dev/OTHER v1' WHERE seq = 5");
    let err = v.fail(&["audit", "verify"]);
    assert!(err.contains("audit log entry 5 was edited"), "{err}");
    db_exec(
        &v.db(),
        sql("DROP TRIGGER audit_no_delete", "DROP TRIGGER audit_no_delete ON audit"),
    );
    db_exec(&v.db(), "DELETE FROM audit WHERE seq = 3");
    let err = v.fail(&["audit", "verify"]);
    assert!(err.contains("audit log entry 3 is missing"), "{err}");
}

#[test]
fn a_read_that_cannot_be_audited_returns_no_value() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/T", "t-value-audited");
    db_exec(
        &v.db(),
        sql(
            "CREATE TRIGGER audit_refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit disk quota'); END",
            "CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'audit disk quota'; END $$;
             CREATE TRIGGER audit_refuse BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_refuse();",
        ),
    );
    let out = v.cmd(&["get", "p/dev/T"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("audit"), "{err}");
    assert!(v.fail(&["run", "--scope", "p/dev", "--", "env"]).contains("audit"));
}

#[test]
fn recovery_key_unlocks_and_sets_a_new_passphrase() {
    let v = Vault::init();
    let recovery = v.recovery_key.clone();
    assert!(recovery.starts_with("KSR1-"), "{recovery}");
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/T", "kept-through-recovery");
    let out = v
        .cmd(&["unlock", "--recovery"])
        .env("KEYSHELF_RECOVERY_KEY", recovery.to_lowercase())
        .env("KEYSHELF_PASSPHRASE", "a brand new passphrase")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = v.fail(&["get", "p/dev/T"]);
    assert!(err.contains("wrong passphrase"), "{err}");
    let value = v
        .cmd(&["get", "p/dev/T"])
        .env("KEYSHELF_PASSPHRASE", "a brand new passphrase")
        .output()
        .expect("run");
    assert_eq!(value.stdout, b"kept-through-recovery");

    let mut typo = recovery.clone().into_bytes();
    typo[8] = if typo[8] == b'A' { b'B' } else { b'A' };
    let err = v
        .cmd(&["unlock", "--recovery"])
        .env("KEYSHELF_RECOVERY_KEY", String::from_utf8(typo).expect("ascii"))
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&err.stderr).contains("checksum"));
}

#[test]
fn run_materialises_file_secrets_privately_and_removes_them() {
    let v = Vault::init();
    v.ok(&["project", "add", "train", "--env", "dev"]);
    let sa = v.dir.path().join("sa.json");
    fs::write(
        &sa,
        br#"{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----x"}"#,
    )
    .expect("write");
    v.ok(&[
        "set",
        "train/dev/GOOGLE_APPLICATION_CREDENTIALS",
        "--file",
        sa.to_str().expect("utf8"),
    ]);
    let out = v.ok(&[
        "run",
        "--scope",
        "train/dev",
        "--",
        "sh",
        "-c",
        "stat -c %a \"$GOOGLE_APPLICATION_CREDENTIALS\"; echo \"$GOOGLE_APPLICATION_CREDENTIALS\"; cat \"$GOOGLE_APPLICATION_CREDENTIALS\"",
    ]);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("600"));
    let path = lines.next().expect("path").to_owned();
    assert!(path.ends_with("sa.json"), "{path}");
    assert!(lines.next().expect("content").contains("service_account"));
    assert!(!std::path::Path::new(&path).exists(), "file secret left behind");

    // Killed by a signal: the signal passes through, and the file is still removed.
    let out = v
        .cmd(&[
            "run",
            "--scope",
            "train/dev",
            "--",
            "sh",
            "-c",
            "echo \"$GOOGLE_APPLICATION_CREDENTIALS\"; kill -TERM $$",
        ])
        .output()
        .expect("run");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(15));
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(!path.is_empty() && !std::path::Path::new(&path).exists());

    // keyshelf itself killed with SIGKILL (nothing can clean up then): the file sits on a memory
    // filesystem, never on disk, and the next run removes what the dead run left.
    let out = v
        .cmd(&[
            "run",
            "--scope",
            "train/dev",
            "--",
            "sh",
            "-c",
            "echo \"$GOOGLE_APPLICATION_CREDENTIALS\"; kill -KILL $PPID",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.signal(), Some(9));
    let left = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(left.exists(), "a SIGKILL leaves the file until the next run");
    let fs = std::process::Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(&left)
        .output()
        .expect("stat");
    assert_eq!(String::from_utf8_lossy(&fs.stdout).trim(), "tmpfs");
    v.ok(&["run", "--scope", "train/dev", "--", "true"]);
    assert!(!left.exists(), "the next run removes what a killed run left");
}

#[test]
fn export_is_read_back_by_python_dotenv() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    let tricky = [
        ("QUOTES", "it's \"quoted\""),
        ("BACKSLASH", r"C:\path\n\t\\end"),
        ("DOLLAR", "${HOME} and $HOME"),
        ("MULTI", "line one\nline two\n"),
        ("HASH", "value # not a comment"),
        ("SPACES", "  padded  "),
        ("UNICODE", "clé-🔑"),
    ];
    for (name, value) in tricky {
        let out = v
            .cmd(&["set", &format!("p/dev/{name}"), "--keep-newline"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().expect("stdin").write_all(value.as_bytes())?;
                c.wait_with_output()
            })
            .expect("set");
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let file = v.dir.path().join("out.env");
    fs::write(&file, v.ok(&["export", "--scope", "p/dev"])).expect("write");
    let script = "import json, sys\nfrom dotenv import dotenv_values\nprint(json.dumps(dotenv_values(sys.argv[1])))";
    let out = std::process::Command::new("python3")
        .args(["-c", script, file.to_str().expect("utf8")])
        .env("HOME", "/should-not-be-expanded")
        .output()
        .expect("python3 with python-dotenv (installed by .ci/run)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for (name, value) in tricky {
        assert_eq!(read[name], value, "python-dotenv read {name} differently");
    }
}

#[test]
fn keychain_unlock_lock_and_unlock_again_without_retyping() {
    common::require_secret_service();
    let v = Vault::init_with_keychain();
    // init cached the account key: no passphrase from here on.
    let status: serde_json::Value = serde_json::from_str(&v.ok_no_pass(&["status", "--json"])).expect("json");
    assert_eq!(status["unlocked"], true, "{status}");
    v.ok_no_pass(&["project", "add", "llm-eval", "--env", "dev"]);
    v.ok_no_pass_stdin(&["set", "llm-eval/dev/OPENAI_API_KEY"], OPENAI);
    assert_eq!(v.ok_no_pass(&["get", "llm-eval/dev/OPENAI_API_KEY"]), OPENAI);

    let vault_id = status["vault_id"].as_str().expect("vault id").to_owned();
    let kernel_copies = || {
        std::fs::read_to_string("/proc/keys")
            .expect("/proc/keys")
            .lines()
            .filter(|l| l.contains(&vault_id))
            .count()
    };
    assert!(
        kernel_copies() > 0,
        "the warm path caches the key in the kernel keyring"
    );
    v.ok_no_pass(&["lock"]);
    let status: serde_json::Value = serde_json::from_str(&v.ok_no_pass(&["status", "--json"])).expect("json");
    assert_eq!(status["unlocked"], false);
    // Locked means locked everywhere: no copy is left in the kernel's session or persistent keyring.
    assert_eq!(kernel_copies(), 0, "lock left the account key in a kernel keyring");
    let out = v
        .cmd_no_pass(&["get", "llm-eval/dev/OPENAI_API_KEY"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked"));

    // Unlock once with the passphrase; later commands ask the keychain, not the user.
    let out = v.cmd(&["unlock"]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(v.ok_no_pass(&["get", "llm-eval/dev/OPENAI_API_KEY"]), OPENAI);
    v.ok_no_pass(&["lock"]);
}

#[test]
fn without_a_keychain_the_cli_says_so_in_one_line_and_uses_the_passphrase() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    v.set("p/dev/T", "fallback-value");
    // No D-Bus session at all, and no session keyring: the situation of a headless box.
    let out = v
        .cmd(&["get", "p/dev/T"])
        .env_remove("KEYSHELF_KEYCHAIN")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, b"fallback-value");
    // A job with KEYSHELF_PASSPHRASE expects no keychain: nothing said, unless asked with --verbose.
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = v
        .cmd(&["--verbose", "get", "p/dev/T"])
        .env_remove("KEYSHELF_KEYCHAIN")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.stdout, b"fallback-value");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("used the passphrase instead"), "{err}");

    let out = v
        .cmd_no_pass(&["get", "p/dev/T"])
        .env_remove("KEYSHELF_KEYCHAIN")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("locked") && err.contains("KEYSHELF_PASSPHRASE"), "{err}");
}

#[test]
fn an_empty_file_is_not_stored_as_a_secret() {
    let v = Vault::init();
    v.ok(&["project", "add", "p", "--env", "dev"]);
    let empty = v.dir.path().join("empty.txt");
    std::fs::write(&empty, b"").expect("write");
    let err = v.fail(&["set", "p/dev/SA_JSON", "--file", empty.to_str().expect("utf8")]);
    assert!(err.contains("the value for p/dev/SA_JSON is empty"), "{err}");
    assert!(!v.ok(&["ls", "p/dev"]).contains("SA_JSON"));
}
