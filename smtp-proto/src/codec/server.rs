//! The server side codec: command lines in (with DATA and BDAT bodies), replies out.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use super::CodecError;
use crate::bdat::BdatReader;
use crate::data::{BareLineEnding, BareLineEndings, DataDecoder};
use crate::encode::Encode;
use crate::error::ParseError;
use crate::framing::{
    AUTH_LINE_MAX, COMMAND_LINE_MAX, EXTENDED_COMMAND_LINE_MAX, Frame, LineFramer,
};
use crate::options::ParseOptions;
use crate::types::command::Command;
use crate::types::reply::Reply;

/// One unit of client input, as the server codec decodes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerFrame {
    /// A well-formed command.
    Command(Command<'static>),
    /// A command line that could not be parsed (or was too long): answer with
    /// [`Reply::from_parse_error`] and carry on.
    Invalid(ParseError),
    /// A SASL continuation line (after [`ServerCodec::expect_auth_response`]),
    /// without its CRLF; still base64, to be decoded by [`crate::sasl`].
    AuthResponse(Bytes),
    /// A piece of the unstuffed DATA body or of a BDAT chunk.
    Body(Bytes),
    /// The DATA body ended with `<CRLF>.<CRLF>`.
    DataEnd {
        /// Body octets, counting those not delivered because of the size limit.
        size: u64,
        /// The body went over the size limit given to [`ServerCodec::start_data`]
        /// (answer `552 5.3.4`).
        size_exceeded: bool,
        /// The first bare CR or LF seen, if any (refuse the message unless the
        /// codec was told to normalise them).
        bare_line_ending: Option<BareLineEnding>,
    },
    /// A BDAT chunk has been read completely.
    BdatChunkEnd {
        /// It was the `LAST` chunk.
        last: bool,
        /// The message went over the size limit given to [`ServerCodec::start_bdat`].
        size_exceeded: bool,
    },
}

#[derive(Debug)]
enum Mode {
    Commands,
    AuthResponse,
    Data(DataDecoder),
    PendingEnd(Box<ServerFrame>),
    Bdat { reader: BdatReader, last: bool },
}

/// Decodes client input for a server, encodes replies.
///
/// Starts in command mode; the server switches it with
/// [`start_data`](ServerCodec::start_data) after answering `354`,
/// [`start_bdat`](ServerCodec::start_bdat) after parsing a BDAT command, and
/// [`expect_auth_response`](ServerCodec::expect_auth_response) after a `334`.
/// It returns to command mode by itself at the end of each.
#[derive(Debug)]
pub struct ServerCodec {
    framer: LineFramer,
    options: ParseOptions,
    bare_line_endings: BareLineEndings,
    mode: Mode,
}

impl Default for ServerCodec {
    fn default() -> Self {
        ServerCodec::new(ParseOptions::default())
    }
}

impl ServerCodec {
    /// A codec parsing commands with `options`, with the extended line limit
    /// (the server is assumed to advertise ESMTP extensions).
    pub fn new(options: ParseOptions) -> Self {
        ServerCodec {
            framer: LineFramer::new(EXTENDED_COMMAND_LINE_MAX)
                .with_lf_line_endings(options.lf_line_endings),
            options,
            bare_line_endings: BareLineEndings::Reject,
            mode: Mode::Commands,
        }
    }

    /// Uses the strict RFC 5321 limit of 512 octets per command line.
    pub fn with_rfc5321_line_limit(mut self) -> Self {
        self.framer.set_limit(COMMAND_LINE_MAX);
        self
    }

    /// How DATA bodies treat bare CR and bare LF (reject by default).
    pub fn with_bare_line_endings(mut self, policy: BareLineEndings) -> Self {
        self.bare_line_endings = policy;
        self
    }

    /// Changes the command grammar options (e.g. after advertising SMTPUTF8).
    pub fn set_options(&mut self, options: ParseOptions) {
        self.options = options;
        self.framer.set_lf_line_endings(options.lf_line_endings);
    }

    /// The next bytes are a DATA body; stop delivering body bytes after
    /// `size_limit` octets (but keep reading to the terminator).
    pub fn start_data(&mut self, size_limit: Option<u64>) {
        let mut decoder = DataDecoder::new().with_bare_line_endings(self.bare_line_endings);
        if let Some(limit) = size_limit {
            decoder = decoder.with_size_limit(limit);
        }
        self.mode = Mode::Data(decoder);
    }

    /// The next `size` bytes are a BDAT chunk. `message_so_far` is what earlier
    /// chunks of the same message added up to, for the size limit.
    pub fn start_bdat(
        &mut self,
        size: u64,
        last: bool,
        size_limit: Option<u64>,
        message_so_far: u64,
    ) {
        let mut reader = BdatReader::new();
        if let Some(limit) = size_limit {
            reader = reader.with_size_limit(limit.saturating_sub(message_so_far));
        }
        reader.start_chunk(size, last);
        self.mode = Mode::Bdat { reader, last };
    }

    /// The next line is a SASL response (up to 12288 octets, RFC 4954 §4).
    pub fn expect_auth_response(&mut self) {
        self.framer.set_limit(AUTH_LINE_MAX);
        self.mode = Mode::AuthResponse;
    }

    fn decode_line(&mut self, src: &mut BytesMut) -> Option<Result<(BytesMut, usize), ParseError>> {
        loop {
            match self.framer.next_line(src) {
                Frame::Line { line_len, consumed } => {
                    let line = src.split_to(consumed);
                    return Some(Ok((line, line_len)));
                }
                Frame::NeedMore => return None,
                Frame::Discard { skip } => src.advance(skip),
                Frame::TooLong { skip } => {
                    src.advance(skip);
                    return Some(Err(ParseError::LineTooLong { skip }));
                }
            }
        }
    }
}

impl Decoder for ServerCodec {
    type Item = ServerFrame;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ServerFrame>, CodecError> {
        match &mut self.mode {
            Mode::Commands => Ok(self.decode_line(src).map(|line| match line {
                Ok((line, len)) => {
                    match crate::parse::command::command(&line[..len], &self.options) {
                        Ok(command) => ServerFrame::Command(command.into_owned()),
                        Err(e) => ServerFrame::Invalid(e),
                    }
                }
                Err(e) => ServerFrame::Invalid(e),
            })),
            Mode::AuthResponse => {
                let frame = self.decode_line(src).map(|line| match line {
                    Ok((mut line, len)) => {
                        line.truncate(len);
                        ServerFrame::AuthResponse(line.freeze())
                    }
                    Err(e) => ServerFrame::Invalid(e),
                });
                if frame.is_some() {
                    self.framer.set_limit(EXTENDED_COMMAND_LINE_MAX);
                    self.mode = Mode::Commands;
                }
                Ok(frame)
            }
            Mode::Data(decoder) => {
                if src.is_empty() {
                    return Ok(None);
                }
                let mut body = Vec::with_capacity(src.len());
                let progress = decoder.decode(src, &mut body);
                src.advance(progress.consumed);
                if progress.done {
                    let end = data_end(decoder);
                    if body.is_empty() {
                        self.mode = Mode::Commands;
                        return Ok(Some(end));
                    }
                    // The last piece of body goes first; the end follows on the next call.
                    self.mode = Mode::PendingEnd(Box::new(end));
                }
                if body.is_empty() {
                    return Ok(None);
                }
                Ok(Some(ServerFrame::Body(Bytes::from(body))))
            }
            Mode::PendingEnd(end) => {
                let end =
                    std::mem::replace(end.as_mut(), ServerFrame::Invalid(ParseError::Incomplete));
                self.mode = Mode::Commands;
                Ok(Some(end))
            }
            Mode::Bdat { reader, last } => {
                if reader.remaining() == 0 {
                    let frame = ServerFrame::BdatChunkEnd {
                        last: *last,
                        size_exceeded: reader.size_exceeded(),
                    };
                    self.mode = Mode::Commands;
                    return Ok(Some(frame));
                }
                if src.is_empty() {
                    return Ok(None);
                }
                let read = reader.read(src);
                let (kept, consumed) = (read.data.len(), read.consumed);
                // The reader hands out a prefix of the input: take it without copying.
                let data = src.split_to(consumed).freeze().slice(..kept);
                if data.is_empty() {
                    // Everything went over the size limit: nothing to deliver.
                    return self.decode(src);
                }
                Ok(Some(ServerFrame::Body(data)))
            }
        }
    }
}

/// The `DataEnd` frame describing a finished decoder.
fn data_end(decoder: &DataDecoder) -> ServerFrame {
    ServerFrame::DataEnd {
        size: decoder.body_len(),
        size_exceeded: decoder.size_exceeded(),
        bare_line_ending: decoder.bare_line_ending(),
    }
}

impl Encoder<&Reply<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, reply: &Reply<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        let mut out = Vec::new();
        reply.encode(&mut out);
        dst.extend_from_slice(&out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(codec: &mut ServerCodec, src: &mut BytesMut) -> Vec<ServerFrame> {
        let mut frames = Vec::new();
        while let Some(frame) = codec.decode(src).unwrap() {
            frames.push(frame);
        }
        frames
    }

    #[test]
    fn pipelined_commands_come_out_in_order() {
        let mut codec = ServerCodec::default();
        let mut src =
            BytesMut::from(&b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nFOO\r\nDATA\r\nNOOP"[..]);
        let frames = drain(&mut codec, &mut src);
        assert_eq!(frames.len(), 4);
        assert!(matches!(
            frames[0],
            ServerFrame::Command(Command::Mail { .. })
        ));
        assert!(matches!(
            frames[1],
            ServerFrame::Command(Command::Rcpt { .. })
        ));
        assert_eq!(frames[2], ServerFrame::Invalid(ParseError::UnknownCommand));
        assert_eq!(frames[3], ServerFrame::Command(Command::Data));
        assert_eq!(&src[..], b"NOOP");
    }

    #[test]
    fn too_long_line_is_reported_once_without_buffering_it() {
        let mut codec = ServerCodec::default().with_rfc5321_line_limit();
        let mut src = BytesMut::from(&vec![b'x'; 600][..]);
        assert!(drain(&mut codec, &mut src).is_empty());
        assert!(src.len() < COMMAND_LINE_MAX, "junk is not buffered");
        src.extend_from_slice(b"yyy\r\nQUIT\r\n");
        let frames = drain(&mut codec, &mut src);
        assert!(matches!(
            frames[0],
            ServerFrame::Invalid(ParseError::LineTooLong { .. })
        ));
        assert_eq!(frames[1], ServerFrame::Command(Command::Quit));
        assert_eq!(frames.len(), 2);
    }

    #[test]
    fn data_body_then_commands() {
        let mut codec = ServerCodec::default();
        codec.start_data(None);
        let mut src = BytesMut::from(&b"Subject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n"[..]);
        let frames = drain(&mut codec, &mut src);
        assert_eq!(
            frames[0],
            ServerFrame::Body(Bytes::from_static(b"Subject: x\r\n\r\n.dot\r\n"))
        );
        assert_eq!(
            frames[1],
            ServerFrame::DataEnd {
                size: 20,
                size_exceeded: false,
                bare_line_ending: None
            }
        );
        assert_eq!(frames[2], ServerFrame::Command(Command::Quit));
    }

    #[test]
    fn data_split_across_reads_and_smuggling_reported() {
        let mut codec = ServerCodec::default();
        codec.start_data(Some(1000));
        let mut frames = Vec::new();
        let mut src = BytesMut::new();
        for &b in b"a\n.\nb\r\n.\r\n" {
            src.extend_from_slice(&[b]);
            while let Some(frame) = codec.decode(&mut src).unwrap() {
                frames.push(frame);
            }
        }
        let body: Vec<u8> = frames
            .iter()
            .filter_map(|f| match f {
                ServerFrame::Body(b) => Some(b.to_vec()),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(body, b"a\n.\nb\r\n");
        match frames.last().unwrap() {
            ServerFrame::DataEnd {
                bare_line_ending, ..
            } => assert!(bare_line_ending.is_some()),
            other => panic!("expected DataEnd, got {other:?}"),
        }
    }

    #[test]
    fn bdat_chunks_are_passed_through_and_counted() {
        let mut codec = ServerCodec::default();
        let mut src = BytesMut::from(&b"BDAT 5 LAST\r\nab\r\n.QUIT\r\n"[..]);
        let frame = codec.decode(&mut src).unwrap();
        assert_eq!(
            frame,
            Some(ServerFrame::Command(Command::Bdat {
                size: 5,
                last: true
            }))
        );
        codec.start_bdat(5, true, Some(3), 0);
        let frames = drain(&mut codec, &mut src);
        assert_eq!(
            frames,
            vec![
                ServerFrame::Body(Bytes::from_static(b"ab\r")),
                ServerFrame::BdatChunkEnd {
                    last: true,
                    size_exceeded: true
                },
                ServerFrame::Command(Command::Quit),
            ]
        );
    }

    #[test]
    fn bdat_zero_last_ends_at_once() {
        let mut codec = ServerCodec::default();
        codec.start_bdat(0, true, None, 0);
        let mut src = BytesMut::new();
        assert_eq!(
            codec.decode(&mut src).unwrap(),
            Some(ServerFrame::BdatChunkEnd {
                last: true,
                size_exceeded: false
            })
        );
    }

    #[test]
    fn auth_response_lines_are_long_and_raw() {
        let mut codec = ServerCodec::default();
        codec.expect_auth_response();
        let long = "A".repeat(8000);
        let mut src = BytesMut::from(format!("{long}\r\nNOOP\r\n").as_bytes());
        let frames = drain(&mut codec, &mut src);
        assert_eq!(frames[0], ServerFrame::AuthResponse(Bytes::from(long)));
        assert_eq!(frames[1], ServerFrame::Command(Command::Noop(None)));
    }

    #[test]
    fn replies_are_encoded() {
        let mut codec = ServerCodec::default();
        let mut dst = BytesMut::new();
        codec.encode(&Reply::OK, &mut dst).unwrap();
        assert_eq!(&dst[..], b"250 2.0.0 OK\r\n");
    }
}
