//! access request/ls/approve/deny.

use keyshelf_core::duration::Duration;
use keyshelf_core::team::requests::AccessRequest;
use keyshelf_core::vault::ScopePath;
use keyshelf_core::Result;

use crate::context::Context;
use crate::output;

fn duration(text: Option<&str>) -> Result<Option<Duration>> {
    text.map(str::parse).transpose()
}

fn how_long(secs: Option<i64>) -> String {
    secs.map_or("until revoked".to_owned(), |s| Duration::from_secs(s).to_string())
}

pub async fn request(ctx: &Context, scope: &str, reason: &str, for_: Option<&str>) -> Result<i32> {
    let scope: ScopePath = scope.parse()?;
    let duration = duration(for_)?;
    let session = ctx.session().await?;
    let request = session.request_access(&scope, reason, duration).await?;
    eprintln!(
        "Requested {scope} ({}), request {}. An owner or a lead of {} approves it with `keyshelf access approve {}`.",
        how_long(request.duration_secs),
        request.id,
        scope.project,
        request.id
    );
    output::println_out(&request.id)?;
    Ok(0)
}

pub async fn list(ctx: &Context, pending: bool, json: bool) -> Result<i32> {
    let session = ctx.session().await?;
    let requests = session.access_requests(pending).await?;
    if json {
        output::json(&requests)?;
    } else {
        let rows: Vec<Vec<String>> = requests.iter().map(row).collect();
        output::table(&["ID", "MEMBER", "SCOPE", "FOR", "STATUS", "REASON"], &rows)?;
    }
    for forged in requests.iter().filter(|r| !r.verified) {
        eprintln!(
            "keyshelf: access request {} failed verification: {}",
            forged.id,
            forged.problem.as_deref().unwrap_or("unknown")
        );
    }
    Ok(0)
}

fn row(r: &AccessRequest) -> Vec<String> {
    let status = match (&r.decided_by, r.status.as_str()) {
        (_, _) if !r.verified => "FORGED".to_owned(),
        (Some(by), status) => format!("{status} by {by}"),
        (None, status) => status.to_owned(),
    };
    let reason = match &r.decision_note {
        Some(note) => format!("{} (denied: {note})", r.reason),
        None => r.reason.clone(),
    };
    vec![
        r.id.clone(),
        r.member.clone(),
        r.scope.clone(),
        how_long(r.duration_secs),
        status,
        reason,
    ]
}

pub async fn approve(ctx: &Context, id: &str, for_: Option<&str>) -> Result<i32> {
    let duration = duration(for_)?;
    let session = ctx.session().await?;
    let request = session.approve_access(id, duration).await?;
    let until = request.expires_at.map_or("until revoked".to_owned(), |at| {
        format!("until {}", keyshelf_core::clock::rfc3339(at))
    });
    eprintln!("Approved: {} can read {} {until}.", request.member, request.scope);
    Ok(0)
}

pub async fn deny(ctx: &Context, id: &str, reason: &str) -> Result<i32> {
    let session = ctx.session().await?;
    let request = session.deny_access(id, reason).await?;
    eprintln!("Denied {}'s request for {}.", request.member, request.scope);
    Ok(0)
}

pub async fn revoke(ctx: &Context, member: &str, scope: &str) -> Result<i32> {
    let scope: ScopePath = scope.parse()?;
    let session = ctx.session().await?;
    let revoked = session.revoke_access(member, &scope, false).await?;
    eprintln!(
        "Revoked {member}'s access to {}: new scope key, {} versions re-encrypted; kept by {}.",
        revoked.scope,
        revoked.versions,
        if revoked.kept.is_empty() {
            "nobody else".to_owned()
        } else {
            revoked.kept.join(", ")
        }
    );
    if !revoked.exposed.is_empty() {
        eprintln!(
            "{member} read {}: flagged exposed. Rotate them at the provider; they may have kept a copy.",
            revoked.exposed.join(", ")
        );
    }
    Ok(0)
}
