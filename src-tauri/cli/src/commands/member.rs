//! member join/approve/ls.

use keyshelf_core::team::members::Role;
use keyshelf_core::team::roster::RosterEntry;
use keyshelf_core::{Error, Result};

use crate::args::RoleArg;
use crate::context::{new_passphrase, Context};
use crate::output;

pub async fn join(ctx: &Context, name: &str) -> Result<i32> {
    let vault = ctx.open().await?;
    let passphrase = new_passphrase()?;
    let joined = keyshelf_core::device::join(&ctx.config_dir, &vault, name, passphrase).await?;
    eprintln!(
        "Joined vault {:?} as {name}: pending until the owner or a lead runs `keyshelf member approve {name}`.",
        vault.name()
    );
    eprintln!("  your key fingerprint:     {}", joined.fingerprint);
    eprintln!(
        "  owner {}'s fingerprint: {}",
        joined.owner_name, joined.owner_fingerprint
    );
    eprintln!("Compare both with the owner over a channel you trust (in person, a call). This device now");
    eprintln!("trusts that owner key; if the fingerprints differ, stop and tell them.");
    eprintln!();
    eprintln!("Recovery key. It is shown this once: store it offline.");
    let shown = format!("    {}", &*joined.recovery_key.display());
    if output::print_strict(&shown).is_err() {
        eprintln!("{shown}");
    }
    Ok(0)
}

pub async fn approve(
    ctx: &Context,
    name: &str,
    role: RoleArg,
    lead_of: &[String],
    fingerprint: Option<&str>,
) -> Result<i32> {
    let session = ctx.session().await?;
    let role = match role {
        RoleArg::Member => Role::Member,
        RoleArg::Lead => Role::Lead,
    };
    // The admission signs the keys the fingerprint names: given, or shown here and confirmed.
    let fingerprint = match fingerprint {
        Some(given) => given.to_owned(),
        None => {
            let shown = session
                .roster()
                .await?
                .into_iter()
                .find(|e| e.name == name)
                .map(|e| e.fingerprint)
                .ok_or_else(|| Error::UnknownMember {
                    member: name.to_owned(),
                })?;
            eprintln!("  {name}'s key fingerprint: {shown}");
            let question =
                format!("Is it the one {name} saw at `member join` (compare in person or on a call)? [y/N] ");
            if !crate::context::confirm(&question)? {
                return Err(Error::NotAllowed {
                    action: format!("admit {name}"),
                    reason: format!("the fingerprint was not confirmed; pass the one {name} saw with --fingerprint"),
                });
            }
            shown
        }
    };
    let admitted = session.admit(name, role, lead_of, &fingerprint).await?;
    let what = if admitted.lead_of.is_empty() {
        admitted.role.as_str().to_owned()
    } else {
        format!("lead of {}", admitted.lead_of.join(", "))
    };
    eprintln!("Admitted {name} as {what} (key fingerprint {}).", admitted.fingerprint);
    Ok(0)
}

pub async fn list(ctx: &Context, json: bool) -> Result<i32> {
    let session = ctx.session().await?;
    let roster = session.roster().await?;
    if json {
        output::json(&roster)?;
    } else {
        let rows: Vec<Vec<String>> = roster.iter().map(row).collect();
        output::table(&["NAME", "ROLE", "STATUS", "FINGERPRINT", "TRUSTED"], &rows)?;
    }
    let untrusted: Vec<&RosterEntry> = roster.iter().filter(|e| !e.trusted && e.status == "active").collect();
    for entry in &untrusted {
        eprintln!(
            "keyshelf: member {} is not trusted: {}",
            entry.name,
            entry.problem.as_deref().unwrap_or("unknown")
        );
    }
    Ok(0)
}

pub async fn remove(ctx: &Context, name: &str) -> Result<i32> {
    let session = ctx.session().await?;
    let revoked = session.remove_member(name, false).await?;
    eprintln!("Removed {name}.");
    for r in revoked {
        eprintln!(
            "  {}: rekeyed ({} versions), kept by {}",
            r.scope,
            r.versions,
            r.kept.join(", ")
        );
        if !r.exposed.is_empty() {
            eprintln!("    flagged exposed (rotate at the provider): {}", r.exposed.join(", "));
        }
    }
    Ok(0)
}

fn row(entry: &RosterEntry) -> Vec<String> {
    let role = if entry.lead_of.is_empty() {
        entry.role.as_str().to_owned()
    } else {
        format!("lead ({})", entry.lead_of.join(", "))
    };
    let trusted = if entry.trusted {
        "yes".to_owned()
    } else {
        format!("no: {}", entry.problem.as_deref().unwrap_or("unknown"))
    };
    vec![
        entry.name.clone(),
        role,
        entry.status.clone(),
        entry.fingerprint.clone(),
        trusted,
    ]
}
