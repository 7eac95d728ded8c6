//! Small JSON files the desktop keeps in the device config dir to remember what it already told
//! the user (announced requests, reminded deadlines): ids, names and dates, never a value.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Reads `dir/file`; a missing file is empty, and an unreadable one is reported (with what
/// forgetting it costs: `lost`) and treated as empty rather than stopping the feature.
pub fn load<T: DeserializeOwned + Default>(dir: &Path, file: &str, lost: &str) -> T {
    let path = dir.join(file);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            eprintln!("keyshelf-desktop: ignoring {} ({e}); {lost}", path.display());
            T::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => T::default(),
        Err(e) => {
            eprintln!("keyshelf-desktop: cannot read {} ({e}); {lost}", path.display());
            T::default()
        }
    }
}

/// Writes `dir/file` atomically (temp file + rename), readable by this user only, like
/// `config.json`.
pub fn save<T: Serialize>(dir: &Path, file: &str, value: &T) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let path = dir.join(file);
    let tmp = dir.join(format!(".{file}.{}", std::process::id()));
    let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = (|| {
        use std::io::Write;
        let mut out = options.open(&tmp)?;
        out.write_all(&text)?;
        out.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
