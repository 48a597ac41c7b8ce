//! Request signatures: HMAC-SHA256 with the caller's key, so the key never travels.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

type HmacSha256 = Hmac<Sha256>;

/// How far a request's timestamp may be from the receiver's clock.
pub const MAX_SKEW_SECONDS: u64 = 300;

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The first 16 bytes of the SHA-256 of `text`, in hex.
pub fn digest(text: &[u8]) -> String {
    hex(&Sha256::digest(text))[..32].to_string()
}

/// The public name of a key: the first 32 hex digits of its SHA-256. It lets a receiver find
/// the account without the key travelling, and it cannot be turned back into the key.
pub fn key_id(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))[..32].to_string()
}

fn message(method: &str, path: &str, timestamp: u64, nonce: &str, body: &[u8]) -> String {
    format!(
        "{method}\n{path}\n{timestamp}\n{nonce}\n{}",
        hex(&Sha256::digest(body))
    )
}

fn mac(key: &str) -> HmacSha256 {
    HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length")
}

pub fn sign(
    key: &str,
    method: &str,
    path: &str,
    timestamp: u64,
    nonce: &str,
    body: &[u8],
) -> String {
    let mut m = mac(key);
    m.update(message(method, path, timestamp, nonce, body).as_bytes());
    hex(&m.finalize().into_bytes())
}

/// Checks a signature in constant time.
pub fn verify(
    key: &str,
    method: &str,
    path: &str,
    timestamp: u64,
    nonce: &str,
    body: &[u8],
    signature: &str,
) -> bool {
    let Some(given) = unhex(signature) else {
        return false;
    };
    let mut m = mac(key);
    m.update(message(method, path, timestamp, nonce, body).as_bytes());
    m.verify_slice(&given).is_ok()
}

/// 16 random bytes from the operating system, as 32 hex digits.
pub fn nonce() -> Result<String> {
    let mut bytes = [0u8; 16];
    let mut filled = 0;
    while filled < bytes.len() {
        // SAFETY: the pointer and length describe the unfilled tail of `bytes`.
        let n = unsafe {
            libc::getrandom(bytes[filled..].as_mut_ptr().cast(), bytes.len() - filled, 0)
        };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Error::remote(format!(
                "no random bytes from the operating system: {err}"
            )));
        }
        filled += n as usize;
    }
    Ok(hex(&bytes))
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_and_hmac_match_known_vectors() {
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // RFC 4231, test case 2.
        let mut m = HmacSha256::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_signature_binds_every_part() {
        let key = "k".repeat(24);
        let sig = sign(&key, "POST", "/api.php", 1000, "n1", b"{}");
        assert!(verify(&key, "POST", "/api.php", 1000, "n1", b"{}", &sig));
        assert!(!verify(&key, "GET", "/api.php", 1000, "n1", b"{}", &sig));
        assert!(!verify(&key, "POST", "/other.php", 1000, "n1", b"{}", &sig));
        assert!(!verify(&key, "POST", "/api.php", 1001, "n1", b"{}", &sig));
        assert!(!verify(&key, "POST", "/api.php", 1000, "n2", b"{}", &sig));
        assert!(!verify(&key, "POST", "/api.php", 1000, "n1", b"{ }", &sig));
        assert!(!verify(
            &"x".repeat(24),
            "POST",
            "/api.php",
            1000,
            "n1",
            b"{}",
            &sig
        ));
        assert!(!verify(&key, "POST", "/api.php", 1000, "n1", b"{}", "zz"));
    }

    #[test]
    fn key_ids_and_nonces() {
        assert_eq!(key_id("secret").len(), 32);
        assert_ne!(key_id("secret"), key_id("secret2"));
        let (a, b) = (nonce().unwrap(), nonce().unwrap());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
