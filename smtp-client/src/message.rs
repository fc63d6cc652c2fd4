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
    /// Scans a whole message in memory.
    pub fn of(message: &[u8]) -> Self {
        let content = if message.contains(&0) {
            Content::Binary
        } else if message.is_ascii() {
            Content::SevenBit
        } else {
            Content::EightBit
        };
        BodyInfo {
            size: Some(message.len() as u64),
            content,
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
        assert_eq!(BodyInfo::of(b"abc").size, Some(3));
        assert_eq!(BodyInfo::streamed(None).content, Content::Unknown);
    }
}
