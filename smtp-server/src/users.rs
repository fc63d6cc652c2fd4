//! The users file and an [`Authenticator`] over it.
//!
//! The file holds one `name:PHC` line per user, where PHC is an argon2id
//! password hash in the PHC string format (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`,
//! made by [`hash_password`] or `smtp-server hash-password`). `#` starts a
//! comment line; blank lines are ignored; user names are compared exactly.
//!
//! Only PLAIN and LOGIN are offered: a one-way hash cannot answer CRAM-MD5
//! (it needs the plaintext password) nor SCRAM-SHA-256 (it needs the SCRAM
//! keys, which are not derivable from an argon2 hash). Embedders who need those
//! mechanisms implement [`Authenticator`] over their own credential store.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2};

use crate::auth::Authenticator;

/// Why a users file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UsersError {
    /// The file could not be read.
    #[error("cannot read users file: {0}")]
    Io(#[from] std::io::Error),
    /// A line is not `name:PHC`.
    #[error("users file line {line}: {reason}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// The users who may log in, with their argon2id password hashes.
#[derive(Clone, Default)]
pub struct Users {
    hashes: Arc<HashMap<String, String>>,
}

impl fmt::Debug for Users {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Hashes are secrets too (offline guessing): names only.
        let mut names: Vec<&str> = self.hashes.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Users").field("names", &names).finish()
    }
}

impl Users {
    /// Reads and parses a users file.
    pub fn load(path: impl AsRef<Path>) -> Result<Users, UsersError> {
        let text = std::fs::read_to_string(path)?;
        Users::parse(&text)
    }

    /// Parses the users file format (see the module documentation).
    pub fn parse(text: &str) -> Result<Users, UsersError> {
        let mut hashes = HashMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let malformed = |reason: &str| UsersError::Malformed {
                line,
                reason: reason.to_owned(),
            };
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let (name, phc) = trimmed
                .split_once(':')
                .ok_or_else(|| malformed("expected name:PHC"))?;
            if name.is_empty() {
                return Err(malformed("empty user name"));
            }
            if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
                return Err(malformed("user name with a space or control character"));
            }
            let parsed =
                PasswordHash::new(phc).map_err(|e| malformed(&format!("not a PHC string: {e}")))?;
            if parsed.algorithm != Algorithm::Argon2id.ident() {
                return Err(malformed("the hash is not argon2id"));
            }
            if parsed.salt.is_none() || parsed.hash.is_none() {
                return Err(malformed("not a PHC string: salt or hash missing"));
            }
            argon2::Params::try_from(&parsed)
                .map_err(|e| malformed(&format!("bad argon2 parameters: {e}")))?;
            if hashes.insert(name.to_owned(), phc.to_owned()).is_some() {
                return Err(malformed(&format!("user {name:?} listed twice")));
            }
        }
        Ok(Users {
            hashes: Arc::new(hashes),
        })
    }

    /// The number of users.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when no user is defined.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Checks a password (slow by design: run it off the async threads, as
    /// [`Authenticator::verify_password`] does).
    pub fn verify_blocking(&self, username: &str, password: &str) -> bool {
        match self.hashes.get(username) {
            Some(phc) => verify_phc(phc, password),
            None => {
                // Spend the same time as for a known user, so response time
                // does not tell which names exist.
                let _ = verify_phc(dummy_hash(), password);
                false
            }
        }
    }
}

fn verify_phc(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of a random password, made once, for unknown users.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut password = [0u8; 16];
        let _ = getrandom_bytes(&mut password);
        hash_password(&String::from_utf8_lossy(&password))
    })
}

fn getrandom_bytes(out: &mut [u8]) -> Result<(), argon2::password_hash::rand_core::Error> {
    use argon2::password_hash::rand_core::RngCore;
    OsRng.try_fill_bytes(out)
}

/// An argon2id PHC string for `password`, with a fresh random salt and the
/// argon2 crate's default (OWASP-recommended) cost parameters.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    match Argon2::default().hash_password(password.as_bytes(), &salt) {
        Ok(hash) => hash.to_string(),
        // Only reachable with invalid parameters; the defaults are valid.
        Err(e) => unreachable!("argon2 with default parameters failed: {e}"),
    }
}

/// An [`Authenticator`] for PLAIN and LOGIN over a [`Users`] file.
#[derive(Debug, Clone)]
pub struct UsersAuthenticator {
    users: Users,
}

impl UsersAuthenticator {
    /// Authenticates against `users`. Makes the hash that unknown names are
    /// checked against now (one argon2 run), so that even the first unknown
    /// name takes as long as a known one.
    pub fn new(users: Users) -> Self {
        let _ = dummy_hash();
        UsersAuthenticator { users }
    }
}

impl Authenticator for UsersAuthenticator {
    fn mechanisms(&self) -> &[&'static str] {
        &["PLAIN", "LOGIN"]
    }

    async fn verify_password(
        &self,
        authzid: Option<&str>,
        username: &str,
        password: &str,
    ) -> Result<String, ()> {
        // No proxy authorization: a client may only act as itself.
        if authzid.is_some_and(|z| !z.is_empty() && z != username) {
            return Err(());
        }
        let users = self.users.clone();
        let (name, password) = (username.to_owned(), password.to_owned());
        let ok = tokio::task::spawn_blocking(move || users.verify_blocking(&name, &password))
            .await
            .unwrap_or(false);
        if ok { Ok(username.to_owned()) } else { Err(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Argon2id hashes with tiny costs: the default costs take seconds in
    /// debug builds, and verification reads the costs from the PHC string, so
    /// the code under test is the same.
    fn hash_of(password: &str) -> String {
        use argon2::{Params, Version};
        let params = Params::new(256, 1, 1, None).unwrap();
        let salt = SaltString::generate(&mut OsRng);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes(), &salt)
            .unwrap()
            .to_string()
    }

    #[test]
    fn hash_password_makes_default_cost_argon2id_with_fresh_salts() {
        let phc = hash_password("s3cret");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        let users = Users::parse(&format!("# comment\n\nalice:{phc}\n")).unwrap();
        assert_eq!(users.len(), 1);
        assert!(users.verify_blocking("alice", "s3cret"));
        assert_ne!(hash_of("s3cret"), phc, "salts must differ");
    }

    #[test]
    fn verify_right_wrong_and_unknown() {
        let users =
            Users::parse(&format!("alice:{}\nbob:{}\n", hash_of("a"), hash_of("b"))).unwrap();
        assert!(users.verify_blocking("alice", "a"));
        assert!(users.verify_blocking("bob", "b"));
        assert!(!users.verify_blocking("alice", "b"));
        assert!(!users.verify_blocking("Alice", "a"));
        assert!(!users.verify_blocking("carol", "a"));
    }

    #[test]
    fn malformed_lines_name_their_line() {
        let phc = hash_of("x");
        let cases = [
            ("alice\n", 1, "expected name:PHC"),
            (&*format!("# c\n\n:{phc}\n"), 3, "empty user name"),
            ("a:$argon2id$garbage\n", 1, "not a PHC string"),
            (&*format!("a:{phc}\na:{phc}\n"), 2, "listed twice"),
            (
                "a:$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA\n",
                1,
                "not argon2id",
            ),
        ];
        for (text, want_line, want) in cases {
            match Users::parse(text) {
                Err(UsersError::Malformed { line, reason }) => {
                    assert_eq!(line, want_line, "{text:?}");
                    assert!(reason.contains(want), "{reason} for {text:?}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn debug_does_not_show_hashes() {
        let users = Users::parse(&format!("alice:{}\n", hash_of("x"))).unwrap();
        let text = format!("{users:?}");
        assert!(text.contains("alice") && !text.contains("argon2"));
    }

    #[tokio::test]
    async fn authenticator_checks_identity_and_password() {
        let users = Users::parse(&format!("alice:{}\n", hash_of("pw"))).unwrap();
        let auth = UsersAuthenticator::new(users);
        assert_eq!(
            auth.verify_password(None, "alice", "pw").await,
            Ok("alice".into())
        );
        assert_eq!(
            auth.verify_password(Some("alice"), "alice", "pw").await,
            Ok("alice".into())
        );
        assert_eq!(
            auth.verify_password(Some("bob"), "alice", "pw").await,
            Err(())
        );
        assert_eq!(auth.verify_password(None, "alice", "no").await, Err(()));
        assert_eq!(auth.mechanisms(), &["PLAIN", "LOGIN"]);
    }
}
