//! The body stream a handler's `data` reads: unstuffed octets pulled from the
//! socket by the driver through a small in-memory pipe (never the whole
//! message), ending in an error when the protocol refused the body.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, DuplexStream, ReadBuf};

/// Capacity of the pipe between the socket pump and the handler.
pub(crate) const PIPE_CAPACITY: usize = 16 * 1024;

/// The handler's side of the body pipe.
#[derive(Debug)]
pub(crate) struct BodyReader {
    pipe: DuplexStream,
    failed: Arc<AtomicBool>,
}

impl BodyReader {
    /// A reader on `pipe`; once `failed` is set, its end is an error, not EOF.
    pub(crate) fn new(pipe: DuplexStream, failed: Arc<AtomicBool>) -> Self {
        BodyReader { pipe, failed }
    }
}

impl AsyncRead for BodyReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.pipe).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() == before && buf.remaining() > 0 => {
                if self.failed.load(Ordering::Acquire) {
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "message body refused by the protocol layer or the client left",
                    )))
                } else {
                    Poll::Ready(Ok(()))
                }
            }
            other => other,
        }
    }
}
