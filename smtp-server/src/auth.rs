//! Pluggable authentication: the server runs the SASL exchanges (smtp-proto's
//! step machines) and asks an [`Authenticator`] to decide.

use std::future::Future;

use smtp_proto::sasl::scram::ScramCredentials;

/// Decides who may log in. Only the methods for the mechanisms the embedder wants
/// need to be implemented; the server offers a mechanism only when its method is
/// available (see [`Authenticator::mechanisms`]).
pub trait Authenticator: Send + Sync + 'static {
    /// The SASL mechanism names this authenticator can serve, strongest first,
    /// e.g. `&["SCRAM-SHA-256", "CRAM-MD5", "PLAIN", "LOGIN"]`.
    fn mechanisms(&self) -> &[&'static str] {
        &["PLAIN", "LOGIN"]
    }

    /// PLAIN and LOGIN: checks a password. `Ok(identity)` logs the client in as
    /// `identity`; `Err(())` fails (the server answers `535 5.7.8` and counts the failure).
    fn verify_password(
        &self,
        authzid: Option<&str>,
        username: &str,
        password: &str,
    ) -> impl Future<Output = Result<String, ()>> + Send;

    /// CRAM-MD5 needs the plaintext password (RFC 2195); `None` for an unknown user.
    fn cram_md5_password(&self, _username: &str) -> impl Future<Output = Option<String>> + Send {
        async { None }
    }

    /// SCRAM-SHA-256 needs the stored key material (RFC 5802); `None` for an unknown user.
    fn scram_sha256_credentials(
        &self,
        _username: &str,
    ) -> impl Future<Output = Option<ScramCredentials>> + Send {
        async { None }
    }
}

/// The authenticator of a server without AUTH: offers no mechanism and
/// accepts nobody. With it, relay control depends on the local domains only.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuthenticator;

impl Authenticator for NoAuthenticator {
    fn mechanisms(&self) -> &[&'static str] {
        &[]
    }

    async fn verify_password(
        &self,
        _authzid: Option<&str>,
        _username: &str,
        _password: &str,
    ) -> Result<String, ()> {
        Err(())
    }
}
