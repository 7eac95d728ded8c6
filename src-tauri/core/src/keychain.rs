//! The OS keychain as a cache for the account key, so a normal unlock asks the OS, not the user.
//!
//! Backends: macOS Keychain, Windows Credential Manager, and on Linux the Secret Service
//! (gnome-keyring, KWallet) with the kernel's keyutils session keyring in front as a fast cache:
//! a warm read is a syscall instead of a D-Bus round trip. When the Secret Service is missing
//! (headless, no D-Bus) the keyutils keyring alone is used if it works; when nothing works,
//! callers fall back to the passphrase.
//!
//! Every call runs on a helper thread and is abandoned after [`TIMEOUT`]: a hung D-Bus peer or
//! a keychain prompt nobody answers must not hang the CLI.

use std::sync::mpsc;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::crypto::AccountKey;
use crate::error::{Error, Result};

/// Upper bound on any one keychain operation.
pub const TIMEOUT: Duration = Duration::from_secs(2);

const SERVICE: &str = "keyshelf";

/// Where account keys are cached between commands.
pub trait KeyCache: Send + Sync {
    /// The cached key, `Ok(None)` when there is no entry.
    fn load(&self, vault_id: &str, member_id: &str) -> Result<Option<AccountKey>>;
    fn store(&self, vault_id: &str, member_id: &str, key: &AccountKey) -> Result<()>;
    /// Removes the entry; `Ok(false)` when there was none.
    fn remove(&self, vault_id: &str, member_id: &str) -> Result<bool>;
    /// A short name of the backend for `keyshelf status`.
    fn describe(&self) -> String;
}

/// The keychain the environment asks for: the OS keychain, unless `KEYSHELF_KEYCHAIN=off`.
pub fn from_env() -> Box<dyn KeyCache> {
    if disabled() {
        Box::new(NoKeychain)
    } else {
        Box::new(OsKeychain)
    }
}

/// The platform keychain through the `keyring` crate.
#[derive(Debug, Default)]
pub struct OsKeychain;

/// A keychain that is switched off (`KEYSHELF_KEYCHAIN=off`): every load misses, stores fail
/// with a clear reason, so commands use the passphrase.
#[derive(Debug, Default)]
pub struct NoKeychain;

impl KeyCache for NoKeychain {
    fn load(&self, _: &str, _: &str) -> Result<Option<AccountKey>> {
        Ok(None)
    }
    fn store(&self, _: &str, _: &str, _: &AccountKey) -> Result<()> {
        Err(Error::Keychain {
            reason: "disabled by KEYSHELF_KEYCHAIN=off".into(),
        })
    }
    fn remove(&self, _: &str, _: &str) -> Result<bool> {
        Ok(false)
    }
    fn describe(&self) -> String {
        "off (KEYSHELF_KEYCHAIN=off)".into()
    }
}

fn account(vault_id: &str, member_id: &str) -> String {
    format!("{vault_id}/{member_id}")
}

/// Runs `f` on a helper thread and waits at most [`TIMEOUT`].
fn bounded<T: Send + 'static>(what: &'static str, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keychain".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| Error::Keychain {
            reason: format!("cannot start keychain thread: {e}"),
        })?;
    rx.recv_timeout(TIMEOUT).map_err(|_| Error::Keychain {
        reason: format!("{what} did not answer within {} s", TIMEOUT.as_secs()),
    })
}

/// Turns a keyring error into a one-line reason. Never formats `BadEncoding`, which holds bytes.
fn reason(err: &keyring::Error) -> String {
    match err {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default();
            if first.contains("autolaunch") || first.contains("DBUS_SESSION_BUS_ADDRESS") {
                "no D-Bus session (headless?), so no Secret Service".into()
            } else if matches!(err, keyring::Error::NoStorageAccess(_)) {
                format!("the keychain is locked or has no default collection ({first})")
            } else {
                first.to_owned()
            }
        }
        keyring::Error::NoEntry => "no entry".into(),
        keyring::Error::BadEncoding(_) => "entry is not in the expected format".into(),
        keyring::Error::TooLong(attr, _) => format!("{attr} is too long for this keychain"),
        keyring::Error::Invalid(attr, why) => format!("{attr} {why}"),
        keyring::Error::Ambiguous(_) => "several matching entries".into(),
        _ => "unknown keychain error".into(),
    }
}

fn unavailable(err: &keyring::Error) -> Error {
    Error::Keychain { reason: reason(err) }
}

#[cfg(target_os = "linux")]
mod platform {
    //! Linux: Secret Service as the persistent store, keyutils as the session cache.
    use keyring::keyutils::KeyutilsCredential;
    use keyring::secret_service::SsCredential;
    use keyring::Entry;

    pub(super) fn secret_service(service: &str, account: &str) -> keyring::Result<Entry> {
        let cred = SsCredential::new_with_target(None, service, account)?;
        Ok(Entry::new_with_credential(Box::new(cred)))
    }

    pub(super) fn kernel(service: &str, account: &str) -> Option<Entry> {
        let cred = KeyutilsCredential::new_with_target(None, service, account).ok()?;
        Some(Entry::new_with_credential(Box::new(cred)))
    }

    /// Invalidates, by id, every kernel key holding this account's key that this process can
    /// see (session and persistent keyrings alike), as listed in /proc/keys. keyring's own
    /// delete searches the session keyring, which the kernel can refuse while the persistent
    /// keyring is linked; an id needs no search. The number removed.
    pub(super) fn remove_kernel_copies(service: &str, account: &str) -> std::io::Result<usize> {
        // The description keyring 3.6 gives a key with no explicit target.
        let wanted = format!("keyring-rs:{account}@{service}:");
        let listed = match std::fs::read_to_string("/proc/keys") {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut removed = 0;
        for line in listed.lines() {
            // ID FLAGS USAGE TIMEOUT PERM UID GID TYPE DESCRIPTION: SUMMARY
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 9 || fields[7] != "user" || fields[8] != wanted {
                continue;
            }
            let Ok(id) = i32::from_str_radix(fields[0], 16) else {
                continue;
            };
            const KEYCTL_INVALIDATE: libc::c_long = 21;
            // SAFETY: keyctl(2) with an integer key id and no pointers.
            let rc = unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_INVALIDATE, id) };
            if rc != 0 {
                return Err(std::io::Error::last_os_error());
            }
            removed += 1;
        }
        Ok(removed)
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use keyring::Entry;

    pub(super) fn secret_service(service: &str, account: &str) -> keyring::Result<Entry> {
        Entry::new(service, account)
    }

    pub(super) fn kernel(_service: &str, _account: &str) -> Option<Entry> {
        None
    }

    pub(super) fn remove_kernel_copies(_service: &str, _account: &str) -> std::io::Result<usize> {
        Ok(0)
    }
}

fn to_key(bytes: Vec<u8>) -> Option<AccountKey> {
    let bytes = Zeroizing::new(bytes);
    AccountKey::from_slice(&bytes)
}

impl KeyCache for OsKeychain {
    fn load(&self, vault_id: &str, member_id: &str) -> Result<Option<AccountKey>> {
        let account = account(vault_id, member_id);
        // The kernel keyring is a few syscalls that cannot hang: read it inline, without a thread.
        if let Some(key) = platform::kernel(SERVICE, &account)
            .and_then(|e| e.get_secret().ok())
            .and_then(to_key)
        {
            return Ok(Some(key));
        }
        bounded("the keychain", move || {
            let entry = platform::secret_service(SERVICE, &account).map_err(|e| unavailable(&e))?;
            match entry.get_secret() {
                Ok(bytes) => {
                    let key = to_key(bytes).ok_or(Error::Keychain {
                        reason: "the cached account key has the wrong length".into(),
                    })?;
                    // Warm the kernel cache for the next command; failure only costs speed.
                    if let Some(kernel) = platform::kernel(SERVICE, &account) {
                        let _ = kernel.set_secret(&key.keychain_bytes()[..]);
                    }
                    Ok(Some(key))
                }
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(unavailable(&e)),
            }
        })?
    }

    fn store(&self, vault_id: &str, member_id: &str, key: &AccountKey) -> Result<()> {
        let account = account(vault_id, member_id);
        let bytes = Zeroizing::new(key.keychain_bytes().to_vec());
        bounded("the keychain", move || {
            let persistent = platform::secret_service(SERVICE, &account).and_then(|e| e.set_secret(&bytes));
            let cached = platform::kernel(SERVICE, &account)
                .map(|e| e.set_secret(&bytes).and_then(|()| e.get_secret().map(Zeroizing::new)))
                .is_some_and(|r| r.is_ok_and(|read| *read == *bytes));
            match persistent {
                Ok(()) => Ok(()),
                // No Secret Service, but the kernel keyring held and returned the key: good
                // enough for this login session (it does not survive a reboot; `status` says so).
                Err(_) if cached => Ok(()),
                Err(e) => Err(unavailable(&e)),
            }
        })?
    }

    fn remove(&self, vault_id: &str, member_id: &str) -> Result<bool> {
        let account = account(vault_id, member_id);
        bounded("the keychain", move || {
            // "Locked" must be true of the kernel copies too: any process of the user reads them.
            let kernel_removed = platform::remove_kernel_copies(SERVICE, &account).map_err(|e| Error::Keychain {
                reason: format!("the key could not be removed from the kernel keyring ({e})"),
            })? > 0;
            match platform::secret_service(SERVICE, &account).and_then(|e| e.delete_credential()) {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(kernel_removed),
                // "Locked" must be true: a key left in the Secret Service would unlock the next command.
                Err(e) => Err(Error::Keychain {
                    reason: format!("the key could not be removed from the Secret Service ({})", reason(&e)),
                }),
            }
        })?
    }

    fn describe(&self) -> String {
        if cfg!(target_os = "linux") {
            "Secret Service, with a kernel keyutils session cache".into()
        } else if cfg!(target_os = "macos") {
            "macOS Keychain".into()
        } else if cfg!(target_os = "windows") {
            "Windows Credential Manager".into()
        } else {
            "none on this platform".into()
        }
    }
}

/// Team servers' database passwords, under a service of their own and keyed by the login they
/// open (`user@host:port/database`), so the password never has to sit in a URL, argv or a
/// config file. Same backends as the account key, kernel keyring in front.
pub mod database {
    use zeroize::Zeroizing;

    use super::{bounded, disabled, platform, reason, unavailable};
    use crate::error::{Error, Result};

    const SERVICE: &str = "keyshelf-database";

    /// The password from the kernel keyring alone: a few syscalls, so every connection may ask.
    pub fn cached(login: &str) -> Option<Zeroizing<String>> {
        if disabled() {
            return None;
        }
        let bytes = platform::kernel(SERVICE, login)?.get_secret().ok()?;
        String::from_utf8(bytes).ok().map(Zeroizing::new)
    }

    /// The password from the persistent keychain (a D-Bus round trip on Linux), warming the
    /// kernel keyring for the next connection. `Ok(None)` when there is none.
    pub fn load(login: &str) -> Result<Option<Zeroizing<String>>> {
        if disabled() {
            return Ok(None);
        }
        let login = login.to_owned();
        bounded("the keychain", move || {
            let entry = platform::secret_service(SERVICE, &login).map_err(|e| unavailable(&e))?;
            match entry.get_secret() {
                Ok(bytes) => {
                    let bytes = Zeroizing::new(bytes);
                    let text = std::str::from_utf8(&bytes).map_err(|_| Error::Keychain {
                        reason: "the stored database password is not text".into(),
                    })?;
                    if let Some(kernel) = platform::kernel(SERVICE, &login) {
                        let _ = kernel.set_secret(text.as_bytes());
                    }
                    Ok(Some(Zeroizing::new(text.to_owned())))
                }
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(unavailable(&e)),
            }
        })?
    }

    /// Keeps `password` for `login`. Needs the persistent keychain: a password only the kernel
    /// keyring held would be gone after the next reboot without a word.
    pub fn store(login: &str, password: &str) -> Result<()> {
        if disabled() {
            return Err(Error::Keychain {
                reason: "disabled by KEYSHELF_KEYCHAIN=off".into(),
            });
        }
        let login = login.to_owned();
        let bytes = Zeroizing::new(password.as_bytes().to_vec());
        bounded("the keychain", move || {
            platform::secret_service(SERVICE, &login)
                .and_then(|e| e.set_secret(&bytes))
                .map_err(|e| unavailable(&e))?;
            // The old password may be cached: replace it, or the next connection would try it.
            let _ = platform::remove_kernel_copies(SERVICE, &login);
            if let Some(kernel) = platform::kernel(SERVICE, &login) {
                let _ = kernel.set_secret(&bytes);
            }
            Ok(())
        })?
    }

    /// Removes the password for `login` everywhere it is kept; `Ok(false)` when there was none.
    pub fn forget(login: &str) -> Result<bool> {
        if disabled() {
            return Ok(false);
        }
        let login = login.to_owned();
        bounded("the keychain", move || {
            let kernel_removed = platform::remove_kernel_copies(SERVICE, &login).map_err(|e| Error::Keychain {
                reason: format!("the password could not be removed from the kernel keyring ({e})"),
            })? > 0;
            match platform::secret_service(SERVICE, &login).and_then(|e| e.delete_credential()) {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(kernel_removed),
                Err(e) => Err(Error::Keychain {
                    reason: format!(
                        "the password could not be removed from the Secret Service ({})",
                        reason(&e)
                    ),
                }),
            }
        })?
    }
}

/// `KEYSHELF_KEYCHAIN=off`: nothing is read from or written to any keychain.
fn disabled() -> bool {
    matches!(
        std::env::var("KEYSHELF_KEYCHAIN").as_deref(),
        Ok("off") | Ok("0") | Ok("false")
    )
}

/// An in-memory cache for unit tests of the unlock flow. End-to-end tests use the real keychain.
#[cfg(test)]
#[derive(Default)]
pub struct MemoryKeychain(std::sync::Mutex<std::collections::HashMap<String, [u8; 32]>>);

#[cfg(test)]
impl KeyCache for MemoryKeychain {
    fn load(&self, vault_id: &str, member_id: &str) -> Result<Option<AccountKey>> {
        let map = self.0.lock().map_err(|_| Error::Locked)?;
        Ok(map
            .get(&account(vault_id, member_id))
            .map(|b| AccountKey::from_bytes(*b)))
    }
    fn store(&self, vault_id: &str, member_id: &str, key: &AccountKey) -> Result<()> {
        let mut map = self.0.lock().map_err(|_| Error::Locked)?;
        map.insert(account(vault_id, member_id), *key.keychain_bytes());
        Ok(())
    }
    fn remove(&self, vault_id: &str, member_id: &str) -> Result<bool> {
        let mut map = self.0.lock().map_err(|_| Error::Locked)?;
        Ok(map.remove(&account(vault_id, member_id)).is_some())
    }
    fn describe(&self) -> String {
        "memory (tests)".into()
    }
}
