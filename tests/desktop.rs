//! End-to-end tests of the desktop app: the real binary (UI embedded), driven through WebDriver
//! (tauri-driver + WebKitWebDriver) under Xvfb, with the real OS keychain and the X clipboard.
//! `make test` provides all three; see `.ci/test`.
//!
//! Screenshots of each screen land in docs/screenshots/ (the README shows them).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

const PASSPHRASE: &str = "correct horse battery staple";
const VALUE: &str = "sk-proj-DesktopE2E000000000000000000000000000000";
const SERVICE_ACCOUNT: &str =
    "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIE2e2e\\n\"}\n";
/// The app clears the clipboard after this many seconds (shortened for the test).
const CLEAR_SECS: &str = "3";

/// tauri-driver on its own port, with the app's environment; stopped with SIGTERM on drop
/// (SIGKILL would orphan WebKitWebDriver, which keeps the port).
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(env: &[(&str, &Path)], port: u16) -> Driver {
        let driver = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| {
            let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/bin/tauri-driver");
            local.display().to_string()
        });
        let mut cmd = Command::new(&driver);
        cmd.args(["--port", &port.to_string(), "--native-port", &(port + 1).to_string()])
            .env("KEYSHELF_CLIPBOARD_CLEAR_SECS", CLEAR_SECS)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver} (run `make test`, which installs it): {e}"));
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_keyshelf-desktop"))
}

async fn connect(driver: &Driver) -> WebDriver {
    let mut caps = Capabilities::new();
    caps.set("browserName", "wry").expect("capability");
    caps.set("tauri:options", serde_json::json!({ "application": app_binary() }))
        .expect("capability");
    let url = format!("http://127.0.0.1:{}", driver.port);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match WebDriver::new(&url, caps.clone()).await {
            Ok(session) => return session,
            Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
            Err(_) => tokio::task::yield_now().await,
        }
    }
}

async fn by_label(d: &WebDriver, label: &str) -> WebElement {
    d.query(By::Css(format!("[aria-label=\"{label}\"]")))
        .wait(Duration::from_secs(15), Duration::from_millis(50))
        .first()
        .await
        .unwrap_or_else(|e| panic!("no element labelled {label:?}: {e}"))
}

async fn css(d: &WebDriver, selector: &str) -> WebElement {
    d.query(By::Css(selector))
        .wait(Duration::from_secs(15), Duration::from_millis(50))
        .first()
        .await
        .unwrap_or_else(|e| panic!("no element {selector:?}: {e}"))
}

async fn button(d: &WebDriver, text: &str) -> WebElement {
    d.query(By::XPath(format!(
        "//button[normalize-space(.)=\"{text}\" or @aria-label=\"{text}\"]"
    )))
    .and_enabled()
    .wait(Duration::from_secs(15), Duration::from_millis(50))
    .first()
    .await
    .unwrap_or_else(|e| panic!("no enabled button {text:?}: {e}"))
}

async fn heading(d: &WebDriver, text: &str) {
    d.query(By::XPath(format!(
        "//*[self::h1 or self::h2][contains(normalize-space(.), \"{text}\")]"
    )))
    .wait(Duration::from_secs(20), Duration::from_millis(50))
    .first()
    .await
    .unwrap_or_else(|e| panic!("no heading {text:?}: {e}"));
}

async fn fill(d: &WebDriver, label: &str, text: &str) {
    let field = by_label(d, label).await;
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

async fn screenshot(d: &WebDriver, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    // Entry animations would otherwise be caught half-way (a translucent dialog).
    d.execute("document.getAnimations().forEach(a => a.finish())", vec![])
        .await
        .expect("finish animations");
    d.screenshot(&dir.join(format!("{name}.png")))
        .await
        .expect("screenshot");
}

fn clipboard() -> String {
    let out = Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .expect("xclip (installed by .ci/setup)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits, with a deadline, for a condition the app brings about by itself (a timer).
async fn eventually(what: &str, secs: u64, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_to_keychain_unlock() {
    assert!(
        std::env::var_os("DISPLAY").is_some() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "the desktop tests need a display and a D-Bus session: run `make test`"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = dir.path().join("vault.db");
    let config = dir.path().join("config");
    let driver = Driver::start(&[("KEYSHELF_VAULT", &vault), ("KEYSHELF_CONFIG_DIR", &config)], 4444);
    let d = connect(&driver).await;

    // First run: create the vault; the recovery key is shown once and gated by a checkbox.
    heading(&d, "Create your team vault").await;
    screenshot(&d, "1-first-run").await;
    fill(&d, "Team name", "ml-team").await;
    fill(&d, "Your name", "ada").await;
    fill(&d, "Passphrase", PASSPHRASE).await;
    fill(&d, "Repeat passphrase", PASSPHRASE).await;
    button(&d, "Create vault").await.click().await.expect("create");
    heading(&d, "Save your recovery key").await;
    let recovery = by_label(&d, "Recovery key").await.text().await.expect("text");
    assert!(recovery.starts_with("KSR1-"), "{recovery}");
    screenshot(&d, "2-recovery-key").await;
    by_label(&d, "I saved the recovery key")
        .await
        .click()
        .await
        .expect("check");
    button(&d, "Continue").await.click().await.expect("continue");

    // A project with two environments, and a secret in dev.
    button(&d, "Add project").await.click().await.expect("add project");
    fill(&d, "Project name", "llm-eval").await;
    fill(&d, "Environments", "dev, prod").await;
    button(&d, "Create project")
        .await
        .click()
        .await
        .expect("create project");
    by_label(&d, "llm-eval/dev").await.click().await.expect("select dev");
    button(&d, "Add secret").await.click().await.expect("add secret");
    fill(&d, "Name", "OPENAI_API_KEY").await;
    fill(&d, "Value", VALUE).await;
    fill(&d, "Note", "eval runs only").await;
    button(&d, "Save secret").await.click().await.expect("save");
    by_label(&d, "OPENAI_API_KEY").await;

    // A file secret, picked in the file chooser.
    let credentials = dir.path().join("service-account.json");
    std::fs::write(&credentials, SERVICE_ACCOUNT).expect("write credentials");
    button(&d, "Add secret").await.click().await.expect("add secret");
    css(&d, "input[type=radio][aria-label=\"File\"]")
        .await
        .click()
        .await
        .expect("file source");
    fill(&d, "Name", "GCP_SERVICE_ACCOUNT").await;
    css(&d, "input[type=file]")
        .await
        .send_keys(credentials.display().to_string())
        .await
        .expect("pick file");
    button(&d, "Save secret").await.click().await.expect("save file secret");
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
    button(&d, "Reveal").await.click().await.expect("reveal");
    eventually_text(&by_label(&d, "Secret value").await, VALUE).await;
    screenshot(&d, "5-secret-detail").await;
    button(&d, "Hide").await.click().await.expect("hide");
    button(&d, "Copy").await.click().await.expect("copy");
    eventually("the value on the clipboard", 10, || clipboard() == VALUE).await;
    eventually("the clipboard to be cleared", 20, || clipboard() != VALUE).await;

    // Edit changes the note without a new version; Show note decrypts it on request only.
    dismiss_toasts(&d).await;
    button(&d, "Edit").await.click().await.expect("edit");
    fill(&d, "Note", "eval and prod runs").await;
    button(&d, "Save changes").await.click().await.expect("save changes");
    dialog_closed(&d).await;
    dismiss_toasts(&d).await;
    button(&d, "Show note").await.click().await.expect("show note");
    let note = by_label(&d, "Note text").await;
    eventually_text(&note, "eval and prod runs").await;

    // Settings persist in this device's config.
    button(&d, "Settings").await.click().await.expect("settings");
    fill(&d, "Lock after idle (minutes)", "7").await;
    button(&d, "Save settings").await.click().await.expect("save settings");
    let saved = config.join("config.json");
    eventually("the idle setting in config.json", 10, || {
        std::fs::read_to_string(&saved).is_ok_and(|text| text.contains("\"idle_lock_minutes\": 7"))
    })
    .await;

    // Team access across the CLI and the app: alice joins from her own device and asks for
    // llm-eval/dev; ada (this app, the owner) approves in the Access requests inbox; alice reads.
    let alice = |args: &[&str]| cli_as_alice(&vault, dir.path(), args);
    alice(&["member", "join", "--name", "alice"]);
    cli(&vault, &config, &["member", "approve", "alice"]);
    alice(&[
        "access",
        "request",
        "llm-eval/dev",
        "--reason",
        "e2e eval run",
        "--for",
        "1h",
    ]);
    dismiss_toasts(&d).await;
    // The inbox polls; a focus change (or the 60 s poll) refreshes its badge. Opening it reads afresh.
    button(&d, "Access requests").await.click().await.expect("inbox");
    text_on_page(&d, "e2e eval run").await;
    screenshot(&d, "7-access-requests").await;
    button(&d, "Approve").await.click().await.expect("approve");
    text_on_page(&d, "Approved: alice can read llm-eval/dev.").await;
    assert_eq!(alice(&["get", "llm-eval/dev/OPENAI_API_KEY"]), VALUE);
    d.action_chain()
        .send_keys(Key::Escape)
        .perform()
        .await
        .expect("close inbox");
    dialog_closed(&d).await;

    // Lock drops the keys; the OS keychain unlocks again without typing.
    button(&d, "Lock").await.click().await.expect("lock");
    heading(&d, "Unlock Keyshelf").await;
    assert!(!d.source().await.expect("source").contains(VALUE));
    screenshot(&d, "6-unlock").await;
    button(&d, "Unlock with OS keychain")
        .await
        .click()
        .await
        .expect("keychain unlock");
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

    d.quit().await.expect("quit");
    drop(driver);
}

/// Idle time locks the vault on its own; a forgotten passphrase is replaced through the
/// recovery key, which also opens the vault.
#[tokio::test(flavor = "multi_thread")]
async fn idle_lock_then_recovery_key_unlock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = dir.path().join("vault.db");
    let config = dir.path().join("config");
    let idle = Path::new("4");
    let driver = Driver::start(
        &[
            ("KEYSHELF_VAULT", &vault),
            ("KEYSHELF_CONFIG_DIR", &config),
            ("KEYSHELF_IDLE_LOCK_SECS", idle),
        ],
        4446,
    );
    let d = connect(&driver).await;

    heading(&d, "Create your team vault").await;
    fill(&d, "Team name", "ml-team").await;
    fill(&d, "Your name", "grace").await;
    fill(&d, "Passphrase", PASSPHRASE).await;
    fill(&d, "Repeat passphrase", PASSPHRASE).await;
    button(&d, "Create vault").await.click().await.expect("create");
    heading(&d, "Save your recovery key").await;
    let recovery = by_label(&d, "Recovery key").await.text().await.expect("text");
    by_label(&d, "I saved the recovery key")
        .await
        .click()
        .await
        .expect("check");
    button(&d, "Continue").await.click().await.expect("continue");

    // Nobody touches the app: it locks by itself.
    heading(&d, "Unlock Keyshelf").await;
    text_on_page(&d, "Locked after a period of inactivity.").await;

    button(&d, "Use recovery key")
        .await
        .click()
        .await
        .expect("recovery path");
    fill(&d, "Recovery key", recovery.trim()).await;
    fill(&d, "New passphrase", "a brand new passphrase 42").await;
    fill(&d, "Repeat new passphrase", "a brand new passphrase 42").await;
    button(&d, "Unlock with recovery key")
        .await
        .click()
        .await
        .expect("recovery unlock");
    text_on_page(&d, "Passphrase changed.").await;

    d.quit().await.expect("quit");
    drop(driver);
}

/// The `keyshelf` CLI built beside the app (same workspace target dir).
fn cli_binary() -> PathBuf {
    std::env::var_os("KEYSHELF_CLI").map(PathBuf::from).unwrap_or_else(|| {
        let exe = app_binary();
        exe.with_file_name("keyshelf")
    })
}

/// Runs the CLI as the app's own member (ada), with her config dir and passphrase.
fn cli(vault: &Path, config: &Path, args: &[&str]) -> String {
    run_cli(vault, config, PASSPHRASE, args)
}

/// Runs the CLI as alice, a second person on her own device (config dir) sharing the vault file.
fn cli_as_alice(vault: &Path, dir: &Path, args: &[&str]) -> String {
    run_cli(vault, &dir.join("alice-config"), "alice's own passphrase", args)
}

fn run_cli(vault: &Path, config: &Path, passphrase: &str, args: &[&str]) -> String {
    let out = Command::new(cli_binary())
        .args(args)
        .env("KEYSHELF_VAULT", vault)
        .env("KEYSHELF_CONFIG_DIR", config)
        .env("KEYSHELF_PASSPHRASE", passphrase)
        .env("KEYSHELF_KEYCHAIN", "off")
        .stdin(Stdio::null())
        .output()
        .expect("run the keyshelf CLI (built with the workspace)");
    assert!(
        out.status.success(),
        "keyshelf {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

/// Waits for a dialog to close: until then the page behind it is inert.
async fn dialog_closed(d: &WebDriver) {
    d.query(By::Css("[role=dialog]"))
        .wait(Duration::from_secs(10), Duration::from_millis(50))
        .not_exists()
        .await
        .expect("dialog closed");
}

/// Closes the notifications stacked in the corner, as a person would before clicking under them.
async fn dismiss_toasts(d: &WebDriver) {
    let close = By::Css("[aria-label=\"Dismiss notification\"]");
    for toast in d.find_all(close.clone()).await.expect("find toasts") {
        // A toast may time out on its own between finding and clicking it.
        let _ = toast.click().await;
    }
    d.query(close)
        .wait(Duration::from_secs(10), Duration::from_millis(50))
        .not_exists()
        .await
        .expect("toasts gone");
}

async fn text_on_page(d: &WebDriver, text: &str) {
    d.query(By::XPath(format!("//*[contains(normalize-space(.), \"{text}\")]")))
        .wait(Duration::from_secs(20), Duration::from_millis(50))
        .first()
        .await
        .unwrap_or_else(|e| panic!("no text {text:?} on the page: {e}"));
}

async fn eventually_text(element: &WebElement, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while element.text().await.expect("text").trim() != expected {
        assert!(Instant::now() < deadline, "element never showed {expected:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
