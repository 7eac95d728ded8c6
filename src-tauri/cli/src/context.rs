//! What every command needs: where the vault and this device's config are, the keychain, and
//! how to ask for a passphrase, or the machine token. The unlock logic itself is the core's
//! (`device::unlock`, `device::unlock_with_token`).

use std::io::IsTerminal;
use std::path::PathBuf;

use keyshelf_core::config::{self, DeviceConfig};
use keyshelf_core::crypto::MachineToken;
use keyshelf_core::device;
use keyshelf_core::keychain::KeyCache;
use keyshelf_core::session::UnlockedVia;
use keyshelf_core::{Error, Result, Session, Vault};
use zeroize::Zeroizing;

use crate::args::Cli;

pub struct Context {
    pub vault_path: PathBuf,
    pub config_dir: PathBuf,
    pub keychain: Box<dyn KeyCache>,
    pub verbose: bool,
    /// KEYSHELF_TOKEN: this process reads as that machine, and nothing of this device is used.
    pub token: Option<MachineToken>,
}

impl Context {
    pub fn new(cli: &Cli) -> Result<Self> {
        let vault_path = config::vault_path(cli.vault.clone())?;
        let config_dir = config::config_dir(cli.config_dir.clone())?;
        let keychain = keyshelf_core::keychain::from_env();
        // Only from the environment: an argument would show in `ps`.
        let token = match std::env::var_os("KEYSHELF_TOKEN") {
            Some(text) => Some(MachineToken::parse(&Zeroizing::new(text.into_string().map_err(
                |_| Error::MalformedToken {
                    reason: "this is not a Keyshelf machine token (it is not text)",
                },
            )?))?),
            None => None,
        };
        Ok(Self {
            vault_path,
            config_dir,
            keychain,
            verbose: cli.verbose,
            token,
        })
    }

    pub fn device_config(&self) -> Result<DeviceConfig> {
        DeviceConfig::load(&self.config_dir)
    }

    pub async fn open(&self) -> Result<Vault> {
        Vault::open(&self.vault_path).await
    }

    /// The owner key this device trusts for `vault` (pinned now, trust on first use, for a
    /// membership recorded before keys were pinned; said on stderr).
    pub async fn pinned_owner(&self, vault: &Vault) -> Result<Vec<u8>> {
        let (key, pinned_now) = keyshelf_core::device::pinned_owner(&self.config_dir, vault).await?;
        if pinned_now {
            eprintln!("keyshelf: pinned the vault owner's key on this device (first use).");
        }
        Ok(key)
    }

    /// Opens and unlocks: keychain first, then KEYSHELF_PASSPHRASE or a prompt.
    pub async fn session(&self) -> Result<Session> {
        if let Some(token) = &self.token {
            return device::unlock_with_token(&self.vault_path, token).await;
        }
        let unlocked = self.unlock().await?;
        rekey_expired(&unlocked.session).await;
        Ok(unlocked.session)
    }

    /// A session when one opens without asking anybody (the OS keychain holds the key, or
    /// KEYSHELF_PASSPHRASE is set), else `None`: for views that need no unlock but verify what
    /// they show when they can (`ls`, `history`, `due`).
    pub async fn session_if_unlocked(&self) -> Result<Option<Session>> {
        let mut source = || Ok(env_passphrase());
        match device::unlock(&self.config_dir, &self.vault_path, self.keychain.as_ref(), &mut source).await {
            Ok(unlocked) => Ok(Some(unlocked.session)),
            // Locked, or a device that is no member: the view shows the file as it is.
            Err(Error::Locked | Error::LockedNoKeychain { .. } | Error::NotAMember { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// The core's unlock with this shell's passphrase source, saying what it did on stderr.
    pub async fn unlock(&self) -> Result<device::Unlocked> {
        let prompt = format!(
            "Passphrase for the vault at {}: ",
            keyshelf_core::store::shown(&self.vault_path)
        );
        let mut source = || read_passphrase(&prompt);
        let unlocked = device::unlock(&self.config_dir, &self.vault_path, self.keychain.as_ref(), &mut source).await?;
        // Said to a person who typed the passphrase, who may want the keychain fixed; a job with
        // KEYSHELF_PASSPHRASE expects no keychain and would get the line on every command.
        let typed = env_passphrase().is_none();
        if unlocked.report.via == UnlockedVia::Passphrase && (typed || self.verbose) {
            if let Some(problem) = &unlocked.report.keychain_problem {
                eprintln!("keyshelf: {problem}; used the passphrase instead");
            }
        }
        if unlocked.pinned_now {
            eprintln!("keyshelf: pinned the vault owner's key on this device (first use).");
        }
        Ok(unlocked)
    }
}

/// An owner's or lead's unlock rekeys scopes whose grants expired (see the core). It reports what
/// it did; a failure (say, the vault is busy) only warns, since the next unlock tries again.
async fn rekey_expired(session: &Session) {
    match session.rekey_expired().await {
        Ok(done) => {
            for r in done {
                eprintln!(
                    "keyshelf: {}'s access to {} expired: rekeyed ({} versions){}",
                    r.member,
                    r.scope,
                    r.versions,
                    if r.exposed.is_empty() {
                        String::new()
                    } else {
                        format!("; flagged exposed: {}", r.exposed.join(", "))
                    }
                );
            }
        }
        Err(e) => eprintln!("keyshelf: could not rekey expired grants yet: {e}"),
    }
}

/// KEYSHELF_PASSPHRASE, for non-interactive use (CI, jobs).
fn env_passphrase() -> Option<Zeroizing<Vec<u8>>> {
    std::env::var_os("KEYSHELF_PASSPHRASE").map(|value| Zeroizing::new(value.into_encoded_bytes()))
}

/// KEYSHELF_PASSPHRASE, else a hidden prompt on the terminal, else `None` (no way to ask).
pub fn read_passphrase(prompt: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
    if let Some(passphrase) = env_passphrase() {
        return Ok(Some(passphrase));
    }
    prompt_hidden(prompt).map(|p| p.map(|s| Zeroizing::new(s.as_bytes().to_vec())))
}

/// A hidden prompt on the controlling terminal; `None` when there is none (CI, cron, pipes).
pub fn prompt_hidden(prompt: &str) -> Result<Option<Zeroizing<String>>> {
    // Prompt only when a person is watching stderr; scripts and CI get a clear error instead of a hang.
    if !std::io::stderr().is_terminal() {
        return Ok(None);
    }
    match rpassword::prompt_password(prompt) {
        Ok(text) => Ok(Some(Zeroizing::new(text))),
        Err(_) => Ok(None),
    }
}

/// A yes/no question on the controlling terminal; `false` when there is none (CI, cron).
pub fn confirm(question: &str) -> Result<bool> {
    if !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    let Ok(tty) = std::fs::OpenOptions::new().read(true).open("/dev/tty") else {
        return Ok(false);
    };
    eprint!("{question}");
    let mut answer = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(tty), &mut answer)
        .map_err(|e| Error::io("reading the answer", e))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// A new passphrase: KEYSHELF_PASSPHRASE, else asked twice on the terminal.
pub fn new_passphrase() -> Result<Zeroizing<Vec<u8>>> {
    if let Some(value) = std::env::var_os("KEYSHELF_PASSPHRASE") {
        return Ok(Zeroizing::new(value.into_encoded_bytes()));
    }
    let first = prompt_hidden("New passphrase: ")?.ok_or(Error::NoPassphraseSource)?;
    let second = prompt_hidden("Repeat the passphrase: ")?.ok_or(Error::NoPassphraseSource)?;
    if *first != *second {
        return Err(Error::PassphraseMismatch);
    }
    Ok(Zeroizing::new(first.as_bytes().to_vec()))
}
