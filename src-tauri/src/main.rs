//! Keyshelf desktop: registers the commands and plugins; every command is a thin adapter over
//! keyshelf-core (see `commands/`). No business logic lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod changes;
mod clipboard;
mod commands;
mod error;
mod expiry;
mod lock;
mod memo;
mod notifications;
mod reminders;
mod settings;
mod state;
mod tray;
mod watcher;
mod webview;

fn main() {
    let state = match state::AppState::from_env() {
        Ok(state) => state,
        Err(e) => {
            eprintln!("keyshelf-desktop: {e}");
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            use tauri::Manager;
            if let Some(window) = app.get_webview_window("main") {
                // Shown too: it may be hidden in the tray.
                let _ = window.show();
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_clipboard_manager::init())
        // Sent from Rust only (notifications.rs): the webview has no notification permission.
        .plugin(tauri_plugin_notification::init())
        // The folder picker, opened from Rust only (commands/scan.rs): no webview permission.
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .manage(commands::scan::LastScan::default())
        .setup(|app| {
            webview::lighten(app);
            lock::watch_idle(app.handle().clone());
            lock::watch_system_lock(app.handle().clone());
            let config_dir = tauri::Manager::state::<state::AppState>(app).config_dir.clone();
            tray::init(app.handle(), &config_dir);
            watcher::spawn(app.handle().clone(), expiry::Expiry);
            watcher::spawn(
                app.handle().clone(),
                notifications::AccessWatch::new(config_dir.clone()),
            );
            watcher::spawn(app.handle().clone(), reminders::RotationWatch::new(config_dir));
            watcher::spawn(app.handle().clone(), changes::ChangeWatch::new());
            Ok(())
        })
        .on_window_event(tray::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::vault::vault_status,
            commands::vault::set_vault_location,
            commands::vault::create_vault,
            commands::vault::unlock,
            commands::vault::unlock_with_recovery,
            commands::vault::join_vault,
            commands::vault::lock,
            commands::vault::note_activity,
            commands::settings::get_settings,
            commands::settings::set_settings,
            commands::projects::list_projects,
            commands::projects::add_project,
            commands::projects::add_environment,
            commands::secrets::list_secrets,
            commands::secrets::search_secrets,
            commands::secrets::set_secret,
            commands::secrets::edit_secret,
            commands::secrets::secret_note,
            commands::secrets::reveal_secret,
            commands::secrets::copy_secret,
            commands::secrets::notebook_snippet,
            commands::secrets::copy_snippet,
            commands::secrets::secret_history,
            commands::secrets::remove_secret,
            commands::secrets::secret_kinds,
            commands::access::list_members,
            commands::access::admit_member,
            commands::access::my_scopes,
            commands::access::list_access_requests,
            commands::access::request_access,
            commands::access::approve_access,
            commands::access::deny_access,
            commands::access::preview_revoke,
            commands::access::revoke_access,
            commands::machines::list_machines,
            commands::machines::add_machine,
            commands::machines::preview_revoke_machine,
            commands::machines::revoke_machine,
            commands::machines::rotate_machine,
            commands::machines::copy_machine_token,
            commands::scan::pick_scan_folder,
            commands::scan::scan_folder,
            commands::scan::redact_findings,
            commands::rotation::due_secrets,
            commands::rotation::stage_rotation,
            commands::rotation::check_rotation,
            commands::rotation::promote_rotation,
            commands::rotation::rollback_rotation,
            commands::rotation::cancel_rotation,
            commands::rotation::open_provider_page,
            commands::settings::get_tray_settings,
            commands::settings::set_tray_settings,
        ])
        .build(tauri::generate_context!());
    match result {
        // Quitting takes a copied value off the clipboard, as locking does.
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                clipboard::clear_if_ours(app);
            }
        }),
        Err(e) => {
            eprintln!("keyshelf-desktop: {e}");
            std::process::exit(1);
        }
    }
}
