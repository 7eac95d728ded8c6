//! audit verify, audit ls.

use keyshelf_core::Result;

use crate::context::Context;
use crate::output;

pub async fn verify(ctx: &Context) -> Result<i32> {
    let vault = ctx.open().await?;
    let config = ctx.device_config()?;
    // A member's device knows whom to trust (the owner key it pinned); anyone else can still
    // check that the chain is whole.
    let (pinned, seen) = match config.membership(vault.id()) {
        Some(_) => (
            Some(ctx.pinned_owner(&vault).await?),
            Some(keyshelf_core::device::memory(&ctx.config_dir, &vault)?),
        ),
        None => (None, None),
    };
    let count = vault.verify_audit(pinned.as_deref(), seen.as_ref()).await?;
    let whose = if pinned.is_some() {
        ", each by a member this device trusts"
    } else {
        " (this device is not a member, so whom to trust was not checked)"
    };
    output::println_out(&format!(
        "audit log intact: {count} entries, every hash and signature verified{whose}"
    ))?;
    Ok(0)
}

pub async fn list(ctx: &Context, limit: i64, json: bool) -> Result<i32> {
    let vault = ctx.open().await?;
    let entries = vault.recent_audit(limit).await?;
    if json {
        output::json(&entries)?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                keyshelf_core::clock::rfc3339(e.at),
                e.actor.clone(),
                e.action.clone(),
                e.target.clone(),
                e.device.clone(),
            ]
        })
        .collect();
    // DEVICE last: a machine's workload (host, CI run, job) is the longest column.
    output::table(&["SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "DEVICE"], &rows)?;
    Ok(0)
}
