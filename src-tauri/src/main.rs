//! The desktop shell arrives with the desktop issue (Tauri 2 + React). Until then this binary
//! only says so, which keeps the workspace buildable on a headless machine without WebKit.

fn main() {
    eprintln!(
        "keyshelf-desktop {}: the desktop app is not built yet; use the `keyshelf` CLI.",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(1);
}
