//! `keyshelf run`: start a command with a scope's secrets in its environment.
//!
//! Plain secrets become environment variables named after the secret. File secrets
//! (service-account JSON, kubeconfig) are written 0600 into a private 0700 directory on tmpfs
//! (`$XDG_RUNTIME_DIR`, else /dev/shm; never a disk), their paths exported instead, and the
//! directory is removed when the command exits (or, after a SIGKILL, by the next run). SIGTERM and SIGHUP sent to `keyshelf` are forwarded to the
//! command, so a job scheduler stopping us stops it; SIGINT and SIGQUIT are not forwarded (the
//! terminal already sends them to the command, and a second Ctrl-C means "force quit" to many
//! tools) but no longer kill us, so we outlive the command and clean up.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};

use crate::crypto::Plaintext;
use crate::error::{Error, Result};
use crate::vault::ScopeSecret;

/// What a command will receive: secrets by name, later scopes overriding earlier ones.
#[derive(Default)]
pub struct Injection {
    secrets: Vec<ScopeSecret>,
}

impl Injection {
    /// Adds a scope's secrets; a name already present is replaced (the later `--scope` wins).
    /// Names that steer programs (`vault::reserved_name`) are left out, and returned with why,
    /// for the shell to warn about: only an edited vault file holds them.
    pub fn add_scope(&mut self, secrets: Vec<ScopeSecret>) -> Vec<(String, &'static str)> {
        let mut skipped = Vec::new();
        for secret in secrets {
            let base = secret.name.strip_suffix("_PREVIOUS").unwrap_or(&secret.name);
            if let Some(why) = crate::vault::reserved_name(base) {
                skipped.push((secret.name.clone(), why));
                continue;
            }
            self.secrets.retain(|s| s.name != secret.name);
            self.secrets.push(secret);
        }
        skipped
    }

    /// Keeps only the secrets whose name passes `keep` (`run --only`).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.secrets.retain(|s| keep(&s.name));
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().map(|s| s.name.as_str())
    }

    /// Runs `program` with the secrets and waits for it. The secrets leave memory (zeroized)
    /// as soon as the child has started.
    pub fn run(self, program: &OsStr, args: &[OsString]) -> Result<ExitStatus> {
        // Handlers go in before the child starts: a SIGTERM in between is held and passed on,
        // rather than killing us with the file secrets on disk and the child running on.
        let forwarding = signals::prepare();
        let (mut child, files) = self.spawn(program, args, true)?;
        forwarding.to_child(child.id());
        let status = child
            .wait()
            .map_err(|e| Error::io(format!("waiting for {}", Path::new(program).display()), e));
        drop(files);
        status
    }

    /// As [`Injection::run`] for a program started by the desktop app (a rotation check): the
    /// app's signal handling stays as it is, the program's output is discarded (it may print the
    /// value and nobody reads it), and it is killed after `timeout`: `None` then.
    pub fn run_in_background(
        self,
        program: &OsStr,
        args: &[OsString],
        timeout: std::time::Duration,
    ) -> Result<Option<ExitStatus>> {
        let name = Path::new(program).display().to_string();
        let (mut child, files) = self.spawn(program, args, false)?;
        let deadline = std::time::Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(Some(status)),
                Ok(None) if std::time::Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Ok(None);
                }
                // Polling a child that has no completion event to wait on with a deadline.
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
                Err(e) => break Err(Error::io(format!("waiting for {name}"), e)),
            }
        };
        drop(files);
        status
    }

    /// Starts `program` with the secrets in its environment; the private directory of file
    /// secrets lives as long as the returned guard.
    fn spawn(self, program: &OsStr, args: &[OsString], in_terminal: bool) -> Result<(Child, Option<PrivateDir>)> {
        let mut command = Command::new(program);
        if !in_terminal {
            command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        }
        command.args(args);
        // Keyshelf's own credentials are for keyshelf, not for the command it starts.
        for variable in ["KEYSHELF_PASSPHRASE", "KEYSHELF_RECOVERY_KEY", "KEYSHELF_TOKEN"] {
            command.env_remove(variable);
        }
        let mut files: Option<PrivateDir> = None;
        for secret in &self.secrets {
            let value = match &secret.file_name {
                Some(file_name) => {
                    let dir = match &mut files {
                        Some(dir) => dir,
                        None => files.insert(PrivateDir::create()?),
                    };
                    let path = dir.write(&secret.name, file_name, &secret.value)?;
                    path.into_os_string()
                }
                None => env_value(&secret.name, &secret.value)?,
            };
            // A credentials file is also exported under the variable its SDK reads for a path (a
            // service-account JSON named TRAINING_SA sets GOOGLE_APPLICATION_CREDENTIALS), unless a
            // secret has that name. Never for a previous value: jobs use the current credential.
            if secret.file_name.is_some() && !secret.name.ends_with("_PREVIOUS") {
                if let Some(var) = secret
                    .kind
                    .path_env_var()
                    .filter(|v| !self.secrets.iter().any(|s| s.name == *v))
                {
                    command.env(var, &value);
                }
            }
            command.env(&secret.name, value);
        }
        drop(self);
        let child = command
            .spawn()
            .map_err(|e| Error::io(format!("starting {}", Path::new(program).display()), e))?;
        Ok((child, files))
    }
}

#[cfg(unix)]
fn env_value(name: &str, value: &Plaintext) -> Result<OsString> {
    use std::os::unix::ffi::OsStrExt;
    if value.expose().contains(&0) {
        return Err(Error::InvalidName {
            what: "secret",
            name: name.to_owned(),
            reason:
                "its value contains a NUL byte, which an environment variable cannot hold (store it as a file secret)",
        });
    }
    Ok(OsStr::from_bytes(value.expose()).to_os_string())
}

#[cfg(not(unix))]
fn env_value(name: &str, value: &Plaintext) -> Result<OsString> {
    std::str::from_utf8(value.expose())
        .map(OsString::from)
        .map_err(|_| Error::InvalidName {
            what: "secret",
            name: name.to_owned(),
            reason: "its value is not text, which an environment variable cannot hold here (store it as a file secret)",
        })
}

/// A directory only this user can enter, removed with everything in it when dropped.
struct PrivateDir(PathBuf);

impl PrivateDir {
    /// A fresh directory on a memory filesystem: `$XDG_RUNTIME_DIR` (private to the user, gone at
    /// logout), else `/dev/shm`. Never a disk-backed /tmp: a secret written there outlives a
    /// crash and the machine's next boot. Directories left by runs that were killed with
    /// SIGKILL (their process is gone) are removed first.
    fn create() -> Result<Self> {
        let base = ["XDG_RUNTIME_DIR"]
            .iter()
            .filter_map(std::env::var_os)
            .map(PathBuf::from)
            .chain(std::iter::once(PathBuf::from("/dev/shm")))
            .find(|p| p.is_dir() && on_tmpfs(p))
            .ok_or_else(|| Error::NotAllowed {
                action: "write file secrets for the command".into(),
                reason: "there is no memory filesystem to hold them (no $XDG_RUNTIME_DIR, no /dev/shm); Keyshelf does not write secrets to disk".into(),
            })?;
        remove_abandoned(&base);
        let dir = base.join(format!(
            "keyshelf-run-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        Ok(Self(dir))
    }

    /// Writes one file secret 0600 in its own subdirectory (so two secrets may share a file name).
    fn write(&self, name: &str, file_name: &str, value: &Plaintext) -> Result<PathBuf> {
        // Both names come from the vault file: each must be one plain path component, so no
        // `..` or absolute path can make us write a secret outside the private directory.
        let plain = |n: &str| {
            let mut parts = Path::new(n).components();
            matches!(
                (parts.next(), parts.next()),
                (Some(std::path::Component::Normal(_)), None)
            )
        };
        if !plain(name) {
            return Err(Error::InvalidName {
                what: "secret",
                name: name.to_owned(),
                reason: "it is not a plain name (the vault file was altered?)",
            });
        }
        let safe_name = if plain(file_name) {
            OsString::from(file_name)
        } else {
            OsString::from(name)
        };
        let sub = self.0.join(name);
        std::fs::create_dir(&sub).map_err(|e| Error::io(format!("creating {}", sub.display()), e))?;
        let path = sub.join(safe_name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        std::io::Write::write_all(&mut file, value.expose())
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        Ok(path)
    }
}

/// Whether `path` is on tmpfs (memory, never written to disk).
#[cfg(target_os = "linux")]
fn on_tmpfs(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: statfs(2) fills the zeroed struct we own; the path is a valid C string.
    unsafe {
        let mut fs: libc::statfs = std::mem::zeroed();
        libc::statfs(c.as_ptr(), &mut fs) == 0 && fs.f_type == libc::TMPFS_MAGIC
    }
}

#[cfg(not(target_os = "linux"))]
fn on_tmpfs(_path: &Path) -> bool {
    true
}

/// Removes `keyshelf-run-PID-*` directories of this user whose process no longer runs.
fn remove_abandoned(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("keyshelf-run-"))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // SAFETY: getuid(2) has no preconditions.
            let mine = entry.metadata().is_ok_and(|m| m.uid() == unsafe { libc::getuid() });
            // SAFETY: kill(pid, 0) only checks whether the process exists.
            let gone = unsafe { libc::kill(pid, 0) } != 0
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
            if mine && gone {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
mod signals {
    //! Forwards termination signals to the child while it runs.
    use std::sync::atomic::{AtomicI32, Ordering};

    static CHILD: AtomicI32 = AtomicI32::new(0);
    /// A forwarded signal that came before the child existed.
    static PENDING: AtomicI32 = AtomicI32::new(0);
    const FORWARDED: [libc::c_int; 2] = [libc::SIGTERM, libc::SIGHUP];
    /// Sent by the terminal to the whole foreground group, the command included: only survive them.
    const SURVIVED: [libc::c_int; 2] = [libc::SIGINT, libc::SIGQUIT];

    extern "C" fn survive(_signal: libc::c_int) {}

    extern "C" fn forward(signal: libc::c_int) {
        let pid = CHILD.load(Ordering::SeqCst);
        if pid > 0 {
            // SAFETY: kill(2) is async-signal-safe.
            unsafe {
                libc::kill(pid, signal);
            }
        } else {
            PENDING.store(signal, Ordering::SeqCst);
        }
    }

    /// Restores the default dispositions when dropped.
    pub(super) struct Forwarding;

    /// Installs the handlers. Caught signals return to their defaults in the child at exec, so
    /// installing them before the spawn changes nothing for the command.
    pub(super) fn prepare() -> Forwarding {
        PENDING.store(0, Ordering::SeqCst);
        for signal in FORWARDED {
            // SAFETY: installs a handler that only touches atomics and calls kill(2).
            unsafe {
                libc::signal(signal, forward as *const () as libc::sighandler_t);
            }
        }
        for signal in SURVIVED {
            // SAFETY: installs a handler that does nothing (not SIG_IGN, which the child would inherit).
            unsafe {
                libc::signal(signal, survive as *const () as libc::sighandler_t);
            }
        }
        Forwarding
    }

    impl Forwarding {
        /// From now on signals go to `pid`, and one that came while it started is sent now.
        pub(super) fn to_child(&self, pid: u32) {
            CHILD.store(pid as i32, Ordering::SeqCst);
            let pending = PENDING.swap(0, Ordering::SeqCst);
            if pending != 0 {
                // SAFETY: kill(2) on the child we just started.
                unsafe {
                    libc::kill(pid as i32, pending);
                }
            }
        }
    }

    impl Drop for Forwarding {
        fn drop(&mut self) {
            for signal in FORWARDED.into_iter().chain(SURVIVED) {
                // SAFETY: restores the default disposition.
                unsafe {
                    libc::signal(signal, libc::SIG_DFL);
                }
            }
            CHILD.store(0, Ordering::SeqCst);
        }
    }
}

#[cfg(not(unix))]
mod signals {
    pub(super) struct Forwarding;
    pub(super) fn prepare() -> Forwarding {
        Forwarding
    }
    impl Forwarding {
        pub(super) fn to_child(&self, _pid: u32) {}
    }
}
