//! Credentials and the client side of SMTP AUTH (RFC 4954): choosing the
//! strongest mechanism both sides support and answering the server's
//! challenges with smtp-proto's SASL step machines.

use std::fmt;

use smtp_proto::EhloInfo;
pub use smtp_proto::sasl::Mechanism;
use smtp_proto::sasl::SecretBytes;
use smtp_proto::sasl::cram_md5::cram_md5_response;
use smtp_proto::sasl::login::LoginClient;
use smtp_proto::sasl::oauthbearer::oauthbearer_response;
use smtp_proto::sasl::plain::plain_response;
use smtp_proto::sasl::scram::{ScramClient, ScramClientFinal, ScramClientOutcome};
use smtp_proto::sasl::xoauth2::xoauth2_response;

use crate::error::Error;

/// What the client authenticates with. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    user: String,
    secret: String,
    kind: SecretKind,
}

/// Whether the secret is a password or an OAuth 2.0 bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretKind {
    Password,
    OAuthToken,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("kind", &self.kind)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// A user name and a password (or an app password): SCRAM-SHA-256,
    /// CRAM-MD5, PLAIN or LOGIN, the strongest the server offers.
    pub fn password(user: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            user: user.into(),
            secret: password.into(),
            kind: SecretKind::Password,
        }
    }

    /// A user name and an OAuth 2.0 access token: OAUTHBEARER or XOAUTH2.
    pub fn oauth_bearer(user: impl Into<String>, token: impl Into<String>) -> Self {
        Credentials {
            user: user.into(),
            secret: token.into(),
            kind: SecretKind::OAuthToken,
        }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// True for a token (OAUTHBEARER / XOAUTH2) rather than a password.
    pub fn is_token(&self) -> bool {
        self.kind == SecretKind::OAuthToken
    }
}

/// Picks the mechanism: the forced one if given (it must be offered and fit
/// the credentials), else the strongest offered one for these credentials.
pub(crate) fn choose_mechanism(
    credentials: &Credentials,
    forced: Option<&Mechanism<'static>>,
    capabilities: &EhloInfo<'_>,
) -> Result<Mechanism<'static>, Error> {
    let offered: Vec<Mechanism<'static>> = capabilities
        .auth_mechanisms()
        .filter_map(|name| Mechanism::from_name(name).ok().map(Mechanism::into_owned))
        .collect();
    let fits = |m: &Mechanism<'_>| match credentials.kind {
        SecretKind::Password => m.password_strength().is_some(),
        SecretKind::OAuthToken => m.token_strength().is_some(),
    };
    if let Some(forced) = forced {
        if !fits(forced) {
            return Err(Error::InvalidInput(format!(
                "AUTH mechanism {} does not fit these credentials",
                forced.as_str()
            )));
        }
        if !offered.contains(forced) {
            return Err(Error::Unsupported(format!("AUTH {}", forced.as_str())));
        }
        return Ok(forced.clone());
    }
    let best = match credentials.kind {
        SecretKind::Password => Mechanism::best_for_password(&offered),
        SecretKind::OAuthToken => Mechanism::best_for_token(&offered),
    };
    best.cloned().ok_or_else(|| {
        let wanted = match credentials.kind {
            SecretKind::Password => "SCRAM-SHA-256, CRAM-MD5, PLAIN or LOGIN",
            SecretKind::OAuthToken => "OAUTHBEARER or XOAUTH2",
        };
        Error::Unsupported(format!("AUTH {wanted}"))
    })
}

/// Where one SASL exchange is.
#[derive(Debug)]
enum Step {
    /// PLAIN, XOAUTH2, OAUTHBEARER: everything went in the initial response;
    /// a `334` now carries an error, answered as the mechanism requires.
    InitialSent { error_answer: &'static [u8] },
    /// LOGIN: answering the user name and password prompts.
    Login { answered: u8 },
    /// CRAM-MD5: waiting for the challenge.
    CramMd5,
    /// CRAM-MD5: answered; only `235` or an error may follow.
    CramMd5Answered,
    /// SCRAM-SHA-256: client-first sent.
    ScramFirst(ScramClient),
    /// SCRAM-SHA-256: client-final sent.
    ScramFinal(ScramClientFinal),
    /// SCRAM-SHA-256: server signature checked; only `235` may follow.
    ScramVerified,
}

/// The client side of one AUTH exchange.
#[derive(Debug)]
pub(crate) struct SaslClient {
    mechanism: Mechanism<'static>,
    credentials: Credentials,
    step: Step,
}

fn sasl_error(error: smtp_proto::ParseError) -> Error {
    Error::InvalidInput(format!("credentials: {error}"))
}

impl SaslClient {
    /// Starts an exchange: the client and its initial response, if the
    /// mechanism sends one. `nonce` is the SCRAM client nonce (random, unique).
    pub(crate) fn start(
        mechanism: Mechanism<'static>,
        credentials: &Credentials,
        host: &str,
        port: u16,
        nonce: &str,
    ) -> Result<(SaslClient, Option<SecretBytes>), Error> {
        let (user, secret) = (credentials.user.as_str(), credentials.secret.as_str());
        let (step, initial) = match &mechanism {
            Mechanism::Plain => (
                Step::InitialSent { error_answer: b"" },
                Some(plain_response(None, user, secret).map_err(sasl_error)?),
            ),
            Mechanism::XOAuth2 => (
                Step::InitialSent { error_answer: b"" },
                Some(xoauth2_response(user, secret).map_err(sasl_error)?),
            ),
            Mechanism::OAuthBearer => (
                Step::InitialSent {
                    error_answer: b"\x01",
                },
                Some(oauthbearer_response(Some(user), host, port, secret).map_err(sasl_error)?),
            ),
            Mechanism::Login => {
                LoginClient::new(user, secret).map_err(sasl_error)?;
                (Step::Login { answered: 0 }, None)
            }
            Mechanism::CramMd5 => (Step::CramMd5, None),
            Mechanism::ScramSha256 => {
                let client = ScramClient::new(user, secret, nonce).map_err(sasl_error)?;
                let first = SecretBytes::new(client.client_first_message().to_vec());
                (Step::ScramFirst(client), Some(first))
            }
            Mechanism::Other(name) => {
                return Err(Error::Unsupported(format!("AUTH {}", name.as_str())));
            }
        };
        Ok((
            SaslClient {
                mechanism,
                credentials: credentials.clone(),
                step,
            },
            initial,
        ))
    }

    /// The mechanism in use.
    pub(crate) fn mechanism(&self) -> &Mechanism<'static> {
        &self.mechanism
    }

    /// The answer to a decoded `334` challenge.
    pub(crate) fn respond(&mut self, challenge: &[u8]) -> Result<SecretBytes, Error> {
        let violation = |what: &str| Error::Protocol(format!("AUTH {what}"));
        let (user, secret) = (
            self.credentials.user.as_str(),
            self.credentials.secret.as_str(),
        );
        let step = std::mem::replace(&mut self.step, Step::ScramVerified);
        let (next, answer) = match step {
            Step::InitialSent { error_answer } => (
                Step::InitialSent { error_answer },
                SecretBytes::new(error_answer.to_vec()),
            ),
            Step::Login { answered } => {
                if answered >= 2 {
                    return Err(violation("LOGIN: a third prompt"));
                }
                // LoginClient borrows the credentials, so it is rebuilt per
                // prompt; `initial_response` marks the user name as answered.
                let mut client = LoginClient::new(user, secret).map_err(sasl_error)?;
                if answered == 1 {
                    let _ = client.initial_response();
                }
                let answer = client
                    .respond(challenge)
                    .map_err(|_| violation("LOGIN prompt"))?;
                (
                    Step::Login {
                        answered: answered + 1,
                    },
                    answer,
                )
            }
            Step::CramMd5 => (
                Step::CramMd5Answered,
                cram_md5_response(user, secret.as_bytes(), challenge).map_err(sasl_error)?,
            ),
            Step::CramMd5Answered => return Err(violation("CRAM-MD5: a second challenge")),
            Step::ScramFirst(client) => {
                let last = client
                    .handle_server_first(challenge)
                    .map_err(|e| violation(&format!("SCRAM server-first: {e}")))?;
                let answer = SecretBytes::new(last.client_final_message().to_vec());
                (Step::ScramFinal(last), answer)
            }
            Step::ScramFinal(last) => match last.handle_server_final(challenge) {
                Ok(ScramClientOutcome::Verified) => {
                    (Step::ScramVerified, SecretBytes::new(Vec::new()))
                }
                Ok(ScramClientOutcome::ServerError(reason)) => {
                    return Err(violation(&format!("SCRAM server error: {reason}")));
                }
                Err(e) => return Err(violation(&format!("SCRAM server-final: {e}"))),
            },
            Step::ScramVerified => return Err(violation("SCRAM: a challenge after success")),
        };
        self.step = next;
        Ok(answer)
    }

    /// Checks that a `235` may end the exchange here: SCRAM must have proven
    /// the server's identity first (mutual authentication).
    pub(crate) fn check_success(&self) -> Result<(), Error> {
        match self.step {
            Step::ScramFirst(_) | Step::ScramFinal(_) => Err(Error::Protocol(
                "AUTH SCRAM-SHA-256: success before the server proved its identity".into(),
            )),
            _ => Ok(()),
        }
    }
}
