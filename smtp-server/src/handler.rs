//! The embedding API, in the shape of go-smtp's Backend/Session: a [`Handler`]
//! makes a [`Session`] per connection; the server applies the protocol and the
//! limits, the handler applies policy. Returning `Err(reply)` sends that reply.

use std::future::Future;
use std::net::SocketAddr;

use smtp_proto::types::address::{ForwardPath, ReversePath};
use smtp_proto::types::params::{MailParams, RcptParams};
use smtp_proto::types::reply::Reply;
use tokio::io::AsyncRead;

/// What the server knows about one connection; every callback sees the current state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The client's address.
    pub peer_addr: SocketAddr,
    /// The address the client connected to.
    pub local_addr: SocketAddr,
    /// TLS state, once the connection is encrypted (implicit TLS or after STARTTLS).
    pub tls: Option<TlsInfo>,
    /// The identity the client authenticated as (AUTH), if any.
    pub authenticated_as: Option<String>,
    /// The name the client gave in EHLO/HELO/LHLO, if any.
    pub helo_name: Option<String>,
    /// True after EHLO/LHLO, false after HELO.
    pub esmtp: bool,
}

impl ConnectionInfo {
    /// A connection that has just been accepted.
    pub fn new(peer_addr: SocketAddr, local_addr: SocketAddr) -> Self {
        ConnectionInfo {
            peer_addr,
            local_addr,
            tls: None,
            authenticated_as: None,
            helo_name: None,
            esmtp: false,
        }
    }
}

/// The negotiated TLS parameters of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsInfo {
    /// Protocol version, e.g. `"TLSv1_3"`.
    pub protocol: String,
    /// Cipher suite name.
    pub cipher_suite: String,
    /// Server name the client asked for (SNI), if any.
    pub server_name: Option<String>,
}

impl TlsInfo {
    /// The parameters of a negotiated TLS session.
    pub fn new(
        protocol: impl Into<String>,
        cipher_suite: impl Into<String>,
        server_name: Option<String>,
    ) -> Self {
        TlsInfo {
            protocol: protocol.into(),
            cipher_suite: cipher_suite.into(),
            server_name,
        }
    }
}

/// Makes one [`Session`] per connection.
pub trait Handler: Send + Sync + 'static {
    /// The per-connection state.
    type Session: Session;

    /// Called when a connection is accepted, before the greeting. `Err(reply)` refuses
    /// the connection with that reply (e.g. `554 5.7.1`), and the server closes it.
    fn connect(
        &self,
        info: &ConnectionInfo,
    ) -> impl Future<Output = Result<Self::Session, Reply<'static>>> + Send;
}

/// One connection's mail transactions. The server calls these in protocol order only
/// (it answers sequencing and syntax errors itself).
pub trait Session: Send + 'static {
    /// MAIL FROM was accepted by the protocol layer; `Err` refuses it with that reply.
    fn mail(
        &mut self,
        info: &ConnectionInfo,
        from: &ReversePath<'_>,
        params: &MailParams<'_>,
    ) -> impl Future<Output = Result<(), Reply<'static>>> + Send;

    /// RCPT TO passed the protocol, relay and limit checks; `Err` refuses this recipient.
    fn rcpt(
        &mut self,
        info: &ConnectionInfo,
        to: &ForwardPath<'_>,
        params: &RcptParams<'_>,
    ) -> impl Future<Output = Result<(), Reply<'static>>> + Send;

    /// The message body, unstuffed, as a stream (DATA or BDAT). The server never buffers the
    /// whole message. `Ok(())` answers `250 2.0.0`; `Err` answers that reply. A read error
    /// means the body was refused by the protocol layer (too big, bare LF, client gone): the
    /// session must not keep the message; the server sends the protocol's reply.
    fn data(
        &mut self,
        info: &ConnectionInfo,
        body: &mut (dyn AsyncRead + Unpin + Send),
    ) -> impl Future<Output = Result<(), Reply<'static>>> + Send;

    /// LMTP (RFC 2033 §4.2): the body, answered once per accepted recipient, in
    /// RCPT order. The default gives every recipient the answer of [`Session::data`];
    /// a delivery agent that can fail one mailbox and not another overrides it.
    fn lmtp_data(
        &mut self,
        info: &ConnectionInfo,
        recipients: &[ForwardPath<'static>],
        body: &mut (dyn AsyncRead + Unpin + Send),
    ) -> impl Future<Output = Vec<Result<(), Reply<'static>>>> + Send {
        let count = recipients.len();
        async move {
            let verdict = self.data(info, body).await;
            vec![verdict; count]
        }
    }

    /// The transaction was abandoned (RSET, a second EHLO, STARTTLS, a failed DATA).
    fn reset(&mut self) {}

    /// The connection is closing.
    fn logout(&mut self) {}
}
