//! The library's error type and the stable result codes it maps to at the C boundary.

use std::fmt;

/// A failure, with the code the C ABI reports for it and a message for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: Code,
    pub message: String,
    /// The database connection broke (server restarted, network cut): the work may be
    /// tried again on a new connection.
    pub connection_lost: bool,
    /// The database chose this transaction as a deadlock victim or a lock wait timed out:
    /// the same work may simply be tried again.
    pub retryable: bool,
}

/// Stable result codes. The numbers are part of the ABI and never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Ok = 0,
    NullArgument = 1,
    InvalidUtf8 = 2,
    InvalidJson = 3,
    InvalidInput = 4,
    NotInitialized = 5,
    Database = 6,
    Remote = 7,
    NotFound = 8,
    NotInstalled = 9,
    Auth = 10,
    Panic = 99,
}

impl Code {
    pub const ALL: [Code; 12] = [
        Code::Ok,
        Code::NullArgument,
        Code::InvalidUtf8,
        Code::InvalidJson,
        Code::InvalidInput,
        Code::NotInitialized,
        Code::Database,
        Code::Remote,
        Code::NotFound,
        Code::NotInstalled,
        Code::Auth,
        Code::Panic,
    ];

    pub fn from_i32(value: i32) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| *c as i32 == value)
    }

    pub fn name(self) -> &'static str {
        match self {
            Code::Ok => "AS_OK",
            Code::NullArgument => "AS_ERR_NULL_ARGUMENT",
            Code::InvalidUtf8 => "AS_ERR_INVALID_UTF8",
            Code::InvalidJson => "AS_ERR_INVALID_JSON",
            Code::InvalidInput => "AS_ERR_INVALID_INPUT",
            Code::NotInitialized => "AS_ERR_NOT_INITIALIZED",
            Code::Database => "AS_ERR_DATABASE",
            Code::Remote => "AS_ERR_REMOTE",
            Code::NotFound => "AS_ERR_NOT_FOUND",
            Code::NotInstalled => "AS_ERR_NOT_INSTALLED",
            Code::Auth => "AS_ERR_AUTH",
            Code::Panic => "AS_ERR_PANIC",
        }
    }
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            connection_lost: false,
            retryable: false,
        }
    }

    pub fn input(message: impl Into<String>) -> Error {
        Error::new(Code::InvalidInput, message)
    }

    pub fn json(message: impl Into<String>) -> Error {
        Error::new(Code::InvalidJson, message)
    }

    pub fn database(message: impl Into<String>) -> Error {
        Error::new(Code::Database, message)
    }

    pub fn remote(message: impl Into<String>) -> Error {
        Error::new(Code::Remote, message)
    }

    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(Code::NotFound, message)
    }

    /// What a caught panic said, as an `AS_ERR_PANIC` error.
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Error {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Error::new(
            Code::Panic,
            format!("internal error in account_sync: {what}"),
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<mysql::Error> for Error {
    fn from(e: mysql::Error) -> Error {
        let message = match &e {
            mysql::Error::MySqlError(m) => {
                format!("the database refused it: {} (error {})", m.message, m.code)
            }
            other => format!("database error: {other}"),
        };
        Error {
            code: Code::Database,
            message,
            connection_lost: crate::storage::conn::is_connection_lost(&e),
            retryable: crate::storage::conn::is_retryable(&e),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_numbers() {
        for code in Code::ALL {
            assert_eq!(Code::from_i32(code as i32), Some(code));
        }
        assert_eq!(Code::from_i32(42), None);
        assert_eq!(Code::Panic as i32, 99);
        assert_eq!(Code::Auth.name(), "AS_ERR_AUTH");
    }

    #[test]
    fn a_caught_panic_keeps_its_message() {
        let caught = std::panic::catch_unwind(|| panic!("boom {}", 7)).unwrap_err();
        let e = Error::from_panic(&*caught);
        assert_eq!(
            (e.code, e.message.as_str()),
            (Code::Panic, "internal error in account_sync: boom 7")
        );
        let caught = std::panic::catch_unwind(|| std::panic::panic_any(3u8)).unwrap_err();
        assert_eq!(
            Error::from_panic(&*caught).message,
            "internal error in account_sync: unknown panic"
        );
    }
}
