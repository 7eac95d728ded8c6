//! The tray icon: how many secrets must be rotated now (overdue + exposed) as its title and
//! tooltip, and a menu to open the app, open the rotation dashboard, or quit.
//!
//! "Keep running in the tray" (off by default) hides the window on close instead of quitting, so
//! reminders keep arriving. It is off by default because some desktops show no tray icons (GNOME
//! without an AppIndicator extension): there a hidden window could only come back by starting
//! Keyshelf again (single-instance shows it). The preference is this device's, in `tray.json`
//! beside `config.json`. When the tray icon could not be created, closing always quits.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, Window, WindowEvent, Wry};

/// Emitted to the webview when the tray menu asks for the rotation dashboard.
pub const OPEN_ROTATION_EVENT: &str = "open-rotation";

const FILE: &str = "tray.json";
const OPEN: &str = "open";
const ROTATION: &str = "rotation";
const QUIT: &str = "quit";

/// This device's tray preference.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(default)]
pub struct TraySettings {
    /// Closing the window hides it and Keyshelf stays in the tray, so reminders keep arriving.
    pub keep_in_tray: bool,
}

#[derive(Clone)]
struct Parts {
    icon: TrayIcon<Wry>,
    rotation: MenuItem<Wry>,
}

/// Managed state: the tray (if the desktop has one) and the preference.
pub struct Tray {
    parts: Mutex<Option<Parts>>,
    keep_in_tray: AtomicBool,
}

impl Tray {
    pub fn settings(&self) -> TraySettings {
        TraySettings {
            keep_in_tray: self.keep_in_tray.load(Ordering::SeqCst),
        }
    }

    /// Whether a close should hide the window: asked for, and there is a tray to come back from.
    fn keeps_running(&self) -> bool {
        self.keep_in_tray.load(Ordering::SeqCst) && self.parts.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }
}

/// The tray's menu line for `count` secrets to rotate now.
pub fn rotation_text(count: usize) -> String {
    match count {
        0 => "Rotation: nothing overdue".into(),
        1 => "Rotation: 1 secret to rotate now".into(),
        n => format!("Rotation: {n} secrets to rotate now"),
    }
}

fn tooltip(count: usize) -> String {
    match count {
        0 => "Keyshelf".into(),
        _ => format!("Keyshelf: {}", rotation_text(count).trim_start_matches("Rotation: ")),
    }
}

pub fn load(dir: &Path) -> TraySettings {
    crate::memo::load(dir, FILE, "the window closes as usual")
}

pub fn save(dir: &Path, settings: TraySettings) -> std::io::Result<()> {
    crate::memo::save(dir, FILE, &settings)
}

/// Stores and applies the preference.
pub fn set(app: &AppHandle, dir: &Path, settings: TraySettings) -> std::io::Result<()> {
    save(dir, settings)?;
    app.state::<Tray>()
        .keep_in_tray
        .store(settings.keep_in_tray, Ordering::SeqCst);
    Ok(())
}

/// Shows the main window, wherever it is (hidden in the tray, minimised, behind others).
pub fn show_main(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

fn build(app: &AppHandle) -> tauri::Result<Parts> {
    let open = MenuItem::with_id(app, OPEN, "Open Keyshelf", true, None::<&str>)?;
    let rotation = MenuItem::with_id(app, ROTATION, rotation_text(0), true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &rotation, &separator, &quit])?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip(tooltip(0))
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            OPEN => show_main(app),
            ROTATION => {
                show_main(app);
                let _ = app.emit(OPEN_ROTATION_EVENT, ());
            }
            QUIT => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone().to_owned());
    }
    Ok(Parts {
        icon: builder.build(app)?,
        rotation,
    })
}

/// Creates the tray icon (once, at setup). Without a tray the app works as before.
pub fn init(app: &AppHandle, config_dir: &Path) {
    let parts = match build(app) {
        Ok(parts) => Some(parts),
        Err(e) => {
            eprintln!("keyshelf-desktop: no tray icon ({e}); closing the window quits");
            None
        }
    };
    app.manage(Tray {
        parts: Mutex::new(parts),
        keep_in_tray: AtomicBool::new(load(config_dir).keep_in_tray),
    });
}

/// Shows how many secrets must be rotated now.
pub fn show_count(app: &AppHandle, count: usize) {
    let Some(tray) = app.try_state::<Tray>() else { return };
    // A copy: the setters wait for the main thread, which may want the lock meanwhile (a close).
    let parts = tray.parts.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let Some(parts) = parts else { return };
    let _ = parts.icon.set_title((count > 0).then(|| count.to_string()));
    let _ = parts.icon.set_tooltip(Some(tooltip(count)));
    let _ = parts.rotation.set_text(rotation_text(count));
}

/// With "keep running in the tray", closing the window hides it instead.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        if window.label() == "main"
            && window
                .app_handle()
                .try_state::<Tray>()
                .is_some_and(|t| t.keeps_running())
        {
            api.prevent_close();
            let _ = window.hide();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_says_how_many_to_rotate() {
        assert_eq!(rotation_text(0), "Rotation: nothing overdue");
        assert_eq!(rotation_text(1), "Rotation: 1 secret to rotate now");
        assert_eq!(tooltip(3), "Keyshelf: 3 secrets to rotate now");
        assert_eq!(tooltip(0), "Keyshelf");
    }

    #[test]
    fn the_preference_is_off_until_saved() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config");
        assert_eq!(load(&config), TraySettings { keep_in_tray: false });
        save(&config, TraySettings { keep_in_tray: true }).expect("save");
        assert_eq!(load(&config), TraySettings { keep_in_tray: true });
        std::fs::write(config.join(FILE), "not json").expect("write");
        assert_eq!(load(&config), TraySettings::default());
    }
}
