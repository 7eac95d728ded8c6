//! machine add/ls/revoke/rotate, and what a machine token may run.

use keyshelf_core::team::machine::NewMachine;
use keyshelf_core::vault::ScopePath;
use keyshelf_core::{Error, Result};

use crate::args::Command;
use crate::context::Context;
use crate::output;

/// With KEYSHELF_TOKEN set only reads run; everything else is refused before the vault is
/// opened. The core refuses a machine's writes too: this is the clear message, not the guard.
pub fn refuse_writes(command: &Command) -> Result<()> {
    let name = match command {
        Command::Get { .. }
        | Command::Run { .. }
        | Command::Export { .. }
        | Command::Snippet { .. }
        | Command::Completions { .. } => return Ok(()),
        // The subcommand's name, from its variant's (never its arguments).
        other => format!("{other:?}")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or_default()
            .to_lowercase(),
    };
    Err(Error::MachineReadOnly {
        action: format!("run `keyshelf {name}` (get, run and export work with a token)"),
    })
}

pub async fn add(ctx: &Context, name: &str, scopes: &[String], expires: Option<&str>) -> Result<i32> {
    let scopes: Vec<ScopePath> = scopes.iter().map(|s| s.parse()).collect::<Result<_>>()?;
    let expires_in = keyshelf_core::duration::Duration::parse_optional(expires)?;
    let session = ctx.session().await?;
    let token = session
        .add_machine(&NewMachine {
            name,
            scopes: &scopes,
            expires_in,
        })
        .await?;
    eprintln!(
        "Added machine {name} reading {}. Its token follows on stdout, shown this once: put it in the job's secret store as KEYSHELF_TOKEN.",
        scopes.iter().map(ScopePath::to_string).collect::<Vec<_>>().join(", ")
    );
    output::print_strict(&token.display()).map_err(|e| Error::io("printing the token", e))?;
    Ok(0)
}

pub async fn list(ctx: &Context, json: bool) -> Result<i32> {
    let session = ctx.session().await?;
    let machines = session.machines().await?;
    if json {
        output::json(&machines)?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = machines
        .iter()
        .map(|m| {
            let last = match (m.last_used_at, &m.last_used_from) {
                (Some(at), Some(from)) => format!("{} from {from}", keyshelf_core::clock::rfc3339(at)),
                _ => "never".to_owned(),
            };
            vec![
                m.name.clone(),
                m.scopes.join(", "),
                m.created_by.clone().unwrap_or_default(),
                m.expires_at.map_or("never".to_owned(), keyshelf_core::clock::rfc3339),
                last,
            ]
        })
        .collect();
    output::table(&["NAME", "SCOPES", "CREATED BY", "EXPIRES", "LAST USE"], &rows)?;
    Ok(0)
}

pub async fn revoke(ctx: &Context, name: &str, preview: bool) -> Result<i32> {
    let session = ctx.session().await?;
    let revoked = session.revoke_machine(name, preview).await?;
    if preview {
        eprintln!("Revoking machine {name} would (nothing was changed):");
    } else {
        eprintln!("Revoked machine {name}: its token opens nothing written from now on.");
    }
    print_revoked(&revoked);
    Ok(0)
}

pub async fn rotate(ctx: &Context, name: &str) -> Result<i32> {
    let session = ctx.session().await?;
    let (token, revoked) = session.rotate_machine(name).await?;
    eprintln!(
        "Rotated machine {name}: the old token opens nothing written from now on. The new token follows on stdout, shown this once: replace KEYSHELF_TOKEN in the job's secret store."
    );
    print_revoked(&revoked);
    output::print_strict(&token.display()).map_err(|e| Error::io("printing the token", e))?;
    Ok(0)
}

fn print_revoked(revoked: &[keyshelf_core::team::revoke::Revoked]) {
    for r in revoked {
        eprintln!("  {}: rekeyed ({} versions)", r.scope, r.versions);
        if !r.exposed.is_empty() {
            eprintln!("    flagged exposed (rotate at the provider): {}", r.exposed.join(", "));
        }
    }
}
