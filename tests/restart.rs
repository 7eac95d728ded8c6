//! The team server restarted under a running command (an upgrade, a crash, a failover): the
//! command fails with one clear line, nothing is half-written, and the same command succeeds
//! once the server is back. Restarting cuts every connection to the server, so this suite runs
//! alone, by name, under `.ci/with-postgres` (`make test` does), which says how to restart it.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Vault;
use sqlx::{Connection, PgConnection};

const SECRETS: usize = 100_000;

/// Whether a `keyshelf` connection to `db` is inside a transaction that has written (the
/// import's one transaction, past its start).
fn import_is_writing(db: &str) -> bool {
    let template = std::env::var("KEYSHELF_TEST_POSTGRES").expect("KEYSHELF_TEST_POSTGRES");
    common::block_on(async {
        let Ok(mut conn) = PgConnection::connect(&template.replace("{db}", "postgres")).await else {
            return false;
        };
        let writing: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = $1 AND application_name = 'keyshelf' AND backend_xid IS NOT NULL",
        )
        .bind(db)
        .fetch_one(&mut conn)
        .await
        .unwrap_or(0);
        let _ = conn.close().await;
        writing > 0
    })
}

#[test]
fn a_server_restarted_in_the_middle_of_an_import_leaves_nothing_half_imported() {
    let restart = std::env::var("KEYSHELF_TEST_POSTGRES_RESTART")
        .expect("tests/restart.rs needs the server .ci/with-postgres starts (make test runs it)");
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    let env = v.dir.path().join("bulk.env");
    let text: String = (0..SECRETS)
        .map(|i| {
            format!(
                "SECRET_{i:06}=value-{i:06}-{:032x}\n",
                i as u128 * 0x9e37_79b9_7f4a_7c15
            )
        })
        .collect();
    std::fs::write(&env, text).expect("write .env");
    let url = v.db();
    let db = url
        .to_string_lossy()
        .split('?')
        .next()
        .and_then(|path| path.rsplit('/').next())
        .expect("database name")
        .to_owned();

    let import = v
        .cmd(&["import", env.to_str().expect("utf8"), "--scope", "llm-eval/dev"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the import");
    // Wait (bounded) for the import's transaction to be writing, then restart under it.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !import_is_writing(&db) {
        assert!(Instant::now() < deadline, "the import never started writing");
    }
    let restarted = Command::new("sh").args(["-c", &restart]).status().expect("pg_ctl");
    assert!(restarted.success(), "restarting the server failed");
    let out = import.wait_with_output().expect("import");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "the cut import must fail: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("nothing was changed") && !stderr.contains("panicked"),
        "{stderr}"
    );

    // Nothing of it is there, the log is whole, and the retry imports everything.
    assert_eq!(v.ok(&["ls", "--json"]).matches("SECRET_").count(), 0);
    assert!(v.ok(&["audit", "verify"]).contains("audit log intact"));
    v.ok(&["import", env.to_str().expect("utf8"), "--scope", "llm-eval/dev"]);
    assert_eq!(v.ok(&["ls", "--json"]).matches("\"SECRET_").count(), SECRETS);
    assert_eq!(
        v.get("llm-eval/dev/SECRET_054321"),
        format!("value-054321-{:032x}", 54_321u128 * 0x9e37_79b9_7f4a_7c15).into_bytes()
    );
}
