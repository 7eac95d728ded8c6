//! The harness of the desktop end-to-end tests: tauri-driver and the app under it, a D-Bus
//! notification sink, WebDriver helpers that find things the way a person does (by label, button
//! text, heading), the X clipboard, native dialogs, and the CLI beside the app.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::error::WebDriverErrorInner;
use thirtyfour::prelude::*;

/// The app clears the clipboard after this many seconds (shortened for the test).
pub(crate) const CLEAR_SECS: &str = "3";

/// tauri-driver on its own port, with the app's environment; stopped with SIGTERM on drop
/// (SIGKILL would orphan WebKitWebDriver, which keeps the port).
pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub(crate) fn start(env: &[(&str, &Path)], port: u16) -> Driver {
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

/// A stand-in notification server on the test's session bus (CI runs no notification daemon):
/// `tests/support/notification-sink.py` owns org.freedesktop.Notifications and logs each
/// notification's summary and body as a JSON line. Stopped with SIGTERM on drop; it also exits
/// when this process goes away (its stdin closes).
pub(crate) struct NotificationSink {
    child: Child,
    log: PathBuf,
}

impl NotificationSink {
    pub(crate) fn start(dir: &Path) -> NotificationSink {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/support/notification-sink.py");
        // The system Python has the D-Bus bindings (apt: python3-dbus, python3-gi); a pyenv or
        // venv python3 first on PATH usually does not.
        let python = ["/usr/bin/python3", "python3"]
            .into_iter()
            .find(|p| !p.starts_with('/') || Path::new(p).exists())
            .unwrap_or("python3");
        let log = dir.join("notifications.jsonl");
        let mut child = Command::new(python)
            .arg(&script)
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        let stdout = child.stdout.take().expect("sink stdout");
        let (ready, said) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = ready.send(line);
        });
        let sink = NotificationSink { child, log };
        match said.recv_timeout(Duration::from_secs(15)) {
            Ok(line) if line.trim() == "ready" => sink,
            other => panic!(
                "the notification sink did not start ({other:?}); it needs python3-dbus and python3-gi (.ci/setup)"
            ),
        }
    }

    /// Every notification so far, as (summary, body).
    pub(crate) fn received(&self) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .map(|n| {
                let field = |k: &str| n[k].as_str().unwrap_or_default().to_owned();
                (field("summary"), field("body"))
            })
            .collect()
    }

    /// The raw log, to check that nothing secret ever went out.
    pub(crate) fn raw(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for NotificationSink {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

pub(crate) fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_keyshelf-desktop"))
}

pub(crate) async fn connect(driver: &Driver) -> WebDriver {
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

/// The first element matching `by` (and enabled, if asked) within `secs`. The page changes
/// under a query (React re-renders), so a driver error on the way (a stale element, say) means
/// "look again", not failure; only the deadline fails.
pub(crate) async fn first(d: &WebDriver, by: &By, secs: u64, enabled: bool) -> Result<WebElement, String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let last;
        match d.find_all(by.clone()).await {
            Ok(found) => {
                for element in found {
                    if !enabled || element.is_enabled().await.unwrap_or(false) {
                        return Ok(element);
                    }
                }
                last = "not found (or not enabled)".into();
            }
            Err(e) => last = e.to_string(),
        }
        if Instant::now() > deadline {
            return Err(last);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) fn label_selector(label: &str) -> By {
    By::Css(format!("[aria-label=\"{label}\"]"))
}

pub(crate) fn button_selector(text: &str) -> By {
    By::XPath(format!(
        "//button[normalize-space(.)=\"{text}\" or @aria-label=\"{text}\"]"
    ))
}

pub(crate) async fn by_label(d: &WebDriver, label: &str) -> WebElement {
    first(d, &label_selector(label), 15, false)
        .await
        .unwrap_or_else(|e| panic!("no element labelled {label:?}: {e}"))
}

pub(crate) async fn css(d: &WebDriver, selector: &str) -> WebElement {
    first(d, &By::Css(selector), 15, false)
        .await
        .unwrap_or_else(|e| panic!("no element {selector:?}: {e}"))
}

/// Clicks what `by` finds once it takes the click: an element that is re-rendered, or still
/// covered for a moment (a dialog closing), is found again until the deadline.
pub(crate) async fn click_on(d: &WebDriver, by: By, enabled: bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let element = first(d, &by, 15, enabled)
            .await
            .unwrap_or_else(|e| panic!("no {what}: {e}"));
        match element.click().await {
            Ok(()) => return,
            Err(e)
                if Instant::now() < deadline
                    && matches!(
                        e.as_inner(),
                        WebDriverErrorInner::ElementNotInteractable(_) | WebDriverErrorInner::StaleElementReference(_)
                    ) =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("cannot click {what}: {e}"),
        }
    }
}

pub(crate) async fn click_button(d: &WebDriver, text: &str) {
    click_on(d, button_selector(text), true, &format!("enabled button {text:?}")).await;
}

pub(crate) async fn click_label(d: &WebDriver, label: &str) {
    click_on(d, label_selector(label), false, &format!("element labelled {label:?}")).await;
}

pub(crate) async fn click_css(d: &WebDriver, selector: &str) {
    click_on(d, By::Css(selector), false, &format!("element {selector:?}")).await;
}

pub(crate) async fn heading(d: &WebDriver, text: &str) {
    let by = By::XPath(format!(
        "//*[self::h1 or self::h2][contains(normalize-space(.), \"{text}\")]"
    ));
    first(d, &by, 20, false)
        .await
        .unwrap_or_else(|e| panic!("no heading {text:?}: {e}"));
}

/// Replaces a field's text as a person does: select all, delete, type. WebDriver's `clear()`
/// empties the DOM without an input event, so React keeps the old value and puts it back at the
/// next render (a change-watch refresh), and the typed text lands after it.
pub(crate) async fn fill(d: &WebDriver, label: &str, text: &str) {
    let field = by_label(d, label).await;
    field.send_keys(Key::Control + "a").await.expect("select all");
    field.send_keys(Key::Backspace).await.expect("delete");
    field.send_keys(text).await.expect("type");
}

pub(crate) async fn screenshot(d: &WebDriver, name: &str) {
    // The README shows the file vault's run; the team server's pass of the same flows shows the
    // same screens with a longer location in them.
    if crate::common::engine_is_postgres() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    // Entry animations would otherwise be caught half-way (a translucent dialog); the finished
    // state is painted by the next frame, so wait for two.
    d.execute_async(
        "const done = arguments[arguments.length - 1];
         document.getAnimations().forEach(a => a.finish());
         requestAnimationFrame(() => requestAnimationFrame(() => done()));",
        vec![],
    )
    .await
    .expect("finish animations");
    d.screenshot(&dir.join(format!("{name}.png")))
        .await
        .expect("screenshot");
}

pub(crate) fn clipboard() -> String {
    let out = Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .expect("xclip (installed by .ci/setup)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits, with a deadline, for a condition the app brings about by itself (a timer).
/// Presses the default (first) button of the app's native dialog titled `title`: xdotool waits
/// for the window to map (`--sync`, bounded by `timeout`), gives it the input focus and sends a
/// real key press (XTEST), as a person at the keyboard would.
pub(crate) fn confirm_native_dialog(title: &str) {
    let found = Command::new("timeout")
        .args(["20", "xdotool", "search", "--sync", "--limit", "1", "--name", title])
        .output()
        .expect("xdotool (apt: xdotool)");
    let window = String::from_utf8_lossy(&found.stdout).trim().to_owned();
    assert!(
        found.status.success() && !window.is_empty(),
        "no native dialog {title:?} appeared"
    );
    let pressed = Command::new("xdotool")
        .args(["windowfocus", "--sync", &window, "key", "--clearmodifiers", "Return"])
        .status()
        .expect("xdotool");
    assert!(pressed.success(), "could not answer the dialog {title:?}");
}

pub(crate) async fn eventually(what: &str, secs: u64, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for a dialog to close: until then the page behind it is inert.
pub(crate) async fn dialog_closed(d: &WebDriver) {
    gone(d, &By::Css("[role=dialog]"), "the dialog to close").await;
}

/// Waits, with a deadline, until nothing matches `by`.
pub(crate) async fn gone(d: &WebDriver, by: &By, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !d.find_all(by.clone()).await.is_ok_and(|found| found.is_empty()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Closes the notifications stacked in the corner, as a person would before clicking under them.
pub(crate) async fn dismiss_toasts(d: &WebDriver) {
    let close = By::Css("[aria-label=\"Dismiss notification\"]");
    for toast in d.find_all(close.clone()).await.expect("find toasts") {
        // A toast may time out on its own between finding and clicking it.
        let _ = toast.click().await;
    }
    gone(d, &close, "the notifications to go").await;
}

pub(crate) async fn text_on_page(d: &WebDriver, text: &str) {
    let by = By::XPath(format!("//*[contains(normalize-space(.), \"{text}\")]"));
    first(d, &by, 20, false)
        .await
        .unwrap_or_else(|e| panic!("no text {text:?} on the page: {e}"));
}

/// Waits until the element labelled `label` shows `expected` (found afresh each time, since a
/// re-render replaces it).
/// Waits until the field labelled `label` holds `expected` (a value the app fills in itself,
/// such as a note fetched when a dialog opens), so typing never races the app's own write.
pub(crate) async fn eventually_value(d: &WebDriver, label: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let held = match d.find_all(label_selector(label)).await {
            Ok(found) => match found.first() {
                Some(element) => element.value().await.ok().flatten(),
                None => None,
            },
            Err(_) => None,
        };
        if held.as_deref() == Some(expected) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{label:?} never held {expected:?} (last: {held:?})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn eventually_text(d: &WebDriver, label: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let shown = match d.find_all(label_selector(label)).await {
            Ok(found) => match found.first() {
                Some(element) => element.text().await.ok(),
                None => None,
            },
            Err(_) => None,
        };
        if shown.as_deref().map(str::trim) == Some(expected) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{label:?} never showed {expected:?} (last: {shown:?})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
