//! One module per noun; each function adapts one command to the core.

mod access;
mod audit;
mod machine;
mod member;
mod projects;
mod rotation;
mod run;
mod scan;
mod secrets;
mod transfer;
mod vault;

use clap::CommandFactory;
use keyshelf_core::Result;

use crate::args::{
    AccessCommand, AuditCommand, Cli, Command, EnvCommand, MachineCommand, MemberCommand, PolicyCommand,
    ProjectCommand, VaultCommand,
};
use crate::context::Context;

/// Runs the command; the process exit code on success.
pub async fn dispatch(cli: Cli) -> Result<i32> {
    let ctx = Context::new(&cli)?;
    if ctx.token.is_some() {
        machine::refuse_writes(&cli.command)?;
    }
    match cli.command {
        Command::Init { name, user } => vault::init(&ctx, &name, user).await,
        Command::Unlock { recovery } => vault::unlock(&ctx, recovery).await,
        Command::Lock => vault::lock(&ctx).await,
        Command::Status { json } => vault::status(&ctx, json).await,
        Command::Vault(VaultCommand::Copy { src, dst }) => vault::copy(&src, &dst).await,
        Command::Vault(VaultCommand::Password { forget }) => vault::password(&ctx, forget).await,
        Command::Project(ProjectCommand::Add { name, envs }) => projects::add(&ctx, &name, &envs).await,
        Command::Project(ProjectCommand::Ls { json }) => projects::list(&ctx, json).await,
        Command::Env(EnvCommand::Add { project, env }) => projects::add_env(&ctx, &project, &env).await,
        Command::Member(MemberCommand::Join { name }) => member::join(&ctx, &name).await,
        Command::Member(MemberCommand::Approve {
            name,
            role,
            lead_of,
            fingerprint,
        }) => member::approve(&ctx, &name, role, &lead_of, fingerprint.as_deref()).await,
        Command::Member(MemberCommand::Ls { json }) => member::list(&ctx, json).await,
        Command::Member(MemberCommand::Remove { name }) => member::remove(&ctx, &name).await,
        Command::Machine(MachineCommand::Add { name, scopes, expires }) => {
            machine::add(&ctx, &name, &scopes, expires.as_deref()).await
        }
        Command::Machine(MachineCommand::Ls { json }) => machine::list(&ctx, json).await,
        Command::Machine(MachineCommand::Revoke { name, preview }) => machine::revoke(&ctx, &name, preview).await,
        Command::Machine(MachineCommand::Rotate { name }) => machine::rotate(&ctx, &name).await,
        Command::Access(AccessCommand::Request {
            scope,
            reason,
            duration,
        }) => access::request(&ctx, &scope, &reason, duration.as_deref()).await,
        Command::Access(AccessCommand::Ls { pending, json }) => access::list(&ctx, pending, json).await,
        Command::Access(AccessCommand::Approve { id, duration }) => {
            access::approve(&ctx, &id, duration.as_deref()).await
        }
        Command::Access(AccessCommand::Deny { id, reason }) => access::deny(&ctx, &id, &reason).await,
        Command::Access(AccessCommand::Revoke { member, scope }) => access::revoke(&ctx, &member, &scope).await,
        Command::Set(args) => secrets::set(&ctx, args).await,
        Command::Get { path, previous } => secrets::get(&ctx, &path, previous).await,
        Command::Ls { filter, json } => secrets::list(&ctx, filter.as_deref(), json).await,
        Command::Rm { path } => secrets::remove(&ctx, &path).await,
        Command::History { path, json } => secrets::history(&ctx, &path, json).await,
        Command::Import { file, scope } => transfer::import(&ctx, &file, &scope).await,
        Command::Export { scope, format } => transfer::export(&ctx, &scope, format).await,
        Command::Run {
            scope,
            with_previous,
            only,
            dotenv_out,
            command,
        } => {
            if dotenv_out.is_some() {
                return Err(keyshelf_core::Error::NotAllowed {
                    action: "write a .env file".into(),
                    reason: "Keyshelf never writes secrets to a plaintext file; `keyshelf run` hands them to the command in memory".into(),
                });
            }
            run::run(&ctx, &scope, with_previous, &only, &command).await
        }
        Command::Snippet { path, lang } => scan::snippet(&ctx, &path, lang),
        Command::Scan(args) => scan::scan(&ctx, args).await,
        Command::Rotate(args) => rotation::rotate(&ctx, args).await,
        Command::Due {
            within,
            scope,
            json,
            ics,
        } => rotation::due(&ctx, &within, scope.as_deref(), json, ics.as_deref()).await,
        Command::DeployMark { scope, note } => rotation::deploy_mark(&ctx, &scope, &note).await,
        Command::Policy(PolicyCommand::Set { target, every }) => {
            rotation::policy_set(&ctx, &target, Some(&every)).await
        }
        Command::Policy(PolicyCommand::Unset { target }) => rotation::policy_set(&ctx, &target, None).await,
        Command::Policy(PolicyCommand::Ls { json }) => rotation::policy_list(&ctx, json).await,
        Command::Audit(AuditCommand::Verify) => audit::verify(&ctx).await,
        Command::Audit(AuditCommand::Ls { limit, json }) => audit::list(&ctx, limit, json).await,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "keyshelf", &mut std::io::stdout());
            Ok(0)
        }
    }
}
