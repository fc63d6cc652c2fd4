//! The RFC 4954 §4 transport of SASL data: base64 on the AUTH line, in `334`
//! challenges and in the client's continuation lines.
//!
//! Base64 is decoded strictly: RFC 4648 §4 alphabet, padding required, no
//! whitespace, and the unused trailing bits must be zero, so every byte string
//! has exactly one accepted encoding (no smuggling through alternative forms).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::secret::SecretBytes;
use crate::error::ParseError;
use crate::types::status::{EnhancedStatus, ReplyCode};

/// Longest base64 text accepted in one line: RFC 4954 §4 makes a server accept
/// AUTH lines of at least 12288 octets, and more is never needed by the
/// mechanisms here (OAuth tokens included).
pub const MAX_BASE64_LINE: usize = 12288;

/// What a client sent in a continuation line of an AUTH exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientResponse {
    /// The line was `*` (RFC 4954 §4): the client gives up. The server must
    /// answer [`ClientResponse::CANCELLED_REPLY`] and end the exchange.
    Cancelled,
    /// The decoded response (empty for an empty line). Redacted in `Debug`.
    Data(SecretBytes),
}

impl ClientResponse {
    /// The reply a server sends to a cancelled exchange: `501 5.0.0` (RFC 4954 §4).
    pub const CANCELLED_REPLY: (ReplyCode, EnhancedStatus) = (
        ReplyCode::SYNTAX_ERROR_IN_ARGUMENTS,
        EnhancedStatus::new_unchecked(5, 0, 0),
    );
}

/// Strict base64 decoding of one field.
///
/// `base64 = base64-terminal / ( 1*(4base64-char) [base64-terminal] )`
/// (RFC 4954 §4; alphabet and canonical form from RFC 4648 §3.5 and §4).
/// The empty input decodes to nothing; callers that require data check it.
pub(crate) fn base64(input: &[u8]) -> Result<Vec<u8>, ParseError> {
    if input.len() > MAX_BASE64_LINE {
        return Err(ParseError::TooLong("SASL base64 data"));
    }
    STANDARD
        .decode(input)
        .map_err(|_| ParseError::InvalidBase64)
}

/// Appends the base64 form of `data`.
pub(crate) fn push_base64(data: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(
        start + base64::encoded_len(data.len(), true).unwrap_or(0),
        0,
    );
    let written = STANDARD
        .encode_slice(data, &mut out[start..])
        .unwrap_or_default();
    out.truncate(start + written);
}

/// The base64 form of `data` as a string.
pub(crate) fn to_base64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// Drops the CRLF a caller may have left on a line.
fn strip_crlf(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r\n").unwrap_or(line)
}

/// Decodes a continuation line a client sent during AUTH.
///
/// `*(CRLF [base64]) [CRLF cancel-response]`, `cancel-response = "*"` (RFC 4954 §4).
/// `line` is one line without its CRLF (a trailing CRLF is tolerated). An empty
/// line is an empty response; `*` is [`ClientResponse::Cancelled`].
pub fn decode_client_response(line: &[u8]) -> Result<ClientResponse, ParseError> {
    let line = strip_crlf(line);
    if line == b"*" {
        return Ok(ClientResponse::Cancelled);
    }
    base64(line).map(|data| ClientResponse::Data(SecretBytes::new(data)))
}

/// Decodes the initial response given on the AUTH command line.
///
/// `initial-response = base64 / "="` (RFC 4954 §4): `=` is an empty response,
/// and the argument itself cannot be empty.
pub fn decode_initial_response(arg: &[u8]) -> Result<SecretBytes, ParseError> {
    match arg {
        b"=" => Ok(SecretBytes::default()),
        b"" => Err(ParseError::InvalidArguments("empty SASL initial response")),
        _ => base64(arg).map(SecretBytes::new),
    }
}

/// Appends a continuation line for `data` (base64, then CRLF; an empty
/// response is an empty line), as a client sends after a `334` challenge.
pub fn encode_client_response(data: &[u8], out: &mut Vec<u8>) {
    push_base64(data, out);
    out.extend_from_slice(b"\r\n");
}

/// Appends the cancel line `*` CRLF (RFC 4954 §4).
pub fn encode_cancel(out: &mut Vec<u8>) {
    out.extend_from_slice(b"*\r\n");
}

/// Appends the initial-response argument of an AUTH command for `data`:
/// base64, or `=` when `data` is empty (RFC 4954 §4). No CRLF: the AUTH command
/// encoder ends the line.
pub fn encode_initial_response(data: &[u8], out: &mut Vec<u8>) {
    if data.is_empty() {
        out.push(b'=');
    } else {
        push_base64(data, out);
    }
}

/// Appends the text of a `334` challenge for `challenge`: its base64 form
/// (RFC 4954 §4), without the `334 ` prefix or the CRLF. An empty challenge is
/// an empty text (`334 ` CRLF on the wire).
pub fn encode_challenge(challenge: &[u8], out: &mut Vec<u8>) {
    push_base64(challenge, out);
}

/// Decodes the text of a `334` reply (after `334 `) into the challenge.
///
/// `base64` (RFC 4954 §4), strict; an empty text is an empty challenge.
pub fn decode_challenge(text: &[u8]) -> Result<Vec<u8>, ParseError> {
    base64(strip_crlf(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn data(bytes: &[u8]) -> ClientResponse {
        ClientResponse::Data(SecretBytes::new(bytes.to_vec()))
    }

    #[test]
    fn known_answers() {
        assert_eq!(decode_client_response(b"*"), Ok(ClientResponse::Cancelled));
        assert_eq!(
            decode_client_response(b"*\r\n"),
            Ok(ClientResponse::Cancelled)
        );
        assert_eq!(decode_client_response(b""), Ok(data(b"")));
        assert_eq!(decode_client_response(b"\r\n"), Ok(data(b"")));
        assert_eq!(
            decode_client_response(b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm"),
            Ok(data(b"\0tim\0tanstaaftanstaaf"))
        );
        assert_eq!(decode_client_response(b"YQ=="), Ok(data(b"a")));
        assert_eq!(decode_client_response(b"YWI="), Ok(data(b"ab")));
        assert_eq!(decode_client_response(b"YWJj"), Ok(data(b"abc")));
        assert_eq!(decode_initial_response(b"="), Ok(SecretBytes::default()));
        assert_eq!(
            decode_initial_response(b"dGVzdA=="),
            Ok(SecretBytes::new(b"test".to_vec()))
        );
        assert_eq!(
            decode_initial_response(b""),
            Err(ParseError::InvalidArguments("empty SASL initial response"))
        );
        assert_eq!(decode_challenge(b"VXNlcm5hbWU6"), Ok(b"Username:".to_vec()));
        assert_eq!(decode_challenge(b""), Ok(Vec::new()));
        let (code, status) = ClientResponse::CANCELLED_REPLY;
        assert_eq!((code.get(), status.to_string()), (501, "5.0.0".to_string()));
    }

    #[test]
    fn base64_is_strict() {
        let bad: &[&[u8]] = &[
            b"YQ",       // missing padding
            b"YQ=",      // short padding
            b"YQ===",    // too much padding
            b"YR==",     // non-canonical trailing bits
            b"YWJ=",     // non-canonical trailing bits
            b"YW I=",    // inner space
            b" YWI=",    // leading space
            b"YWI= ",    // trailing space
            b"YWI=\r",   // bare CR
            b"YWI=\n",   // bare LF
            b"YW\tI=",   // tab
            b"YWI-",     // URL-safe alphabet
            b"YWI_",     // URL-safe alphabet
            b"Y!I=",     // not base64 at all
            b"=",        // "=" is only an initial response
            b"==",       // padding alone
            b"YQ==YQ==", // padding in the middle
            b"**",       // not a cancel
            b"* ",       // not a cancel
            b"\xff\xfe", // non-ASCII
        ];
        for input in bad {
            assert_eq!(
                decode_client_response(input),
                Err(ParseError::InvalidBase64),
                "{:?}",
                String::from_utf8_lossy(input)
            );
            if *input != b"=" {
                assert_eq!(
                    decode_initial_response(input),
                    Err(ParseError::InvalidBase64)
                );
            }
            assert_eq!(decode_challenge(input), Err(ParseError::InvalidBase64));
        }
        assert_eq!(
            decode_client_response(&vec![b'A'; MAX_BASE64_LINE + 4]),
            Err(ParseError::TooLong("SASL base64 data"))
        );
    }

    #[test]
    fn encodings() {
        let mut out = Vec::new();
        encode_challenge(b"Username:", &mut out);
        assert_eq!(out, b"VXNlcm5hbWU6");
        out.clear();
        encode_challenge(b"Password:", &mut out);
        assert_eq!(out, b"UGFzc3dvcmQ6");
        out.clear();
        encode_initial_response(b"", &mut out);
        assert_eq!(out, b"=");
        out.clear();
        encode_initial_response(b"\0tim\0x", &mut out);
        assert_eq!(out, b"AHRpbQB4");
        out.clear();
        encode_client_response(b"", &mut out);
        assert_eq!(out, b"\r\n");
        out.clear();
        encode_cancel(&mut out);
        assert_eq!(out, b"*\r\n");
        out.clear();
        out.extend_from_slice(b"334 ");
        encode_challenge(b"ab", &mut out);
        assert_eq!(out, b"334 YWI=");
    }

    proptest! {
        #[test]
        fn round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut line = Vec::new();
            encode_client_response(&bytes, &mut line);
            prop_assert_eq!(decode_client_response(&line), Ok(data(&bytes)));
            let mut arg = Vec::new();
            encode_initial_response(&bytes, &mut arg);
            prop_assert_eq!(decode_initial_response(&arg), Ok(SecretBytes::new(bytes.clone())));
            let mut text = Vec::new();
            encode_challenge(&bytes, &mut text);
            prop_assert_eq!(decode_challenge(&text), Ok(bytes));
        }

        #[test]
        fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_client_response(&bytes);
            let _ = decode_initial_response(&bytes);
            let _ = decode_challenge(&bytes);
        }
    }
}
