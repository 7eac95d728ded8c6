//! The team server: what only a PostgreSQL vault has (database logins and their privileges,
//! a database restored from a dump, members working on one vault at the same moment from
//! separate processes). Each vault is a fresh database of the private server `.ci/with-postgres`
//! starts; run as `.ci/with-postgres .ci/with-keychain cargo test -p keyshelf --test server`
//! (`make test` does). Not part of a plain `cargo test`: without a server there is nothing to
//! test, and the suite says so rather than passing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::Vault;

const KEY: &str = "llm-eval/dev/OPENAI_API_KEY";

/// A vault on the test server (the suite refuses to run on files).
fn server_vault() -> Vault {
    assert!(
        common::engine_is_postgres(),
        "tests/server.rs needs a PostgreSQL server: run it under .ci/with-postgres (make test does)"
    );
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev", "--env", "prod"]);
    v
}

/// The database name of a vault URL (`postgres://user@host/NAME?…`).
fn db_name(url: &Path) -> String {
    let url = url.to_string_lossy();
    let path = url.split('?').next().unwrap_or_default();
    path.rsplit('/').next().unwrap_or_default().to_owned()
}

/// The same vault URL with another database login.
fn as_login(url: &Path, login: &str) -> PathBuf {
    PathBuf::from(
        url.to_string_lossy()
            .replacen("postgres://postgres@", &format!("postgres://{login}@"), 1),
    )
}

#[test]
fn a_members_database_login_uses_the_vault_but_cannot_edit_its_audit_log() {
    let v = server_vault();
    v.set(KEY, "sk-proj-ServerRole000000000000000000");
    let login = format!("eve_{}", std::process::id());
    common::server_exec(&format!(
        "DROP ROLE IF EXISTS {login}; CREATE ROLE {login} LOGIN IN ROLE keyshelf_member"
    ));
    let url = as_login(&v.db(), &login);

    // Day-to-day use through that login: reading writes its audit entry.
    let out = v.output(&["get", KEY], "", &[("KEYSHELF_VAULT", url.to_str().expect("utf8"))]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, b"sk-proj-ServerRole000000000000000000");

    // The log through the same login: append-only by privilege, not only by trigger.
    for sql in [
        "UPDATE audit SET target = 'nothing happened'",
        "DELETE FROM audit",
        "TRUNCATE audit",
        "ALTER TABLE audit DISABLE TRIGGER audit_no_update",
        "DROP TRIGGER audit_no_delete ON audit",
    ] {
        let err = common::db_try_exec(&url, sql).expect_err(sql);
        assert!(
            err.contains("permission denied") || err.contains("must be owner"),
            "{sql}: {err}"
        );
    }
    assert!(v.ok(&["audit", "verify"]).contains("audit log intact"));
    drop(v);
    common::server_exec(&format!("DROP ROLE IF EXISTS {login}"));
}

/// A machine's own database login (role `keyshelf_machine`) reads with its token and appends
/// its audit entry, and can change nothing else: not a secret, not a grant, not the log.
#[test]
fn a_machines_database_login_reads_and_appends_its_audit_entry_and_nothing_else() {
    let v = server_vault();
    v.set(KEY, "sk-proj-MachineLogin00000000000000000");
    let (token, _) = v.ok_with_stderr(&["machine", "add", "ci", "--scope", "llm-eval/dev"]);
    let token = token.trim().to_owned();
    v.remember(&token);
    let login = format!("ci_{}", std::process::id());
    common::server_exec(&format!(
        "DROP ROLE IF EXISTS {login}; CREATE ROLE {login} LOGIN IN ROLE keyshelf_machine"
    ));
    let url = as_login(&v.db(), &login);
    let url = url.to_str().expect("utf8");

    let out = v.output(
        &["get", KEY],
        "",
        &[("KEYSHELF_VAULT", url), ("KEYSHELF_TOKEN", &token)],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, b"sk-proj-MachineLogin00000000000000000");
    assert!(v.ok(&["audit", "ls", "--limit", "1"]).contains("secret.read"));

    // No passphrase envelope to guess at offline: only the recovery kind is visible to it.
    assert_eq!(
        common::db_query_i64(
            Path::new(url),
            "SELECT COUNT(*) FROM key_envelopes WHERE kind = 'passphrase'"
        ),
        0
    );
    assert!(common::db_query_i64(&v.db(), "SELECT COUNT(*) FROM key_envelopes WHERE kind = 'passphrase'") > 0);
    for sql in [
        "UPDATE secret_versions SET ciphertext = ciphertext",
        "DELETE FROM grants",
        "INSERT INTO removals SELECT * FROM removals",
        "UPDATE members SET status = 'active'",
        "DELETE FROM audit",
    ] {
        let err = common::db_try_exec(Path::new(url), sql).expect_err(sql);
        assert!(err.contains("permission denied"), "{sql}: {err}");
    }
    // A person's passphrase through that login reads, but every change is refused by the server.
    let out = v.output(
        &["set", KEY],
        "sk-proj-NotWritten0000000000000000000",
        &[("KEYSHELF_VAULT", url)],
    );
    assert!(!out.status.success());
    assert_eq!(v.get(KEY), b"sk-proj-MachineLogin00000000000000000");
    assert!(v.ok(&["audit", "verify"]).contains("audit log intact"));
    drop(v);
    common::server_exec(&format!("DROP ROLE IF EXISTS {login}"));
}

#[test]
fn a_database_restored_from_an_older_dump_is_refused_by_every_device_that_saw_the_newer() {
    let v = server_vault();
    v.set(KEY, "sk-proj-BeforeTheDump0000000000000000");
    let name = db_name(&v.db());
    // Last night's dump (a copy of the database as it was).
    common::server_exec(&format!("CREATE DATABASE {name}_dump TEMPLATE {name}"));

    // Today: the key is rotated after a leak, and this device reads the new one.
    v.set(KEY, "sk-proj-AfterTheLeak00000000000000000");
    assert_eq!(v.get(KEY), b"sk-proj-AfterTheLeak00000000000000000");

    // Someone with the server restores the dump over the live database.
    common::server_exec(&format!(
        "DROP DATABASE {name} WITH (FORCE); CREATE DATABASE {name} TEMPLATE {name}_dump; DROP DATABASE {name}_dump"
    ));
    let err = v.fail(&["get", KEY]);
    assert!(
        err.contains("went back to an older state than this device has seen"),
        "{err}"
    );
    let err = v.fail(&["audit", "verify"]);
    assert!(err.contains("went back"), "{err}");
    // Nothing was written on top of the old state.
    let err = v.fail(&["ls"]);
    assert!(err.contains("went back"), "{err}");
}

/// One person's `keyshelf`, runnable from any thread: their config dir and passphrase, the
/// vault's URL (the harness's `Vault` stays on the test's thread).
#[derive(Clone)]
struct Person {
    vault: PathBuf,
    config: PathBuf,
    passphrase: String,
}

impl Person {
    fn of(v: &Vault, who: Option<&str>) -> Person {
        match who {
            None => Person {
                vault: v.db(),
                config: v.config(),
                passphrase: common::PASSPHRASE.into(),
            },
            Some(who) => Person {
                vault: v.db(),
                config: v.dir.path().join(format!("config-{who}")),
                passphrase: format!("{who}'s own passphrase"),
            },
        }
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        use std::io::Write;
        let mut child = Command::new(common::bin())
            .args(args)
            .env("KEYSHELF_VAULT", &self.vault)
            .env("KEYSHELF_CONFIG_DIR", &self.config)
            .env("KEYSHELF_PASSPHRASE", &self.passphrase)
            .env("KEYSHELF_KEYCHAIN", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn keyshelf");
        let mut input = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("stdin");
        }
        drop(input);
        child.wait_with_output().expect("wait")
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(
            out.status.success(),
            "keyshelf {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    }
}

#[test]
fn members_deciding_and_writing_at_the_same_moment_leave_one_consistent_vault() {
    const ROUNDS: usize = 100;
    let v = server_vault();
    v.set(KEY, "sk-proj-Race-0000");
    for who in ["bob", "alice"] {
        v.person_ok(who, &["member", "join", "--name", who]);
    }
    v.approve_lead("bob", "llm-eval");
    v.ok(&["member", "approve", "alice", "--fingerprint", &v.fingerprint("alice")]);
    let (ada, bob, alice) = (
        Person::of(&v, None),
        Person::of(&v, Some("bob")),
        Person::of(&v, Some("alice")),
    );
    let id = bob.ok(&["access", "request", "llm-eval/dev", "--reason", "leading"], None);
    ada.ok(&["access", "approve", id.trim()], None);

    // ada writes new values while bob grants alice dev and revokes it again (each revocation a
    // rekey of the scope ada is writing to), every step its own process, as on two laptops.
    let writer = {
        let ada = ada.clone();
        std::thread::spawn(move || {
            for i in 1..=ROUNDS {
                ada.ok(&["set", KEY], Some(&format!("sk-proj-Race-{i:04}")));
                ada.ok(
                    &["set", &format!("llm-eval/dev/EXTRA_{i:03}")],
                    Some(&format!("extra-{i:04}")),
                );
            }
        })
    };
    for _ in 0..ROUNDS / 4 {
        let id = alice.ok(&["access", "request", "llm-eval/dev", "--reason", "eval run"], None);
        bob.ok(&["access", "approve", id.trim()], None);
        assert!(
            alice.run(&["get", KEY], None).status.success(),
            "alice reads while granted"
        );
        bob.ok(&["access", "revoke", "alice", "llm-eval/dev"], None);
    }
    writer.join().expect("writer");

    // One chain, intact for everyone; every value decrypts for who holds the scope, the last
    // write won in order, and the revocation held.
    for person in [&ada, &bob] {
        assert!(person.ok(&["audit", "verify"], None).contains("audit log intact"));
        assert_eq!(person.ok(&["get", KEY], None), format!("sk-proj-Race-{ROUNDS:04}"));
    }
    let exported = ada.ok(&["export", "--scope", "llm-eval/dev"], None);
    for i in 1..=ROUNDS {
        assert!(
            exported.contains(&format!("EXTRA_{i:03}='extra-{i:04}'")),
            "EXTRA_{i:03} lost"
        );
    }
    assert!(
        !alice.run(&["get", KEY], None).status.success(),
        "alice's access was revoked last"
    );
}

#[test]
fn with_verify_full_the_vault_opens_only_on_the_server_its_certificate_authority_signed() {
    let v = server_vault();
    v.set(KEY, "sk-proj-OverTls0000000000000000000000");
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name}: run under .ci/with-postgres"));
    let tls = var("KEYSHELF_TEST_POSTGRES_TLS").replace("{db}", &db_name(&v.db()));
    let (ca, other_ca) = (var("KEYSHELF_TEST_POSTGRES_CA"), var("KEYSHELF_TEST_POSTGRES_OTHER_CA"));
    let get = |url: &str| v.output(&["get", KEY], "", &[("KEYSHELF_VAULT", url)]);

    // Over TCP with TLS, the certificate checked against the team's CA: the same vault.
    let out = get(&format!("{tls}&sslrootcert={ca}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, b"sk-proj-OverTls0000000000000000000000");

    // A server whose certificate another CA signed (someone in the middle), or the right
    // certificate under a name it does not carry: refused before anything is sent.
    for url in [
        format!("{tls}&sslrootcert={other_ca}"),
        format!("{}&sslrootcert={ca}", tls.replacen("@localhost:", "@127.0.0.1:", 1)),
    ] {
        let out = get(&url);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{url}: {stderr}");
        assert!(out.stdout.is_empty());
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("cannot be reached") && stderr.contains("invalid peer certificate"),
            "{stderr}"
        );
    }
}

#[test]
fn a_login_that_needs_a_password_takes_it_from_the_os_keychain_or_a_passfile_never_from_argv() {
    common::require_secret_service();
    assert!(common::engine_is_postgres(), "run under .ci/with-postgres");
    let login = std::env::var("KEYSHELF_TEST_POSTGRES_PASSWORD_LOGIN")
        .expect("KEYSHELF_TEST_POSTGRES_PASSWORD_LOGIN: run under .ci/with-postgres");
    const PASSWORD: &str = "db-password-5b0f3c9e7d21a4";
    common::server_exec(&format!(
        "DROP ROLE IF EXISTS {login}; CREATE ROLE {login} LOGIN PASSWORD '{PASSWORD}'"
    ));
    let db = common::Database::create();
    common::server_exec(&format!("ALTER DATABASE {} OWNER TO {login}", db_name(&db.url())));
    let url = as_login(&db.url(), &login);
    let dir = tempfile::tempdir().expect("tempdir");
    let keyshelf = |args: &[&str], stdin: &str, env: &[(&str, &str)]| {
        let mut cmd = Command::new(common::bin());
        cmd.args(args)
            .env("KEYSHELF_VAULT", &url)
            .env("KEYSHELF_CONFIG_DIR", dir.path().join("config"))
            .env("KEYSHELF_PASSPHRASE", "the owner's passphrase, long enough")
            .env("PGPASSFILE", dir.path().join("no-passfile"))
            .env_remove("PGPASSWORD")
            .env_remove("KEYSHELF_KEYCHAIN");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = common::run_with_stdin(cmd, stdin.as_bytes());
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains(PASSWORD), "the password reached stderr: {stderr}");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        )
    };
    let refused = |(code, stdout, stderr): (Option<i32>, String, String), why: &str| {
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!("refused the login of {login}")) && stderr.contains(why),
            "{stderr}"
        );
    };

    // Nothing offers a password: one line naming the login, and the command that fixes it.
    refused(keyshelf(&["init", "--name", "pw"], "", &[]), "keyshelf vault password");
    // A wrong password is checked with the server and never kept.
    refused(
        keyshelf(&["vault", "password"], "not the password\n", &[]),
        "wrong; nothing was stored",
    );
    refused(keyshelf(&["init", "--name", "pw"], "", &[]), "none it accepts");

    // The right one, piped in once: kept in the OS keychain, and every later command logs in.
    let (code, _, stderr) = keyshelf(&["vault", "password"], &format!("{PASSWORD}\n"), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("kept in the OS keychain"), "{stderr}");
    // Empty the kernel keyring's copy: the next login must find it in the Secret Service (and
    // put it back in the kernel keyring for the commands after).
    let copies = {
        let (code, stdout, stderr) = keyshelf(&["status", "--json"], "", &[]);
        assert_eq!(code, Some(1), "no vault yet: {stdout}{stderr}");
        kernel_copies(&login, &db_name(&db.url()))
    };
    assert_eq!(copies.len(), 1, "one kernel copy after `vault password`");
    for id in &copies {
        let status = Command::new("keyctl")
            .args(["invalidate", id])
            .status()
            .expect("keyctl");
        assert!(status.success());
    }
    assert!(kernel_copies(&login, &db_name(&db.url())).is_empty());
    let (code, _, stderr) = keyshelf(&["init", "--name", "pw"], "", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(kernel_copies(&login, &db_name(&db.url())).len(), 1, "warmed again");
    keyshelf(&["project", "add", "llm-eval", "--env", "dev"], "", &[]);
    let (code, _, stderr) = keyshelf(&["set", KEY], "sk-proj-BehindAPassword00000000000000", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let got = keyshelf(&["get", KEY], "", &[]);
    assert_eq!(got.1, "sk-proj-BehindAPassword00000000000000", "{}", got.2);

    // In argv it would be readable by every user of the machine (ps): refused before anything runs.
    let with_password = url
        .to_string_lossy()
        .replacen(&format!("{login}@"), &format!("{login}:{PASSWORD}@"), 1);
    let (code, stdout, stderr) = keyshelf(&["--vault", &with_password, "get", KEY], "", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stdout.is_empty() && stderr.contains("visible to every user"),
        "{stderr}"
    );

    // Forgotten: refused again. A libpq passfile is the other place it may live.
    let (code, _, stderr) = keyshelf(&["vault", "password", "--forget"], "", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("Removed"), "{stderr}");
    refused(keyshelf(&["get", KEY], "", &[]), "none it accepts");
    // KEYSHELF_VAULT, unlike argv, is readable only by this user: a password in it is used.
    let got = keyshelf(&["get", KEY], "", &[("KEYSHELF_VAULT", &with_password)]);
    assert_eq!(got.1, "sk-proj-BehindAPassword00000000000000", "{}", got.2);
    let passfile = dir.path().join("pgpass");
    std::fs::write(&passfile, format!("*:*:*:{login}:{PASSWORD}\n")).expect("passfile");
    // libpq's rule, which sqlx keeps: a passfile others can read is ignored.
    std::fs::set_permissions(&passfile, std::os::unix::fs::PermissionsExt::from_mode(0o600)).expect("chmod");
    let got = keyshelf(&["get", KEY], "", &[("PGPASSFILE", passfile.to_str().expect("utf8"))]);
    assert_eq!(got.1, "sk-proj-BehindAPassword00000000000000", "{}", got.2);

    drop(db);
    common::server_exec(&format!("DROP ROLE IF EXISTS {login}"));
}

/// The ids of the kernel keyring's copies of the database password of `login` on `database`.
fn kernel_copies(login: &str, database: &str) -> Vec<String> {
    let keys = std::fs::read_to_string("/proc/keys").expect("/proc/keys");
    keys.lines()
        .filter(|line| {
            line.contains(&format!("keyring-rs:{login}@")) && line.contains(&format!("/{database}@keyshelf-database"))
        })
        // FLAGS, the second field: invalidated, revoked or dead keys linger until collected.
        .filter(|line| {
            line.split_whitespace()
                .nth(1)
                .is_some_and(|flags| !flags.contains(['i', 'R', 'D']))
        })
        .filter_map(|line| line.split_whitespace().next())
        // keyctl takes ids in decimal; /proc/keys shows them in hex.
        .filter_map(|hex| i64::from_str_radix(hex, 16).ok().map(|id| id.to_string()))
        .collect()
}
