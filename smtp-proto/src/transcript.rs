//! Replaying a recorded session transcript (`S:` and `C:` lines, as in RFC 5321
//! Appendix D) through the parsers: a check that every server line is a valid
//! reply, every client line a valid command, and every message body decodes.
//!
//! Lines are `S: text` or `C: text` (`C:` alone is an empty body line).
//! Consecutive `S:` lines form one (multi-line) reply. After a `C: DATA`
//! answered by `354`, `C:` lines are the message up to the `C: .` line.

use crate::data::DataDecoder;
use crate::error::ParseError;
use crate::options::ParseOptions;
use crate::types::command::Command;
use crate::types::reply::Reply;

/// One exchange of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TranscriptItem {
    /// A server reply.
    Reply(Reply<'static>),
    /// A client command.
    Command(Command<'static>),
    /// A message body, unstuffed.
    Body(Vec<u8>),
}

/// Where and why a transcript did not replay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("transcript line {line}: {error}")]
pub struct TranscriptError {
    /// 1-based line number.
    pub line: usize,
    /// What the parser said.
    pub error: ParseError,
}

/// Parses every exchange of `text`, in order.
pub fn replay(text: &str, options: &ParseOptions) -> Result<Vec<TranscriptItem>, TranscriptError> {
    let mut items = Vec::new();
    let mut reply_lines: Vec<(usize, &str)> = Vec::new();
    let mut body: Option<(usize, Vec<u8>)> = None;
    let mut data_requested = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let fail = |error| TranscriptError { line, error };
        if let Some(server) = raw.strip_prefix("S:") {
            reply_lines.push((line, server.strip_prefix(' ').unwrap_or(server)));
            continue;
        }
        let Some(client) = raw.strip_prefix("C:") else {
            if raw.trim().is_empty() {
                continue;
            }
            return Err(fail(ParseError::InvalidArguments(
                "line is neither S: nor C:",
            )));
        };
        let client = client.strip_prefix(' ').unwrap_or(client);
        if !reply_lines.is_empty() {
            let reply = flush_reply(&mut reply_lines)?;
            if data_requested && reply.code().get() == 354 {
                body = Some((line, Vec::new()));
            }
            data_requested = false;
            items.push(TranscriptItem::Reply(reply));
        }
        if let Some((_, wire)) = body.as_mut() {
            wire.extend_from_slice(client.as_bytes());
            wire.extend_from_slice(b"\r\n");
            if client == "." {
                let (start, wire) = body.take().unwrap_or_default();
                items.push(TranscriptItem::Body(decode_body(&wire, start)?));
            }
            continue;
        }
        let wire = format!("{client}\r\n");
        let (command, _) = Command::parse(wire.as_bytes(), options).map_err(fail)?;
        data_requested = command == Command::Data;
        items.push(TranscriptItem::Command(command.into_owned()));
    }
    if !reply_lines.is_empty() {
        items.push(TranscriptItem::Reply(flush_reply(&mut reply_lines)?));
    }
    if let Some((line, _)) = body {
        return Err(TranscriptError {
            line,
            error: ParseError::Incomplete,
        });
    }
    Ok(items)
}

fn flush_reply(lines: &mut Vec<(usize, &str)>) -> Result<Reply<'static>, TranscriptError> {
    let first = lines.first().map_or(0, |(line, _)| *line);
    let mut wire = Vec::new();
    for (_, text) in lines.drain(..) {
        wire.extend_from_slice(text.as_bytes());
        wire.extend_from_slice(b"\r\n");
    }
    match Reply::parse(&wire) {
        Ok((reply, used)) if used == wire.len() => Ok(reply.into_owned()),
        Ok(_) => Err(TranscriptError {
            line: first,
            error: ParseError::InvalidReply("more than one reply in a group of S: lines"),
        }),
        Err(error) => Err(TranscriptError { line: first, error }),
    }
}

fn decode_body(wire: &[u8], line: usize) -> Result<Vec<u8>, TranscriptError> {
    let mut decoder = DataDecoder::new();
    let mut body = Vec::new();
    let progress = decoder.decode(wire, &mut body);
    if !progress.done || progress.consumed != wire.len() {
        return Err(TranscriptError {
            line,
            error: ParseError::Incomplete,
        });
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_a_short_session() {
        let items = replay(
            "S: 220 ready\nC: EHLO x.org\nS: 250-hi\nS: 250 SIZE 10\nC: DATA\nS: 354 go\nC: ..a\nC:\nC: .\nS: 250 ok\n",
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(items.len(), 7);
        assert_eq!(items[5], TranscriptItem::Body(b".a\r\n\r\n".to_vec()));
    }

    #[test]
    fn reports_the_failing_line() {
        let err = replay("S: 220 ready\nC: HELLO\n", &ParseOptions::default()).unwrap_err();
        assert_eq!(
            err,
            TranscriptError {
                line: 2,
                error: ParseError::UnknownCommand
            }
        );
        let err = replay(
            "S: 220 ready\nS: 250 mixed\nC: QUIT\n",
            &ParseOptions::default(),
        );
        assert_eq!(err.unwrap_err().line, 1);
    }
}
