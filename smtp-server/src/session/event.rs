//! What the session tells its driver: events are past tense; those that need
//! a decision name the `handle_*` method that answers them.

use std::fmt;

use smtp_proto::{ForwardPath, MailParams, RcptParams, ReversePath};

/// Something that happened on the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A syntactically valid MAIL FROM in sequence; answer with
    /// [`Connection::handle_mail_verdict`](super::Connection::handle_mail_verdict).
    MailReceived {
        /// The sender.
        from: ReversePath<'static>,
        /// Its ESMTP parameters (SIZE, BODY, DSN's RET/ENVID, ...).
        params: MailParams<'static>,
    },
    /// A RCPT TO that passed the sequence, relay and limit checks; answer with
    /// [`Connection::handle_rcpt_verdict`](super::Connection::handle_rcpt_verdict).
    RcptReceived {
        /// The recipient.
        to: ForwardPath<'static>,
        /// Its ESMTP parameters (DSN's NOTIFY/ORCPT, ...).
        params: RcptParams<'static>,
    },
    /// A message body started (after `354`, or with the first BDAT chunk): its
    /// octets come from [`Connection::take_body`](super::Connection::take_body).
    DataStarted,
    /// The whole body arrived; answer with
    /// [`Connection::handle_data_verdict`](super::Connection::handle_data_verdict).
    MessageReceived,
    /// The message was acknowledged with `250`.
    MessageAccepted,
    /// The transaction was abandoned (RSET, EHLO, STARTTLS, a refused body, the
    /// client leaving): the handler's session should forget it.
    TransactionReset,
    /// AUTH needs the authenticator; answer with the method named in the request.
    AuthRequested(AuthRequest),
    /// The client authenticated.
    Authenticated {
        /// The identity it is now known as.
        identity: String,
    },
    /// `220 Ready to start TLS` was queued: flush the output, run the server
    /// handshake, then call
    /// [`Connection::handle_tls_established`](super::Connection::handle_tls_established)
    /// (or drop the connection if it fails).
    TlsUpgradeRequested,
}

/// What the authenticator must decide.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthRequest {
    /// PLAIN or LOGIN: check this password, then call
    /// [`Connection::handle_password_verdict`](super::Connection::handle_password_verdict).
    Password {
        /// The identity to act as, if the client asked for one.
        authzid: Option<String>,
        /// The user name.
        username: String,
        /// The password (redacted in `Debug`).
        password: String,
    },
    /// CRAM-MD5: look up the user's plaintext password, then call
    /// [`Connection::handle_cram_md5_password`](super::Connection::handle_cram_md5_password).
    CramMd5Password {
        /// The user name.
        username: String,
    },
    /// SCRAM-SHA-256: look up the user's stored keys, then call
    /// [`Connection::handle_scram_credentials`](super::Connection::handle_scram_credentials).
    ScramCredentials {
        /// The user name.
        username: String,
    },
}

impl fmt::Debug for AuthRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthRequest::Password {
                authzid, username, ..
            } => f
                .debug_struct("Password")
                .field("authzid", authzid)
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            AuthRequest::CramMd5Password { username } => f
                .debug_struct("CramMd5Password")
                .field("username", username)
                .finish(),
            AuthRequest::ScramCredentials { username } => f
                .debug_struct("ScramCredentials")
                .field("username", username)
                .finish(),
        }
    }
}
