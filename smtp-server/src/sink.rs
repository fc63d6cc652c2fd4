//! [`SinkHandler`]: accepts every message and throws it away, for benchmarks
//! and tests (`smtp-server --sink`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use smtp_proto::types::address::{ForwardPath, ReversePath};
use smtp_proto::types::params::{MailParams, RcptParams};
use smtp_proto::types::reply::Reply;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::handler::{ConnectionInfo, Handler, Session};

/// Accepts and discards; counts the messages it accepted.
#[derive(Debug, Clone, Default)]
pub struct SinkHandler {
    accepted: Arc<AtomicU64>,
}

impl SinkHandler {
    /// A sink with a zero count.
    pub fn new() -> Self {
        SinkHandler::default()
    }

    /// How many messages were read to the end and acknowledged.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Handler for SinkHandler {
    type Session = SinkSession;

    async fn connect(&self, _info: &ConnectionInfo) -> Result<SinkSession, Reply<'static>> {
        Ok(SinkSession {
            accepted: Arc::clone(&self.accepted),
        })
    }
}

/// One connection of a [`SinkHandler`].
#[derive(Debug)]
pub struct SinkSession {
    accepted: Arc<AtomicU64>,
}

impl Session for SinkSession {
    async fn mail(
        &mut self,
        _info: &ConnectionInfo,
        _from: &ReversePath<'_>,
        _params: &MailParams<'_>,
    ) -> Result<(), Reply<'static>> {
        Ok(())
    }

    async fn rcpt(
        &mut self,
        _info: &ConnectionInfo,
        _to: &ForwardPath<'_>,
        _params: &RcptParams<'_>,
    ) -> Result<(), Reply<'static>> {
        Ok(())
    }

    async fn data(
        &mut self,
        _info: &ConnectionInfo,
        body: &mut (dyn AsyncRead + Unpin + Send),
    ) -> Result<(), Reply<'static>> {
        // Read to the end: the body must pass the protocol's checks (size,
        // bare line endings) before the message counts as accepted. The
        // buffer is on the heap: in the future it would be part of every
        // connection's task, idle or not.
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match body.read(&mut buf).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(_) => return Err(Reply::LOCAL_ERROR),
            }
        }
        self.accepted.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_everything_and_counts() {
        let handler = SinkHandler::new();
        let info = ConnectionInfo::new(
            "127.0.0.1:1000".parse().unwrap(),
            "127.0.0.1:25".parse().unwrap(),
        );
        let mut session = handler.connect(&info).await.unwrap();
        let big = vec![b'x'; 100_000];
        let mut body = &big[..];
        session.data(&info, &mut body).await.unwrap();
        assert!(body.is_empty());
        assert_eq!(handler.accepted(), 1);
    }
}
