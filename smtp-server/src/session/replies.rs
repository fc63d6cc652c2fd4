//! Replies the server sends that smtp-proto has no constant for. Every one
//! carries an RFC 3463 enhanced status code (ENHANCEDSTATUSCODES).

use std::sync::LazyLock;

use smtp_proto::{EnhancedStatus, Reply, ReplyCode};

/// Builds one of the replies below; their texts are all valid, so the
/// fallback (`451 4.3.0`) is never sent in practice but keeps this panic-free.
fn known(code: u16, class: u8, subject: u16, detail: u16, text: &'static str) -> Reply<'static> {
    let (Ok(code), Ok(status)) = (
        ReplyCode::new(code),
        EnhancedStatus::new(class, subject, detail),
    ) else {
        return Reply::LOCAL_ERROR;
    };
    Reply::new_single(code, Some(status), text).unwrap_or(Reply::LOCAL_ERROR)
}

pub(crate) static STARTTLS_READY: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(220, 2, 0, 0, "Ready to start TLS"));
pub(crate) static SENDER_OK: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(250, 2, 1, 0, "Sender OK"));
pub(crate) static RECIPIENT_OK: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(250, 2, 1, 5, "Recipient OK"));
pub(crate) static RESET_OK: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(250, 2, 0, 0, "Reset OK"));
pub(crate) static MESSAGE_ACCEPTED: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(250, 2, 0, 0, "Message accepted"));
pub(crate) static CHUNK_OK: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(250, 2, 0, 0, "Chunk received"));
pub(crate) static CANNOT_VRFY: LazyLock<Reply<'static>> = LazyLock::new(|| {
    known(
        252,
        2,
        5,
        0,
        "Cannot VRFY user, but will accept message and attempt delivery",
    )
});
pub(crate) static HELP: LazyLock<Reply<'static>> = LazyLock::new(|| {
    known(
        214,
        2,
        0,
        0,
        "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
    )
});
pub(crate) static TIMEOUT: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(421, 4, 4, 2, "Timeout exceeded, closing connection"));
pub(crate) static TOO_MANY_ERRORS: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(421, 4, 7, 0, "Too many errors, closing connection"));
pub(crate) static TOO_MANY_AUTH_FAILURES: LazyLock<Reply<'static>> = LazyLock::new(|| {
    known(
        421,
        4,
        7,
        0,
        "Too many failed authentication attempts, closing connection",
    )
});
pub(crate) static TOO_MANY_CONNECTIONS: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(421, 4, 7, 0, "Too many connections, try again later"));
pub(crate) static BARE_LINE_ENDING: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(550, 5, 6, 0, "Bare CR or LF in message body not allowed"));
pub(crate) static NEED_HELO: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "Send EHLO or HELO first"));
pub(crate) static NEED_MAIL: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "Need MAIL command first"));
pub(crate) static NESTED_MAIL: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "Sender already specified"));
pub(crate) static NO_RECIPIENTS: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "No valid recipients"));
pub(crate) static DATA_AFTER_BDAT: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "DATA cannot be mixed with BDAT"));
pub(crate) static BINARYMIME_NEEDS_BDAT: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "BODY=BINARYMIME requires BDAT"));
pub(crate) static RCPT_AFTER_BODY: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "Message body already started"));
pub(crate) static ALREADY_TLS: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "TLS already active"));
pub(crate) static ALREADY_AUTHENTICATED: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "Already authenticated"));
pub(crate) static AUTH_IN_TRANSACTION: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(503, 5, 5, 1, "AUTH not allowed during a mail transaction"));
pub(crate) static AUTH_NOT_AVAILABLE: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(502, 5, 5, 1, "Authentication not available"));
pub(crate) static STARTTLS_NOT_AVAILABLE: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(502, 5, 5, 1, "STARTTLS not available"));
pub(crate) static UNKNOWN_MECHANISM: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(504, 5, 5, 4, "Unrecognized authentication mechanism"));
pub(crate) static AUTH_CANCELLED: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(501, 5, 0, 0, "Authentication cancelled"));
pub(crate) static AUTH_MALFORMED: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(501, 5, 5, 2, "Malformed authentication response"));
pub(crate) static WRONG_HELLO: LazyLock<Reply<'static>> =
    LazyLock::new(|| known(500, 5, 5, 2, "Syntax error, command unrecognized"));
