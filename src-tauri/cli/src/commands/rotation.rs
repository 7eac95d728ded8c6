//! rotate, due, deploy-mark, policy: staged rotation and the deadlines that call for it.

use std::path::Path;

use keyshelf_core::duration::Duration;
use keyshelf_core::rotation::{self, calendar, RotationStatus};
use keyshelf_core::vault::{ScopeFilter, ScopePath, SecretPath};
use keyshelf_core::{Error, Result, Session};

use super::secrets::{read_file, read_value};
use crate::args::RotateArgs;
use crate::context::Context;
use crate::output;

/// Exit code of `rotate` when the check refused the candidate, and of `due` when something is
/// overdue or exposed.
const CHECK_FAILED: i32 = 1;
const SOMETHING_OVERDUE: i32 = 3;

pub async fn rotate(ctx: &Context, args: RotateArgs) -> Result<i32> {
    let path: SecretPath = args.path.parse()?;
    let overlap = keyshelf_core::rotation::parse_overlap(Some(&args.overlap))?;
    let session = ctx.session().await?;
    if args.save_check {
        let check = args.check.as_deref().map(str::trim).filter(|c| !c.is_empty());
        session.save_check(&path, check).await?;
        match check {
            Some(_) => eprintln!("Saved the check on {path}: a rotation of it is promoted only after it passes."),
            None => eprintln!("Removed the saved check of {path}."),
        }
    }
    if args.rollback {
        let done = session.rollback(&path).await?;
        eprintln!(
            "Rolled back {path}: v{} is current again; v{} stays readable as previous{}.",
            done.current,
            done.previous.unwrap_or_default(),
            until(done.previous_until)
        );
        return Ok(0);
    }
    if args.cancel {
        let version = session.cancel_rotation(&path).await?;
        eprintln!("Discarded the pending v{version} of {path}; the current value is unchanged.");
        return Ok(0);
    }
    let given_check = args.check.as_deref().filter(|c| !c.trim().is_empty());
    if !args.promote {
        let (value, is_file) = match &args.file {
            Some(file) => (read_file(file)?, true),
            None => (read_value(&path, args.keep_newline)?, false),
        };
        let staged = session.stage_rotation(&path, &value, is_file).await?;
        drop(value);
        eprintln!(
            "Staged {path} v{} as pending; the current value is unchanged.",
            staged.version
        );
        if let Some(warning) = &staged.format_warning {
            eprintln!("warning: this does not look like the kind of key {path} holds: {warning}.");
        }
        if (given_check.is_some() || staged.saved_check.is_some()) && !run_check(&session, &path, given_check).await?.1
        {
            return Ok(CHECK_FAILED);
        }
        eprintln!("Promote it with: keyshelf rotate --promote {path} [--overlap 24h]");
        return Ok(0);
    }
    // The check runs again at promotion (the provider may have revoked the key since), and the
    // version promoted is the one checked.
    let expected = match (given_check, session.saved_check(&path).await?) {
        (None, None) => None,
        _ => {
            let (version, passed) = run_check(&session, &path, given_check).await?;
            if !passed {
                return Ok(CHECK_FAILED);
            }
            Some(version)
        }
    };
    let done = session.promote(&path, expected, overlap).await?;
    match done.previous {
        Some(previous) => eprintln!(
            "Promoted {path} v{}: it is current. v{previous} stays readable as previous{} \
             (`keyshelf get --previous`, `keyshelf run --with-previous`); undo with `keyshelf rotate --rollback {path}`.",
            done.current,
            until(done.previous_until)
        ),
        None => eprintln!("Promoted {path} v{}: it is current.", done.current),
    }
    Ok(0)
}

fn until(at: Option<i64>) -> String {
    at.map(|t| format!(" until {}", keyshelf_core::clock::rfc3339(t)))
        .unwrap_or_default()
}

/// Runs `check` (or the verified saved check) through `sh -c` with the pending value in the
/// secret's environment variable (a file secret as a private 0600 file, its path in the
/// variable), and records the outcome: the version checked and whether it passed.
async fn run_check(session: &Session, path: &SecretPath, check: Option<&str>) -> Result<(i64, bool)> {
    if check.is_none() {
        if let Some(saved) = session.saved_check(path).await?.filter(|c| !c.confirmed) {
            // Someone else's command, run as this user with the new value: shown and agreed to once.
            eprintln!(
                "The saved check of {path} was saved by {}:\n  sh -c {:?}\nIt runs as you, with the new value in ${}.",
                output::escape(&saved.saved_by),
                output::escape(&saved.command),
                path.name
            );
            if crate::context::confirm("Run it? [y/N] ")? {
                session.confirm_check(&saved)?;
            }
        }
    }
    let prepared = session.prepare_check(path, check).await?;
    let version = prepared.version;
    eprintln!(
        "Checking v{version} of {path}: sh -c {:?}",
        output::escape(&prepared.command)
    );
    let status = prepared.run_in_terminal()?;
    let passed = status.success();
    session.record_check(path, version, passed).await?;
    if passed {
        eprintln!("Check passed.");
    } else {
        let how = status
            .code()
            .map_or_else(|| "killed by a signal".to_owned(), |c| format!("exit {c}"));
        eprintln!("Check failed ({how}): v{version} stays pending and will not be promoted.");
    }
    Ok((version, passed))
}

pub async fn due(ctx: &Context, within: &str, scope: Option<&str>, json: bool, ics: Option<&Path>) -> Result<i32> {
    let within: Duration = within.parse()?;
    let filter: Option<ScopeFilter> = scope.map(str::parse).transpose()?;
    // Names and dates are metadata: `due` needs no unlock, so cron and CI can run it as is; when
    // the vault opens unasked, what it shows of the scopes this member holds is verified.
    let vault = ctx.open().await?;
    let config = ctx.device_config()?;
    let member_id = keyshelf_core::device::member_id(&config, &vault)?;
    let pinned = ctx.pinned_owner(&vault).await?;
    let session = ctx.session_if_unlocked().await?;
    let list = |within: Duration| {
        let (vault, member_id, pinned, filter, session) = (&vault, &member_id, &pinned, &filter, &session);
        async move {
            match session {
                Some(session) => session.due(within, filter.as_ref()).await,
                None => vault.due_without_keys(member_id, pinned, within, filter.as_ref()).await,
            }
        }
    };
    let now = keyshelf_core::clock::now();
    if let Some(file) = ics {
        // The calendar carries every deadline, not only those inside the window.
        let mut all = list(Duration::days(365 * 100)).await?;
        for secret in &mut all {
            secret.rotation = rotation::status(secret.due_at, secret.exposed_at.is_some(), now, within);
        }
        write_file(file, calendar::ics(vault.id(), &all, now).as_bytes())?;
        eprintln!("Wrote {} deadline(s) to {}.", all.len(), file.display());
    }
    let due = list(within).await?;
    let urgent = due
        .iter()
        .any(|s| matches!(s.rotation, RotationStatus::Overdue | RotationStatus::Exposed));
    if json {
        output::json(&due)?;
    } else if due.is_empty() {
        eprintln!("Nothing to rotate within {within}.");
    } else {
        let rows: Vec<Vec<String>> = due
            .iter()
            .map(|s| {
                vec![
                    output::rotation(s),
                    s.path(),
                    s.kind.label().to_owned(),
                    s.exposed_reason
                        .clone()
                        .or_else(|| s.kind.console_url().map(str::to_owned))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        output::table(&["STATUS", "SECRET", "KIND", ""], &rows)?;
    }
    Ok(if urgent { SOMETHING_OVERDUE } else { 0 })
}

/// Writes through a temporary file and a rename, so a reader never sees half a calendar.
fn write_file(file: &Path, bytes: &[u8]) -> Result<()> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |e| Error::Io {
        context: format!("writing {}", file.display()),
        source: e,
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(io)?;
    tmp.persist(file).map_err(|e| io(e.error))?;
    Ok(())
}

pub async fn deploy_mark(ctx: &Context, scope: &str, note: &str) -> Result<i32> {
    let scope: ScopePath = scope.parse()?;
    let session = ctx.session().await?;
    let done = session.mark_deploy(&scope, note).await?;
    if done.now_due.is_empty() {
        eprintln!("Recorded a deployment of {scope}; no on-deploy secret fell due.");
    } else {
        eprintln!(
            "Recorded a deployment of {scope}. Now due for rotation: {}",
            done.now_due.join(", ")
        );
    }
    Ok(0)
}

pub async fn policy_set(ctx: &Context, target: &str, every: Option<&str>) -> Result<i32> {
    let target: ScopeFilter = target.parse()?;
    let every: Option<Duration> = every.map(str::parse).transpose()?;
    let session = ctx.session().await?;
    session
        .set_rotation_override(&target.project, target.environment.as_deref(), every)
        .await?;
    let name = match &target.environment {
        Some(env) => format!("{}/{env}", target.project),
        None => target.project.clone(),
    };
    match every {
        Some(every) => eprintln!("Secrets in {name} now rotate at least every {every}."),
        None => eprintln!("Removed the rotation policy of {name}."),
    }
    Ok(0)
}

pub async fn policy_list(ctx: &Context, json: bool) -> Result<i32> {
    let policies = ctx.open().await?.rotation_overrides().await?;
    if json {
        output::json(&policies)?;
        return Ok(0);
    }
    if policies.is_empty() {
        eprintln!("No project or environment policies: secrets follow their kind's defaults.");
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = policies
        .iter()
        .map(|p| {
            vec![
                match &p.environment {
                    Some(env) => format!("{}/{env}", p.project),
                    None => format!("{} (all environments)", p.project),
                },
                format!("every {}", Duration::from_secs(p.every_secs)),
                p.set_by.clone(),
                output::date(p.set_at),
            ]
        })
        .collect();
    output::table(&["SCOPE", "ROTATE", "SET BY", "ON"], &rows)?;
    Ok(0)
}
