//! import (.env in) and export (.env or JSON out).

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use keyshelf_core::vault::{ExportFormat, ScopePath};
use keyshelf_core::{Error, Result};
use zeroize::Zeroizing;

use crate::args;
use crate::context::Context;

/// Below this many entries a progress bar is noise.
const PROGRESS_FROM: usize = 2_000;

pub async fn import(ctx: &Context, file: &Path, scope: &str) -> Result<i32> {
    let scope: ScopePath = scope.parse()?;
    let text = read_text(file)?;
    let session = ctx.session().await?;
    let bar = std::io::stderr().is_terminal().then(|| {
        ProgressBar::new(0).with_style(
            ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    });
    let mut progress = |done: usize, total: usize| {
        if let Some(bar) = bar.as_ref().filter(|_| total >= PROGRESS_FROM) {
            bar.set_message("importing");
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    // `${VAR}` reads the environment as python-dotenv does, except Keyshelf's own variables:
    // an untrusted .env must not be able to import KEYSHELF_PASSPHRASE as a secret.
    let lookup = |name: &str| {
        (!name.starts_with("KEYSHELF_"))
            .then(|| std::env::var(name).ok())
            .flatten()
    };
    let summary = session.import_dotenv(&scope, &text, &lookup, &mut progress).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let summary = summary.map_err(|e| match e {
        Error::Dotenv { line, reason } => Error::Dotenv {
            line,
            reason: format!("{reason} (in {}; nothing was imported)", file.display()),
        },
        other => other,
    })?;
    eprintln!(
        "Imported into {scope}: {} new, {} updated.",
        summary.created, summary.updated
    );
    Ok(0)
}

fn read_text(file: &Path) -> Result<Zeroizing<String>> {
    let mut bytes = Zeroizing::new(Vec::new());
    let io = |e| Error::Io {
        context: format!("reading {}", file.display()),
        source: e,
    };
    if file == Path::new("-") {
        std::io::stdin().lock().read_to_end(&mut bytes).map_err(io)?;
    } else {
        std::fs::File::open(file)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(io)?;
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::Dotenv {
        line: bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1,
        reason: format!("{} is not UTF-8 text; nothing was imported", file.display()),
    })?;
    Ok(Zeroizing::new(text.to_owned()))
}

pub async fn export(ctx: &Context, scope: &str, format: args::ExportFormat) -> Result<i32> {
    let scope: ScopePath = scope.parse()?;
    let session = ctx.session().await?;
    let format = match format {
        args::ExportFormat::Dotenv => ExportFormat::Dotenv,
        args::ExportFormat::Json => ExportFormat::Json,
    };
    let text = session.export(&scope, format).await?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Io {
            context: "writing to stdout".into(),
            source: e,
        })?;
    Ok(0)
}
