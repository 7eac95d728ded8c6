//! WebKitGTK tuning for a small, local, form-and-list UI: nothing here needs the GPU compositor,
//! a back/forward page cache or a browser-sized memory cache, and each costs idle memory
//! (measured in docs/PERFORMANCE.md).

use tauri::App;

#[cfg(target_os = "linux")]
pub fn lighten(app: &App) {
    use tauri::Manager;
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let applied = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            // WebKitWebDriver's screenshots never return without the compositor, so a session
            // driven by the e2e tests keeps it; everything else is the same as what users run.
            if !view.is_controlled_by_automation() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            settings.set_enable_page_cache(false);
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
    if let Err(e) = applied {
        eprintln!("keyshelf-desktop: cannot tune the webview (it still works, with more memory): {e}");
    }
}

#[cfg(not(target_os = "linux"))]
pub fn lighten(_app: &App) {}
