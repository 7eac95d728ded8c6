//! Logging in to a team server: where its database password comes from, and what a refusal says.
//!
//! In libpq's order: the URL, `PGPASSWORD`, the passfile (`PGPASSFILE` or `~/.pgpass`; sqlx reads
//! those three), then the OS keychain, where [`remember`] keeps it. The keychain is asked only when
//! nothing else gave a password: its kernel cache before connecting (a few syscalls), the persistent
//! keychain only once the server has refused (a D-Bus round trip a passwordless setup must not pay).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use zeroize::Zeroizing;

use super::{server_name, unreachable_or};
use crate::error::{Error, Result};
use crate::keychain::database as keychain;

/// What a refusal says when nothing offered a password the server accepts.
const NONE_ACCEPTED: &str =
    "it needs a password, and none it accepts is in the URL, PGPASSWORD, a passfile (PGPASSFILE or ~/.pgpass) or the OS keychain";

/// The options of a `postgres://` location; the error never repeats the URL (it may hold a password).
pub(super) fn options(location: &Path) -> Result<PgConnectOptions> {
    PgConnectOptions::from_str(&location.to_string_lossy()).map_err(|e| Error::Database {
        context: "reading the vault's database URL".into(),
        message: e.to_string(),
    })
}

/// `user@host:port/database`: the login a stored password belongs to, and what messages show.
pub(super) fn login_name(options: &PgConnectOptions) -> String {
    format!("{}@{}", options.get_username(), server_name(options))
}

/// The pool of connections to the vault's database, logged in with the first password that works.
pub(super) async fn pool(location: &Path, options: PgConnectOptions, server: &str, shown: &Path) -> Result<PgPool> {
    let login = login_name(&options);
    let refused = |why: &str| Error::LoginRefused {
        server: server.to_owned(),
        user: options.get_username().to_owned(),
        why: why.to_owned(),
    };
    if password_given(location) {
        return connect(options.clone(), server, shown)
            .await
            .map_err(|e| refusal_or(e, || refused("the password in the URL or PGPASSWORD is wrong")));
    }
    let cached = keychain::cached(&login);
    let first = match &cached {
        Some(password) => connect(options.clone().password(password), server, shown).await,
        None => connect(options.clone(), server, shown).await,
    };
    match first {
        Ok(pool) => return Ok(pool),
        Err(Attempt::Failed(e)) => return Err(e),
        Err(Attempt::Refused) => {}
    }
    // The kernel cache was empty or stale: the persistent keychain.
    let stored = keychain::load(&login).map_err(|e| refused(&format!("{NONE_ACCEPTED} ({e})")))?;
    match stored {
        Some(password) if cached.as_ref().map(|c| c.as_str()) != Some(password.as_str()) => {
            connect(options.clone().password(&password), server, shown)
                .await
                .map_err(|e| refusal_or(e, || refused("the password kept in the OS keychain is wrong")))
        }
        _ => Err(refused(NONE_ACCEPTED)),
    }
}

/// Checks `password` with the server of `location`, then keeps it in the OS keychain for this
/// login, so no later command needs it in a URL, argv or the environment. Returns the login.
pub(crate) async fn remember(location: &Path, password: &str) -> Result<String> {
    let options = options(location)?;
    let login = login_name(&options);
    let server = server_name(&options);
    let shown = Path::new("");
    match connect(options.clone().password(password), &server, shown).await {
        Ok(pool) => pool.close().await,
        // The database is checked after the password: accepted, only no vault there yet.
        Err(Attempt::Failed(Error::VaultNotFound { .. })) => {}
        Err(Attempt::Failed(e)) => return Err(e),
        Err(Attempt::Refused) => {
            return Err(Error::LoginRefused {
                server,
                user: options.get_username().to_owned(),
                why: "the password is wrong; nothing was stored".into(),
            })
        }
    }
    keychain::store(&login, password)?;
    Ok(login)
}

/// Removes the password kept for the login of `location`: the login and whether there was one.
pub(crate) fn forget(location: &Path) -> Result<(String, bool)> {
    let login = login_name(&options(location)?);
    let removed = keychain::forget(&login)?;
    Ok((login, removed))
}

/// `location` without the password in its URL, and that password (percent-decoded).
pub(crate) fn split_password(location: &Path) -> (PathBuf, Option<Zeroizing<String>>) {
    let Ok(mut url) = url::Url::parse(&location.to_string_lossy()) else {
        return (location.to_owned(), None);
    };
    let Some(encoded) = url.password() else {
        return (location.to_owned(), None);
    };
    let password = Zeroizing::new(
        percent_encoding::percent_decode_str(encoded)
            .decode_utf8_lossy()
            .into_owned(),
    );
    let _ = url.set_password(None);
    (PathBuf::from(url.as_str()), Some(password))
}

/// The login of `location`, for a prompt.
pub(crate) fn login_of(location: &Path) -> Result<String> {
    Ok(login_name(&options(location)?))
}

enum Attempt {
    /// The server refused the password (or its absence).
    Refused,
    Failed(Error),
}

fn refusal_or(attempt: Attempt, refused: impl FnOnce() -> Error) -> Error {
    match attempt {
        Attempt::Refused => refused(),
        Attempt::Failed(e) => e,
    }
}

async fn connect(options: PgConnectOptions, server: &str, shown: &Path) -> std::result::Result<PgPool, Attempt> {
    PgPoolOptions::new()
        .max_connections(crate::store::server_connections())
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(options)
        .await
        .map_err(|e| match &e {
            _ if is_refusal(&e) => Attempt::Refused,
            // invalid_catalog_name: the server is up, the database is not there.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000") => {
                Attempt::Failed(Error::VaultNotFound { path: shown.into() })
            }
            _ => Attempt::Failed(unreachable_or(server, "connecting to the vault", e)),
        })
}

/// invalid_password: a wrong password, or none where one is needed.
fn is_refusal(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.code().as_deref() == Some("28P01"))
}

/// Whether the URL or `PGPASSWORD` carries a password (a passfile's cannot be told apart from
/// none; a refusal then falls through to the keychain).
fn password_given(location: &Path) -> bool {
    let in_url = url::Url::parse(&location.to_string_lossy()).is_ok_and(|u| u.password().is_some());
    in_url || std::env::var_os("PGPASSWORD").is_some_and(|p| !p.is_empty())
}
