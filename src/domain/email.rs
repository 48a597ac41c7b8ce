//! E-mail addresses: the only key that identifies a user on every site.

use crate::error::{Error, Result};

/// The form two sites compare: surrounding white space removed, lower case.
pub fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks that a trimmed address is plausible enough to be a key: one `@` with text on
/// both sides, no white space or control characters inside, at most 100 characters (the
/// width of `s_email`). Apostrophes and plus signs are valid in addresses and accepted.
pub fn validate(email: &str) -> Result<()> {
    let email = email.trim();
    if email.is_empty() {
        return Err(Error::input("e-mail is empty"));
    }
    if email.chars().count() > 100 {
        return Err(Error::input("e-mail is longer than 100 characters"));
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::input(format!(
            "e-mail {email:?} contains white space"
        )));
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(())
        }
        _ => Err(Error::input(format!(
            "e-mail {email:?} is not of the form name@domain"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(
            normalise("  Ana.Lopez@Example.COM "),
            "ana.lopez@example.com"
        );
        assert_eq!(normalise("ÉLODIE@exemple.fr"), "élodie@exemple.fr");
    }

    #[test]
    fn accepts_real_addresses() {
        for ok in ["o'brien@example.ie", "a+tag@x.io", " Trim@Me.com "] {
            assert!(validate(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_what_cannot_be_a_key() {
        for bad in [
            "",
            "   ",
            "no-at-sign",
            "@example.com",
            "ana@",
            "an a@example.com",
            "a@b@c",
            "a\0@b.c",
        ] {
            assert!(validate(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(95));
        assert!(validate(&long).is_err());
    }
}
