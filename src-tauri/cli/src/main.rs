//! `keyshelf`: the command line over keyshelf-core. Each command parses its arguments, calls
//! the core, and prints; errors print as one line on stderr and exit 1 (usage errors exit 2).

mod args;
mod commands;
mod context;
mod hint;
mod output;

use clap::{CommandFactory, FromArgMatches};

fn main() {
    let matches = args::Cli::command().get_matches();
    let cli = args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if password_in_argv(&cli, &matches) {
        eprintln!(
            "keyshelf: a database password on the command line is visible to every user of this machine (ps): \
             keep it in the OS keychain with `keyshelf vault password`, or in PGPASSWORD or ~/.pgpass"
        );
        std::process::exit(2);
    }
    let subject = match cli.command {
        args::Command::Vault(args::VaultCommand::Copy { .. }) => hint::Subject::CopyLocations,
        _ => hint::Subject::TheVault,
    };
    // One command, one flow: one warm connection to a team server rather than several cold ones.
    keyshelf_core::store::use_one_server_connection();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("keyshelf: cannot start: {e}");
            std::process::exit(1);
        }
    };
    let code = match runtime.block_on(commands::dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("keyshelf: {}", output::escape(&hint::line(&e, subject)));
            1
        }
    };
    // Leave no background work (pool connections, keychain threads) holding the exit.
    runtime.shutdown_background();
    std::process::exit(code);
}

/// Whether a location given as an argument carries a password (what `shown` strips). `--vault`
/// may come from KEYSHELF_VAULT instead, which only this user can read.
fn password_in_argv(cli: &args::Cli, matches: &clap::ArgMatches) -> bool {
    let vault_in_argv = matches.value_source("vault") == Some(clap::parser::ValueSource::CommandLine);
    let mut given: Vec<&std::path::Path> = cli
        .vault
        .iter()
        .filter(|_| vault_in_argv)
        .map(|p| p.as_path())
        .collect();
    if let args::Command::Vault(args::VaultCommand::Copy { src, dst }) = &cli.command {
        given.extend([src.as_path(), dst.as_path()]);
    }
    given
        .into_iter()
        .any(|location| keyshelf_core::store::shown(location) != location.to_string_lossy())
}
