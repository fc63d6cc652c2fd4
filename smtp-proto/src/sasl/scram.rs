//! The SCRAM-SHA-256 mechanism (RFC 5802, RFC 7677): salted challenge-response
//! with mutual authentication. Neither the password nor anything replayable
//! crosses the wire, and the server stores only [`ScramCredentials`].
//!
//! Both sides are type-state machines: each step consumes the previous state,
//! so steps cannot be taken out of order.
//!
//! Client: [`ScramClient::new`] → [`ScramClient::client_first_message`] →
//! [`ScramClient::handle_server_first`] → [`ScramClientFinal::client_final_message`]
//! → [`ScramClientFinal::handle_server_final`] (then an empty response to the
//! `334` carrying the server-final message, RFC 4954 §4).
//!
//! Server: [`ScramServer::handle_client_first`] → look the user up →
//! [`ScramServerNeedsCredentials::server_first`] →
//! [`ScramServerAwaitingFinal::handle_client_final`] → send the server-final
//! message in a `334`, wait for the empty response, then `235` or `535`.
//!
//! Channel binding (`-PLUS`) is not offered: a client-first message with
//! `p=` is refused, `n` and `y` are accepted.

use std::borrow::Cow;
use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::saslprep::saslprep;
use super::secret::{Redacted, SecretBytes, constant_time_eq};
use super::transport::{base64, to_base64};
use crate::error::ParseError;

type HmacSha256 = Hmac<Sha256>;

/// Fewest PBKDF2 iterations accepted from a server or for stored
/// credentials (RFC 7677 §4: at least 4096).
pub const MIN_ITERATIONS: u32 = 4096;
/// Most PBKDF2 iterations accepted: more would let a hostile server make the
/// client burn seconds of CPU per attempt.
pub const MAX_ITERATIONS: u32 = 1_000_000;
/// Fewest characters in a nonce the caller supplies: encode at least 18
/// random bytes (e.g. 24 base64 characters without `,`); 16 is the floor.
pub const MIN_NONCE_LEN: usize = 16;
/// Longest salt accepted, in octets.
pub const MAX_SALT_LEN: usize = 256;
/// Longest SCRAM message accepted, in octets.
pub const MAX_MESSAGE_LEN: usize = 4096;
/// Longest user name, in octets before escaping.
pub const MAX_USERNAME_LEN: usize = 255;

/// The GS2 header of a client without channel binding, and its base64 form
/// that the client-final message repeats in `c=` (RFC 5802 §7).
const GS2_HEADER_NO_CB: &str = "n,,";

type Key = [u8; 32];

fn hmac(key: &[u8], parts: &[&[u8]]) -> Key {
    // HMAC takes keys of any length; the fallback keeps this panic-free.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default()));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn sha256(data: &[u8]) -> Key {
    Sha256::digest(data).into()
}

fn xor(a: &Key, b: &Key) -> Key {
    let mut out = [0u8; 32];
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
    out
}

/// `Hi(str, salt, i)` = PBKDF2-HMAC-SHA-256 with a 32-octet output (RFC 5802 §2.2).
fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> Key {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
    out
}

/// What a server stores for a user instead of the password (RFC 5802 §3).
/// `Debug` shows the salt and count, never the keys.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramCredentials {
    salt: Vec<u8>,
    iterations: u32,
    stored_key: Key,
    server_key: Key,
}

fn check_salt_and_iterations(salt: &[u8], iterations: u32) -> Result<(), ParseError> {
    if salt.is_empty() || salt.len() > MAX_SALT_LEN {
        return Err(ParseError::InvalidArguments("SCRAM salt length"));
    }
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        return Err(ParseError::InvalidArguments("SCRAM iteration count"));
    }
    Ok(())
}

impl ScramCredentials {
    /// Derives the stored credentials from a password (SASLprep'd, see
    /// [`saslprep`]). The caller supplies `salt`: at least 16 random octets,
    /// new for each password.
    pub fn derive(password: &str, salt: &[u8], iterations: u32) -> Result<Self, ParseError> {
        check_salt_and_iterations(salt, iterations)?;
        let password = saslprep(password)?;
        let salted = salted_password(password.as_bytes(), salt, iterations);
        let client_key = hmac(&salted, &[b"Client Key"]);
        Ok(ScramCredentials {
            salt: salt.to_vec(),
            iterations,
            stored_key: sha256(&client_key),
            server_key: hmac(&salted, &[b"Server Key"]),
        })
    }

    /// Rebuilds credentials loaded from storage.
    pub fn new(
        salt: Vec<u8>,
        iterations: u32,
        stored_key: [u8; 32],
        server_key: [u8; 32],
    ) -> Result<Self, ParseError> {
        check_salt_and_iterations(&salt, iterations)?;
        Ok(ScramCredentials {
            salt,
            iterations,
            stored_key,
            server_key,
        })
    }

    /// The salt.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// The PBKDF2 iteration count.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// `StoredKey = H(ClientKey)`.
    pub fn stored_key(&self) -> &[u8; 32] {
        &self.stored_key
    }

    /// `ServerKey = HMAC(SaltedPassword, "Server Key")`.
    pub fn server_key(&self) -> &[u8; 32] {
        &self.server_key
    }
}

impl fmt::Debug for ScramCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramCredentials")
            .field("salt", &to_base64(&self.salt))
            .field("iterations", &self.iterations)
            .field("stored_key", &Redacted)
            .field("server_key", &Redacted)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Grammar (RFC 5802 §7). SCRAM attributes never contain ",", so each rule
// works on comma-separated fields. `bad` is InvalidArguments for what a
// client sent and InvalidReply for what a server sent.
// ---------------------------------------------------------------------------

type Bad = fn(&'static str) -> ParseError;

/// A whole message: UTF-8 (`value-char` is `UTF8-char` except NUL and ","),
/// no NUL, bounded.
fn message_text(message: &[u8], bad: Bad) -> Result<&str, ParseError> {
    if message.len() > MAX_MESSAGE_LEN {
        return Err(ParseError::TooLong("SCRAM message"));
    }
    if message.contains(&0) {
        return Err(bad("NUL in SCRAM message"));
    }
    std::str::from_utf8(message).map_err(|_| bad("SCRAM message is not UTF-8"))
}

/// `attr "=" value`: the value of the field when its attribute is `attr`.
fn attribute<'a>(
    field: Option<&'a str>,
    attr: &str,
    what: &'static str,
    bad: Bad,
) -> Result<&'a str, ParseError> {
    field
        .and_then(|f| f.strip_prefix(attr))
        .and_then(|f| f.strip_prefix('='))
        .ok_or(bad(what))
}

/// `saslname = 1*(value-safe-char / "=2C" / "=3D")` (RFC 5802 §7), unescaped.
pub(crate) fn saslname(value: &str, bad: Bad) -> Result<Cow<'_, str>, ParseError> {
    if value.is_empty() {
        return Err(bad("empty SCRAM name"));
    }
    if !value.contains('=') {
        return Ok(Cow::Borrowed(value));
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('=') {
        let (before, escape) = rest.split_at(at);
        out.push_str(before);
        if escape.starts_with("=2C") {
            out.push(',');
        } else if escape.starts_with("=3D") {
            out.push('=');
        } else {
            return Err(bad("bad escape in SCRAM name"));
        }
        rest = escape.get(3..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// The `saslname` form of a name: `,` → `=2C`, `=` → `=3D`.
pub(crate) fn escape_saslname(name: &str) -> Cow<'_, str> {
    if !name.contains([',', '=']) {
        return Cow::Borrowed(name);
    }
    Cow::Owned(name.replace('=', "=3D").replace(',', "=2C"))
}

/// `printable = %x21-2B / %x2D-7E` (RFC 5802 §7), one or more.
fn printable(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b',')
}

/// `posit-number = %x31-39 *DIGIT` (RFC 5802 §7); `None` on overflow.
fn posit_number(value: &str) -> Option<u32> {
    let bytes = value.as_bytes();
    match bytes.first() {
        Some(b'1'..=b'9') if bytes.iter().all(u8::is_ascii_digit) => value.parse().ok(),
        _ => None,
    }
}

/// `extensions = attr-val *("," attr-val)`, `attr-val = ALPHA "=" value`
/// (RFC 5802 §7). Unknown optional extensions are ignored.
fn extensions<'a>(fields: impl Iterator<Item = &'a str>, bad: Bad) -> Result<(), ParseError> {
    for field in fields {
        let b = field.as_bytes();
        let well_formed = b.len() >= 3
            && b.first().is_some_and(u8::is_ascii_alphabetic)
            && b.get(1) == Some(&b'=');
        if !well_formed {
            return Err(bad("malformed SCRAM attribute"));
        }
    }
    Ok(())
}

/// Refuses `reserved-mext = "m=" 1*(value-char)`: a mandatory extension this
/// side does not know means the exchange must fail (RFC 5802 §5.1).
fn no_mandatory_extension(field: Option<&str>, bad: Bad) -> Result<(), ParseError> {
    if field.is_some_and(|f| f.starts_with("m=")) {
        return Err(bad("unsupported SCRAM mandatory extension"));
    }
    Ok(())
}

/// The parts of a client-first message a server needs.
struct ClientFirst<'a> {
    gs2_header: &'a str,
    authzid: Option<Cow<'a, str>>,
    username: Cow<'a, str>,
    nonce: &'a str,
    bare: &'a str,
}

/// `client-first-message = gs2-header client-first-message-bare`,
/// `gs2-header = gs2-cbind-flag "," [ authzid ] ","`,
/// `gs2-cbind-flag = ("p=" cb-name) / "n" / "y"`, `authzid = "a=" saslname`,
/// `client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]`
/// (RFC 5802 §7).
fn client_first_message(message: &str) -> Result<ClientFirst<'_>, ParseError> {
    let bad: Bad = ParseError::InvalidArguments;
    let mut parts = message.splitn(3, ',');
    let (Some(flag), Some(authzid), Some(bare)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("SCRAM client-first message lacks a GS2 header"));
    };
    let gs2_header = message
        .get(..flag.len() + authzid.len() + 2)
        .ok_or(bad("SCRAM client-first message lacks a GS2 header"))?;
    let authzid = if authzid.is_empty() {
        None
    } else {
        Some(saslname(
            attribute(Some(authzid), "a", "bad SCRAM authzid", bad)?,
            bad,
        )?)
    };
    match flag {
        "n" | "y" => {}
        f if f.starts_with("p=") => return Err(bad("SCRAM channel binding not supported")),
        _ => return Err(bad("bad SCRAM GS2 channel binding flag")),
    }
    let mut fields = bare.split(',');
    let mut first = fields.next();
    no_mandatory_extension(first, bad)?;
    let username = saslname(
        attribute(first.take(), "n", "SCRAM username expected", bad)?,
        bad,
    )?;
    if username.len() > MAX_USERNAME_LEN {
        return Err(ParseError::TooLong("SCRAM username"));
    }
    let nonce = attribute(fields.next(), "r", "SCRAM nonce expected", bad)?;
    if !printable(nonce) {
        return Err(bad("bad SCRAM nonce"));
    }
    extensions(fields, bad)?;
    Ok(ClientFirst {
        gs2_header,
        authzid,
        username,
        nonce,
        bare,
    })
}

/// The parts of a server-first message a client needs.
struct ServerFirst<'a> {
    nonce: &'a str,
    salt: Vec<u8>,
    iterations: u32,
}

/// `server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]`,
/// `nonce = "r=" c-nonce [s-nonce]`, `salt = "s=" base64`,
/// `iteration-count = "i=" posit-number` (RFC 5802 §7).
fn server_first_message<'a>(
    message: &'a str,
    client_nonce: &str,
) -> Result<ServerFirst<'a>, ParseError> {
    let bad: Bad = ParseError::InvalidReply;
    let mut fields = message.split(',');
    let mut first = fields.next();
    no_mandatory_extension(first, bad)?;
    let nonce = attribute(first.take(), "r", "SCRAM nonce expected", bad)?;
    if !printable(nonce) {
        return Err(bad("bad SCRAM nonce"));
    }
    if nonce.len() <= client_nonce.len() || !nonce.starts_with(client_nonce) {
        return Err(bad("SCRAM server nonce does not extend the client nonce"));
    }
    let salt = base64(attribute(fields.next(), "s", "SCRAM salt expected", bad)?.as_bytes())?;
    if salt.is_empty() || salt.len() > MAX_SALT_LEN {
        return Err(bad("SCRAM salt length"));
    }
    let iterations = attribute(fields.next(), "i", "SCRAM iteration count expected", bad)?;
    let iterations = posit_number(iterations)
        .filter(|i| (MIN_ITERATIONS..=MAX_ITERATIONS).contains(i))
        .ok_or(bad("SCRAM iteration count out of range"))?;
    extensions(fields, bad)?;
    Ok(ServerFirst {
        nonce,
        salt,
        iterations,
    })
}

/// The parts of a client-final message a server needs.
struct ClientFinal<'a> {
    channel_binding: Vec<u8>,
    nonce: &'a str,
    without_proof: &'a str,
    proof: Key,
}

/// `client-final-message = client-final-message-without-proof "," proof`,
/// `client-final-message-without-proof = channel-binding "," nonce ["," extensions]`,
/// `channel-binding = "c=" base64`, `proof = "p=" base64` (RFC 5802 §7).
fn client_final_message(message: &str) -> Result<ClientFinal<'_>, ParseError> {
    let bad: Bad = ParseError::InvalidArguments;
    let (without_proof, proof) = message
        .rsplit_once(',')
        .ok_or(bad("SCRAM proof expected"))?;
    let proof = base64(attribute(Some(proof), "p", "SCRAM proof expected", bad)?.as_bytes())?;
    let proof: Key = proof
        .as_slice()
        .try_into()
        .map_err(|_| bad("SCRAM proof length"))?;
    let mut fields = without_proof.split(',');
    let channel_binding =
        base64(attribute(fields.next(), "c", "SCRAM channel binding expected", bad)?.as_bytes())?;
    let nonce = attribute(fields.next(), "r", "SCRAM nonce expected", bad)?;
    extensions(fields, bad)?;
    Ok(ClientFinal {
        channel_binding,
        nonce,
        without_proof,
        proof,
    })
}

/// `server-final-message = (server-error / verifier) ["," extensions]`,
/// `server-error = "e=" server-error-value`, `verifier = "v=" base64` (RFC 5802 §7).
fn server_final_message(message: &str) -> Result<Result<Key, &str>, ParseError> {
    let bad: Bad = ParseError::InvalidReply;
    let mut fields = message.split(',');
    let first = fields.next().unwrap_or("");
    let result = if let Some(error) = first.strip_prefix("e=") {
        if error.is_empty() {
            return Err(bad("empty SCRAM server error"));
        }
        Err(error)
    } else {
        let verifier =
            base64(attribute(Some(first), "v", "SCRAM verifier expected", bad)?.as_bytes())?;
        Ok(verifier
            .as_slice()
            .try_into()
            .map_err(|_| bad("SCRAM verifier length"))?)
    };
    extensions(fields, bad)?;
    Ok(result)
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

/// The client before the server-first message. `Debug` redacts the password.
#[derive(Clone)]
pub struct ScramClient {
    password: String,
    client_nonce: String,
    client_first: String,
}

impl fmt::Debug for ScramClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramClient")
            .field("client_first", &self.client_first)
            .field("password", &Redacted)
            .finish()
    }
}

impl ScramClient {
    /// Starts an exchange. `username` and `password` go through [`saslprep`];
    /// `client_nonce` is supplied by the caller: at least [`MIN_NONCE_LEN`]
    /// printable ASCII characters but `,`, carrying at least 18 random bytes
    /// (e.g. 24 base64 characters), never reused.
    pub fn new(username: &str, password: &str, client_nonce: &str) -> Result<Self, ParseError> {
        let username = saslprep(username)?;
        if username.len() > MAX_USERNAME_LEN {
            return Err(ParseError::TooLong("SCRAM username"));
        }
        let password = saslprep(password)?;
        if password.len() > MAX_MESSAGE_LEN {
            return Err(ParseError::TooLong("SCRAM password"));
        }
        if client_nonce.len() < MIN_NONCE_LEN
            || client_nonce.len() > MAX_MESSAGE_LEN / 4
            || !printable(client_nonce)
        {
            return Err(ParseError::InvalidArguments("bad SCRAM client nonce"));
        }
        let client_first = format!(
            "{GS2_HEADER_NO_CB}n={},r={client_nonce}",
            escape_saslname(&username)
        );
        Ok(ScramClient {
            password: password.into_owned(),
            client_nonce: client_nonce.to_owned(),
            client_first,
        })
    }

    /// `n,,n=<user>,r=<nonce>`: the AUTH initial response.
    pub fn client_first_message(&self) -> &[u8] {
        self.client_first.as_bytes()
    }

    /// Takes the decoded server-first message: checks that its nonce extends
    /// ours and that the iteration count is within
    /// [`MIN_ITERATIONS`]..=[`MAX_ITERATIONS`], then computes the proof.
    pub fn handle_server_first(self, server_first: &[u8]) -> Result<ScramClientFinal, ParseError> {
        let server_first = message_text(server_first, ParseError::InvalidReply)?;
        let parsed = server_first_message(server_first, &self.client_nonce)?;
        let salted = salted_password(self.password.as_bytes(), &parsed.salt, parsed.iterations);
        let client_key = hmac(&salted, &[b"Client Key"]);
        let stored_key = sha256(&client_key);
        let without_proof = format!(
            "c={},r={}",
            to_base64(GS2_HEADER_NO_CB.as_bytes()),
            parsed.nonce
        );
        let bare = self
            .client_first
            .get(GS2_HEADER_NO_CB.len()..)
            .unwrap_or("");
        let auth_message: [&[u8]; 5] = [
            bare.as_bytes(),
            b",",
            server_first.as_bytes(),
            b",",
            without_proof.as_bytes(),
        ];
        let client_signature = hmac(&stored_key, &auth_message);
        let proof = xor(&client_key, &client_signature);
        let server_key = hmac(&salted, &[b"Server Key"]);
        let server_signature = hmac(&server_key, &auth_message);
        let client_final = format!("{without_proof},p={}", to_base64(&proof));
        Ok(ScramClientFinal {
            client_final: SecretBytes::new(client_final.into_bytes()),
            server_signature,
        })
    }
}

/// The client after sending its proof. `Debug` redacts the proof.
#[derive(Clone)]
pub struct ScramClientFinal {
    client_final: SecretBytes,
    server_signature: Key,
}

impl fmt::Debug for ScramClientFinal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramClientFinal")
            .field("client_final", &self.client_final)
            .field("server_signature", &Redacted)
            .finish()
    }
}

/// How the server ended a SCRAM exchange, as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScramClientOutcome {
    /// The server proved it knows the credentials: answer its `334` with an
    /// empty response.
    Verified,
    /// The server refused (`e=` and its reason, e.g. `invalid-proof`).
    ServerError(String),
}

impl ScramClientFinal {
    /// `c=biws,r=<nonce>,p=<proof>`: the response to the server-first challenge.
    pub fn client_final_message(&self) -> &[u8] {
        self.client_final.expose()
    }

    /// Takes the decoded server-final message. A `v=` that does not match the
    /// expected server signature is an error: the server is not who it claims,
    /// and the client should cancel (`*`) and drop the connection.
    pub fn handle_server_final(
        self,
        server_final: &[u8],
    ) -> Result<ScramClientOutcome, ParseError> {
        let server_final = message_text(server_final, ParseError::InvalidReply)?;
        match server_final_message(server_final)? {
            Ok(verifier) if constant_time_eq(&verifier, &self.server_signature) => {
                Ok(ScramClientOutcome::Verified)
            }
            Ok(_) => Err(ParseError::InvalidReply("SCRAM server signature mismatch")),
            Err(error) => Ok(ScramClientOutcome::ServerError(error.to_owned())),
        }
    }
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

/// The server side of SCRAM-SHA-256; starts at [`ScramServer::handle_client_first`].
#[derive(Debug, Clone, Copy)]
pub struct ScramServer;

impl ScramServer {
    /// Takes the decoded client-first message (the AUTH initial response, or
    /// the answer to an empty `334`).
    pub fn handle_client_first(
        client_first: &[u8],
    ) -> Result<ScramServerNeedsCredentials, ParseError> {
        let message = message_text(client_first, ParseError::InvalidArguments)?;
        let parsed = client_first_message(message)?;
        Ok(ScramServerNeedsCredentials {
            gs2_header: parsed.gs2_header.to_owned(),
            authzid: parsed.authzid.map(Cow::into_owned),
            username: parsed.username.into_owned(),
            client_nonce: parsed.nonce.to_owned(),
            client_first_bare: parsed.bare.to_owned(),
        })
    }
}

/// The server after the client-first message: look up the user's credentials.
#[derive(Debug, Clone)]
pub struct ScramServerNeedsCredentials {
    gs2_header: String,
    authzid: Option<String>,
    username: String,
    client_nonce: String,
    client_first_bare: String,
}

impl ScramServerNeedsCredentials {
    /// The user name the client claims (unescaped).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The identity to act as, when the client asked for one.
    pub fn authzid(&self) -> Option<&str> {
        self.authzid.as_deref()
    }

    /// Answers with the user's salt and iteration count. For an unknown user,
    /// pass credentials derived from a server secret and the user name, so the
    /// exchange fails at the proof and does not reveal which users exist.
    ///
    /// `server_nonce` is supplied by the caller: at least [`MIN_NONCE_LEN`]
    /// printable ASCII characters but `,`, carrying at least 18 random bytes.
    pub fn server_first(
        self,
        credentials: ScramCredentials,
        server_nonce: &str,
    ) -> Result<ScramServerAwaitingFinal, ParseError> {
        if server_nonce.len() < MIN_NONCE_LEN
            || server_nonce.len() > MAX_MESSAGE_LEN / 4
            || !printable(server_nonce)
        {
            return Err(ParseError::InvalidArguments("bad SCRAM server nonce"));
        }
        let nonce = format!("{}{server_nonce}", self.client_nonce);
        let server_first = format!(
            "r={nonce},s={},i={}",
            to_base64(&credentials.salt),
            credentials.iterations
        );
        Ok(ScramServerAwaitingFinal {
            inner: self,
            credentials,
            nonce,
            server_first,
        })
    }
}

/// The server after sending the server-first message.
#[derive(Debug, Clone)]
pub struct ScramServerAwaitingFinal {
    inner: ScramServerNeedsCredentials,
    credentials: ScramCredentials,
    nonce: String,
    server_first: String,
}

/// How a SCRAM exchange ended, as the server sees it. Either way, send
/// `server_final` in a `334` challenge and wait for the client's empty
/// response before the final `235` or `535` (RFC 4954 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScramServerOutcome {
    /// The proof is right.
    Authenticated {
        /// The authenticated user.
        username: String,
        /// The identity the client asked to act as, if any.
        authzid: Option<String>,
        /// `v=<server signature>`.
        server_final: Vec<u8>,
    },
    /// The proof is wrong (wrong password): `server_final` is `e=invalid-proof`.
    InvalidProof {
        /// `e=invalid-proof`.
        server_final: Vec<u8>,
    },
}

impl ScramServerAwaitingFinal {
    /// `r=<nonce>,s=<salt>,i=<count>`: the challenge to send.
    pub fn server_first_message(&self) -> &[u8] {
        self.server_first.as_bytes()
    }

    /// Takes the decoded client-final message: checks the channel binding and
    /// the nonce, then the proof (in constant time).
    pub fn handle_client_final(
        self,
        client_final: &[u8],
    ) -> Result<ScramServerOutcome, ParseError> {
        let message = message_text(client_final, ParseError::InvalidArguments)?;
        let parsed = client_final_message(message)?;
        if parsed.channel_binding != self.inner.gs2_header.as_bytes() {
            return Err(ParseError::InvalidArguments(
                "SCRAM channel binding mismatch",
            ));
        }
        if parsed.nonce != self.nonce {
            return Err(ParseError::InvalidArguments("SCRAM nonce mismatch"));
        }
        let auth_message: [&[u8]; 5] = [
            self.inner.client_first_bare.as_bytes(),
            b",",
            self.server_first.as_bytes(),
            b",",
            parsed.without_proof.as_bytes(),
        ];
        let client_signature = hmac(&self.credentials.stored_key, &auth_message);
        let client_key = xor(&parsed.proof, &client_signature);
        if !constant_time_eq(&sha256(&client_key), &self.credentials.stored_key) {
            return Ok(ScramServerOutcome::InvalidProof {
                server_final: b"e=invalid-proof".to_vec(),
            });
        }
        let server_signature = hmac(&self.credentials.server_key, &auth_message);
        Ok(ScramServerOutcome::Authenticated {
            username: self.inner.username,
            authzid: self.inner.authzid,
            server_final: format!("v={}", to_base64(&server_signature)).into_bytes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
    const SERVER_NONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const SALT_B64: &str = "W22ZaJ0SNY7soEsUEjb6gQ==";
    const CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    const SERVER_FIRST: &str =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    fn credentials(password: &str) -> ScramCredentials {
        ScramCredentials::derive(password, &base64(SALT_B64.as_bytes()).unwrap(), 4096).unwrap()
    }

    #[test]
    fn rfc7677_client() {
        let client = ScramClient::new("user", "pencil", CLIENT_NONCE).unwrap();
        assert_eq!(client.client_first_message(), CLIENT_FIRST.as_bytes());
        let client = client.handle_server_first(SERVER_FIRST.as_bytes()).unwrap();
        assert_eq!(client.client_final_message(), CLIENT_FINAL.as_bytes());
        assert_eq!(
            client.clone().handle_server_final(SERVER_FINAL.as_bytes()),
            Ok(ScramClientOutcome::Verified)
        );
        assert_eq!(
            client
                .clone()
                .handle_server_final(b"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
            Err(ParseError::InvalidReply("SCRAM server signature mismatch"))
        );
        assert_eq!(
            client.handle_server_final(b"e=invalid-proof"),
            Ok(ScramClientOutcome::ServerError("invalid-proof".into()))
        );
    }

    #[test]
    fn rfc7677_server() {
        let server = ScramServer::handle_client_first(CLIENT_FIRST.as_bytes()).unwrap();
        assert_eq!(server.username(), "user");
        assert_eq!(server.authzid(), None);
        let server = server
            .server_first(credentials("pencil"), SERVER_NONCE)
            .unwrap();
        assert_eq!(server.server_first_message(), SERVER_FIRST.as_bytes());
        assert_eq!(
            server.clone().handle_client_final(CLIENT_FINAL.as_bytes()),
            Ok(ScramServerOutcome::Authenticated {
                username: "user".into(),
                authzid: None,
                server_final: SERVER_FINAL.as_bytes().to_vec(),
            })
        );
        // The same proof against other credentials (wrong password on file).
        let server = ScramServer::handle_client_first(CLIENT_FIRST.as_bytes())
            .unwrap()
            .server_first(credentials("pencils"), SERVER_NONCE)
            .unwrap();
        assert_eq!(
            server.handle_client_final(CLIENT_FINAL.as_bytes()),
            Ok(ScramServerOutcome::InvalidProof {
                server_final: b"e=invalid-proof".to_vec()
            })
        );
    }

    #[test]
    fn stored_credentials_round_trip() {
        let c = credentials("pencil");
        let again = ScramCredentials::new(
            c.salt().to_vec(),
            c.iterations(),
            *c.stored_key(),
            *c.server_key(),
        )
        .unwrap();
        assert_eq!(again, c);
        assert!(ScramCredentials::derive("pencil", b"", 4096).is_err());
        assert!(ScramCredentials::derive("pencil", b"salt", 4095).is_err());
        assert!(ScramCredentials::derive("pencil", b"salt", MAX_ITERATIONS + 1).is_err());
        let debug = format!("{c:?}");
        assert!(
            debug.contains("W22ZaJ0SNY7soEsUEjb6gQ==") && debug.contains("<redacted>"),
            "{debug}"
        );
    }

    fn exchange(
        user: &str,
        client_pw: &str,
        server_pw: &str,
    ) -> (Result<ScramClientOutcome, ParseError>, bool) {
        let client = ScramClient::new(user, client_pw, "abcdefghijklmnopqrstuvwx").unwrap();
        let server = ScramServer::handle_client_first(client.client_first_message()).unwrap();
        assert_eq!(server.username(), saslprep(user).unwrap());
        let server = server
            .server_first(
                ScramCredentials::derive(server_pw, b"0123456789abcdef", 4096).unwrap(),
                "ABCDEFGHIJKLMNOPQRSTUVWX",
            )
            .unwrap();
        let client = client
            .handle_server_first(server.server_first_message())
            .unwrap();
        let outcome = server
            .handle_client_final(client.client_final_message())
            .unwrap();
        let (ok, server_final) = match outcome {
            ScramServerOutcome::Authenticated { server_final, .. } => (true, server_final),
            ScramServerOutcome::InvalidProof { server_final } => (false, server_final),
        };
        (client.handle_server_final(&server_final), ok)
    }

    #[test]
    fn client_server_round_trips() {
        assert_eq!(
            exchange("user", "pencil", "pencil"),
            (Ok(ScramClientOutcome::Verified), true)
        );
        assert_eq!(
            exchange("a,b=c", "pässwörd", "pässwörd"),
            (Ok(ScramClientOutcome::Verified), true)
        );
        assert_eq!(
            exchange("user", "pencil", "pencil2"),
            (
                Ok(ScramClientOutcome::ServerError("invalid-proof".into())),
                false
            )
        );
    }

    #[test]
    fn username_escaping() {
        let client = ScramClient::new("a,b=c", "pencil", CLIENT_NONCE).unwrap();
        assert_eq!(
            client.client_first_message(),
            b"n,,n=a=2Cb=3Dc,r=rOprNGfwEbeRWgbNEkqO"
        );
        let server =
            ScramServer::handle_client_first(b"n,a=x=3Dy,n=a=2Cb=3Dc,r=rOprNGfwEbeRWgbNEkqO")
                .unwrap();
        assert_eq!(server.username(), "a,b=c");
        assert_eq!(server.authzid(), Some("x=y"));
    }

    #[test]
    fn server_rejects_bad_client_first() {
        for bad in [
            "",
            "n",
            "n,",
            "n,,",
            "x,,n=user,r=abc",
            "p=tls-unique,,n=user,r=abc",
            "n,,m=ext,n=user,r=abc",
            "n,,n=,r=abc",
            "n,,n=us=er,r=abc",
            "n,,n=us=2cer,r=abc",
            "n,,n=user",
            "n,,n=user,r=",
            "n,,n=user,r=a b",
            "n,,r=abc,n=user",
            "n,b=x,n=user,r=abc",
            "n,,n=user,r=abc,",
            "n,,n=user,r=abc,1=x",
            "n,,n=user,r=abc,x=",
            "F,n,,n=user,r=abc",
        ] {
            assert!(
                ScramServer::handle_client_first(bad.as_bytes()).is_err(),
                "{bad:?}"
            );
        }
        assert!(ScramServer::handle_client_first(b"y,,n=user,r=abc,x=ext").is_ok());
        assert!(ScramServer::handle_client_first(b"n,,n=user,r=abc\0").is_err());
        assert!(ScramServer::handle_client_first(b"n,,n=\xff,r=abc").is_err());
    }

    #[test]
    fn client_rejects_bad_server_first() {
        for bad in [
            "",
            "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", // nonce not extended
            "r=XOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", // wrong prefix
            "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095",
            "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=04096",
            "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999",
            "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000001",
            "r=rOprNGfwEbeRWgbNEkqOabc,s=,i=4096",
            "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ,i=4096",
            "r=rOprNGfwEbeRWgbNEkqOabc,i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==",
            "m=x,r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",
        ] {
            let client = ScramClient::new("user", "pencil", CLIENT_NONCE).unwrap();
            assert!(
                client.handle_server_first(bad.as_bytes()).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn server_rejects_bad_client_final() {
        let start = || {
            ScramServer::handle_client_first(CLIENT_FIRST.as_bytes())
                .unwrap()
                .server_first(credentials("pencil"), SERVER_NONCE)
                .unwrap()
        };
        for bad in [
            "",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
            "c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzb",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVR=",
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        ] {
            assert!(
                start().handle_client_final(bad.as_bytes()).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn client_rejects_bad_server_final() {
        let client = ScramClient::new("user", "pencil", CLIENT_NONCE)
            .unwrap()
            .handle_server_first(SERVER_FIRST.as_bytes())
            .unwrap();
        for bad in [
            "",
            "e=",
            "v=",
            "v=6rri",
            "x=1",
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,",
        ] {
            assert!(
                client.clone().handle_server_final(bad.as_bytes()).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn nonces_are_checked() {
        assert!(ScramClient::new("user", "pencil", "short").is_err());
        assert!(ScramClient::new("user", "pencil", "rOprNGfwEbeRWgbNEkqO,").is_err());
        assert!(ScramClient::new("user", "pen\u{7}cil", CLIENT_NONCE).is_err());
        let server = ScramServer::handle_client_first(CLIENT_FIRST.as_bytes()).unwrap();
        assert!(server.server_first(credentials("pencil"), "short").is_err());
    }

    #[test]
    fn debug_redacts_secrets() {
        let client = ScramClient::new("user", "pencil", CLIENT_NONCE).unwrap();
        assert!(!format!("{client:?}").contains("pencil"));
        let client = client.handle_server_first(SERVER_FIRST.as_bytes()).unwrap();
        let debug = format!("{client:?}");
        assert!(
            !debug.contains("dHzb") && !debug.contains("pencil"),
            "{debug}"
        );
        let server = ScramServer::handle_client_first(CLIENT_FIRST.as_bytes())
            .unwrap()
            .server_first(credentials("pencil"), SERVER_NONCE)
            .unwrap();
        let debug = format!("{server:?}");
        let c = credentials("pencil");
        assert!(!debug.contains(&format!("{:?}", c.stored_key())), "{debug}");
        assert!(!debug.contains(&to_base64(c.stored_key())), "{debug}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), text in "[a-z=,0-9+/]{0,60}") {
            let _ = ScramServer::handle_client_first(&bytes);
            let _ = ScramServer::handle_client_first(text.as_bytes());
            let start = ScramServer::handle_client_first(CLIENT_FIRST.as_bytes())
                .unwrap()
                .server_first(credentials_cached(), SERVER_NONCE)
                .unwrap();
            let _ = start.clone().handle_client_final(&bytes);
            let _ = start.handle_client_final(text.as_bytes());
            let client = ScramClient::new("user", "pencil", CLIENT_NONCE).unwrap();
            // Random bytes fail before PBKDF2; a valid server-first would not.
            let _ = client.handle_server_first(&bytes);
            let _ = client_final_cached().handle_server_final(&bytes);
            let _ = client_final_cached().handle_server_final(text.as_bytes());
        }

        #[test]
        fn names_escape_round_trip(name in "[^\0]{1,40}") {
            let escaped = escape_saslname(&name);
            prop_assert!(!escaped.contains(','));
            prop_assert_eq!(saslname(&escaped, ParseError::InvalidArguments).unwrap(), name.as_str());
        }
    }

    fn client_final_cached() -> ScramClientFinal {
        use std::sync::OnceLock;
        static CACHE: OnceLock<ScramClientFinal> = OnceLock::new();
        CACHE
            .get_or_init(|| {
                ScramClient::new("user", "pencil", CLIENT_NONCE)
                    .unwrap()
                    .handle_server_first(SERVER_FIRST.as_bytes())
                    .unwrap()
            })
            .clone()
    }

    fn credentials_cached() -> ScramCredentials {
        use std::sync::OnceLock;
        static CACHE: OnceLock<ScramCredentials> = OnceLock::new();
        CACHE.get_or_init(|| credentials("pencil")).clone()
    }
}
