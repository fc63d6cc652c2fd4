//! Replies the server sends that smtp-proto has no constant for. Every one
//! carries an RFC 3463 enhanced status code (ENHANCEDSTATUSCODES).

use smtp_proto::Reply;

pub(crate) const STARTTLS_READY: Reply<'static> =
    Reply::from_static(220, Some((2, 0, 0)), "Ready to start TLS");
pub(crate) const SENDER_OK: Reply<'static> = Reply::from_static(250, Some((2, 1, 0)), "Sender OK");
pub(crate) const RECIPIENT_OK: Reply<'static> =
    Reply::from_static(250, Some((2, 1, 5)), "Recipient OK");
pub(crate) const RESET_OK: Reply<'static> = Reply::from_static(250, Some((2, 0, 0)), "Reset OK");
pub(crate) const MESSAGE_ACCEPTED: Reply<'static> =
    Reply::from_static(250, Some((2, 0, 0)), "Message accepted");
pub(crate) const CHUNK_OK: Reply<'static> =
    Reply::from_static(250, Some((2, 0, 0)), "Chunk received");
pub(crate) const CANNOT_VRFY: Reply<'static> = Reply::from_static(
    252,
    Some((2, 5, 0)),
    "Cannot VRFY user, but will accept message and attempt delivery",
);
pub(crate) const HELP: Reply<'static> = Reply::from_static(
    214,
    Some((2, 0, 0)),
    "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
);
pub(crate) const TIMEOUT: Reply<'static> =
    Reply::from_static(421, Some((4, 4, 2)), "Timeout exceeded, closing connection");
pub(crate) const TOO_MANY_ERRORS: Reply<'static> =
    Reply::from_static(421, Some((4, 7, 0)), "Too many errors, closing connection");
pub(crate) const TOO_MANY_AUTH_FAILURES: Reply<'static> = Reply::from_static(
    421,
    Some((4, 7, 0)),
    "Too many failed authentication attempts, closing connection",
);
pub(crate) const TOO_MANY_CONNECTIONS: Reply<'static> = Reply::from_static(
    421,
    Some((4, 7, 0)),
    "Too many connections, try again later",
);
pub(crate) const BARE_LINE_ENDING: Reply<'static> = Reply::from_static(
    550,
    Some((5, 6, 0)),
    "Bare CR or LF in message body not allowed",
);
pub(crate) const NEED_HELO: Reply<'static> =
    Reply::from_static(503, Some((5, 5, 1)), "Send EHLO or HELO first");
pub(crate) const NEED_MAIL: Reply<'static> =
    Reply::from_static(503, Some((5, 5, 1)), "Need MAIL command first");
pub(crate) const NESTED_MAIL: Reply<'static> =
    Reply::from_static(503, Some((5, 5, 1)), "Sender already specified");
pub(crate) const NO_RECIPIENTS: Reply<'static> =
    Reply::from_static(503, Some((5, 5, 1)), "No valid recipients");
pub(crate) const DATA_AFTER_BDAT: Reply<'static> =
    Reply::from_static(503, Some((5, 5, 1)), "DATA cannot be mixed with BDAT");
pub(crate) const BINARYMIME_NEEDS_BDAT: Reply<'static> =
    Reply::from_static(503, Some((5, 5, 1)), "BODY=BINARYMIME requires BDAT");
pub(crate) const RCPT_AFTER_BODY: Reply<'static> =
    Reply::from_static(503, Some((5, 5, 1)), "Message body already started");
pub(crate) const ALREADY_TLS: Reply<'static> =
    Reply::from_static(503, Some((5, 5, 1)), "TLS already active");
pub(crate) const ALREADY_AUTHENTICATED: Reply<'static> =
    Reply::from_static(503, Some((5, 5, 1)), "Already authenticated");
pub(crate) const AUTH_IN_TRANSACTION: Reply<'static> = Reply::from_static(
    503,
    Some((5, 5, 1)),
    "AUTH not allowed during a mail transaction",
);
pub(crate) const AUTH_NOT_AVAILABLE: Reply<'static> =
    Reply::from_static(502, Some((5, 5, 1)), "Authentication not available");
pub(crate) const STARTTLS_NOT_AVAILABLE: Reply<'static> =
    Reply::from_static(502, Some((5, 5, 1)), "STARTTLS not available");
pub(crate) const UNKNOWN_MECHANISM: Reply<'static> = Reply::from_static(
    504,
    Some((5, 5, 4)),
    "Unrecognized authentication mechanism",
);
pub(crate) const AUTH_CANCELLED: Reply<'static> =
    Reply::from_static(501, Some((5, 0, 0)), "Authentication cancelled");
pub(crate) const AUTH_MALFORMED: Reply<'static> =
    Reply::from_static(501, Some((5, 5, 2)), "Malformed authentication response");
pub(crate) const WRONG_HELLO: Reply<'static> =
    Reply::from_static(500, Some((5, 5, 2)), "Syntax error, command unrecognized");
