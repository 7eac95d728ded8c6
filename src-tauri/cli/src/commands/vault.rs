//! init, unlock, lock, status; `vault copy`.

use std::path::Path;

use keyshelf_core::crypto::{KdfParams, RecoveryKey};
use keyshelf_core::session::UnlockedVia;
use keyshelf_core::vault::NewVault;
use keyshelf_core::{Error, Result, Vault};
use serde::Serialize;

use crate::context::{new_passphrase, prompt_hidden, Context};
use crate::output;

pub async fn init(ctx: &Context, team: &str, user: Option<String>) -> Result<i32> {
    let owner = user
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "owner".into());
    let passphrase = new_passphrase()?;
    let new = NewVault {
        team: team.to_owned(),
        owner: owner.clone(),
        passphrase,
        kdf: KdfParams::default(),
    };
    let created = keyshelf_core::device::create(&ctx.config_dir, &ctx.vault_path, new).await?;
    let session = created.session;
    let vault = session.vault();
    eprintln!("Created vault {team:?} at {}", vault.path().display());
    eprintln!(
        "You are {owner} (owner); key fingerprint {}",
        session.member().fingerprint
    );
    eprintln!();
    eprintln!("Recovery key. It is shown this once: store it offline. It unlocks the vault if you");
    eprintln!("lose your passphrase, so anyone holding it and the vault file can read your secrets.");
    eprintln!();
    // The recovery key is shown once: if stdout is gone, put it on stderr rather than lose it.
    let shown = format!("    {}", &*created.recovery_key.display());
    if output::print_strict(&shown).is_err() {
        eprintln!("{shown}");
    }
    eprintln!();
    remember(ctx, &session);
    Ok(0)
}

/// Caches the account key; says what happened either way.
fn remember(ctx: &Context, session: &keyshelf_core::Session) {
    said_remembered(
        ctx,
        session.remember(ctx.keychain.as_ref()).err().map(|e| e.to_string()),
    );
}

fn said_remembered(ctx: &Context, keychain_problem: Option<String>) {
    match keychain_problem {
        None => eprintln!(
            "Unlocked: the account key is cached in the OS keychain ({}).",
            ctx.keychain.describe()
        ),
        Some(e) => eprintln!("Unlocked for this command only: {e}. Later commands will ask for the passphrase."),
    }
}

pub async fn unlock(ctx: &Context, recovery: bool) -> Result<i32> {
    if recovery {
        let text = match std::env::var("KEYSHELF_RECOVERY_KEY") {
            Ok(text) => zeroize::Zeroizing::new(text),
            Err(_) => prompt_hidden("Recovery key: ")?.ok_or(Error::NoPassphraseSource)?,
        };
        let key = RecoveryKey::parse(&text)?;
        let mut ask = || {
            eprintln!("Recovery key accepted. Choose a new passphrase.");
            new_passphrase()
        };
        let (_, keychain_problem) =
            keyshelf_core::device::recover(&ctx.config_dir, &ctx.vault_path, ctx.keychain.as_ref(), &key, &mut ask)
                .await?;
        said_remembered(ctx, keychain_problem);
        return Ok(0);
    }
    let unlocked = ctx.unlock().await?;
    if unlocked.report.via == UnlockedVia::Keychain {
        eprintln!("Already unlocked (the key is in the OS keychain). `keyshelf lock` to lock.");
        return Ok(0);
    }
    remember(ctx, &unlocked.session);
    Ok(0)
}

pub async fn lock(ctx: &Context) -> Result<i32> {
    let vault = ctx.open().await?;
    let config = ctx.device_config()?;
    let member_id = keyshelf_core::device::member_id(&config, &vault)?;
    if ctx.keychain.remove(vault.id(), &member_id)? {
        eprintln!("Locked: the account key was removed from the OS keychain.");
    } else {
        eprintln!("Already locked.");
    }
    Ok(0)
}

#[derive(Serialize)]
struct Status {
    vault_path: String,
    vault: Option<String>,
    vault_id: Option<String>,
    member: Option<String>,
    role: Option<String>,
    unlocked: bool,
    keychain: String,
    keychain_problem: Option<String>,
}

pub async fn status(ctx: &Context, json: bool) -> Result<i32> {
    let mut status = Status {
        vault_path: keyshelf_core::store::shown(&ctx.vault_path),
        vault: None,
        vault_id: None,
        member: None,
        role: None,
        unlocked: false,
        keychain: ctx.keychain.describe(),
        keychain_problem: None,
    };
    let vault = Vault::open(&ctx.vault_path).await?;
    status.vault = Some(vault.name().to_owned());
    status.vault_id = Some(vault.id().to_owned());
    let config = ctx.device_config()?;
    if let Some(membership) = config.membership(vault.id()) {
        let members = vault.members().await?;
        let me = members.iter().find(|m| m.id == membership.member_id);
        status.member = me.map(|m| m.name.clone());
        status.role = me.map(|m| m.role.as_str().to_owned());
        match ctx.keychain.load(vault.id(), &membership.member_id) {
            Ok(found) => status.unlocked = found.is_some(),
            Err(e) => status.keychain_problem = Some(e.to_string()),
        }
    }
    if json {
        output::json(&status)?;
        return Ok(0);
    }
    let mut lines = vec![
        format!(
            "vault:    {} ({})",
            status.vault.as_deref().unwrap_or("?"),
            status.vault_path
        ),
        format!(
            "member:   {}",
            match (&status.member, &status.role) {
                (Some(m), Some(r)) => format!("{m} ({r})"),
                _ => "this device is not a member".into(),
            }
        ),
        format!("state:    {}", if status.unlocked { "unlocked" } else { "locked" }),
        format!("keychain: {}", status.keychain),
    ];
    if let Some(problem) = &status.keychain_problem {
        lines.push(format!("          {problem}"));
    }
    output::println_out(&lines.join("\n"))?;
    Ok(0)
}

/// `vault copy SRC DST`: the whole vault into a new one, row for row. No unlock: nothing is read
/// but rows, and nothing is written to either audit log.
pub async fn copy(src: &Path, dst: &Path) -> Result<i32> {
    let copied = Vault::copy(src, dst).await?;
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    eprintln!(
        "Copied vault {:?} from {} to {}: {}, {}, {}, {}, {}",
        copied.team,
        copied.source.display(),
        copied.destination.display(),
        count(copied.members, "member", "members"),
        count(copied.scopes, "scope", "scopes"),
        count(copied.secrets, "secret", "secrets"),
        count(copied.versions, "version", "versions"),
        count(copied.audit_entries, "audit entry", "audit entries"),
    );
    Ok(0)
}

/// `vault password`: the team server's database password into the OS keychain (checked with the
/// server first), or out of it with `--forget`. Asked for on a terminal, else one line of stdin.
pub async fn password(ctx: &Context, forget: bool) -> Result<i32> {
    if forget {
        let (login, removed) = keyshelf_core::store::forget_password(&ctx.vault_path)?;
        if removed {
            eprintln!("Removed the password of {login} from the OS keychain.");
        } else {
            eprintln!("No password of {login} was kept in the OS keychain.");
        }
        return Ok(0);
    }
    let login = keyshelf_core::store::login_of(&ctx.vault_path)?;
    let password = match prompt_hidden(&format!("Database password for {login}: "))? {
        Some(typed) => typed,
        None => read_stdin_line()?,
    };
    if password.is_empty() {
        return Err(Error::EmptyValue {
            what: "the database password".into(),
        });
    }
    let login = keyshelf_core::store::remember_password(&ctx.vault_path, &password).await?;
    eprintln!(
        "The server accepted the password; it is kept in the OS keychain for {login} ({}).",
        ctx.keychain.describe()
    );
    Ok(0)
}

/// One line of stdin, without its line ending: a password piped in by a script.
fn read_stdin_line() -> Result<zeroize::Zeroizing<String>> {
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the password from stdin", e))?;
    let end = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(end);
    Ok(line)
}
