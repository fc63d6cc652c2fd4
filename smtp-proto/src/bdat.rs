//! CHUNKING (RFC 3030): reading BDAT chunks on a server, writing them on a client.
//!
//! `BDAT <chunk-size> [LAST]` is followed by exactly `chunk-size` octets of
//! message data, with no stuffing and no terminator, and then by the next
//! command. The server reads those octets with a [`BdatReader`], which hands
//! out borrowed slices of its input and never consumes a byte past the chunk.
//! The client writes the command with [`encode_bdat_chunk`], or splits a
//! message with [`bdat_chunks`] / [`BdatWriter`].

use crate::types::status::push_decimal;

/// The result of one [`BdatReader::read`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BdatRead<'b> {
    /// Message octets to store: the consumed octets, minus those past the
    /// size limit. Borrowed from the input.
    pub data: &'b [u8],
    /// Octets of input that belonged to the chunk.
    pub consumed: usize,
    /// The chunk is complete: what follows in the input is the next command.
    pub chunk_done: bool,
    /// The chunk was the `LAST` one and is complete: the message is complete.
    pub message_done: bool,
}

/// Reads the chunks of one message on a server (see the [module documentation](self)).
///
/// Call [`BdatReader::start_chunk`] after each `BDAT` command, then
/// [`BdatReader::read`] with the received bytes until `chunk_done`.
#[derive(Debug, Clone)]
pub struct BdatReader {
    remaining: u64,
    last: bool,
    complete: bool,
    message_len: u64,
    size_limit: u64,
}

impl Default for BdatReader {
    fn default() -> Self {
        Self::new()
    }
}

impl BdatReader {
    /// A reader without a size limit, before its first chunk.
    pub fn new() -> Self {
        BdatReader {
            remaining: 0,
            last: false,
            complete: false,
            message_len: 0,
            size_limit: u64::MAX,
        }
    }

    /// Sets the message size limit: past it, [`BdatRead::data`] is cut short
    /// while the chunk octets are still consumed, and
    /// [`BdatReader::size_exceeded`] tells the server to answer `552 5.3.4`
    /// once the chunk is read.
    pub fn with_size_limit(mut self, limit: u64) -> Self {
        self.size_limit = limit;
        self
    }

    /// Starts a chunk of `size` octets after `BDAT size [LAST]`. After a
    /// complete message, this starts a new one.
    pub fn start_chunk(&mut self, size: u64, last: bool) {
        if self.complete {
            self.reset();
        }
        self.remaining = size;
        self.last = last;
    }

    /// Forgets the message (after RSET, or when the transaction is aborted),
    /// keeping the size limit.
    pub fn reset(&mut self) {
        *self = BdatReader::new().with_size_limit(self.size_limit);
    }

    /// Consumes the octets of the current chunk at the front of `input`.
    pub fn read<'b>(&mut self, input: &'b [u8]) -> BdatRead<'b> {
        let take = usize::try_from(self.remaining).map_or(input.len(), |r| r.min(input.len()));
        let chunk = input.get(..take).unwrap_or_default();
        let room = self.size_limit.saturating_sub(self.message_len);
        let keep = usize::try_from(room).map_or(take, |r| r.min(take));
        self.remaining = self.remaining.saturating_sub(take as u64);
        self.message_len = self.message_len.saturating_add(take as u64);
        let chunk_done = self.remaining == 0;
        let message_done = chunk_done && self.last;
        self.complete |= message_done;
        BdatRead {
            data: chunk.get(..keep).unwrap_or_default(),
            consumed: take,
            chunk_done,
            message_done,
        }
    }

    /// Octets of the current chunk still to read.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Whether the `LAST` chunk has been read completely.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Octets of the message read so far, counting those past the size limit.
    pub fn message_len(&self) -> u64 {
        self.message_len
    }

    /// Whether the message went over the size limit.
    pub fn size_exceeded(&self) -> bool {
        self.message_len > self.size_limit
    }
}

/// Appends the command `BDAT <payload_len>[ LAST]<CRLF>` to `out` (RFC 3030 §2:
/// `bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CR LF`).
pub fn encode_bdat_chunk(payload_len: u64, last: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(b"BDAT ");
    push_decimal(out, payload_len);
    if last {
        out.extend_from_slice(b" LAST");
    }
    out.extend_from_slice(b"\r\n");
}

/// One chunk of a message to send with BDAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BdatChunk<'m> {
    /// The chunk's octets.
    pub data: &'m [u8],
    /// Whether it is the `LAST` chunk.
    pub last: bool,
}

impl BdatChunk<'_> {
    /// Appends the `BDAT` command of this chunk to `out`.
    pub fn encode_command(&self, out: &mut Vec<u8>) {
        encode_bdat_chunk(self.data.len() as u64, self.last, out);
    }

    /// Appends the `BDAT` command and then the chunk's octets to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.encode_command(out);
        out.extend_from_slice(self.data);
    }
}

/// Splits `message` into chunks of `chunk_size` octets (at least 1), the last
/// one marked `LAST`. The `LAST` chunk is the remainder, so it is empty
/// (`BDAT 0 LAST`) when the message is empty or a multiple of `chunk_size`,
/// just as a streaming [`BdatWriter`] produces.
pub fn bdat_chunks(message: &[u8], chunk_size: usize) -> BdatChunks<'_> {
    BdatChunks {
        rest: message,
        chunk_size: chunk_size.max(1),
        done: false,
    }
}

/// Iterator returned by [`bdat_chunks`].
#[derive(Debug, Clone)]
pub struct BdatChunks<'m> {
    rest: &'m [u8],
    chunk_size: usize,
    done: bool,
}

impl<'m> Iterator for BdatChunks<'m> {
    type Item = BdatChunk<'m>;

    fn next(&mut self) -> Option<BdatChunk<'m>> {
        if self.done {
            return None;
        }
        if self.rest.len() >= self.chunk_size {
            let (data, rest) = self.rest.split_at(self.chunk_size);
            self.rest = rest;
            return Some(BdatChunk { data, last: false });
        }
        self.done = true;
        Some(BdatChunk {
            data: std::mem::take(&mut self.rest),
            last: true,
        })
    }
}

/// Streams a message as BDAT chunks of a fixed size: full chunks are written
/// as soon as they are complete, the remainder (possibly empty) by
/// [`BdatWriter::finish`] as the `LAST` chunk. Holds at most one chunk.
#[derive(Debug, Clone)]
pub struct BdatWriter {
    chunk_size: usize,
    pending: Vec<u8>,
}

impl BdatWriter {
    /// A writer of chunks of `chunk_size` octets (at least 1).
    pub fn new(chunk_size: usize) -> Self {
        BdatWriter {
            chunk_size: chunk_size.max(1),
            pending: Vec::new(),
        }
    }

    /// Appends `BDAT` commands and their octets to `out` for every chunk that
    /// `data` completes.
    pub fn write(&mut self, mut data: &[u8], out: &mut Vec<u8>) {
        if !self.pending.is_empty() {
            let need = self.chunk_size - self.pending.len();
            let (head, tail) = data.split_at(need.min(data.len()));
            self.pending.extend_from_slice(head);
            data = tail;
            if self.pending.len() < self.chunk_size {
                return;
            }
            BdatChunk {
                data: &self.pending,
                last: false,
            }
            .encode(out);
            self.pending.clear();
        }
        let mut chunks = data.chunks_exact(self.chunk_size);
        for data in &mut chunks {
            BdatChunk { data, last: false }.encode(out);
        }
        self.pending.extend_from_slice(chunks.remainder());
    }

    /// Appends the `LAST` chunk to `out` and makes the writer ready for the next message.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        BdatChunk {
            data: &self.pending,
            last: true,
        }
        .encode(out);
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn command(size: u64, last: bool) -> Vec<u8> {
        let mut out = Vec::new();
        encode_bdat_chunk(size, last, &mut out);
        out
    }

    #[test]
    fn encodes_commands() {
        assert_eq!(command(0, true), b"BDAT 0 LAST\r\n");
        assert_eq!(command(4096, false), b"BDAT 4096\r\n");
        assert_eq!(command(u64::MAX, false), b"BDAT 18446744073709551615\r\n");
    }

    fn sizes(message: &[u8], size: usize) -> Vec<(usize, bool)> {
        bdat_chunks(message, size)
            .map(|c| (c.data.len(), c.last))
            .collect()
    }

    #[test]
    fn splits_messages() {
        assert_eq!(sizes(b"", 3), vec![(0, true)]);
        assert_eq!(sizes(b"ab", 3), vec![(2, true)]);
        assert_eq!(sizes(b"abc", 3), vec![(3, false), (0, true)]);
        assert_eq!(
            sizes(b"abcdefg", 3),
            vec![(3, false), (3, false), (1, true)]
        );
        assert_eq!(sizes(b"ab", 0), vec![(1, false), (1, false), (0, true)]);
    }

    #[test]
    fn reader_stops_at_the_chunk_end() {
        let mut r = BdatReader::new();
        r.start_chunk(5, false);
        let got = r.read(b"abc");
        assert_eq!(
            (got.data, got.consumed, got.chunk_done),
            (&b"abc"[..], 3, false)
        );
        let got = r.read(b"deBDAT 2 LAST\r\n");
        assert_eq!(got.data, b"de");
        assert!(got.chunk_done && !got.message_done);
        r.start_chunk(2, true);
        let got = r.read(b"fgQUIT\r\n");
        assert_eq!((got.data, got.consumed), (&b"fg"[..], 2));
        assert!(got.message_done && r.is_complete());
        assert_eq!(r.message_len(), 7);
        // The next BDAT starts a new message.
        r.start_chunk(0, true);
        assert!(!r.is_complete());
        let got = r.read(b"QUIT\r\n");
        assert_eq!(got.consumed, 0);
        assert!(got.message_done);
        assert_eq!(r.message_len(), 0);
    }

    #[test]
    fn reader_size_limit() {
        let mut r = BdatReader::new().with_size_limit(4);
        r.start_chunk(3, false);
        assert_eq!(r.read(b"abc").data, b"abc");
        r.start_chunk(3, true);
        let got = r.read(b"defNOOP");
        assert_eq!((got.data, got.consumed), (&b"d"[..], 3));
        assert!(r.size_exceeded() && got.message_done);
        assert_eq!(r.message_len(), 6);
    }

    /// Reads a stream of BDAT commands and chunks back into the message.
    fn read_back(mut wire: &[u8], cut: usize) -> Vec<u8> {
        let mut r = BdatReader::new();
        let mut message = Vec::new();
        loop {
            let end = wire.windows(2).position(|w| w == b"\r\n").unwrap();
            let line = std::str::from_utf8(&wire[..end]).unwrap();
            let mut words = line.split(' ');
            assert_eq!(words.next(), Some("BDAT"));
            let size: u64 = words.next().unwrap().parse().unwrap();
            let last = words.next() == Some("LAST");
            wire = &wire[end + 2..];
            r.start_chunk(size, last);
            loop {
                let piece = &wire[..cut.min(wire.len())];
                let got = r.read(piece);
                message.extend_from_slice(got.data);
                wire = &wire[got.consumed..];
                if got.message_done {
                    assert!(wire.is_empty());
                    return message;
                }
                if got.chunk_done {
                    break;
                }
            }
        }
    }

    proptest! {
        #[test]
        fn writer_matches_chunks_and_reads_back(
            message in proptest::collection::vec(any::<u8>(), 0..300),
            chunk_size in 1usize..40,
            cuts in proptest::collection::vec(any::<usize>(), 0..10),
            read_cut in 1usize..50,
        ) {
            let mut expected = Vec::new();
            for chunk in bdat_chunks(&message, chunk_size) {
                chunk.encode(&mut expected);
            }
            let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (message.len() + 1)).collect();
            bounds.sort_unstable();
            bounds.push(message.len());
            let mut w = BdatWriter::new(chunk_size);
            let mut wire = Vec::new();
            let mut start = 0;
            for end in bounds {
                w.write(&message[start..end], &mut wire);
                start = end;
            }
            w.finish(&mut wire);
            prop_assert_eq!(&wire, &expected);
            prop_assert_eq!(read_back(&wire, read_cut), message);
        }
    }
}
