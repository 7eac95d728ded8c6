//! run: a command with a scope's secrets in its environment.

use std::ffi::OsString;
use std::process::ExitStatus;

use keyshelf_core::inject::Injection;
use keyshelf_core::vault::ScopePath;
use keyshelf_core::Result;

use crate::context::Context;

pub async fn run(
    ctx: &Context,
    scopes: &[String],
    with_previous: bool,
    only: &[String],
    command: &[OsString],
) -> Result<i32> {
    let scopes: Vec<ScopePath> = scopes.iter().map(|s| s.parse()).collect::<Result<_>>()?;
    let session = ctx.session().await?;
    let mut injection = Injection::default();
    for scope in &scopes {
        let mut skipped = injection.add_scope(session.read_scope_only(scope, "run", only).await?);
        if with_previous {
            skipped.extend(injection.add_scope(session.read_scope_previous(scope, "run", only).await?));
        }
        for (name, why) in skipped {
            eprintln!(
                "keyshelf: not passing {} from {scope}: the name {why} (the vault file was altered?)",
                crate::output::escape(&name)
            );
        }
    }
    if !only.is_empty() {
        // A typo in --only would otherwise start the job without the key it needs.
        let known: Vec<String> = injection.names().map(str::to_owned).collect();
        if let Some(missing) = only.iter().find(|n| !known.contains(n)) {
            let scopes: Vec<String> = scopes.iter().map(ScopePath::to_string).collect();
            return Err(keyshelf_core::Error::UnknownSecret {
                path: format!("{missing} (not in {})", scopes.join(", ")),
            });
        }
        injection.retain(|name| only.iter().any(|o| o == name || format!("{o}_PREVIOUS") == name));
    }
    // Passed as they are: programs read them (os.environ, System.getenv), a shell cannot expand them.
    let unshell: Vec<String> = injection
        .names()
        .filter(|n| !keyshelf_core::vault::is_shell_name(n))
        .map(|n| crate::output::escape(n).into_owned())
        .collect();
    if !unshell.is_empty() {
        eprintln!(
            "keyshelf: passing {} as named: programs read such names from the environment, a shell cannot expand them",
            unshell.join(", ")
        );
    }
    session.vault().close().await;
    drop(session);
    // clap requires at least one word after `--`.
    let Some((program, args)) = command.split_first() else {
        return Ok(2);
    };
    let status = injection.run(program, args)?;
    Ok(exit_code(status))
}

/// The child's exit code; for a child killed by a signal, the same signal is raised on us so
/// our caller sees what the command's caller would have seen.
fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            // SAFETY: resets a disposition and raises a signal on ourselves.
            unsafe {
                libc::signal(signal, libc::SIG_DFL);
                libc::raise(signal);
            }
            return 128 + signal;
        }
    }
    status.code().unwrap_or(1)
}
