//! The client side codec: replies in, commands, message data and SASL responses out.

use bytes::{Buf, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use super::CodecError;
use crate::bdat::encode_bdat_chunk;
use crate::data::{DataEncoder, EncodeMode};
use crate::encode::Encode;
use crate::error::ParseError;
use crate::sasl::{encode_cancel, encode_client_response};
use crate::types::command::Command;
use crate::types::reply::Reply;

/// Something a client sends.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ClientItem<'a> {
    /// A command line.
    Command(&'a Command<'a>),
    /// A piece of the message after `354`: dot-stuffed and CRLF-normalised on
    /// the way out, however the message is split into pieces.
    Data(&'a [u8]),
    /// The end of the message: the final CRLF if needed and `.` CRLF.
    DataEnd,
    /// A BDAT command with its chunk, sent as is (RFC 3030: no stuffing).
    Bdat {
        /// The chunk's octets.
        chunk: &'a [u8],
        /// Mark it `LAST`.
        last: bool,
    },
    /// A SASL response to a `334` challenge, base64-encoded on the way out.
    AuthResponse(&'a [u8]),
    /// Cancels a SASL exchange (`*`).
    AuthCancel,
}

/// Decodes server replies for a client, encodes what the client sends.
#[derive(Debug, Default)]
pub struct ClientCodec {
    data: DataEncoder,
    scratch: Vec<u8>,
}

impl ClientCodec {
    /// A new codec.
    pub fn new() -> Self {
        ClientCodec {
            data: DataEncoder::with_mode(EncodeMode::DotStuff),
            scratch: Vec::new(),
        }
    }
}

impl Decoder for ClientCodec {
    type Item = Reply<'static>;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Reply<'static>>, CodecError> {
        match Reply::parse(src) {
            Ok((reply, consumed)) => {
                let reply = reply.into_owned();
                src.advance(consumed);
                Ok(Some(reply))
            }
            Err(ParseError::Incomplete) => Ok(None),
            Err(e) => Err(CodecError::Protocol(e)),
        }
    }
}

impl Encoder<ClientItem<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, item: ClientItem<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        self.scratch.clear();
        match item {
            ClientItem::Command(command) => command.encode(&mut self.scratch),
            ClientItem::Data(piece) => self.data.encode(piece, &mut self.scratch),
            ClientItem::DataEnd => self.data.finish(&mut self.scratch),
            ClientItem::Bdat { chunk, last } => {
                encode_bdat_chunk(chunk.len() as u64, last, &mut self.scratch);
                self.scratch.extend_from_slice(chunk);
            }
            ClientItem::AuthResponse(data) => encode_client_response(data, &mut self.scratch),
            ClientItem::AuthCancel => encode_cancel(&mut self.scratch),
        }
        dst.extend_from_slice(&self.scratch);
        Ok(())
    }
}

impl<'a> Encoder<&'a Command<'a>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, command: &'a Command<'a>, dst: &mut BytesMut) -> Result<(), CodecError> {
        self.encode(ClientItem::Command(command), dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::status::ReplyCode;

    #[test]
    fn replies_decode_when_complete() {
        let mut codec = ClientCodec::new();
        let mut src = BytesMut::from(&b"250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10"[..]);
        assert_eq!(codec.decode(&mut src).unwrap(), None);
        src.extend_from_slice(b"\r\n354 go\r\n");
        let ehlo = codec.decode(&mut src).unwrap().unwrap();
        assert_eq!(ehlo.lines().count(), 3);
        let go = codec.decode(&mut src).unwrap().unwrap();
        assert_eq!(go.code(), ReplyCode::START_MAIL_INPUT);
        assert!(src.is_empty());
    }

    #[test]
    fn garbage_from_the_server_is_a_protocol_error() {
        let mut codec = ClientCodec::new();
        let mut src = BytesMut::from(&b"HTTP/1.1 400 Bad Request\r\n"[..]);
        assert!(matches!(
            codec.decode(&mut src),
            Err(CodecError::Protocol(_))
        ));
    }

    #[test]
    fn data_is_stuffed_across_pieces() {
        let mut codec = ClientCodec::new();
        let mut dst = BytesMut::new();
        codec.encode(ClientItem::Data(b"a\r"), &mut dst).unwrap();
        codec
            .encode(ClientItem::Data(b"\n.b\nc"), &mut dst)
            .unwrap();
        codec.encode(ClientItem::DataEnd, &mut dst).unwrap();
        assert_eq!(&dst[..], b"a\r\n..b\r\nc\r\n.\r\n");
    }

    #[test]
    fn commands_bdat_and_auth() {
        let mut codec = ClientCodec::new();
        let mut dst = BytesMut::new();
        codec.encode(&Command::Rset, &mut dst).unwrap();
        codec
            .encode(
                ClientItem::Bdat {
                    chunk: b"x\r\n",
                    last: true,
                },
                &mut dst,
            )
            .unwrap();
        codec
            .encode(ClientItem::AuthResponse(b"user"), &mut dst)
            .unwrap();
        codec.encode(ClientItem::AuthCancel, &mut dst).unwrap();
        assert_eq!(&dst[..], b"RSET\r\nBDAT 3 LAST\r\nx\r\ndXNlcg==\r\n*\r\n");
    }
}
