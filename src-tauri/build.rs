// The app manifest lists every command, so capabilities can allow exactly the ones the UI uses.
const COMMANDS: &[&str] = &[
    "vault_status",
    "create_vault",
    "unlock",
    "lock",
    "list_projects",
    "add_project",
    "add_environment",
    "list_secrets",
    "search_secrets",
    "set_secret",
    "reveal_secret",
    "copy_secret",
    "notebook_snippet",
    "copy_snippet",
    "secret_history",
    "remove_secret",
    "secret_kinds",
    "unlock_with_recovery",
    "note_activity",
    "edit_secret",
    "secret_note",
    "get_settings",
    "set_settings",
    "list_members",
    "admit_member",
    "my_scopes",
    "list_access_requests",
    "request_access",
    "approve_access",
    "deny_access",
    "preview_revoke",
    "revoke_access",
    "join_vault",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri build script: {e}"));
}
