//! The one error shape the UI sees: the core's code to branch on (exhaustive, generated for the
//! UI by ts-rs) and a message to show, the core error's `Display`, which never carries a secret.

use keyshelf_core::{Error, ErrorCode};
use serde::Serialize;

#[derive(Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn internal(message: String) -> Self {
        Self {
            code: ErrorCode::Internal,
            message,
        }
    }
}

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        CommandError {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
