//! The envelope taken from a message's own header fields, for callers (like
//! `smtp-send` without `--from`/`--to`) that have a ready `.eml` file.
//!
//! - Reverse-path: the `Sender:` mailbox when present, otherwise the first
//!   mailbox of `From:` (RFC 5322 §3.6.2: `Sender:` names the agent
//!   responsible for the transmission, which is who bounces should go to).
//! - Forward-paths: every address of `To:`, `Cc:` and `Bcc:`, in that order,
//!   without duplicates (compared case-insensitively). Group syntax
//!   (`team: a@x, b@x;`) contributes its members; an empty group
//!   (`undisclosed-recipients:;`) contributes nothing.
//! - `Bcc:` recipients must not see each other, so [`remove_bcc`] drops the
//!   whole `Bcc:` field (with its folded lines) from the message that is
//!   transmitted: the first of the three ways RFC 5322 §3.6.3 describes.
//! - `Resent-*` fields are ignored: resending is an explicit act, give the
//!   envelope as flags for it.
//!
//! The address-list grammar (RFC 5322 §3.4) is handled with its display
//! names, quoted strings, comments (nested), angle brackets, obsolete routes
//! (`<@relay:user@host>`), groups and folded lines. Each address is then
//! checked with the SMTP mailbox grammar, since that is what goes on the wire.

use std::borrow::Cow;

use smtp_proto::Mailbox;

/// The envelope found in the header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderEnvelope {
    /// The reverse-path address (from `Sender:` or `From:`).
    pub from: String,
    /// The forward-path addresses (from `To:`, `Cc:`, `Bcc:`).
    pub recipients: Vec<String>,
    /// Whether the message has a `Bcc:` field, which [`remove_bcc`] takes out.
    pub has_bcc: bool,
}

/// Why no envelope could be taken from the header fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// Neither `Sender:` nor `From:` holds an address.
    #[error("the message has no From: (or Sender:) address; give --from")]
    NoSender,
    /// None of `To:`, `Cc:`, `Bcc:` holds an address.
    #[error("the message has no To:, Cc: or Bcc: address; give --to")]
    NoRecipients,
    /// An address in a header field is not a valid SMTP mailbox.
    #[error("invalid address {address:?} in the {field}: header field")]
    InvalidAddress {
        /// The field name as written.
        field: String,
        /// The address found.
        address: String,
    },
    /// An address list is malformed (an unclosed quote, comment or bracket).
    #[error("malformed {field}: header field: {problem}")]
    Malformed {
        /// The field name as written.
        field: String,
        /// What is wrong.
        problem: &'static str,
    },
}

/// One header field: its name and unfolded value.
#[derive(Debug)]
struct Field<'m> {
    name: &'m str,
    value: String,
}

/// The header fields of `message` (up to the first empty line), unfolded.
/// Lines that are not `name: value` (an mbox `From ` line) are skipped.
fn header_fields(message: &[u8]) -> Vec<Field<'_>> {
    let mut fields: Vec<Field<'_>> = Vec::new();
    for raw_line in message.split(|&b| b == b'\n') {
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            // Unfolding (RFC 5322 §2.2.3) removes the line break, keeps the white space.
            if let Some(field) = fields.last_mut() {
                field.value.push_str(&String::from_utf8_lossy(line));
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let Ok(name) = std::str::from_utf8(&line[..colon]) else {
            continue;
        };
        let name = name.trim_end();
        if name.is_empty() || name.contains(' ') {
            continue;
        }
        fields.push(Field {
            name,
            value: String::from_utf8_lossy(&line[colon + 1..]).into_owned(),
        });
    }
    fields
}

/// Takes the envelope from the message's header fields; see the module documentation.
pub fn envelope_from_headers(message: &[u8]) -> Result<HeaderEnvelope, HeaderError> {
    let fields = header_fields(message);
    Ok(HeaderEnvelope {
        from: sender_of(&fields)?,
        recipients: recipients_of(&fields)?,
        has_bcc: fields.iter().any(|f| f.name.eq_ignore_ascii_case("Bcc")),
    })
}

/// Only the reverse-path: the `Sender:` mailbox, or the first of `From:`.
pub fn sender_from_headers(message: &[u8]) -> Result<String, HeaderError> {
    sender_of(&header_fields(message))
}

/// Only the forward-paths: `To:`, `Cc:` and `Bcc:`, without duplicates.
pub fn recipients_from_headers(message: &[u8]) -> Result<Vec<String>, HeaderError> {
    recipients_of(&header_fields(message))
}

/// Every address in the fields named (case-insensitively) in `names`, in field order.
fn addresses_in(fields: &[Field<'_>], names: &[&str]) -> Result<Vec<String>, HeaderError> {
    let mut all = Vec::new();
    for field in fields
        .iter()
        .filter(|f| names.iter().any(|n| f.name.eq_ignore_ascii_case(n)))
    {
        all.extend(address_list(field)?);
    }
    Ok(all)
}

fn sender_of(fields: &[Field<'_>]) -> Result<String, HeaderError> {
    addresses_in(fields, &["Sender"])?
        .into_iter()
        .next()
        .or(addresses_in(fields, &["From"])?.into_iter().next())
        .ok_or(HeaderError::NoSender)
}

fn recipients_of(fields: &[Field<'_>]) -> Result<Vec<String>, HeaderError> {
    let mut recipients: Vec<String> = Vec::new();
    for address in addresses_in(fields, &["To", "Cc", "Bcc"])? {
        if !recipients.iter().any(|r| r.eq_ignore_ascii_case(&address)) {
            recipients.push(address);
        }
    }
    if recipients.is_empty() {
        return Err(HeaderError::NoRecipients);
    }
    Ok(recipients)
}

/// The message without its `Bcc:` field(s), folded lines included; borrowed
/// unchanged when there is none. The body is never touched.
pub fn remove_bcc(message: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut in_bcc = false;
    let mut offset = 0;
    let mut in_headers = true;
    while offset < message.len() && in_headers {
        let end = message[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(message.len(), |i| offset + i + 1);
        let line = &message[offset..end];
        let content = line
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(line);
        let continuation = content.first().is_some_and(|&b| b == b' ' || b == b'\t');
        if content.is_empty() {
            in_headers = false;
        } else if !continuation {
            in_bcc = content.len() >= 4
                && content[..3].eq_ignore_ascii_case(b"bcc")
                && content[3..].iter().find(|&&b| b != b' ' && b != b'\t') == Some(&b':');
        }
        let drop = in_headers && in_bcc;
        if drop && out.is_none() {
            out = Some(message[..offset].to_vec());
        } else if !drop {
            if let Some(out) = out.as_mut() {
                out.extend_from_slice(line);
            }
        }
        offset = end;
    }
    match out {
        Some(mut out) => {
            out.extend_from_slice(&message[offset..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(message),
    }
}

/// The addresses of an RFC 5322 `address-list` (or `mailbox-list`).
fn address_list(field: &Field<'_>) -> Result<Vec<String>, HeaderError> {
    let malformed = |problem| HeaderError::Malformed {
        field: field.name.to_owned(),
        problem,
    };
    let mut addresses = Vec::new();
    // Text of the current element outside comments and brackets (quoted strings kept).
    let mut plain = String::new();
    let mut angle: Option<String> = None;
    let mut chars = field.value.chars().peekable();
    let mut finish = |plain: &mut String, angle: &mut Option<String>| -> Result<(), HeaderError> {
        let address = match angle.take() {
            Some(inside) => strip_route(&inside).to_owned(),
            None => std::mem::take(plain),
        };
        plain.clear();
        if address.is_empty() {
            return Ok(());
        }
        if Mailbox::try_from(address.as_str()).is_err() {
            return Err(HeaderError::InvalidAddress {
                field: field.name.to_owned(),
                address,
            });
        }
        addresses.push(address);
        Ok(())
    };
    while let Some(c) = chars.next() {
        match c {
            '(' => skip_comment(&mut chars).ok_or_else(|| malformed("unclosed comment"))?,
            '"' => {
                plain.push('"');
                loop {
                    match chars.next() {
                        Some('\\') => {
                            plain.push('\\');
                            plain.push(chars.next().ok_or_else(|| malformed("unclosed quote"))?);
                        }
                        Some('"') => break,
                        Some(c) => plain.push(c),
                        None => return Err(malformed("unclosed quote")),
                    }
                }
                plain.push('"');
            }
            '<' => {
                let mut inside = String::new();
                loop {
                    match chars.next() {
                        Some('>') => break,
                        Some('(') => {
                            skip_comment(&mut chars).ok_or_else(|| malformed("unclosed comment"))?
                        }
                        Some(c) if c.is_whitespace() => {}
                        Some(c) => inside.push(c),
                        None => return Err(malformed("unclosed <")),
                    }
                }
                angle = Some(inside);
            }
            // A group's display name ends here; its members follow.
            ':' if angle.is_none() => plain.clear(),
            ',' | ';' => finish(&mut plain, &mut angle)?,
            c if c.is_whitespace() => {}
            c => plain.push(c),
        }
    }
    finish(&mut plain, &mut angle)?;
    Ok(addresses)
}

/// Skips a comment after its `(`, with nesting and quoted pairs; `None` when unclosed.
fn skip_comment(chars: &mut impl Iterator<Item = char>) -> Option<()> {
    let mut depth = 1usize;
    while depth > 0 {
        match chars.next()? {
            '\\' => {
                chars.next()?;
            }
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
    }
    Some(())
}

/// `@relay1,@relay2:user@host` → `user@host` (RFC 5322 §4.4 obs-route).
fn strip_route(inside: &str) -> &str {
    if inside.starts_with('@') {
        inside.split_once(':').map_or(inside, |(_, rest)| rest)
    } else {
        inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(headers: &str) -> Result<HeaderEnvelope, HeaderError> {
        envelope_from_headers(format!("{headers}\r\n\r\nbody\r\nTo: not@header.org\r\n").as_bytes())
    }

    #[test]
    fn address_list_table() {
        let table: &[(&str, &[&str])] = &[
            ("To: a@example.com", &["a@example.com"]),
            ("To: <a@example.com>", &["a@example.com"]),
            ("To: Alice <a@example.com>", &["a@example.com"]),
            (
                "To: \"Smith, Alice\" <a@example.com>, b@example.com",
                &["a@example.com", "b@example.com"],
            ),
            ("To: \"a <x@y.z>, b\" <a@example.com>", &["a@example.com"]),
            (
                "To: a@example.com (Alice (the boss)), b@example.com (Bob)",
                &["a@example.com", "b@example.com"],
            ),
            (
                "To: Team: a@example.com, Bob <b@example.com>;, c@example.com",
                &["a@example.com", "b@example.com", "c@example.com"],
            ),
            ("To: undisclosed-recipients:;", &[]),
            (
                "To: Alice\r\n <a@example.com>,\r\n\tb@example.com",
                &["a@example.com", "b@example.com"],
            ),
            ("To: <@relay.example:a@example.com>", &["a@example.com"]),
            (
                "To: \"quoted local\"@example.com",
                &["\"quoted local\"@example.com"],
            ),
            (
                "To: =?UTF-8?B?w4lsb2TDqWE=?= <e@example.com>",
                &["e@example.com"],
            ),
            (
                "To: a@example.com,,, b@example.com",
                &["a@example.com", "b@example.com"],
            ),
            (
                "To: a@example.com\r\nCc: c@example.com\r\nBcc: d@example.com",
                &["a@example.com", "c@example.com", "d@example.com"],
            ),
            ("To: a@example.com\r\nCC: A@EXAMPLE.COM", &["a@example.com"]),
            ("to: lower@example.com", &["lower@example.com"]),
        ];
        for (to, expected) in table {
            let headers = format!("From: f@example.com\r\n{to}");
            match envelope(&headers) {
                Ok(found) => assert_eq!(found.recipients, *expected, "{to}"),
                Err(HeaderError::NoRecipients) if expected.is_empty() => {}
                Err(e) => panic!("{to}: {e}"),
            }
        }
    }

    #[test]
    fn the_sender_field_wins_over_from() {
        let found = envelope("From: A <a@example.com>, b@example.com\r\nSender: S <s@example.com>\r\nTo: t@example.com").unwrap();
        assert_eq!(found.from, "s@example.com");
        let found =
            envelope("From: A <a@example.com>, b@example.com\r\nTo: t@example.com").unwrap();
        assert_eq!(found.from, "a@example.com");
    }

    #[test]
    fn headers_end_at_the_first_empty_line() {
        let message = b"From: f@example.com\nTo: t@example.com\n\nCc: body@example.com\n";
        let found = envelope_from_headers(message).unwrap();
        assert_eq!(found.recipients, ["t@example.com"]);
        assert!(!found.has_bcc);
    }

    #[test]
    fn errors_when_nothing_usable_is_found() {
        assert_eq!(
            envelope("Subject: hi\r\nTo: t@example.com"),
            Err(HeaderError::NoSender)
        );
        assert_eq!(
            envelope("From: f@example.com\r\nSubject: hi"),
            Err(HeaderError::NoRecipients)
        );
        assert_eq!(
            envelope("From: undisclosed:;\r\nTo: t@example.com"),
            Err(HeaderError::NoSender)
        );
        assert!(matches!(
            envelope("From: f@example.com\r\nTo: not an address"),
            Err(HeaderError::InvalidAddress { .. })
        ));
        assert!(matches!(
            envelope("From: f@example.com\r\nTo: \"unclosed <t@example.com>"),
            Err(HeaderError::Malformed {
                problem: "unclosed quote",
                ..
            })
        ));
        assert!(matches!(
            envelope("From: f@example.com\r\nTo: (comment t@example.com"),
            Err(HeaderError::Malformed {
                problem: "unclosed comment",
                ..
            })
        ));
        assert!(matches!(
            envelope("From: f@example.com\r\nTo: <t@example.com"),
            Err(HeaderError::Malformed {
                problem: "unclosed <",
                ..
            })
        ));
    }

    #[test]
    fn bcc_is_used_then_removed_with_its_folded_lines() {
        let message = b"From: f@example.com\r\nTo: t@example.com\r\nBcc: hidden@example.com,\r\n  other@example.com\r\nSubject: s\r\n\r\nBcc: in the body stays\r\n";
        let found = envelope_from_headers(message).unwrap();
        assert!(found.has_bcc);
        assert_eq!(
            found.recipients,
            ["t@example.com", "hidden@example.com", "other@example.com"]
        );
        let sent = remove_bcc(message);
        assert_eq!(
            &*sent,
            &b"From: f@example.com\r\nTo: t@example.com\r\nSubject: s\r\n\r\nBcc: in the body stays\r\n"[..]
        );
        let unchanged = b"From: f@example.com\r\nBccx: no\r\n\r\nbody";
        assert!(matches!(remove_bcc(unchanged), Cow::Borrowed(_)));
        let last = b"To: t@example.com\nBCC : x@example.com\n";
        assert_eq!(&*remove_bcc(last), b"To: t@example.com\n");
    }
}
