//! The SMTP conversation as `tracing` events (target `smtp_client::wire`,
//! level DEBUG), for `-v` style output. Credentials are never logged: AUTH
//! arguments and SASL responses are replaced by `<redacted>`, and message
//! data is summarised by its size.

use smtp_proto::Reply;

/// The `tracing` target of the conversation.
pub const WIRE_TARGET: &str = "smtp_client::wire";

/// Logs command lines written by the client.
pub(crate) fn client_lines(bytes: &[u8]) {
    if !tracing::enabled!(target: WIRE_TARGET, tracing::Level::DEBUG) {
        return;
    }
    for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let line = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line));
        tracing::debug!(target: WIRE_TARGET, "C: {line}");
    }
}

/// Logs an AUTH command without its initial response.
pub(crate) fn client_auth(mechanism: &str, has_initial_response: bool) {
    if has_initial_response {
        tracing::debug!(target: WIRE_TARGET, "C: AUTH {mechanism} <redacted>");
    } else {
        tracing::debug!(target: WIRE_TARGET, "C: AUTH {mechanism}");
    }
}

/// Logs a SASL response line.
pub(crate) fn client_secret() {
    tracing::debug!(target: WIRE_TARGET, "C: <redacted>");
}

/// Logs message data written by the client.
pub(crate) fn client_data(octets: usize, end: &str) {
    tracing::debug!(target: WIRE_TARGET, "C: <{octets} octets of message data>{end}");
}

/// Logs a reply of the server, every line.
pub(crate) fn server_reply(reply: &Reply<'_>) {
    if !tracing::enabled!(target: WIRE_TARGET, tracing::Level::DEBUG) {
        return;
    }
    let code = reply.code();
    let count = reply.lines().count();
    for (i, line) in reply.lines().enumerate() {
        let sep = if i + 1 == count { ' ' } else { '-' };
        match reply.enhanced_status() {
            Some(status) => tracing::debug!(target: WIRE_TARGET, "S: {code}{sep}{status} {line}"),
            None => tracing::debug!(target: WIRE_TARGET, "S: {code}{sep}{line}"),
        }
    }
}
