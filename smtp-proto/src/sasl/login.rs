//! The LOGIN mechanism (draft-murchison-sasl-login-00): the server prompts for
//! the user name and then the password, and the client answers each in clear.
//!
//! Obsolete but still the only password mechanism of some servers and clients.
//! The prompts are `Username:` and `Password:` (`VXNlcm5hbWU6` and
//! `UGFzc3dvcmQ6` in base64); a client may give the user name as the AUTH
//! initial response and skip the first prompt.

use std::fmt;

use super::plain::MAX_FIELD_LEN;
use super::secret::{Redacted, SecretBytes};
use crate::error::ParseError;

/// The server's first prompt.
pub const USERNAME_CHALLENGE: &[u8] = b"Username:";
/// The server's second prompt.
pub const PASSWORD_CHALLENGE: &[u8] = b"Password:";

/// The user name and password a LOGIN exchange produced. `Debug` redacts the password.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginCredentials {
    username: String,
    password: String,
}

impl LoginCredentials {
    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password, to check against the user's.
    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for LoginCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginCredentials")
            .field("username", &self.username)
            .field("password", &Redacted)
            .finish()
    }
}

/// What the server does after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginStep {
    /// Send this challenge (base64 in a `334` reply) and wait for the answer.
    Challenge(&'static [u8]),
    /// Both answers are in: check them.
    Done(LoginCredentials),
}

#[derive(Clone, PartialEq, Eq)]
enum ServerState {
    AwaitUsername,
    AwaitPassword(String),
    Finished,
}

/// The server side of LOGIN.
///
/// Call [`LoginServer::start`] with the AUTH initial response, if any, then
/// [`LoginServer::handle_response`] with each decoded client response until it
/// returns [`LoginStep::Done`].
#[derive(Clone)]
pub struct LoginServer {
    state: ServerState,
}

impl fmt::Debug for LoginServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            ServerState::AwaitUsername => "AwaitUsername",
            ServerState::AwaitPassword(_) => "AwaitPassword",
            ServerState::Finished => "Finished",
        };
        f.debug_struct("LoginServer")
            .field("state", &state)
            .finish()
    }
}

impl Default for LoginServer {
    fn default() -> Self {
        LoginServer {
            state: ServerState::AwaitUsername,
        }
    }
}

/// A user name or password: non-empty UTF-8 without NUL, at most [`MAX_FIELD_LEN`] octets.
fn login_field(field: &[u8], what: &'static str) -> Result<String, ParseError> {
    if field.len() > MAX_FIELD_LEN {
        return Err(ParseError::TooLong(what));
    }
    if field.is_empty() || field.contains(&0) {
        return Err(ParseError::InvalidArguments(what));
    }
    match std::str::from_utf8(field) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => Err(ParseError::InvalidArguments(what)),
    }
}

impl LoginServer {
    /// A server waiting for the user name.
    pub fn new() -> Self {
        LoginServer::default()
    }

    /// First step, with the decoded AUTH initial response (the user name) if
    /// the client gave one.
    pub fn start(&mut self, initial_response: Option<&[u8]>) -> Result<LoginStep, ParseError> {
        if self.state != ServerState::AwaitUsername {
            return Err(ParseError::InvalidArguments(
                "LOGIN exchange already started",
            ));
        }
        match initial_response {
            None => Ok(LoginStep::Challenge(USERNAME_CHALLENGE)),
            Some(username) => self.handle_response(username),
        }
    }

    /// Takes the decoded answer to the last challenge.
    pub fn handle_response(&mut self, response: &[u8]) -> Result<LoginStep, ParseError> {
        match std::mem::replace(&mut self.state, ServerState::Finished) {
            ServerState::AwaitUsername => {
                let username = login_field(response, "LOGIN username")?;
                self.state = ServerState::AwaitPassword(username);
                Ok(LoginStep::Challenge(PASSWORD_CHALLENGE))
            }
            ServerState::AwaitPassword(username) => {
                let password = login_field(response, "LOGIN password")?;
                Ok(LoginStep::Done(LoginCredentials { username, password }))
            }
            ServerState::Finished => Err(ParseError::InvalidArguments(
                "LOGIN exchange already finished",
            )),
        }
    }
}

/// The client side of LOGIN: answers each prompt with the user name or the
/// password. `Debug` redacts the password.
#[derive(Clone)]
pub struct LoginClient<'a> {
    username: &'a str,
    password: &'a str,
    answered: u8,
}

impl fmt::Debug for LoginClient<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginClient")
            .field("username", &self.username)
            .field("password", &Redacted)
            .field("answered", &self.answered)
            .finish()
    }
}

impl<'a> LoginClient<'a> {
    /// Checks the credentials as the server will: non-empty, no NUL, at most
    /// 255 octets each.
    pub fn new(username: &'a str, password: &'a str) -> Result<Self, ParseError> {
        login_field(username.as_bytes(), "LOGIN username")?;
        login_field(password.as_bytes(), "LOGIN password")?;
        Ok(LoginClient {
            username,
            password,
            answered: 0,
        })
    }

    /// The user name, to send as the AUTH initial response and skip the first
    /// prompt. Counts as the first answer.
    pub fn initial_response(&mut self) -> SecretBytes {
        self.answered = self.answered.max(1);
        SecretBytes::new(self.username.as_bytes().to_vec())
    }

    /// The answer to a decoded `334` challenge. A prompt starting with `user`
    /// gets the user name and one starting with `pass` the password (case
    /// ignored); other prompts are answered in order. A third prompt is an error.
    pub fn respond(&mut self, challenge: &[u8]) -> Result<SecretBytes, ParseError> {
        let starts = |prefix: &[u8]| {
            challenge.len() >= prefix.len()
                && challenge[..prefix.len()].eq_ignore_ascii_case(prefix)
        };
        if self.answered >= 2 {
            return Err(ParseError::InvalidReply("unexpected LOGIN challenge"));
        }
        let wants_password = if starts(b"user") {
            false
        } else if starts(b"pass") {
            true
        } else {
            self.answered == 1
        };
        self.answered += 1;
        let answer = if wants_password {
            self.password
        } else {
            self.username
        };
        Ok(SecretBytes::new(answer.as_bytes().to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::{decode_challenge, encode_challenge};
    use proptest::prelude::*;

    fn run(
        client: &mut LoginClient<'_>,
        use_initial: bool,
    ) -> Result<LoginCredentials, ParseError> {
        let mut server = LoginServer::new();
        let initial = use_initial.then(|| client.initial_response());
        let mut step = server.start(initial.as_ref().map(|s| s.expose()))?;
        loop {
            match step {
                LoginStep::Challenge(c) => {
                    let mut text = Vec::new();
                    encode_challenge(c, &mut text);
                    let answer = client.respond(&decode_challenge(&text)?)?;
                    step = server.handle_response(answer.expose())?;
                }
                LoginStep::Done(creds) => return Ok(creds),
            }
        }
    }

    #[test]
    fn prompts_are_the_usual_base64() {
        let mut out = Vec::new();
        encode_challenge(USERNAME_CHALLENGE, &mut out);
        assert_eq!(out, b"VXNlcm5hbWU6");
        out.clear();
        encode_challenge(PASSWORD_CHALLENGE, &mut out);
        assert_eq!(out, b"UGFzc3dvcmQ6");
    }

    #[test]
    fn server_steps() {
        let mut server = LoginServer::new();
        assert_eq!(server.start(None), Ok(LoginStep::Challenge(b"Username:")));
        assert_eq!(
            server.handle_response(b"tim"),
            Ok(LoginStep::Challenge(b"Password:"))
        );
        let Ok(LoginStep::Done(creds)) = server.handle_response(b"tanstaaf") else {
            panic!("not done")
        };
        assert_eq!((creds.username(), creds.password()), ("tim", "tanstaaf"));
        assert!(server.handle_response(b"more").is_err());

        let mut server = LoginServer::new();
        assert_eq!(
            server.start(Some(b"tim")),
            Ok(LoginStep::Challenge(b"Password:"))
        );
        assert!(server.start(None).is_err());

        let mut server = LoginServer::new();
        assert_eq!(
            server.start(Some(b"")),
            Err(ParseError::InvalidArguments("LOGIN username"))
        );
        let mut server = LoginServer::new();
        server.start(None).unwrap();
        server.handle_response(b"tim").unwrap();
        assert_eq!(
            server.handle_response(b"\xff"),
            Err(ParseError::InvalidArguments("LOGIN password"))
        );
    }

    #[test]
    fn client_server_round_trips() {
        for initial in [false, true] {
            let mut client = LoginClient::new("tim", "tanstaaf").unwrap();
            let creds = run(&mut client, initial).unwrap();
            assert_eq!((creds.username(), creds.password()), ("tim", "tanstaaf"));
            // The server compares; a wrong password is simply a different value.
            let mut client = LoginClient::new("tim", "wrong").unwrap();
            let creds = run(&mut client, initial).unwrap();
            assert_ne!(creds.password(), "tanstaaf");
        }
    }

    #[test]
    fn client_answers_by_prompt_then_by_order() {
        let mut client = LoginClient::new("u", "p").unwrap();
        assert_eq!(client.respond(b"password:").unwrap().expose(), b"p");
        assert_eq!(client.respond(b"USERNAME:").unwrap().expose(), b"u");
        assert!(client.respond(b"Password:").is_err());
        let mut client = LoginClient::new("u", "p").unwrap();
        assert_eq!(client.respond(b"").unwrap().expose(), b"u");
        assert_eq!(client.respond(b"?").unwrap().expose(), b"p");
        assert!(LoginClient::new("", "p").is_err());
        assert!(LoginClient::new("u", "").is_err());
    }

    #[test]
    fn debug_redacts_the_password() {
        let client = LoginClient::new("tim", "tanstaaf").unwrap();
        assert!(!format!("{client:?}").contains("tanstaaf"));
        let mut server = LoginServer::new();
        server.start(Some(b"tim")).unwrap();
        let step = server.handle_response(b"tanstaaf").unwrap();
        assert!(!format!("{step:?}").contains("tanstaaf"));
        assert!(format!("{step:?}").contains("tim"));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            a in proptest::collection::vec(any::<u8>(), 0..300),
            b in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut server = LoginServer::new();
            let _ = server.start(Some(&a));
            let _ = server.handle_response(&b);
            let _ = server.handle_response(&a);
            let mut client = LoginClient::new("u", "p").unwrap();
            let _ = client.respond(&a);
        }

        #[test]
        fn round_trip(user in "[^\0]{1,40}", pass in "[^\0]{1,40}") {
            let mut client = LoginClient::new(&user, &pass).unwrap();
            let creds = run(&mut client, false).unwrap();
            prop_assert_eq!(creds.username(), user.as_str());
            prop_assert_eq!(creds.password(), pass.as_str());
        }
    }
}
