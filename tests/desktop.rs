//! End-to-end tests of the desktop app: the real binary (UI embedded), driven through WebDriver
//! (tauri-driver + WebKitWebDriver) under Xvfb, with the real OS keychain and the X clipboard.
//! `make test` provides all three; see `.ci/test`.
//!
//! Screenshots of each screen land in docs/screenshots/ (the README shows them).

#[path = "common/mod.rs"]
mod common;
#[path = "desktop/driver.rs"]
mod driver;

use std::path::Path;
use std::process::Command;

use common::PASSPHRASE;
use driver::*;
use thirtyfour::prelude::*;

const VALUE: &str = "sk-proj-DesktopE2E000000000000000000000000000000";
const SERVICE_ACCOUNT: &str =
    "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIE2e2e\\n\"}\n";

#[tokio::test(flavor = "multi_thread")]
async fn first_run_to_keychain_unlock() {
    assert!(
        std::env::var_os("DISPLAY").is_some() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "the desktop tests need a display and a D-Bus session: run `make test`"
    );
    let v = common::Vault::empty();
    let (dir, vault, config) = (&v.dir, v.db(), v.config());
    let notifications = NotificationSink::start(dir.path());
    // The app looks for new access requests every second instead of every minute.
    let driver = Driver::start(
        &[
            ("KEYSHELF_VAULT", &vault),
            ("KEYSHELF_CONFIG_DIR", &config),
            ("KEYSHELF_ACCESS_POLL_SECS", Path::new("1")),
        ],
        4444,
    );
    let d = connect(&driver).await;

    // First run: create the vault; the recovery key is shown once and gated by a checkbox.
    heading(&d, "Create your team vault").await;
    screenshot(&d, "1-first-run").await;
    fill(&d, "Team name", "ml-team").await;
    fill(&d, "Your name", "ada").await;
    fill(&d, "Passphrase", PASSPHRASE).await;
    fill(&d, "Repeat passphrase", PASSPHRASE).await;
    click_button(&d, "Create vault").await;
    heading(&d, "Save your recovery key").await;
    let recovery = by_label(&d, "Recovery key").await.text().await.expect("text");
    assert!(recovery.starts_with("KSR1-"), "{recovery}");
    screenshot(&d, "2-recovery-key").await;
    click_label(&d, "I saved the recovery key").await;
    click_button(&d, "Continue").await;

    // A project with two environments, and a secret in dev.
    click_button(&d, "Add project").await;
    fill(&d, "Project name", "llm-eval").await;
    fill(&d, "Environments", "dev, prod").await;
    click_button(&d, "Create project").await;
    click_label(&d, "llm-eval/dev").await;
    click_button(&d, "Add secret").await;
    fill(&d, "Name", "OPENAI_API_KEY").await;
    fill(&d, "Value", VALUE).await;
    fill(&d, "Note", "eval runs only").await;
    click_button(&d, "Save secret").await;
    by_label(&d, "OPENAI_API_KEY").await;

    // A file secret, picked in the file chooser.
    let credentials = dir.path().join("service-account.json");
    std::fs::write(&credentials, SERVICE_ACCOUNT).expect("write credentials");
    click_button(&d, "Add secret").await;
    click_css(&d, "input[type=radio][aria-label=\"File\"]").await;
    fill(&d, "Name", "GCP_SERVICE_ACCOUNT").await;
    css(&d, "input[type=file]")
        .await
        .send_keys(credentials.display().to_string())
        .await
        .expect("pick file");
    click_button(&d, "Save secret").await;
    by_label(&d, "GCP_SERVICE_ACCOUNT").await;
    screenshot(&d, "3-vault-browser").await;

    // Nothing the webview received so far holds the value: not the page, not what the list and
    // search commands return.
    assert!(!d.source().await.expect("source").contains(VALUE));
    let listed = d
        .execute(
            "return window.__TAURI_INTERNALS__.invoke('list_secrets', {project: 'llm-eval', environment: 'dev'})",
            vec![],
        )
        .await
        .expect("invoke list_secrets");
    let listed = listed.json().to_string();
    assert!(listed.contains("OPENAI_API_KEY") && !listed.contains(VALUE), "{listed}");
    assert!(!listed.contains("BEGIN PRIVATE KEY"), "{listed}");
    assert!(listed.contains("\"file_name\":\"service-account.json\""), "{listed}");

    // A write from another process (the CLI here, a teammate's device on a team vault) shows up
    // in the open list by itself: the app reads the vault's change mark every second.
    v.set("llm-eval/dev/WANDB_API_KEY", "wandb-DesktopE2E-00000000000000000000");
    by_label(&d, "WANDB_API_KEY").await;

    // Ctrl+K search finds it across scopes.
    d.action_chain()
        .key_down(Key::Control)
        .send_keys("k")
        .key_up(Key::Control)
        .perform()
        .await
        .expect("ctrl+k");
    fill(&d, "Search", "openai").await;
    by_label(&d, "llm-eval/dev/OPENAI_API_KEY").await;
    screenshot(&d, "4-search").await;
    by_label(&d, "Search").await.send_keys(Key::Enter).await.expect("enter");

    // Reveal shows it; Copy puts it on the clipboard, which is cleared after the timeout.
    click_button(&d, "Reveal").await;
    eventually_text(&d, "Secret value", VALUE).await;
    screenshot(&d, "5-secret-detail").await;
    click_button(&d, "Hide").await;
    click_button(&d, "Copy").await;
    eventually("the value on the clipboard", 10, || clipboard() == VALUE).await;
    eventually("the clipboard to be cleared", 20, || clipboard() != VALUE).await;

    // Edit changes the note without a new version; Show note decrypts it on request only.
    dismiss_toasts(&d).await;
    click_button(&d, "Edit").await;
    // The dialog fetches the stored note as it opens: edit it once it is there.
    eventually_value(&d, "Note", "eval runs only").await;
    fill(&d, "Note", "eval and prod runs").await;
    click_button(&d, "Save changes").await;
    dialog_closed(&d).await;
    dismiss_toasts(&d).await;
    click_button(&d, "Show note").await;
    eventually_text(&d, "Note text", "eval and prod runs").await;

    // Settings persist in this device's config.
    click_button(&d, "Settings").await;
    fill(&d, "Lock after idle (minutes)", "7").await;
    click_button(&d, "Save settings").await;
    let saved = config.join("settings.json");
    eventually("the idle setting in settings.json", 10, || {
        std::fs::read_to_string(&saved).is_ok_and(|text| text.contains("\"idle_lock_minutes\": 7"))
    })
    .await;

    // Team access across the CLI and the app: alice joins from her own device; ada (this app,
    // the owner) compares fingerprints and admits her in Members; alice asks for llm-eval/dev;
    // the app notifies ada on the desktop and she approves in the Access requests inbox; alice reads.
    let alice = |args: &[&str]| v.person_ok("alice", args).0;
    let (_, joined) = v.person_ok("alice", &["member", "join", "--name", "alice"]);
    let alice_fingerprint = joined
        .lines()
        .find_map(|line| line.trim().strip_prefix("your key fingerprint:"))
        .map(|fingerprint| fingerprint.trim().to_owned())
        .unwrap_or_else(|| panic!("no fingerprint in what `member join` printed: {joined}"));
    dismiss_toasts(&d).await;
    click_button(&d, "Members").await;
    click_label(&d, "Admit alice").await;
    eventually_text(&d, "Fingerprint", &alice_fingerprint).await;
    by_label(&d, "Role").await;
    screenshot(&d, "8-admit-member").await;
    click_css(&d, "[role=dialog][aria-label=\"Admit alice\"] button[type=submit]").await;
    text_on_page(&d, "Admitted alice as member.").await;
    d.action_chain()
        .send_keys(Key::Escape)
        .perform()
        .await
        .expect("close members");
    dialog_closed(&d).await;
    let roster = v.ok(&["member", "ls", "--json"]);
    assert!(roster.contains(&alice_fingerprint), "{roster}");

    alice(&[
        "access",
        "request",
        "llm-eval/dev",
        "--reason",
        "e2e eval run",
        "--for",
        "1h",
    ]);
    // The app's own look at the vault finds the request: a desktop notification for ada (who may
    // decide it), and the inbox badge counts it without waiting for the UI's minute poll.
    let asked = ("Access request".to_owned(), "alice asks for llm-eval/dev".to_owned());
    eventually("the access request notification", 20, || {
        notifications.received().contains(&asked)
    })
    .await;
    let badge =
        By::XPath("//button[@aria-label=\"Access requests\"]/span[@class=\"count-badge\"][normalize-space(.)=\"1\"]");
    first(&d, &badge, 15, false)
        .await
        .unwrap_or_else(|e| panic!("the inbox badge never counted the new request: {e}"));
    dismiss_toasts(&d).await;
    click_button(&d, "Access requests").await;
    text_on_page(&d, "e2e eval run").await;
    screenshot(&d, "7-access-requests").await;
    click_button(&d, "Approve").await;
    text_on_page(&d, "Approved: alice can read llm-eval/dev.").await;
    assert_eq!(alice(&["get", "llm-eval/dev/OPENAI_API_KEY"]), VALUE);
    d.action_chain()
        .send_keys(Key::Escape)
        .perform()
        .await
        .expect("close inbox");
    dialog_closed(&d).await;

    // A machine for a CI job: added in Machines with its token shown once and copied through
    // Rust; a job with only the token reads the key; revoked after a preview, it reads nothing.
    dismiss_toasts(&d).await;
    click_button(&d, "Machines").await;
    click_button(&d, "Add machine").await;
    fill(&d, "Name", "ci-eval").await;
    // The project tree behind the dialog has an item of the same name.
    click_css(&d, "[role=dialog] input[type=checkbox][aria-label=\"llm-eval/dev\"]").await;
    fill(&d, "Expires after", "30d").await;
    click_css(&d, "[role=dialog][aria-label=\"Add machine\"] button[type=submit]").await;
    let token = by_label(&d, "Token")
        .await
        .value()
        .await
        .expect("token field")
        .unwrap_or_default();
    assert!(token.starts_with("ksm1_"), "no token shown");
    click_on(
        &d,
        By::XPath("//*[@role=\"dialog\"][@aria-label=\"Token for ci-eval\"]//button[normalize-space(.)=\"Copy\"]"),
        true,
        "the token's Copy",
    )
    .await;
    eventually("the token on the clipboard", 10, || clipboard() == token).await;
    let job = |token: &str| {
        Command::new(common::bin())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", v.dir.path())
            .env("KEYSHELF_VAULT", v.db())
            .env("KEYSHELF_TOKEN", token)
            .args(["get", "llm-eval/dev/OPENAI_API_KEY"])
            .output()
            .expect("run the job")
    };
    assert_eq!(String::from_utf8_lossy(&job(&token).stdout), VALUE);
    click_button(&d, "Done").await;
    gone(&d, &label_selector("Token"), "the token panel").await;
    assert!(
        !d.source().await.expect("source").contains(&token[5..]),
        "the token stayed in the page"
    );
    click_label(&d, "Revoke ci-eval").await;
    text_on_page(&d, "Revoking ci-eval rekeys every scope it could open").await;
    // Found by its text (WebDriver's text() is empty while the dialog fades in).
    let rekeyed = By::XPath(
        "//ul[@aria-label=\"Scopes rekeyed\"]/li[starts-with(normalize-space(.), \"llm-eval/dev:\") and contains(., \"re-encrypted under a new key\")]",
    );
    first(&d, &rekeyed, 15, false)
        .await
        .unwrap_or_else(|e| panic!("the preview does not list llm-eval/dev as rekeyed: {e}"));
    text_on_page(&d, "ci-eval read 1 secret").await;
    click_on(
        &d,
        By::XPath("//*[@role=\"dialog\"][@aria-label=\"Revoke machine\"]//button[normalize-space(.)=\"Revoke\"]"),
        true,
        "the revoke confirmation",
    )
    .await;
    gone(&d, &label_selector("Revoke machine"), "the revoke confirmation").await;
    assert!(!job(&token).status.success(), "the revoked token still reads");
    gone(&d, &label_selector("Revoke ci-eval"), "the revoked machine's row").await;
    click_css(
        &d,
        "[role=dialog][aria-label=\"Machines\"] button[aria-label=\"Close\"]",
    )
    .await;
    dialog_closed(&d).await;

    // Lock drops the keys; the OS keychain unlocks again without typing.
    click_button(&d, "Lock").await;
    heading(&d, "Unlock Keyshelf").await;
    assert!(!d.source().await.expect("source").contains(VALUE));
    screenshot(&d, "6-unlock").await;
    click_button(&d, "Unlock with OS keychain").await;
    by_label(&d, "Projects").await;

    // The screen locker's signal on the session bus locks the vault too.
    let sent = Command::new("dbus-send")
        .args([
            "--session",
            "--type=signal",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver.ActiveChanged",
            "boolean:true",
        ])
        .status()
        .expect("dbus-send (package dbus)");
    assert!(sent.success());
    heading(&d, "Unlock Keyshelf").await;
    text_on_page(&d, "Locked because the screen locked.").await;
    assert!(!d.source().await.expect("source").contains(VALUE));

    // One notification for the one request, and nothing secret in any of them.
    let received = notifications.received();
    assert_eq!(received.iter().filter(|n| **n == asked).count(), 1, "{received:?}");
    let raw = notifications.raw();
    for secret in [VALUE, PASSPHRASE, "BEGIN PRIVATE KEY", recovery.trim()] {
        assert!(!raw.contains(secret), "a notification carried a secret: {raw}");
    }

    d.quit().await.expect("quit");
    drop(driver);
}

/// Idle time locks the vault on its own; a forgotten passphrase is replaced through the
/// recovery key, which also opens the vault.
#[tokio::test(flavor = "multi_thread")]
async fn idle_lock_then_recovery_key_unlock() {
    let v = common::Vault::empty();
    let (vault, config) = (v.db(), v.config());
    let idle = Path::new("4");
    let driver = Driver::start(
        &[
            ("KEYSHELF_VAULT", &vault),
            ("KEYSHELF_CONFIG_DIR", &config),
            ("KEYSHELF_IDLE_LOCK_SECS", idle),
            // Far beyond the test: a cleared clipboard below is the lock's doing.
            ("KEYSHELF_CLIPBOARD_CLEAR_SECS", Path::new("600")),
        ],
        4446,
    );
    let d = connect(&driver).await;

    heading(&d, "Create your team vault").await;
    fill(&d, "Team name", "ml-team").await;
    fill(&d, "Your name", "grace").await;
    fill(&d, "Passphrase", PASSPHRASE).await;
    fill(&d, "Repeat passphrase", PASSPHRASE).await;
    click_button(&d, "Create vault").await;
    heading(&d, "Save your recovery key").await;
    let recovery = by_label(&d, "Recovery key").await.text().await.expect("text");
    click_label(&d, "I saved the recovery key").await;
    click_button(&d, "Continue").await;

    // Nobody touches the app: it locks by itself.
    heading(&d, "Unlock Keyshelf").await;
    text_on_page(&d, "Locked after a period of inactivity.").await;
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    v.set_with(&["set", "llm-eval/dev/OPENAI_API_KEY"], VALUE);

    click_button(&d, "Use recovery key").await;
    fill(&d, "Recovery key", recovery.trim()).await;
    fill(&d, "New passphrase", "a brand new passphrase 42").await;
    fill(&d, "Repeat new passphrase", "a brand new passphrase 42").await;
    click_button(&d, "Unlock with recovery key").await;
    text_on_page(&d, "Passphrase changed.").await;

    // A value copied, then left alone: the idle lock clears the clipboard with the keys.
    d.action_chain()
        .key_down(Key::Control)
        .send_keys("k")
        .key_up(Key::Control)
        .perform()
        .await
        .expect("ctrl+k");
    fill(&d, "Search", "openai").await;
    by_label(&d, "llm-eval/dev/OPENAI_API_KEY").await;
    by_label(&d, "Search").await.send_keys(Key::Enter).await.expect("enter");
    click_button(&d, "Copy").await;
    eventually("the value on the clipboard", 10, || clipboard() == VALUE).await;
    heading(&d, "Unlock Keyshelf").await;
    eventually("the clipboard to be cleared at lock", 5, || clipboard() != VALUE).await;

    d.quit().await.expect("quit");
    drop(driver);
}

/// Scan for leaks: a notebook in a folder holds a vault key in a code cell and its output; the
/// app finds both by cell (never showing the value), redacts them keeping a backup, and the key
/// is flagged exposed for the CLI too.
#[tokio::test(flavor = "multi_thread")]
async fn scan_for_leaks_and_redact() {
    const LEAKED: &str = "sk-proj-ScanE2E0000000000000000000000000000000000";
    let v = common::Vault::init();
    let (dir, vault, config) = (&v.dir, v.db(), v.config());
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    v.set_with(&["set", "llm-eval/dev/OPENAI_API_KEY"], LEAKED);

    // A notebook as Jupyter writes it: the key pasted into a cell, and printed by it.
    let folder = dir.path().join("notebooks");
    std::fs::create_dir(&folder).expect("mkdir");
    let notebook = folder.join("eval.ipynb");
    let cells = serde_json::json!([
        {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# Eval run\n"]},
        {"cell_type": "code", "execution_count": 1, "id": "leak", "metadata": {},
         "source": ["from openai import OpenAI\n", format!("client = OpenAI(api_key=\"{LEAKED}\")\n"), "print(client.api_key)"],
         "outputs": [{"name": "stdout", "output_type": "stream", "text": [format!("{LEAKED}\n")]}]},
        {"cell_type": "code", "execution_count": 2, "id": "rows", "metadata": {}, "source": ["len(df)"], "outputs": []}
    ]);
    let original = serde_json::to_string_pretty(&serde_json::json!({
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5
    }))
    .expect("json")
        + "\n";
    std::fs::write(&notebook, &original).expect("write notebook");
    std::fs::write(folder.join("train.py"), "import os\nprint(len(os.environ))\n").expect("write script");

    let driver = Driver::start(&[("KEYSHELF_VAULT", &vault), ("KEYSHELF_CONFIG_DIR", &config)], 4450);
    let d = connect(&driver).await;
    heading(&d, "Unlock Keyshelf").await;
    fill(&d, "Passphrase", PASSPHRASE).await;
    click_button(&d, "Unlock").await;
    by_label(&d, "Projects").await;

    // Typed, not picked: a native folder dialog cannot be driven through WebDriver.
    click_button(&d, "Scan for leaks").await;
    fill(&d, "Folder", &folder.display().to_string()).await;
    click_button(&d, "Scan").await;
    text_on_page(&d, "Scanned 2 files").await;
    text_on_page(&d, "for 1 vault secret and provider key formats: 2 findings.").await;
    by_label(&d, "OpenAI key, cell 1 · source").await;
    by_label(&d, "OpenAI key, cell 1 · outputs").await;
    text_on_page(
        &d,
        "Found in notebooks, now flagged exposed: llm-eval/dev/OPENAI_API_KEY.",
    )
    .await;
    assert!(!d.source().await.expect("source").contains(LEAKED));
    // What the command hands the webview: a 4-character preview, never the value.
    let report = d
        .execute(
            "return window.__TAURI_INTERNALS__.invoke('scan_folder', {folder: arguments[0]})",
            vec![serde_json::json!(folder.display().to_string())],
        )
        .await
        .expect("invoke scan_folder")
        .json()
        .to_string();
    assert!(!report.contains(LEAKED), "scan_folder handed the webview the value");
    assert!(report.contains("\"preview\":\"sk-p…\""), "{report}");
    // Redaction rewrites only files the last scan found keys in, whatever the webview asks.
    let refused = d
        .execute(
            "return window.__TAURI_INTERNALS__.invoke('redact_findings', {targets: [{file: arguments[0], line: 1, column: 1}]})
               .then(() => 'redacted', (e) => e.code)",
            vec![serde_json::json!(folder.join("train.py").display().to_string())],
        )
        .await
        .expect("invoke redact_findings");
    assert_eq!(refused.json(), &serde_json::json!("not_allowed"));

    click_label(&d, "Select all findings").await;
    text_on_page(&d, "2 findings selected").await;
    screenshot(&d, "10-scan-for-leaks").await;
    click_button(&d, "Redact selected").await;
    text_on_page(&d, "those copies still hold the keys").await;
    click_button(&d, "Redact").await;
    text_on_page(&d, "Redacted 2 findings in 1 file.").await;

    // On disk: a valid notebook without the key, the other cells as they were, and the original
    // kept beside it (still holding the key).
    let redacted = std::fs::read_to_string(&notebook).expect("read notebook");
    assert!(!redacted.contains(LEAKED), "the redacted notebook still holds the key");
    let parsed: serde_json::Value = serde_json::from_str(&redacted).expect("the redacted notebook is JSON");
    let before: serde_json::Value = serde_json::from_str(&original).expect("json");
    assert_eq!(parsed["nbformat"], 4);
    assert_eq!(parsed["cells"][0], before["cells"][0]);
    assert_eq!(parsed["cells"][2], before["cells"][2]);
    assert_eq!(parsed["cells"][1]["outputs"], serde_json::json!([]));
    let source: String = parsed["cells"][1]["source"]
        .as_array()
        .expect("source lines")
        .iter()
        .filter_map(|line| line.as_str())
        .collect();
    assert!(
        source.contains("client = OpenAI(api_key=__import__(\"os\").environ[\"OPENAI_API_KEY\"])"),
        "{source}"
    );
    let backup = folder.join("eval.ipynb.keyshelf-bak");
    assert_eq!(std::fs::read_to_string(&backup).expect("the backup"), original);

    // The app scanned again: only the backup still holds the key; from it, go to the secret.
    by_label(&d, "eval.ipynb.keyshelf-bak").await;
    gone(&d, &label_selector("eval.ipynb"), "the redacted notebook's findings").await;
    dismiss_toasts(&d).await;
    click_label(&d, "Rotate llm-eval/dev/OPENAI_API_KEY").await;
    // The scan page gives way to the secret, with its Rotate dialog open.
    heading(&d, "Rotate OPENAI_API_KEY").await;
    first(&d, &button_selector("Open OpenAI key page"), 15, false)
        .await
        .unwrap_or_else(|e| panic!("the Rotate dialog did not open: {e}"));
    click_button(&d, "Cancel").await;
    dialog_closed(&d).await;
    heading(&d, "OPENAI_API_KEY").await;
    text_on_page(&d, "Exposed: found in clear in").await;

    let listed = v.ok(&["ls"]);
    let line = listed
        .lines()
        .find(|line| line.contains("OPENAI_API_KEY"))
        .unwrap_or_else(|| panic!("no OPENAI_API_KEY in `keyshelf ls`: {listed}"));
    assert!(line.contains("EXPOSED"), "{listed}");
    assert!(!listed.contains(LEAKED));

    d.quit().await.expect("quit");
    drop(driver);
}

/// Rotation: a vault set up with the CLI, opened by the app 95 days later (the debug-only clock
/// offset). The app reminds on the desktop at unlock, the dashboard lists what is overdue and due,
/// and the guided dialog stages a new key, checks it and promotes it; the CLI then reads the new
/// value (and the old one, for the overlap).
#[tokio::test(flavor = "multi_thread")]
async fn rotation_dashboard_rotate_and_notify() {
    const OLD: &str = "sk-proj-RotateE2EOld000000000000000000000000000000";
    const NEW: &str = "sk-proj-RotateE2ENew111111111111111111111111111111";
    const KEY: &str = "llm-eval/prod/OPENAI_API_KEY";
    // Passes for a key of OpenAI's shape, without naming the value.
    const CHECK: &str = r#"case "$OPENAI_API_KEY" in sk-proj-*) exit 0;; *) exit 1;; esac"#;
    let v = common::Vault::init();
    let (dir, vault, config) = (&v.dir, v.db(), v.config());
    v.ok(&["project", "add", "llm-eval", "--env", "dev", "--env", "prod"]);
    v.ok(&["project", "add", "training", "--env", "dev"]);
    // On day 95: OpenAI's 90 days and a 60-day token are overdue, a 100-day database URL is due
    // this week, a 120-day W&B key this month.
    v.set_with(&["set", KEY], OLD);
    v.set_with(
        &["set", "llm-eval/dev/HF_TOKEN", "--rotation", "60d"],
        "hf_RotateE2E000000000000000000000000",
    );
    v.set_with(
        &["set", "llm-eval/prod/DATABASE_URL", "--rotation", "100d"],
        "postgres://eval:RotateE2E@db.internal:5432/eval",
    );
    v.set_with(
        &["set", "training/dev/WANDB_API_KEY", "--rotation", "120d"],
        "RotateE2Ewandb0000000000000000000000000",
    );

    let notifications = NotificationSink::start(dir.path());
    let day_95 = (95 * 86_400).to_string();
    let driver = Driver::start(
        &[
            ("KEYSHELF_VAULT", &vault),
            ("KEYSHELF_CONFIG_DIR", &config),
            ("KEYSHELF_CLOCK_OFFSET_SECS", Path::new(&day_95)),
        ],
        4448,
    );
    let d = connect(&driver).await;
    heading(&d, "Unlock Keyshelf").await;
    fill(&d, "Passphrase", PASSPHRASE).await;
    click_button(&d, "Unlock").await;
    by_label(&d, "Projects").await;

    // At unlock, one desktop notification per secret that needs attention: names, never values.
    let reminded = |summary: &str, body: &str| {
        notifications
            .received()
            .iter()
            .any(|(s, b)| s == summary && b.starts_with(body))
    };
    eventually("the overdue reminder", 20, || {
        reminded("Rotation overdue", &format!("{KEY} was due "))
    })
    .await;
    eventually("the other reminders", 10, || {
        reminded("Rotation overdue", "llm-eval/dev/HF_TOKEN was due")
            && reminded("Rotation due soon", "llm-eval/prod/DATABASE_URL is due in 5 days")
    })
    .await;

    // The header counts what must be rotated now: the two overdue keys.
    let badge = |n: &str| {
        By::XPath(format!(
            "//button[@aria-label=\"Rotation\"]/span[@class=\"count-badge\"][normalize-space(.)=\"{n}\"]"
        ))
    };
    first(&d, &badge("2"), 15, false)
        .await
        .unwrap_or_else(|e| panic!("the rotation badge never counted the overdue keys: {e}"));
    click_button(&d, "Rotation").await;
    let row = |list: &str, path: &str| By::Css(format!("ul[aria-label=\"{list}\"] li[aria-label=\"{path}\"]"));
    for (list, path) in [
        ("Overdue", KEY),
        ("Overdue", "llm-eval/dev/HF_TOKEN"),
        ("Due this week", "llm-eval/prod/DATABASE_URL"),
        ("Due this month", "training/dev/WANDB_API_KEY"),
    ] {
        first(&d, &row(list, path), 15, false)
            .await
            .unwrap_or_else(|e| panic!("{path} is not under {list}: {e}"));
    }
    screenshot(&d, "9-rotation-dashboard").await;

    // The guided rotation: stage (the check runs with the candidate), then promote.
    click_label(&d, &format!("Rotate {KEY}")).await;
    first(&d, &button_selector("Open OpenAI key page"), 15, false)
        .await
        .unwrap_or_else(|e| panic!("no button to open the provider's key page: {e}"));
    fill(&d, "New value", NEW).await;
    fill(&d, "Check command", CHECK).await;
    click_button(&d, "Stage").await;
    // The command runs only once the person at the screen agrees in a native dialog, which the
    // webview cannot answer: the test answers it on the X display, as a person would.
    confirm_native_dialog("Run this check?");
    eventually_text(&d, "Check result", "Check passed.").await;
    assert_eq!(v.ok(&["get", KEY]), OLD, "staged is not current yet");
    click_button(&d, "Promote").await;
    text_on_page(&d, &format!("v2 of {KEY} is current.")).await;
    gone(&d, &row("Overdue", KEY), "the rotated key to leave the overdue list").await;
    first(&d, &badge("1"), 15, false)
        .await
        .unwrap_or_else(|e| panic!("the rotation badge never went down: {e}"));

    // The CLI reads the new value; the old one stays readable for the overlap (24 h).
    assert_eq!(v.ok(&["get", KEY]), NEW);
    assert_eq!(v.ok(&["get", "--previous", KEY]), OLD);

    // Nothing secret reached the page or a notification; the reminder record holds names and days.
    let page = d.source().await.expect("source");
    assert!(!page.contains(NEW) && !page.contains(OLD));
    let raw = notifications.raw();
    for secret in [OLD, NEW, PASSPHRASE, "RotateE2E"] {
        assert!(!raw.contains(secret), "a notification carried a secret: {raw}");
    }
    let overdue = notifications
        .received()
        .into_iter()
        .filter(|(s, b)| s == "Rotation overdue" && b.starts_with(KEY))
        .count();
    assert_eq!(overdue, 1, "{:?}", notifications.received());
    let record = std::fs::read_to_string(config.join("reminded.json")).expect("reminded.json");
    assert!(
        record.contains("llm-eval/dev/HF_TOKEN") && !record.contains("RotateE2E"),
        "{record}"
    );

    d.quit().await.expect("quit");
    drop(driver);
}
