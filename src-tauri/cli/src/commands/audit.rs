//! audit verify, audit ls.

use keyshelf_core::Result;

use crate::context::Context;
use crate::output;

pub async fn verify(ctx: &Context) -> Result<i32> {
    let vault = ctx.open().await?;
    let count = vault.verify_audit().await?;
    output::println_out(&format!(
        "audit log intact: {count} entries, every hash and signature verified"
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
            ]
        })
        .collect();
    output::table(&["SEQ", "TIME", "ACTOR", "ACTION", "TARGET"], &rows)?;
    Ok(0)
}
