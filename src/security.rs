//! Secrets: password hashing (argon2id), random tokens for sessions, CSRF and the API,
//! and the one-way digest under which session and API tokens are stored.

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

use crate::domain::Password;

/// Hashes a password with argon2id and a fresh random salt, as a PHC string.
pub fn hash_password(password: &Password) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    Ok(hash.to_string())
}

/// Checks a typed password against a stored PHC string. Malformed hashes never verify.
pub fn verify_password(typed: &str, stored_hash: &str) -> bool {
    Argon2::default()
        .verify_password(typed.as_bytes(), stored_hash)
        .is_ok()
}

/// Spends about as long as a real verification, so that a sign-in for an unknown user
/// takes as long as one for a known user with a wrong password (no user enumeration).
pub fn verify_against_dummy(typed: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| {
        let dummy = Password::parse("dummy password for timing").expect("valid dummy");
        hash_password(&dummy).unwrap_or_default()
    });
    let _ = verify_password(typed, hash);
}

/// 32 random bytes from the operating system, hex-encoded, with a readable prefix.
pub fn random_token(prefix: &str) -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("reading the operating system's random number generator")?;
    Ok(format!("{prefix}{}", hex(&bytes)))
}

/// Tokens are long and random, so a fast digest is enough to store them safely.
pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time that does not depend on where they first differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_same_password() {
        let hash = hash_password(&Password::parse("correct horse").unwrap()).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsf", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_prefixed_and_digest_is_stable() {
        let a = random_token("gls_").unwrap();
        let b = random_token("gls_").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("gls_") && a.len() == 4 + 64);
        assert_eq!(token_digest(&a), token_digest(&a));
        assert_ne!(token_digest(&a), token_digest(&b));
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn constant_time_eq_compares_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
