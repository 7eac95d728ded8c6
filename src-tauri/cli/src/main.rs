//! `keyshelf`: the command line over keyshelf-core. Each command parses its arguments, calls
//! the core, and prints; errors print as one line on stderr and exit 1 (usage errors exit 2).

mod args;
mod commands;
mod context;
mod hint;
mod output;

use clap::Parser;

fn main() {
    let cli = args::Cli::parse();
    let subject = match cli.command {
        args::Command::Vault(args::VaultCommand::Copy { .. }) => hint::Subject::CopyLocations,
        _ => hint::Subject::TheVault,
    };
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
