//! AUTH (RFC 4954): runs smtp-proto's SASL step machines and asks the driver
//! (the authenticator) for decisions.

use rand::Rng;
use smtp_proto::framing::{AUTH_LINE_MAX, Frame};
use smtp_proto::sasl::cram_md5::{CramMd5Challenge, CramMd5Response};
use smtp_proto::sasl::login::{LoginServer, LoginStep};
use smtp_proto::sasl::plain::PlainCredentials;
use smtp_proto::sasl::scram::{
    ScramCredentials, ScramServer, ScramServerAwaitingFinal, ScramServerNeedsCredentials,
    ScramServerOutcome,
};
use smtp_proto::sasl::{ClientResponse, decode_client_response, encode_challenge};
use smtp_proto::types::command::InitialResponse;
use smtp_proto::{Reply, ReplyCode};

use super::replies;
use super::{AuthRequest, Connection, Event, Pending, Phase};

/// A SASL exchange waiting for the client's next line.
#[derive(Debug)]
pub(super) enum Exchange {
    /// PLAIN after an empty `334`.
    Plain,
    /// LOGIN, asking for the user name or the password.
    Login(LoginServer),
    /// CRAM-MD5 after its challenge.
    CramMd5(CramMd5Challenge<'static>),
    /// SCRAM-SHA-256 waiting for the client-first message.
    ScramFirst,
    /// SCRAM-SHA-256 waiting for the client-final message.
    ScramFinal(Box<ScramServerAwaitingFinal>),
    /// SCRAM-SHA-256 done; waiting for the client's empty answer to `v=`.
    ScramVerified(String),
}

/// A SASL exchange waiting for the authenticator.
#[derive(Debug)]
pub(super) enum Lookup {
    Password,
    CramMd5 {
        challenge: CramMd5Challenge<'static>,
        response: CramMd5Response<'static>,
    },
    Scram(Box<ScramServerNeedsCredentials>),
}

/// Random printable text for challenges and nonces.
fn random_token() -> String {
    let bytes: [u8; 18] = rand::thread_rng().r#gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Connection {
    pub(super) fn auth(&mut self, mechanism: &str, initial: Option<&InitialResponse<'_>>) {
        if !self.greeted || !self.info.esmtp {
            return self.error(&super::replies::NEED_HELO);
        }
        if self.offer.auth_mechanisms.is_empty() {
            return self.error(&replies::AUTH_NOT_AVAILABLE);
        }
        if self.info.authenticated_as.is_some() {
            return self.error(&replies::ALREADY_AUTHENTICATED);
        }
        if self.txn.mail {
            return self.error(&replies::AUTH_IN_TRANSACTION);
        }
        if !self.auth_allowed_here() {
            return self.error(&Reply::ENCRYPTION_REQUIRED);
        }
        let Some(&mechanism) = self
            .offer
            .auth_mechanisms
            .iter()
            .find(|offered| offered.eq_ignore_ascii_case(mechanism))
        else {
            return self.error(&replies::UNKNOWN_MECHANISM);
        };
        let initial = match initial.map(InitialResponse::decode) {
            None => None,
            Some(Ok(bytes)) => Some(bytes),
            Some(Err(_)) => return self.error(&replies::AUTH_MALFORMED),
        };
        match (mechanism, initial) {
            ("PLAIN", None) => self.challenge(b"", Exchange::Plain),
            ("PLAIN", Some(message)) => self.plain(&message),
            ("LOGIN", initial) => {
                let mut server = LoginServer::new();
                let step = server.start(initial.as_deref());
                self.login_step(server, step);
            }
            ("CRAM-MD5", None) => {
                let host = self.hostname().to_owned();
                match CramMd5Challenge::build(&random_token(), &host) {
                    Ok(challenge) => {
                        let text = challenge.as_bytes().to_vec();
                        self.challenge(&text, Exchange::CramMd5(challenge));
                    }
                    Err(_) => self.reply(&Reply::LOCAL_ERROR),
                }
            }
            ("CRAM-MD5", Some(_)) => self.error(&replies::AUTH_MALFORMED),
            ("SCRAM-SHA-256", None) => self.challenge(b"", Exchange::ScramFirst),
            ("SCRAM-SHA-256", Some(first)) => self.scram_first(&first),
            _ => self.error(&replies::UNKNOWN_MECHANISM),
        }
    }

    /// Reads one SASL continuation line; false when more input is needed.
    pub(super) fn process_auth_line(&mut self) -> bool {
        self.framer.set_limit(AUTH_LINE_MAX);
        match self
            .framer
            .next_line(self.input.get(self.pos..).unwrap_or_default())
        {
            Frame::NeedMore => false,
            Frame::Discard { skip } => {
                self.pos += skip;
                true
            }
            Frame::TooLong { skip } => {
                self.pos += skip;
                self.phase = Phase::Command;
                self.error(&Reply::LINE_TOO_LONG);
                true
            }
            Frame::Line { line_len, consumed } => {
                let response = decode_client_response(
                    self.input
                        .get(self.pos..self.pos + line_len)
                        .unwrap_or_default(),
                );
                self.pos += consumed;
                let Phase::Auth(exchange) = std::mem::replace(&mut self.phase, Phase::Command)
                else {
                    return true;
                };
                match response {
                    Ok(ClientResponse::Cancelled) => self.error(&replies::AUTH_CANCELLED),
                    Ok(ClientResponse::Data(data)) => self.auth_response(exchange, data.expose()),
                    Err(_) => self.error(&replies::AUTH_MALFORMED),
                }
                true
            }
        }
    }

    fn auth_response(&mut self, exchange: Exchange, data: &[u8]) {
        match exchange {
            Exchange::Plain => self.plain(data),
            Exchange::Login(mut server) => {
                let step = server.handle_response(data);
                self.login_step(server, step);
            }
            Exchange::CramMd5(challenge) => match CramMd5Response::parse(data) {
                Ok(response) => {
                    let username = response.username().to_owned();
                    self.lookup(
                        Lookup::CramMd5 {
                            challenge,
                            response: response.into_owned(),
                        },
                        AuthRequest::CramMd5Password { username },
                    );
                }
                Err(_) => self.error(&replies::AUTH_MALFORMED),
            },
            Exchange::ScramFirst => self.scram_first(data),
            Exchange::ScramFinal(server) => match server.handle_client_final(data) {
                Ok(ScramServerOutcome::Authenticated {
                    username,
                    server_final,
                    ..
                }) => self.challenge(&server_final, Exchange::ScramVerified(username)),
                Ok(ScramServerOutcome::InvalidProof { .. }) => self.auth_failed(),
                Err(_) => self.error(&replies::AUTH_MALFORMED),
            },
            Exchange::ScramVerified(identity) => {
                if data.is_empty() {
                    self.authenticated(identity);
                } else {
                    self.error(&replies::AUTH_MALFORMED);
                }
            }
        }
    }

    fn plain(&mut self, message: &[u8]) {
        match PlainCredentials::parse(message) {
            Ok(credentials) => {
                let request = AuthRequest::Password {
                    authzid: credentials.authzid().map(str::to_owned),
                    username: credentials.authcid().to_owned(),
                    password: credentials.password().to_owned(),
                };
                self.lookup(Lookup::Password, request);
            }
            Err(_) => self.error(&replies::AUTH_MALFORMED),
        }
    }

    fn login_step(&mut self, server: LoginServer, step: Result<LoginStep, smtp_proto::ParseError>) {
        match step {
            Ok(LoginStep::Challenge(prompt)) => self.challenge(prompt, Exchange::Login(server)),
            Ok(LoginStep::Done(credentials)) => {
                let request = AuthRequest::Password {
                    authzid: None,
                    username: credentials.username().to_owned(),
                    password: credentials.password().to_owned(),
                };
                self.lookup(Lookup::Password, request);
            }
            Err(_) => self.error(&replies::AUTH_MALFORMED),
        }
    }

    fn scram_first(&mut self, client_first: &[u8]) {
        match ScramServer::handle_client_first(client_first) {
            Ok(server) => {
                let username = server.username().to_owned();
                self.lookup(
                    Lookup::Scram(Box::new(server)),
                    AuthRequest::ScramCredentials { username },
                );
            }
            Err(_) => self.error(&replies::AUTH_MALFORMED),
        }
    }

    /// Sends a `334` challenge and waits for the client's line.
    fn challenge(&mut self, challenge: &[u8], exchange: Exchange) {
        if challenge.is_empty() {
            // RFC 4954 `continue-req = "334" SP [base64] CRLF`: the space stays,
            // which the generic reply encoder drops for an empty text.
            self.output.extend_from_slice(b"334 \r\n");
            self.phase = Phase::Auth(exchange);
            return;
        }
        let mut text = Vec::new();
        encode_challenge(challenge, &mut text);
        let reply = Reply::new(
            ReplyCode::AUTH_CONTINUE,
            None,
            [String::from_utf8_lossy(&text)],
        );
        match reply {
            Ok(reply) => {
                self.reply(&reply);
                self.phase = Phase::Auth(exchange);
            }
            Err(_) => self.reply(&Reply::LOCAL_ERROR),
        }
    }

    fn lookup(&mut self, lookup: Lookup, request: AuthRequest) {
        self.phase = Phase::Awaiting(Pending::Auth(lookup));
        self.events.push_back(Event::AuthRequested(request));
    }

    fn take_lookup(&mut self) -> Option<Lookup> {
        if !matches!(self.phase, Phase::Awaiting(Pending::Auth(_))) {
            return None;
        }
        match std::mem::replace(&mut self.phase, Phase::Command) {
            Phase::Awaiting(Pending::Auth(lookup)) => Some(lookup),
            _ => None,
        }
    }

    /// The authenticator's answer to [`AuthRequest::Password`]: the identity, or `Err` for bad credentials.
    pub fn handle_password_verdict(&mut self, verdict: Result<String, ()>) {
        if !matches!(self.take_lookup(), Some(Lookup::Password)) {
            return;
        }
        match verdict {
            Ok(identity) => self.authenticated(identity),
            Err(()) => self.auth_failed(),
        }
        self.process();
    }

    /// The authenticator's answer to [`AuthRequest::CramMd5Password`]: `None` for an unknown user.
    pub fn handle_cram_md5_password(&mut self, password: Option<String>) {
        let Some(Lookup::CramMd5 {
            challenge,
            response,
        }) = self.take_lookup()
        else {
            return;
        };
        match password {
            Some(password) if response.verify(&challenge, password.as_bytes()) => {
                self.authenticated(response.username().to_owned());
            }
            _ => self.auth_failed(),
        }
        self.process();
    }

    /// The authenticator's answer to [`AuthRequest::ScramCredentials`]: `None` for an unknown user.
    pub fn handle_scram_credentials(&mut self, credentials: Option<ScramCredentials>) {
        let Some(Lookup::Scram(server)) = self.take_lookup() else {
            return;
        };
        // An unknown user gets made-up keys, so the exchange fails at the proof
        // and does not reveal which users exist.
        let credentials = credentials.or_else(|| {
            let salt: [u8; 16] = rand::thread_rng().r#gen();
            ScramCredentials::derive(
                &random_token(),
                &salt,
                smtp_proto::sasl::scram::MIN_ITERATIONS,
            )
            .ok()
        });
        let next = credentials.and_then(|c| server.server_first(c, &random_token()).ok());
        match next {
            Some(server) => {
                let first = server.server_first_message().to_vec();
                self.challenge(&first, Exchange::ScramFinal(Box::new(server)));
            }
            None => self.reply(&Reply::LOCAL_ERROR),
        }
        self.process();
    }

    fn authenticated(&mut self, identity: String) {
        self.info.authenticated_as = Some(identity.clone());
        self.reply(&Reply::AUTH_SUCCEEDED);
        self.events.push_back(Event::Authenticated { identity });
    }

    /// `535 5.7.8`; too many failures end the connection with `421 4.7.0`.
    fn auth_failed(&mut self) {
        self.reply(&Reply::AUTH_INVALID);
        self.auth_failures = self.auth_failures.saturating_add(1);
        if self.auth_failures >= self.config.max_auth_failures {
            self.reply(&replies::TOO_MANY_AUTH_FAILURES);
            self.close();
        }
    }
}
