//! `-v`: the SMTP conversation as swaks shows it (` -> ` client, `<-  `
//! server), with credentials replaced by `<redacted>`.
//!
//! Credentials travel in the `AUTH` command's initial response and in every
//! client line answering a `334` challenge (RFC 4954 §4), so those are the
//! lines redacted; the mechanism name stays visible because it helps debugging.

use std::io::Write;
use std::sync::Mutex;

/// Which way a chunk of the conversation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// From the client to the server.
    Sent,
    /// From the server to the client.
    Received,
}

/// Tracks the SASL exchange to know which client lines carry secrets.
#[derive(Debug, Default)]
pub(crate) struct Redactor {
    in_auth: bool,
    in_data: bool,
}

/// The placeholder for a secret.
pub(crate) const REDACTED: &str = "<redacted>";

impl Redactor {
    /// The client line as it may be shown.
    pub(crate) fn client_line(&mut self, line: &str) -> String {
        if self.in_data {
            if line == "." {
                self.in_data = false;
            }
            return line.to_owned();
        }
        if self.in_auth {
            // Every line of the exchange (`*` to cancel included) may carry a secret.
            return REDACTED.to_owned();
        }
        let mut words = line.splitn(3, ' ');
        let verb = words.next().unwrap_or_default();
        if verb.eq_ignore_ascii_case("AUTH") {
            self.in_auth = true;
            let mechanism = words.next().unwrap_or_default();
            return match words.next() {
                Some(_) => format!("{verb} {mechanism} {REDACTED}"),
                None => format!("{verb} {mechanism}"),
            };
        }
        line.to_owned()
    }

    /// Notes a server line: only `334` keeps a SASL exchange going, `354` starts data.
    pub(crate) fn server_line(&mut self, line: &str) {
        let code = line.get(..3).unwrap_or_default();
        let last_line = line.as_bytes().get(3) != Some(&b'-');
        if last_line {
            self.in_auth = self.in_auth && code == "334";
            if code == "354" {
                self.in_data = true;
            }
        }
    }
}

/// Prints the conversation to standard error, line by line, redacted.
#[derive(Debug, Default)]
pub(crate) struct Transcript {
    state: Mutex<TranscriptState>,
}

#[derive(Debug, Default)]
struct TranscriptState {
    redactor: Redactor,
    sent: Vec<u8>,
    received: Vec<u8>,
}

impl Transcript {
    /// Records a chunk of bytes; complete lines are printed (redacted) at once.
    pub(crate) fn record(&self, direction: Direction, bytes: &[u8]) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let lines = state.take_lines(direction, bytes);
        let mut stderr = std::io::stderr().lock();
        for line in lines {
            let _ = writeln!(stderr, "{line}");
        }
    }
}

impl TranscriptState {
    /// Appends `bytes` and returns the complete lines, formatted and redacted.
    fn take_lines(&mut self, direction: Direction, bytes: &[u8]) -> Vec<String> {
        self.buffer(direction).extend_from_slice(bytes);
        let mut lines = Vec::new();
        loop {
            let buffer = self.buffer(direction);
            let Some(end) = buffer.iter().position(|&b| b == b'\n') else {
                break;
            };
            let raw: Vec<u8> = buffer.drain(..=end).collect();
            let text = String::from_utf8_lossy(&raw);
            let text = text.trim_end_matches(['\r', '\n']);
            lines.push(match direction {
                Direction::Sent => format!(" -> {}", self.redactor.client_line(text)),
                Direction::Received => {
                    self.redactor.server_line(text);
                    format!("<-  {text}")
                }
            });
        }
        lines
    }

    fn buffer(&mut self, direction: Direction) -> &mut Vec<u8> {
        match direction {
            Direction::Sent => &mut self.sent,
            Direction::Received => &mut self.received,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_secrets_are_redacted_and_the_rest_is_not() {
        let mut state = TranscriptState::default();
        let conversation: &[(Direction, &str)] = &[
            (Direction::Received, "220 mx ESMTP\r\n"),
            (Direction::Sent, "EHLO me\r\n"),
            (Direction::Received, "250-mx\r\n250 AUTH PLAIN LOGIN\r\n"),
            (Direction::Sent, "AUTH PLAIN AHVzZXIAc2VjcmV0\r\n"),
            (Direction::Received, "535 5.7.8 bad\r\n"),
            (Direction::Sent, "AUTH LOGIN\r\n"),
            (Direction::Received, "334 VXNlcm5hbWU6\r\n"),
            (Direction::Sent, "dXNlcg==\r\n"),
            (Direction::Received, "334 UGFzc3dvcmQ6\r\n"),
            (Direction::Sent, "c2VjcmV0\r\n"),
            (Direction::Received, "235 2.7.0 ok\r\n"),
            (Direction::Sent, "MAIL FROM:<a@x.org>\r\n"),
            (Direction::Received, "250 ok\r\nxx"),
        ];
        let mut shown = Vec::new();
        for (direction, bytes) in conversation {
            shown.extend(state.take_lines(*direction, bytes.as_bytes()));
        }
        let text = shown.join("\n");
        assert!(!text.contains("AHVzZXIAc2VjcmV0"), "{text}");
        assert!(!text.contains("dXNlcg=="), "{text}");
        assert!(!text.contains("c2VjcmV0"), "{text}");
        assert!(text.contains(" -> AUTH PLAIN <redacted>"), "{text}");
        assert!(
            text.contains(" -> AUTH LOGIN\n<-  334 VXNlcm5hbWU6\n -> <redacted>"),
            "{text}"
        );
        assert!(
            text.contains(" -> MAIL FROM:<a@x.org>\n<-  250 ok"),
            "{text}"
        );
        assert!(
            text.contains("<-  250-mx\n<-  250 AUTH PLAIN LOGIN"),
            "{text}"
        );
        assert!(!text.contains("xx"), "an incomplete line waits for its end");
    }

    #[test]
    fn message_lines_that_look_like_auth_are_not_touched() {
        let mut redactor = Redactor::default();
        redactor.client_line("DATA");
        redactor.server_line("354 go ahead");
        assert_eq!(
            redactor.client_line("AUTH is a word in this body"),
            "AUTH is a word in this body"
        );
        assert_eq!(redactor.client_line("."), ".");
        assert_eq!(
            redactor.client_line("AUTH XOAUTH2 dG9rZW4="),
            "AUTH XOAUTH2 <redacted>"
        );
    }

    #[test]
    fn the_printer_buffers_partial_lines_per_direction() {
        let transcript = Transcript::default();
        transcript.record(Direction::Sent, b"AUTH PLAIN c2Vj");
        transcript.record(Direction::Received, b"235 ok\r\n");
        transcript.record(Direction::Sent, b"cmV0\r\n");
        let state = transcript.state.lock().unwrap();
        assert!(state.sent.is_empty() && state.received.is_empty());
    }
}
