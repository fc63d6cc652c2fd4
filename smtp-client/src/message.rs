//! What the session must know about a message body before sending its
//! envelope: its size (for `SIZE=`) and whether it is 7-bit, 8-bit or binary
//! (for `BODY=`).

/// The kind of content, which decides the `BODY=` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Content {
    /// Only 7-bit bytes: no `BODY=` needed.
    SevenBit,
    /// 8-bit bytes: `BODY=8BITMIME` (RFC 6152), required of the server.
    EightBit,
    /// NUL bytes, which only `BODY=BINARYMIME` over BDAT carries (RFC 3030).
    Binary,
    /// Not known in advance (a stream): `BODY=8BITMIME` when offered.
    Unknown,
}

/// Facts about a message body, given to the session before its envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BodyInfo {
    /// Size in octets, when known (sent as `SIZE=` and checked against the server's limit).
    pub size: Option<u64>,
    /// What the body contains.
    pub content: Content,
}

impl BodyInfo {
    /// Scans a whole message in memory. The size is the one on the wire
    /// after line endings are normalised to CRLF and a missing final CRLF is
    /// added (RFC 1870 §3 counts CRLF pairs, not dot-stuffing).
    pub fn of(message: &[u8]) -> Self {
        if message.contains(&0) {
            return BodyInfo {
                size: Some(message.len() as u64),
                content: Content::Binary,
            };
        }
        let mut size = message.len() as u64;
        let mut eight_bit = false;
        let mut previous = 0u8;
        for (i, &byte) in message.iter().enumerate() {
            eight_bit |= byte >= 0x80;
            let bare_cr = byte == b'\r' && message.get(i + 1) != Some(&b'\n');
            let bare_lf = byte == b'\n' && previous != b'\r';
            if bare_cr || bare_lf {
                size += 1;
            }
            previous = byte;
        }
        if !message.is_empty() && !matches!(message.last(), Some(b'\n' | b'\r')) {
            size += 2;
        }
        BodyInfo {
            size: Some(size),
            content: if eight_bit {
                Content::EightBit
            } else {
                Content::SevenBit
            },
        }
    }

    /// A streamed body of unknown content, with an optional size hint.
    pub fn streamed(size_hint: Option<u64>) -> Self {
        BodyInfo {
            size: size_hint,
            content: Content::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_content() {
        assert_eq!(BodyInfo::of(b"plain\r\n").content, Content::SevenBit);
        assert_eq!(BodyInfo::of("é\r\n".as_bytes()).content, Content::EightBit);
        assert_eq!(BodyInfo::of(b"a\0b").content, Content::Binary);
        assert_eq!(BodyInfo::of(b"abc\r\n").size, Some(5));
        assert_eq!(BodyInfo::of(b"abc").size, Some(5), "final CRLF added");
        assert_eq!(
            BodyInfo::of(b"a\nb\rc\r\n").size,
            Some(9),
            "bare endings become CRLF"
        );
        assert_eq!(BodyInfo::of(b"").size, Some(0));
        assert_eq!(BodyInfo::of(b"a\0b").size, Some(3), "binary is sent as is");
        assert_eq!(BodyInfo::streamed(None).content, Content::Unknown);
    }
}
