//! The command line, as clap reads it. Names here are a contract: scripts, CI jobs, notebook
//! snippets and later issues rely on them.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "keyshelf",
    version,
    about = "Keyshelf: a team secrets vault for ML work. Values are encrypted; names are not.",
    after_help = "Environment: KEYSHELF_VAULT (vault file), KEYSHELF_CONFIG_DIR (this device's membership), \
KEYSHELF_PASSPHRASE (non-interactive unlock), KEYSHELF_KEYCHAIN=off (never use the OS keychain), \
KEYSHELF_TOKEN (read as a machine: get, run, export)."
)]
pub struct Cli {
    /// The vault file [default: $XDG_DATA_HOME/keyshelf/vault.db]
    #[arg(long, global = true, env = "KEYSHELF_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,

    /// This device's config directory [default: $XDG_CONFIG_HOME/keyshelf]
    #[arg(long, global = true, env = "KEYSHELF_CONFIG_DIR", value_name = "DIR", hide = true)]
    pub config_dir: Option<PathBuf>,

    /// Say more about what happened (e.g. why the OS keychain was not used)
    #[arg(long, short, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a vault with you as its owner; prints the recovery key once
    Init {
        /// Team name
        #[arg(long, default_value = "my-team")]
        name: String,
        /// Your name in the vault [default: $USER]
        #[arg(long)]
        user: Option<String>,
    },
    /// Unlock with your passphrase (or recovery key) and cache the key in the OS keychain
    Unlock {
        /// Unlock with the recovery key instead, then choose a new passphrase
        #[arg(long)]
        recovery: bool,
    },
    /// Remove the cached key from the OS keychain
    Lock,
    /// Show the vault, who you are in it, and whether it is unlocked
    Status {
        #[arg(long)]
        json: bool,
    },
    /// The vault as a whole: copy it to another file or a PostgreSQL database
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Projects and their environments
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Team members: join a shared vault, admit people, see who is in it
    #[command(subcommand)]
    Member(MemberCommand),
    /// Machines (CI jobs, training runs, serving hosts): scoped, read-only, expiring tokens
    #[command(subcommand)]
    Machine(MachineCommand),
    /// Access to scopes: request it, and (owner, leads) approve or deny requests
    #[command(subcommand)]
    Access(AccessCommand),
    /// Environments of a project
    #[command(subcommand)]
    Env(EnvCommand),
    /// Store a secret; the value is read from stdin (hidden prompt on a terminal), never from argv
    Set(SetArgs),
    /// Print a secret's value: the exact bytes (a newline is added only on a terminal)
    Get {
        /// PROJECT/ENV/NAME
        path: String,
        /// The previous value, while the overlap after a rotation lasts
        #[arg(long)]
        previous: bool,
    },
    /// List secrets with metadata, never values
    Ls {
        /// PROJECT or PROJECT/ENV
        filter: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Delete a secret and all its versions
    Rm {
        /// PROJECT/ENV/NAME
        path: String,
    },
    /// Show a secret's versions and their states
    History {
        /// PROJECT/ENV/NAME
        path: String,
        #[arg(long)]
        json: bool,
    },
    /// Import a .env file into a scope (all entries or none)
    Import {
        /// .env file, or - for stdin
        file: PathBuf,
        /// PROJECT/ENV
        #[arg(long)]
        scope: String,
    },
    /// Print a scope's secrets as .env or JSON
    Export {
        /// PROJECT/ENV
        #[arg(long)]
        scope: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Dotenv)]
        format: ExportFormat,
    },
    /// Run a command with a scope's secrets in its environment
    Run {
        /// PROJECT/ENV; repeat for several (a later scope wins on a name clash)
        #[arg(long, required = true)]
        scope: Vec<String>,
        /// Also export each previous value still in its overlap window, as NAME_PREVIOUS
        #[arg(long)]
        with_previous: bool,
        /// Only these secrets (comma-separated names)
        #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
        only: Vec<String>,
        /// Refused: Keyshelf never writes secrets to a plaintext file
        #[arg(long, value_name = "FILE", hide = true)]
        dotenv_out: Option<PathBuf>,
        /// The command and its arguments, after --
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<OsString>,
    },
    /// Staged rotation: store a new value as pending (stdin), check it, promote it, roll back
    Rotate(RotateArgs),
    /// Print code that sets a secret's environment variable at run time (for a notebook cell or
    /// a script); it calls `keyshelf get`, so it never contains the value
    Snippet {
        /// PROJECT/ENV/NAME
        path: String,
        #[arg(long, value_enum, default_value_t = SnippetLang::Python)]
        lang: SnippetLang,
    },
    /// Find leaked keys (vault values and provider formats) in notebooks, scripts and config
    /// files; exit 1 when something is found (for pre-commit)
    Scan(ScanArgs),
    /// What must be rotated: exposed, overdue and due-soon secrets; exit 3 when any is overdue or exposed
    Due {
        /// The warning window
        #[arg(long, value_name = "DURATION", default_value = "14d")]
        within: String,
        /// PROJECT or PROJECT/ENV
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        json: bool,
        /// Also write the deadlines as an iCalendar file (one event per deadline)
        #[arg(long, value_name = "FILE")]
        ics: Option<PathBuf>,
    },
    /// Record a deployment of a scope: its on-deploy secrets fall due
    DeployMark {
        /// PROJECT/ENV
        scope: String,
        /// What was deployed (a version, a commit)
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Rotation policy of projects and environments (a stricter interval, e.g. for prod)
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// The audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// PROJECT/ENV/NAME (NAME is the environment variable `run` exports)
    pub path: String,
    /// openai, anthropic, hugging-face, wandb, aws, gcp-service-account, database-url, generic
    /// [default: guessed from NAME]
    #[arg(long)]
    pub kind: Option<String>,
    /// A note, stored encrypted
    #[arg(long)]
    pub note: Option<String>,
    /// Rotation policy: an interval (e.g. 90d), on-deploy, manual, or default (by kind, and by
    /// any project/environment policy)
    #[arg(long, visible_alias = "rotation", value_name = "POLICY")]
    pub rotate_every: Option<String>,
    /// Store this file's contents (at most 1 MiB) as a file secret instead of reading stdin
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Keep a trailing newline read from stdin (by default one is dropped)
    #[arg(long)]
    pub keep_newline: bool,
    /// Only if the current version is still N (0: only if the secret does not exist yet): a
    /// teammate's change since you read it is refused, not overwritten
    #[arg(long, value_name = "N")]
    pub if_version: Option<i64>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SnippetLang {
    Python,
    Bash,
    R,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories (directories are walked, .gitignore respected) [default: .]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub json: bool,
    /// Rewrite the files: values become markers (or, in notebook code, a read of the environment
    /// variable); notebook outputs that show a key are cleared. Keeps FILE.keyshelf-bak
    #[arg(long, conflicts_with = "staged")]
    pub redact: bool,
    /// With --redact: no backup copy
    #[arg(long, requires = "redact")]
    pub no_backup: bool,
    /// Scan what is staged in git (the index), not the working files
    #[arg(long)]
    pub staged: bool,
    /// Look for provider formats only: do not unlock the vault to look for its values
    #[arg(long)]
    pub no_vault: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("step").args(["promote", "rollback", "cancel"])))]
pub struct RotateArgs {
    /// PROJECT/ENV/NAME
    pub path: String,
    /// Promote the pending version: it becomes current, the old value stays readable as previous
    /// for the overlap (runs the check first, if one is given or saved)
    #[arg(long)]
    pub promote: bool,
    /// Swap the previous value back while its overlap lasts
    #[arg(long)]
    pub rollback: bool,
    /// Discard the pending version
    #[arg(long)]
    pub cancel: bool,
    /// How long the old value stays readable after promotion
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    pub overlap: String,
    /// A shell command that validates the candidate: it gets the new value in the secret's
    /// environment variable, and a non-zero exit refuses promotion
    #[arg(long, value_name = "CMD")]
    pub check: Option<String>,
    /// Save --check on the secret, so every later rotation runs it
    #[arg(long, requires = "check")]
    pub save_check: bool,
    /// Read the new value from this file (a file secret) instead of stdin
    #[arg(long, value_name = "PATH", conflicts_with = "step")]
    pub file: Option<PathBuf>,
    /// Keep a trailing newline read from stdin
    #[arg(long, conflicts_with = "step")]
    pub keep_newline: bool,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Make secrets of a project or one environment rotate at least this often
    Set {
        /// PROJECT or PROJECT/ENV
        target: String,
        /// The interval, e.g. 30d
        #[arg(long, value_name = "DURATION")]
        every: String,
    },
    /// Remove a project's or environment's policy
    Unset {
        /// PROJECT or PROJECT/ENV
        target: String,
    },
    /// List project and environment policies
    Ls {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Copy a whole vault into a new one (e.g. a file vault onto the team's PostgreSQL server):
    /// the same vault, members, keys and audit log, row for row; needs no unlock and reads no value
    Copy {
        /// The vault to copy: a file, or postgres://USER@HOST/DATABASE
        src: PathBuf,
        /// Where to create the copy: a new file, or an empty PostgreSQL database
        dst: PathBuf,
    },
    /// Keep the team server's database password in the OS keychain (asked for, or one line on
    /// stdin), after the server accepts it; later commands log in with it
    Password {
        /// Remove the kept password instead
        #[arg(long)]
        forget: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Add a project, with environments
    Add {
        name: String,
        /// An environment to create with it; repeat for several
        #[arg(long = "env", value_name = "ENV")]
        envs: Vec<String>,
    },
    /// List projects and environments
    Ls {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Join the vault as a new member from this device (pending until an owner or lead admits you)
    Join {
        /// Your name in the vault
        #[arg(long)]
        name: String,
    },
    /// Admit a member who joined (owner or lead), bound to the key fingerprint they showed you
    Approve {
        name: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Member)]
        role: RoleArg,
        /// A project the new lead leads; repeat for several (with --role lead)
        #[arg(long = "lead-of", value_name = "PROJECT")]
        lead_of: Vec<String>,
        /// The fingerprint NAME saw at `member join` (compared out of band); without it, on a
        /// terminal, the fingerprint is shown and you are asked to confirm it
        #[arg(long, value_name = "FINGERPRINT")]
        fingerprint: Option<String>,
    },
    /// Remove a member (owner only): every scope they can open is rekeyed
    Remove { name: String },
    /// Members, roles, fingerprints, and whether this device trusts each one
    Ls {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MachineCommand {
    /// Create a machine (owner, or a lead of every project named); prints its token once on stdout
    Add {
        /// The machine's name in the vault (unique among members and machines)
        name: String,
        /// PROJECT/ENV it may read; repeat for several
        #[arg(long = "scope", value_name = "PROJECT/ENV", required = true)]
        scopes: Vec<String>,
        /// How long it may read them, 1h or more (e.g. 12h, 30d) [default: until revoked]
        #[arg(long, value_name = "DURATION")]
        expires: Option<String>,
    },
    /// List machines: scopes, creator, expiry, last use
    Ls {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a machine (owner): rekey every scope it could open, flag what it read exposed
    Revoke {
        name: String,
        /// Say what would be rekeyed and flagged, and change nothing
        #[arg(long)]
        preview: bool,
    },
    /// Replace a machine's token (owner): revoke the old one and print a new one once on stdout
    Rotate { name: String },
}

#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// Ask for access to PROJECT/ENV; an owner or a lead of the project decides
    Request {
        scope: String,
        /// Why you need it (the approver sees this)
        #[arg(long)]
        reason: String,
        /// How long, e.g. 8h, 7d [default: until revoked]
        #[arg(long = "for", value_name = "DURATION")]
        duration: Option<String>,
    },
    /// Access requests, newest last, with whether their signatures check out
    Ls {
        /// Only requests waiting for a decision
        #[arg(long)]
        pending: bool,
        #[arg(long)]
        json: bool,
    },
    /// Approve a request: the requester gets the scope key until the grant expires
    Approve {
        id: String,
        /// Grant for this long instead of what was asked, e.g. 1h
        #[arg(long = "for", value_name = "DURATION")]
        duration: Option<String>,
    },
    /// Deny a request, saying why
    Deny {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Take MEMBER's access to PROJECT/ENV away: rekeys the scope; what they read is flagged exposed
    Revoke { member: String, scope: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Member,
    Lead,
}

#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// Add an environment to a project
    Add { project: String, env: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain and every signature
    Verify,
    /// Show recent entries
    Ls {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Dotenv,
    Json,
}
