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

/// HMAC-SHA-256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block_key.map(|k| k ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// Tokens for the forms shown before anyone signs in (sign-in, first set-up), which have
/// no session to keep a CSRF token in: `EXPIRES.NONCE.MAC`, where the MAC (under a key
/// kept in the database) proves Gloss issued it. The same value goes into a cookie and
/// into the form, and a submitted form must carry both (signed double submit): a page
/// on another site can neither read the cookie nor set it.
pub struct FormTokens {
    key: Vec<u8>,
}

impl FormTokens {
    pub const LIFETIME_SECONDS: i64 = 2 * 3600;

    pub fn new(key: &str) -> Self {
        Self {
            key: key.as_bytes().to_vec(),
        }
    }

    pub fn issue(&self, now: i64) -> anyhow::Result<String> {
        let nonce = random_token("")?;
        let body = format!("{}.{}", now + Self::LIFETIME_SECONDS, &nonce[..32]);
        Ok(format!("{body}.{}", self.mac(&body)))
    }

    /// Whether `token` was issued by [`issue`](Self::issue) with this key and is unexpired.
    pub fn verify(&self, token: &str, now: i64) -> bool {
        let Some((body, mac)) = token.rsplit_once('.') else {
            return false;
        };
        let expires = body
            .split_once('.')
            .and_then(|(e, _)| e.parse::<i64>().ok());
        expires.is_some_and(|expires| expires > now) && constant_time_eq(&self.mac(body), mac)
    }

    /// [`issue`](Self::issue) at the current time.
    pub fn issue_now(&self) -> anyhow::Result<String> {
        self.issue(unix_now())
    }

    /// [`verify`](Self::verify) at the current time.
    pub fn verify_now(&self, token: &str) -> bool {
        self.verify(token, unix_now())
    }

    fn mac(&self, body: &str) -> String {
        hex(&hmac_sha256(
            &self.key,
            format!("gloss-form:{body}").as_bytes(),
        ))
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
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
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn form_tokens_verify_only_unexpired_and_untampered() {
        let tokens = FormTokens::new("server key");
        let token = tokens.issue(1_000).unwrap();
        assert!(tokens.verify(&token, 1_000));
        assert!(tokens.verify(&token, 1_000 + FormTokens::LIFETIME_SECONDS - 1));
        assert!(!tokens.verify(&token, 1_000 + FormTokens::LIFETIME_SECONDS));
        assert!(!FormTokens::new("other key").verify(&token, 1_000));
        let (body, _) = token.rsplit_once('.').unwrap();
        let later = body.replacen(
            &(1_000 + FormTokens::LIFETIME_SECONDS).to_string(),
            "99999999999",
            1,
        );
        assert!(!tokens.verify(&format!("{later}.{}", tokens.mac(body)), 1_000));
        for junk in ["", ".", "1.2.3", "abc", "99999999999.x.y"] {
            assert!(!tokens.verify(junk, 1_000), "{junk}");
        }
    }

    #[test]
    fn constant_time_eq_compares_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
