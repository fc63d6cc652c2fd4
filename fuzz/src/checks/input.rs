//! How the stream targets read their fuzz input: a few header bytes (flags,
//! a parameter, chunk lengths) and then the payload. Deriving everything from
//! plain bytes, not `Arbitrary`, keeps the corpora replayable by the tests of
//! `smtp-proto`, which cannot depend on `arbitrary`.

/// The most chunk boundaries an input can ask for.
const MAX_CUTS: usize = 16;

/// A stream target's input, split into its parts.
#[derive(Debug, Clone)]
pub struct StreamInput<'a> {
    /// Option bits; each target says what they mean.
    pub flags: u8,
    /// A small parameter (a limit, a chunk size); each target says what it means.
    pub param: u8,
    /// Lengths of the chunks the payload is fed in (the last chunk takes the rest).
    pub chunk_lens: Vec<usize>,
    /// The bytes under test.
    pub payload: &'a [u8],
}

impl<'a> StreamInput<'a> {
    /// `flags param n len_1 .. len_n payload...`, with `n` taken modulo 17;
    /// missing header bytes count as zero.
    pub fn parse(data: &'a [u8]) -> Self {
        let byte = |k: usize| data.get(k).copied().unwrap_or(0);
        let cuts = usize::from(byte(2)) % (MAX_CUTS + 1);
        let header = (3 + cuts).min(data.len());
        StreamInput {
            flags: byte(0),
            param: byte(1),
            chunk_lens: (0..cuts).map(|k| usize::from(byte(3 + k))).collect(),
            payload: data.get(header..).unwrap_or_default(),
        }
    }

    /// The payload cut into chunks of the requested lengths (empty chunks
    /// included: a read may return nothing new), then the rest.
    pub fn chunks(&self) -> Vec<&'a [u8]> {
        let mut rest = self.payload;
        let mut chunks = Vec::with_capacity(self.chunk_lens.len() + 1);
        for &len in &self.chunk_lens {
            let (head, tail) = rest.split_at(len.min(rest.len()));
            chunks.push(head);
            rest = tail;
        }
        chunks.push(rest);
        chunks
    }

    /// Whether option bit `bit` is set.
    pub fn flag(&self, bit: u8) -> bool {
        self.flags & (1 << bit) != 0
    }
}
