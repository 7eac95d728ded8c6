//! set, get, ls, rm, history.

use std::io::{IsTerminal, Read, Write};

use keyshelf_core::vault::{SecretOptions, SecretPath, MAX_VALUE_BYTES};
use keyshelf_core::{Error, Result};
use zeroize::Zeroizing;

use crate::args::SetArgs;
use crate::context::{prompt_hidden, Context};
use crate::output;

pub async fn set(ctx: &Context, args: SetArgs) -> Result<i32> {
    let path: SecretPath = args.path.parse()?;
    let kind = args.kind.as_deref().map(str::parse).transpose()?;
    let rotation = args.rotate_every.as_deref().map(str::parse).transpose()?;
    let (value, file_name) = match &args.file {
        Some(file) => (
            read_file(file)?,
            file.file_name().map(|n| n.to_string_lossy().into_owned()),
        ),
        None => (read_value(&path, args.keep_newline)?, None),
    };
    let options = SecretOptions {
        kind,
        note: args.note.map(Zeroizing::new),
        rotation,
        file_name,
        based_on: args.if_version,
    };
    let session = ctx.session().await?;
    let outcome = session.set_secret(&path, &value, options).await?;
    if outcome.created {
        eprintln!("Stored {path} (version 1).");
    } else {
        eprintln!(
            "Stored {path} (version {}; the old value is kept as previous).",
            outcome.version
        );
    }
    Ok(0)
}

/// The value from stdin: a hidden prompt on a terminal, else everything piped in.
pub(super) fn read_value(path: &SecretPath, keep_newline: bool) -> Result<Zeroizing<Vec<u8>>> {
    let stdin = std::io::stdin();
    let mut value = if stdin.is_terminal() {
        let typed = prompt_hidden(&format!("Value for {path}: "))?.ok_or(Error::EmptyValue {
            what: format!("the value for {path}"),
        })?;
        Zeroizing::new(typed.as_bytes().to_vec())
    } else {
        let mut buf = Zeroizing::new(Vec::new());
        stdin
            .lock()
            .take(MAX_VALUE_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::Io {
                context: "reading the value from stdin".into(),
                source: e,
            })?;
        buf
    };
    if !keep_newline {
        let len = value.len();
        if value.ends_with(b"\r\n") {
            value.truncate(len - 2);
        } else if value.ends_with(b"\n") {
            value.truncate(len - 1);
        }
    }
    if value.is_empty() {
        return Err(Error::EmptyValue {
            what: format!("the value for {path} (nothing on stdin)"),
        });
    }
    Ok(value)
}

pub(super) fn read_file(file: &std::path::Path) -> Result<Zeroizing<Vec<u8>>> {
    let io = |e| Error::Io {
        context: format!("reading {}", file.display()),
        source: e,
    };
    let size = std::fs::metadata(file).map_err(io)?.len();
    if size > MAX_VALUE_BYTES {
        return Err(Error::FileTooLarge {
            path: file.into(),
            size,
            limit: MAX_VALUE_BYTES,
        });
    }
    Ok(Zeroizing::new(std::fs::read(file).map_err(io)?))
}

pub async fn get(ctx: &Context, path: &str, previous: bool) -> Result<i32> {
    let path: SecretPath = path.parse()?;
    let session = ctx.session().await?;
    let value = if previous {
        session.get_previous(&path).await?
    } else {
        session.get_secret(&path).await?
    };
    let mut out = std::io::stdout().lock();
    let newline: &[u8] = if out.is_terminal() { b"\n" } else { b"" };
    out.write_all(value.expose())
        .and_then(|()| out.write_all(newline))
        .and_then(|()| out.flush())
        .map_err(|e| Error::Io {
            context: "writing the value to stdout".into(),
            source: e,
        })?;
    Ok(0)
}

pub async fn list(ctx: &Context, filter: Option<&str>, json: bool) -> Result<i32> {
    let (project, environment) = match filter {
        None => (None, None),
        Some(f) => match f.split_once('/') {
            Some((p, e)) => (Some(p), Some(e)),
            None => (Some(f), None),
        },
    };
    // Unlocked, the states shown are verified under each scope's key; locked, as the file holds them.
    let secrets = match ctx.session_if_unlocked().await? {
        Some(session) => session.secrets(project, environment).await?,
        None => ctx.open().await?.secrets(project, environment).await?,
    };
    if json {
        output::json(&secrets)?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = secrets
        .iter()
        .map(|s| {
            vec![
                s.path(),
                s.kind.to_string() + if s.is_file { " (file)" } else { "" },
                s.version.map_or("-".into(), |v| format!("v{v}")),
                output::rotation(s),
                output::date(s.updated_at),
            ]
        })
        .collect();
    if rows.is_empty() {
        eprintln!("No secrets{}.", filter.map(|f| format!(" in {f}")).unwrap_or_default());
        return Ok(0);
    }
    output::table(&["SECRET", "KIND", "VERSION", "ROTATION", "UPDATED"], &rows)?;
    Ok(0)
}

pub async fn remove(ctx: &Context, path: &str) -> Result<i32> {
    let path: SecretPath = path.parse()?;
    let session = ctx.session().await?;
    session.remove_secret(&path).await?;
    eprintln!("Removed {path} and all its versions.");
    Ok(0)
}

pub async fn history(ctx: &Context, path: &str, json: bool) -> Result<i32> {
    let path: SecretPath = path.parse()?;
    // Unlocked, the states shown are verified under the scope's key; locked, as the file holds them.
    let versions = match ctx.session_if_unlocked().await? {
        Some(session) => session.history(&path).await?,
        None => ctx.open().await?.history(&path).await?,
    };
    if json {
        output::json(&versions)?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = versions
        .iter()
        .map(|v| {
            vec![
                format!("v{}", v.version),
                v.state.clone(),
                keyshelf_core::clock::rfc3339(v.created_at),
                v.created_by.clone(),
                match (v.state.as_str(), v.retire_at, v.check_status.as_deref()) {
                    ("previous", Some(until), _) => format!("readable until {}", keyshelf_core::clock::rfc3339(until)),
                    ("pending", _, Some(outcome)) => format!("check {outcome}"),
                    ("pending", _, None) => "waiting for promotion".into(),
                    _ => String::new(),
                },
            ]
        })
        .collect();
    output::table(&["VERSION", "STATE", "CREATED", "BY", ""], &rows)?;
    Ok(0)
}
