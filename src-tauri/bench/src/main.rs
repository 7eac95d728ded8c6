//! `keyshelf-bench`: end-to-end figures for docs/PERFORMANCE.md, measured on the built
//! `keyshelf` binary as a user runs it (process start, SQLite open, unlock, decrypt, audit write).
//!
//! Run with `make bench` (release build, inside a D-Bus session with gnome-keyring so the warm
//! path uses the real keychain). Prints the figures; asserts nothing.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "bench passphrase";

fn main() {
    let exe = std::env::current_exe().expect("current exe");
    let keyshelf = exe.with_file_name("keyshelf");
    assert!(
        keyshelf.exists(),
        "build the CLI first: cargo build --release -p keyshelf"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let bench = Bench {
        keyshelf,
        vault: dir.path().join("vault.db"),
        config: dir.path().join("config"),
    };

    bench.ok(bench.cmd(true).args(["init", "--name", "bench", "--user", "bench"]));
    bench.ok(bench
        .cmd(true)
        .args(["project", "add", "bench", "--env", "dev", "--env", "bulk"]));
    bench.set(
        "bench/dev/OPENAI_API_KEY",
        "sk-proj-bench0000000000000000000000000000000000",
    );
    let warm_available = bench.keychain_unlocked();

    println!("keyshelf-bench: {} ({})", machine(), bench.keyshelf.display());
    if warm_available {
        let warm = bench.time(50, || bench.with(false, &["get", "bench/dev/OPENAI_API_KEY"]));
        report("get, warm (keychain: kernel keyutils cache)", &warm);
        // Another build measured in the same run, so a change is judged as a ratio, not
        // against figures from a different day on a noisy machine.
        if let Some(baseline) = std::env::var_os("KEYSHELF_BENCH_BASELINE") {
            baseline_ratio(dir.path(), PathBuf::from(baseline), &bench);
        }
    } else {
        println!("get, warm: skipped: no OS keychain in this session (run `make bench`)");
    }
    let cold = bench.time(10, || {
        let mut cmd = bench.cmd(true);
        cmd.env("KEYSHELF_KEYCHAIN", "off")
            .args(["get", "bench/dev/OPENAI_API_KEY"]);
        cmd
    });
    report("get, cold (passphrase: Argon2id 64 MiB, t=3, p=4)", &cold);

    let baseline = bench.time(30, || {
        let mut cmd = Command::new("true");
        cmd.stdout(Stdio::null());
        cmd
    });
    let run = bench.time(30, || {
        bench.with(!warm_available, &["run", "--scope", "bench/dev", "--", "true"])
    });
    report("`true` alone", &baseline);
    report("run --scope bench/dev -- true", &run);
    println!(
        "run overhead (p50 difference): {:.1} ms",
        (p(&run, 50) - p(&baseline, 50)).as_secs_f64() * 1e3
    );

    rekey_figure(dir.path(), &bench, !warm_available);
    machine_figures(dir.path(), &bench, warm_available);

    let count = 100_000;
    let file = dir.path().join("bulk.env");
    let mut text = String::with_capacity(count * 64);
    for i in 0..count {
        text.push_str(&format!(
            "SECRET_{i:06}=value-{i:06}-{:032x}\n",
            i as u128 * 0x9e37_79b9_7f4a_7c15
        ));
    }
    std::fs::write(&file, text).expect("write env");
    let started = Instant::now();
    bench.ok(bench
        .cmd(!warm_available)
        .args(["import", file.to_str().expect("utf8"), "--scope", "bench/bulk"]));
    let took = started.elapsed();
    println!(
        "import {count} secrets (one transaction, one process): {:.2} s = {:.0} secrets/s",
        took.as_secs_f64(),
        count as f64 / took.as_secs_f64()
    );
    let export = Instant::now();
    bench.ok(bench.cmd(!warm_available).args(["export", "--scope", "bench/bulk"]));
    println!(
        "export {count} secrets (decrypt + audit each): {:.2} s",
        export.elapsed().as_secs_f64()
    );
    desktop_queries(&bench, count, "");
    scan_throughput(dir.path(), &bench);
    let size: u64 = ["vault.db", "vault.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "vault file with {} secrets: {:.1} MiB",
        count + 1,
        size as f64 / 1048576.0
    );
    if let Ok(template) = std::env::var("KEYSHELF_TEST_POSTGRES") {
        postgres_column(dir.path(), &bench, &template, count, warm_available);
    } else {
        println!("PostgreSQL: skipped (no server: `make bench` starts one through .ci/with-postgres)");
    }
    if warm_available {
        let _ = bench.cmd(false).arg("lock").output();
    }
}

/// The same figures on a vault in a PostgreSQL database (the private server `.ci/with-postgres`
/// starts, over its unix socket): `get` interleaved with the file vault's, `run`, import, the
/// desktop's queries, and how soon another member's app sees a change.
fn postgres_column(dir: &std::path::Path, file: &Bench, template: &str, count: usize, warm: bool) {
    let name = format!("keyshelf_bench_{}", std::process::id());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let admin = |sql: String| {
        runtime.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&template.replace("{db}", "postgres"))
                .await
                .expect("connect to the bench server");
            sqlx::raw_sql(&sql)
                .execute(&mut conn)
                .await
                .expect("create the bench database");
            let _ = conn.close().await;
        })
    };
    admin(format!("CREATE DATABASE {name}"));
    let pg = Bench {
        keyshelf: file.keyshelf.clone(),
        vault: PathBuf::from(template.replace("{db}", &name)),
        config: dir.join("pg-config"),
    };
    pg.ok(pg.cmd(true).args(["init", "--name", "bench", "--user", "bench"]));
    pg.ok(pg
        .cmd(true)
        .args(["project", "add", "bench", "--env", "dev", "--env", "bulk"]));
    pg.set(
        "bench/dev/OPENAI_API_KEY",
        "sk-proj-bench0000000000000000000000000000000000",
    );
    let warm = warm && pg.keychain_unlocked();
    if warm {
        let (mut on_file, mut on_server) = (Vec::new(), Vec::new());
        for _ in 0..200 {
            on_file.extend(file.time(1, || file.with(false, &["get", "bench/dev/OPENAI_API_KEY"])));
            on_server.extend(pg.time(1, || pg.with(false, &["get", "bench/dev/OPENAI_API_KEY"])));
        }
        on_file.sort();
        on_server.sort();
        report("PostgreSQL: get, warm, interleaved with the file vault's", &on_server);
        report("SQLite: get, warm, interleaved", &on_file);
        println!(
            "get, warm: PostgreSQL / SQLite (p50) = {:.2}",
            p(&on_server, 50).as_secs_f64() / p(&on_file, 50).as_secs_f64()
        );
    }
    let baseline = pg.time(30, || {
        let mut cmd = Command::new("true");
        cmd.stdout(Stdio::null());
        cmd
    });
    let run = pg.time(30, || pg.with(!warm, &["run", "--scope", "bench/dev", "--", "true"]));
    report("PostgreSQL: run --scope bench/dev -- true", &run);
    println!(
        "PostgreSQL: run overhead (p50 difference): {:.1} ms",
        (p(&run, 50) - p(&baseline, 50)).as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let env_file = dir.join("bulk.env");
    pg.ok(pg
        .cmd(!warm)
        .args(["import", env_file.to_str().expect("utf8"), "--scope", "bench/bulk"]));
    let took = started.elapsed();
    println!(
        "PostgreSQL: import {count} secrets (one transaction, one process): {:.2} s = {:.0} secrets/s",
        took.as_secs_f64(),
        count as f64 / took.as_secs_f64()
    );
    desktop_queries(&pg, count, "PostgreSQL: ");
    // The desktop reads the change mark once a second: a change is seen within that plus one read.
    let marks = runtime.block_on(async {
        let vault = keyshelf_core::Vault::open(&pg.vault).await.expect("open");
        let mut times = Vec::new();
        for _ in 0..50 {
            let started = Instant::now();
            std::hint::black_box(vault.change_mark().await.expect("change mark"));
            times.push(started.elapsed());
        }
        vault.close().await;
        times.sort();
        times
    });
    report("PostgreSQL: one look at the change mark", &marks);
    println!(
        "PostgreSQL: another member's write reaches an open desktop app within 1 s + {:.1} ms",
        p(&marks, 50).as_secs_f64() * 1e3
    );
    if warm {
        let _ = pg.cmd(false).arg("lock").output();
    }
    admin(format!("DROP DATABASE {name} WITH (FORCE)"));
}

/// Warm `get` of the build at `baseline` (its own vault, its own config), interleaved with this
/// build's so both see the same machine load; the p50 ratio.
fn baseline_ratio(dir: &std::path::Path, baseline: PathBuf, ours: &Bench) {
    let other = Bench {
        keyshelf: baseline,
        vault: dir.join("baseline.db"),
        config: dir.join("baseline-config"),
    };
    other.ok(other.cmd(true).args(["init", "--name", "baseline", "--user", "bench"]));
    other.ok(other.cmd(true).args(["project", "add", "bench", "--env", "dev"]));
    other.set(
        "bench/dev/OPENAI_API_KEY",
        "sk-proj-bench0000000000000000000000000000000000",
    );
    if !other.keychain_unlocked() {
        println!("baseline: skipped (its key is not in the keychain)");
        return;
    }
    // Interleaved, one command of each in turn, so that a noisy neighbour slows both alike.
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        mine.extend(ours.time(1, || ours.with(false, &["get", "bench/dev/OPENAI_API_KEY"])));
        theirs.extend(other.time(1, || other.with(false, &["get", "bench/dev/OPENAI_API_KEY"])));
    }
    mine.sort();
    theirs.sort();
    report("get, warm, this build, interleaved", &mine);
    report(
        &format!("get, warm, baseline {}, interleaved", other.keyshelf.display()),
        &theirs,
    );
    println!(
        "get, warm: this build / baseline (p50) = {:.3}",
        p(&mine, 50).as_secs_f64() / p(&theirs, 50).as_secs_f64()
    );
    let _ = other.cmd(false).arg("lock").output();
}

/// Revoking a member from a scope of 10,000 secrets: a new key, every version re-encrypted and
/// re-granted, one transaction.
fn rekey_figure(dir: &std::path::Path, bench: &Bench, with_passphrase: bool) {
    let versions = 10_000;
    bench.ok(&mut bench.with(true, &["env", "add", "bench", "rekey"]));
    let file = dir.join("rekey.env");
    let text: String = (0..versions)
        .map(|i| format!("REKEY_{i:05}=value-{i:05}-{:032x}\n", i as u128 * 0x9e37_79b9))
        .collect();
    std::fs::write(&file, text).expect("write env");
    bench.ok(&mut bench.with(
        with_passphrase,
        &["import", file.to_str().expect("utf8"), "--scope", "bench/rekey"],
    ));
    let other = Bench {
        keyshelf: bench.keyshelf.clone(),
        vault: bench.vault.clone(),
        config: dir.join("other-config"),
    };
    let mut join = other.cmd(true);
    join.env("KEYSHELF_KEYCHAIN", "off")
        .args(["member", "join", "--name", "other"]);
    other.ok(&mut join);
    let mut roster = bench.with(with_passphrase, &["member", "ls", "--json"]);
    let listed = roster.stdout(Stdio::piped()).output().expect("member ls");
    let roster: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("member ls --json");
    let fingerprint = roster
        .as_array()
        .and_then(|members| members.iter().find(|m| m["name"] == "other"))
        .and_then(|m| m["fingerprint"].as_str())
        .expect("other's fingerprint")
        .to_owned();
    bench.ok(&mut bench.with(
        with_passphrase,
        &["member", "approve", "other", "--fingerprint", &fingerprint],
    ));
    let mut request = other.cmd(true);
    request
        .env("KEYSHELF_KEYCHAIN", "off")
        .args(["access", "request", "bench/rekey", "--reason", "bench"])
        .stdout(Stdio::piped());
    let out = request.output().expect("request");
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    bench.ok(&mut bench.with(with_passphrase, &["access", "approve", &id]));
    let started = Instant::now();
    bench.ok(&mut bench.with(with_passphrase, &["access", "revoke", "other", "bench/rekey"]));
    println!(
        "revoke = rekey of a scope with {versions} versions (one process, one transaction): {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// Machines: a token `get` (no keychain, no Argon2) interleaved with a warm keychain `get`, and
/// the revocation of a machine holding 10 scopes of 1,000 secrets each.
fn machine_figures(dir: &std::path::Path, bench: &Bench, warm: bool) {
    let add = |args: &[&str]| -> String {
        let mut all = vec!["machine", "add"];
        all.extend_from_slice(args);
        let out = bench
            .with(!warm, &all)
            .stdout(Stdio::piped())
            .output()
            .expect("machine add");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let token = add(&["bench-ci", "--scope", "bench/dev"]);
    let token_get = || {
        let mut cmd = Command::new(&bench.keyshelf);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("KEYSHELF_VAULT", &bench.vault)
            .env("KEYSHELF_TOKEN", &token)
            .args(["get", "bench/dev/OPENAI_API_KEY"])
            .stdout(Stdio::null());
        cmd
    };
    if warm {
        // Interleaved, so both see the same machine load.
        let (mut by_token, mut by_keychain) = (Vec::new(), Vec::new());
        for _ in 0..50 {
            by_token.extend(bench.time(1, token_get));
            by_keychain.extend(bench.time(1, || bench.with(false, &["get", "bench/dev/OPENAI_API_KEY"])));
        }
        by_token.sort();
        by_keychain.sort();
        report(
            "get with a machine token (KEYSHELF_TOKEN, no config, no keychain)",
            &by_token,
        );
        report("get, warm keychain, interleaved with the above", &by_keychain);
        println!(
            "token get minus warm get (p50): {:+.2} ms",
            (p(&by_token, 50).as_secs_f64() - p(&by_keychain, 50).as_secs_f64()) * 1e3
        );
    } else {
        report("get with a machine token (KEYSHELF_TOKEN)", &bench.time(50, token_get));
    }

    let envs: Vec<String> = (0..10).map(|i| format!("e{i}")).collect();
    let mut project = vec!["project", "add", "fleet"];
    for env in &envs {
        project.extend(["--env", env.as_str()]);
    }
    bench.ok(&mut bench.with(!warm, &project));
    let mut scopes = Vec::new();
    for env in &envs {
        let file = dir.join(format!("fleet-{env}.env"));
        let text: String = (0..1000)
            .map(|i| format!("FLEET_{i:04}=value-{env}-{i:04}-{:032x}\n", i as u128 * 0x9e37_79b9))
            .collect();
        std::fs::write(&file, text).expect("write env");
        let scope = format!("fleet/{env}");
        bench.ok(&mut bench.with(!warm, &["import", file.to_str().expect("utf8"), "--scope", &scope]));
        scopes.extend(["--scope".to_owned(), scope]);
    }
    let mut args = vec!["fleet-ci"];
    args.extend(scopes.iter().map(String::as_str));
    add(&args);
    let started = Instant::now();
    bench.ok(&mut bench.with(!warm, &["machine", "revoke", "fleet-ci"]));
    println!(
        "machine revoke, 10 scopes x 1,000 secrets (rekey of 10,000 versions, one transaction): {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// `scan` over a corpus of 10,000 generated notebooks (~1 GB): the core scanner on one core
/// (provider patterns + 1,000 vault values), then the whole CLI without the vault.
fn scan_throughput(dir: &std::path::Path, bench: &Bench) {
    use keyshelf_core::scan::{KnownSecret, Scanner};
    let corpus = dir.join("notebooks");
    std::fs::create_dir_all(&corpus).expect("corpus dir");
    let mut total = 0u64;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut random = move |n: usize| -> String {
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                B64[(seed % 64) as usize] as char
            })
            .collect()
    };
    for f in 0..10_000 {
        let cells: Vec<serde_json::Value> = (0..30)
            .map(|c| {
                let table: Vec<String> = (0..12)
                    .map(|r| format!("{r:>3}  gpt-eval-{r}  0.{:04}\n", (r * 37 + c) % 10_000))
                    .collect();
                serde_json::json!({
                    "cell_type": "code",
                    "execution_count": c,
                    "metadata": {},
                    "outputs": [{
                        "data": {"image/png": random(2600), "text/plain": table},
                        "metadata": {},
                        "output_type": "display_data"
                    }],
                    "source": [
                        "import pandas as pd\n",
                        format!("df = pd.read_parquet('runs/{f}/{c}.parquet')\n"),
                        "df.groupby('model').score.mean()"
                    ]
                })
            })
            .collect();
        let notebook = serde_json::json!({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5});
        let text = serde_json::to_string_pretty(&notebook).expect("json") + "\n";
        total += text.len() as u64;
        std::fs::write(corpus.join(format!("nb{f:05}.ipynb")), text).expect("write notebook");
    }
    let known: Vec<KnownSecret> = (0..1000)
        .map(|i| KnownSecret {
            path: format!("bench/bulk/SECRET_{i:06}"),
            value: zeroize::Zeroizing::new(
                format!("value-{i:06}-{:032x}", i as u128 * 0x9e37_79b9_7f4a_7c15).into_bytes(),
            ),
        })
        .collect();
    let scanner = Scanner::new(known).expect("scanner");
    let (files, _) = keyshelf_core::scan::files(std::slice::from_ref(&corpus)).expect("walk");
    let started = Instant::now();
    let mut findings = 0;
    for file in &files {
        let bytes = std::fs::read(file).expect("read");
        findings += scanner.scan("nb.ipynb", &bytes).findings.len();
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "scan, core on one core: {} notebooks, {:.0} MB in {took:.2} s = {:.0} MB/s ({findings} findings)",
        files.len(),
        total as f64 / 1e6,
        total as f64 / 1e6 / took
    );
    let started = Instant::now();
    let out = bench
        .cmd(false)
        .args(["scan", "--no-vault", corpus.to_str().expect("utf8")])
        .output()
        .expect("scan");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let took = started.elapsed().as_secs_f64();
    println!(
        "keyshelf scan --no-vault (walk + read + scan, one process): {took:.2} s = {:.0} MB/s",
        total as f64 / 1e6 / took
    );
}

/// What the desktop's search box and scope list cost at this size: the same core calls its
/// commands make (IPC and rendering excluded; the list is virtualised).
fn desktop_queries(bench: &Bench, count: usize, engine: &str) {
    let vault_path = &bench.vault;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let vault = keyshelf_core::Vault::open(vault_path).await.expect("open vault");
        for (what, query) in [
            ("search, a selective query", "SECRET_04242"),
            ("search, a broad query (first 200 of 100k hits)", "secret"),
            ("search, no match (scans every path)", "no-such-secret"),
        ] {
            let mut times = Vec::new();
            for _ in 0..20 {
                let started = Instant::now();
                let found = vault.search(query, 200).await.expect("search");
                times.push(started.elapsed());
                std::hint::black_box(found);
            }
            times.sort();
            report(&format!("{engine}{what}, {count} secrets"), &times);
        }
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let listed = vault.secrets(Some("bench"), Some("bulk")).await.expect("list");
            times.push(started.elapsed());
            assert_eq!(listed.len(), count);
        }
        times.sort();
        report(
            &format!("{engine}list one scope of {count} secrets (metadata, locked)"),
            &times,
        );
        vault.close().await;
        // What the app lists while unlocked: every state of the scope verified under its key.
        let mut passphrase = || Ok(Some(zeroize::Zeroizing::new(PASSPHRASE.as_bytes().to_vec())));
        let unlocked = keyshelf_core::device::unlock(
            &bench.config,
            vault_path,
            &keyshelf_core::keychain::NoKeychain,
            &mut passphrase,
        )
        .await
        .expect("unlock");
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let listed = unlocked
                .session
                .secrets(Some("bench"), Some("bulk"))
                .await
                .expect("list");
            times.push(started.elapsed());
            assert_eq!(listed.len(), count);
        }
        times.sort();
        report(
            &format!("{engine}list one scope of {count} secrets (unlocked: states verified)"),
            &times,
        );
    });
}

struct Bench {
    keyshelf: PathBuf,
    vault: PathBuf,
    config: PathBuf,
}

impl Bench {
    fn cmd(&self, with_passphrase: bool) -> Command {
        let mut cmd = Command::new(&self.keyshelf);
        cmd.env("KEYSHELF_VAULT", &self.vault)
            .env("KEYSHELF_CONFIG_DIR", &self.config)
            .env_remove("KEYSHELF_KEYCHAIN")
            .env_remove("KEYSHELF_PASSPHRASE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if with_passphrase {
            cmd.env("KEYSHELF_PASSPHRASE", PASSPHRASE);
        }
        cmd
    }

    fn with(&self, with_passphrase: bool, args: &[&str]) -> Command {
        let mut cmd = self.cmd(with_passphrase);
        cmd.args(args);
        cmd
    }

    fn ok(&self, cmd: &mut Command) {
        let out = cmd.output().expect("run keyshelf");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    fn set(&self, path: &str, value: &str) {
        let mut child = self
            .cmd(true)
            .args(["set", path])
            .stdin(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(value.as_bytes())
            .expect("write");
        assert!(child.wait().expect("wait").success());
    }

    fn keychain_unlocked(&self) -> bool {
        let out = self
            .cmd(false)
            .args(["status", "--json"])
            .stdout(Stdio::piped())
            .output()
            .expect("status");
        String::from_utf8_lossy(&out.stdout).contains("\"unlocked\": true")
    }

    fn time(&self, runs: usize, mut make: impl FnMut() -> Command) -> Vec<Duration> {
        let mut samples: Vec<Duration> = (0..runs)
            .map(|_| {
                let mut cmd = make();
                let started = Instant::now();
                let out = cmd.output().expect("run");
                let took = started.elapsed();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                took
            })
            .collect();
        samples.sort();
        samples
    }
}

fn p(sorted: &[Duration], pct: usize) -> Duration {
    sorted[(sorted.len() * pct / 100).min(sorted.len() - 1)]
}

fn report(what: &str, sorted: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{what}: p50 {:.2} ms, p95 {:.2} ms (n={})",
        ms(p(sorted, 50)),
        ms(p(sorted, 95)),
        sorted.len()
    );
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("{cpu}, {cores} cores, {}", std::env::consts::OS)
}
