//! The async client: one connection driven over tokio, with the sans-I/O
//! [`ClientSession`] deciding every byte.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use rand::RngCore;
use rustls::pki_types::ServerName;
use smtp_proto::{EhloInfo, Host};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::builder::ClientBuilder;
use crate::envelope::Envelope;
use crate::error::Error;
use crate::message::BodyInfo;
use crate::report::SendReport;
use crate::session::{AuthOptions, ClientSession, Event, SessionConfig};
use crate::timeouts::{Phase, Timeouts};
use crate::tls::{Stream, TlsMode, client_config};

/// Size of the socket read buffer and of the body pieces given to the session.
const IO_CHUNK: usize = 64 * 1024;

/// One SMTP connection, ready to send mail.
#[derive(Debug)]
pub struct Client {
    stream: Option<Stream>,
    session: ClientSession,
    timeouts: Timeouts,
    read_buf: Vec<u8>,
    write_buf: Vec<u8>,
    tls: Option<(Arc<rustls::ClientConfig>, ServerName<'static>)>,
    /// An I/O error or a timeout left the conversation in an unknown state.
    broken: bool,
    /// The settings, kept to reconnect.
    settings: ClientBuilder,
}

/// Runs `future` under `timeout`, naming the phase on expiry.
async fn within<T>(
    phase: Phase,
    timeout: Duration,
    future: impl Future<Output = std::io::Result<T>>,
) -> Result<T, Error> {
    match tokio::time::timeout(timeout, future).await {
        Ok(result) => result.map_err(Error::from),
        Err(_) => Err(Error::Timeout { phase }),
    }
}

/// A refusal saying the transaction has too many recipients: `452` with
/// `4.5.3` or without an enhanced code (RFC 5321 §4.5.3.1.10 names 452 for
/// it; other 452s carry their own enhanced code, like 4.2.2 mailbox full).
fn too_many_recipients(reply: &smtp_proto::Reply<'static>) -> bool {
    reply.code().get() == 452
        && reply
            .enhanced_status()
            .is_none_or(|status| (status.subject(), status.detail()) == (5, 3))
}

/// Where the body comes from.
enum BodySource<'m, R> {
    Bytes(&'m [u8]),
    Reader(R),
}

impl Client {
    /// Settings for a connection to `host` (port 587 and STARTTLS required
    /// unless changed).
    pub fn builder(host: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(host.into())
    }

    pub(crate) async fn connect(builder: &ClientBuilder) -> Result<Client, Error> {
        let mode = builder.tls_mode();
        let ehlo_name = Host::try_from(builder.ehlo_name.as_str())
            .map(Host::into_owned)
            .map_err(|e| Error::InvalidInput(format!("EHLO name {:?}: {e}", builder.ehlo_name)))?;
        let tls = match mode {
            TlsMode::None => None,
            _ => {
                let config = client_config(&builder.root_certificates_resolved()?)?;
                let name = builder
                    .tls_server_name
                    .clone()
                    .unwrap_or_else(|| builder.host.clone());
                let server_name = ServerName::try_from(name.clone())
                    .map_err(|e| Error::InvalidInput(format!("TLS server name {name:?}: {e}")))?;
                Some((config, server_name))
            }
        };
        let tcp = match tokio::time::timeout(
            builder.connect_timeout,
            TcpStream::connect((builder.host.as_str(), builder.port)),
        )
        .await
        {
            Ok(result) => result?,
            Err(_) => {
                return Err(Error::Timeout {
                    phase: Phase::Connect,
                });
            }
        };
        // Commands and replies are small and latency-bound.
        let _ = tcp.set_nodelay(true);
        let mut config = SessionConfig::new(ehlo_name);
        config.timeouts = builder.timeouts;
        config.use_pipelining = builder.pipelining;
        config.use_chunking = builder.chunking;
        let mut client = Client {
            stream: Some(Stream::Plain(tcp)),
            session: ClientSession::new(config, mode == TlsMode::Implicit),
            timeouts: builder.timeouts,
            read_buf: vec![0; IO_CHUNK],
            write_buf: Vec::new(),
            tls,
            broken: false,
            settings: builder.clone(),
        };
        if mode == TlsMode::Implicit {
            client.upgrade_tls().await?;
        }
        client.wait_capabilities().await?;
        let offered = client
            .session
            .capabilities()
            .is_some_and(EhloInfo::has_starttls);
        match mode {
            TlsMode::StartTlsRequired => client.start_tls(true).await?,
            TlsMode::StartTlsOpportunistic if offered => client.start_tls(false).await?,
            _ => {}
        }
        if let Some(credentials) = &builder.credentials {
            let mut nonce = [0u8; 18];
            rand::thread_rng().fill_bytes(&mut nonce);
            let nonce = base64::engine::general_purpose::STANDARD.encode(nonce);
            let options = AuthOptions {
                mechanism: builder.mechanism.clone(),
                allow_plaintext: builder.allow_plaintext_auth,
                scram_nonce: &nonce,
                host: &builder.host,
                port: builder.port,
            };
            client.session.authenticate(credentials, &options)?;
            loop {
                match client.next_event().await? {
                    Event::Authenticated => break,
                    Event::CommandFailed(error) => return Err(error),
                    _ => {}
                }
            }
        }
        Ok(client)
    }

    async fn upgrade_tls(&mut self) -> Result<(), Error> {
        let Some((config, name)) = self.tls.clone() else {
            return Err(Error::InvalidInput(
                "TLS is disabled (TlsMode::None)".into(),
            ));
        };
        let Some(Stream::Plain(tcp)) = self.stream.take() else {
            self.broken = true;
            return Err(Error::Tls("the connection is already TLS".into()));
        };
        let handshake = TlsConnector::from(config).connect(name, tcp);
        match tokio::time::timeout(self.timeouts.tls_handshake, handshake).await {
            Ok(Ok(tls)) => {
                let (_, connection) = tls.get_ref();
                tracing::debug!(
                    target: crate::session::WIRE_TARGET,
                    "TLS established: {:?}, {:?}",
                    connection.protocol_version(),
                    connection.negotiated_cipher_suite().map(|s| s.suite())
                );
                self.stream = Some(Stream::Tls(Box::new(tls)));
                Ok(())
            }
            Ok(Err(error)) => {
                self.broken = true;
                Err(Error::Tls(error.to_string()))
            }
            Err(_) => {
                self.broken = true;
                Err(Error::Timeout {
                    phase: Phase::TlsHandshake,
                })
            }
        }
    }

    async fn wait_capabilities(&mut self) -> Result<(), Error> {
        loop {
            if let Event::CapabilitiesReceived = self.next_event().await? {
                return Ok(());
            }
        }
    }

    /// STARTTLS, the handshake, and EHLO again. When not `required`, a
    /// refusal leaves the connection in plaintext.
    async fn start_tls(&mut self, required: bool) -> Result<(), Error> {
        self.session.start_tls()?;
        loop {
            match self.next_event().await? {
                Event::TlsUpgradeRequested => break,
                Event::CommandFailed(error) if required => return Err(error),
                Event::CommandFailed(_) => return Ok(()),
                _ => {}
            }
        }
        self.upgrade_tls().await?;
        self.session.tls_established();
        self.wait_capabilities().await
    }

    /// Writes what the session has to send, under the data-block timeout.
    async fn flush(&mut self) -> Result<(), Error> {
        if !self.session.poll_output(&mut self.write_buf) {
            return Ok(());
        }
        let Some(stream) = self.stream.as_mut() else {
            return Err(Error::ConnectionClosed { reply: None });
        };
        let timeout = self.timeouts.data_block;
        let result = within(Phase::DataBlock, timeout, async {
            stream.write_all(&self.write_buf).await?;
            stream.flush().await
        })
        .await;
        self.write_buf.clear();
        match result {
            Ok(()) => Ok(()),
            Err(error @ Error::Io(_)) => {
                self.broken = true;
                Err(self.early_reply_or(error).await)
            }
            Err(error) => {
                self.broken = true;
                Err(error)
            }
        }
    }

    /// A write failed. A server that refuses a message before its end (552
    /// "too big" in the middle of DATA, a 421 before closing) sends its
    /// reply and closes without reading the rest, so the client's next
    /// write meets a reset connection; the reply, already received, says far
    /// more than "connection reset" (and whether retrying can help). Reads
    /// what arrived, briefly and bounded, and returns the last reply in it
    /// as the error, or `error` when there is none.
    async fn early_reply_or(&mut self, error: Error) -> Error {
        const WAIT: Duration = Duration::from_millis(500);
        const MOST: usize = 64 * 1024;
        let Some(stream) = self.stream.as_mut() else {
            return error;
        };
        let mut received = Vec::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        while received.len() < MOST {
            match tokio::time::timeout_at(deadline, stream.read(&mut self.read_buf)).await {
                Ok(Ok(n)) if n > 0 => received.extend_from_slice(&self.read_buf[..n]),
                _ => break,
            }
        }
        let mut last = None;
        let mut rest = received.as_slice();
        while let Ok((reply, used)) = smtp_proto::Reply::parse(rest) {
            last = Some(reply.into_owned());
            rest = &rest[used..];
        }
        match last {
            Some(reply) if reply.code().get() == 421 => {
                Error::ConnectionClosed { reply: Some(reply) }
            }
            Some(reply) if !reply.is_positive() => Error::Reply {
                command: self
                    .session
                    .body_command()
                    .unwrap_or("the command being sent"),
                reply,
            },
            _ => error,
        }
    }

    /// Reads once from the server under the current phase's timeout.
    async fn read_input(&mut self) -> Result<(), Error> {
        let (phase, timeout) = self
            .session
            .current_timeout()
            .unwrap_or((Phase::Command, self.timeouts.command));
        let Some(stream) = self.stream.as_mut() else {
            return Err(Error::ConnectionClosed { reply: None });
        };
        let read = within(phase, timeout, stream.read(&mut self.read_buf)).await;
        let n = match read {
            Ok(n) => n,
            Err(error) => {
                self.broken = true;
                return Err(error);
            }
        };
        if n == 0 {
            self.session.handle_eof()?;
            return Err(Error::ConnectionClosed { reply: None });
        }
        self.session.handle_input(&self.read_buf[..n])
    }

    /// The next event, writing and reading as needed.
    async fn next_event(&mut self) -> Result<Event, Error> {
        loop {
            self.flush().await?;
            if let Some(event) = self.session.poll_event() {
                return Ok(event);
            }
            if !self.session.is_connected() {
                return Err(Error::ConnectionClosed { reply: None });
            }
            self.read_input().await?;
        }
    }

    fn check_usable(&self) -> Result<(), Error> {
        if self.is_connected() {
            Ok(())
        } else {
            Err(Error::ConnectionClosed { reply: None })
        }
    }

    /// Sends one message held in memory. Line endings are normalised and
    /// the body dot-stuffed (or chunked with BDAT) on the fly.
    ///
    /// `Ok` when at least one recipient was accepted (see
    /// [`SendReport::all_accepted`]); a failed transaction is reset, so the
    /// connection stays usable unless [`Client::is_connected`] says otherwise.
    ///
    /// A server that takes only so many recipients per transaction answers
    /// the rest `452` (`4.5.3`, RFC 5321 §4.5.3.1.10); once the message is
    /// accepted for the others, it is sent again to those, in as many
    /// transactions as needed ([`SendReport::further_replies`]). If a further
    /// transaction fails, its recipients keep a refusal in the report.
    pub async fn send(
        &mut self,
        envelope: &Envelope,
        message: impl AsRef<[u8]>,
    ) -> Result<SendReport, Error> {
        let message = message.as_ref();
        let mut report = self.send_once(envelope, message).await?;
        loop {
            let deferred: Vec<usize> = report
                .recipients
                .iter()
                .enumerate()
                .filter(|(_, r)| r.outcome.as_ref().is_err_and(too_many_recipients))
                .map(|(index, _)| index)
                .collect();
            if deferred.is_empty() || !self.is_connected() {
                return Ok(report);
            }
            let recipients = deferred
                .iter()
                .filter_map(|&index| envelope.recipients().get(index).cloned())
                .collect();
            let further = envelope.for_recipients(recipients);
            // Each round delivers to at least one of them (else it is an
            // error), so the loop ends.
            let outcomes = match self.send_once(&further, message).await {
                Ok(next) => {
                    report.further_replies.push(next.reply);
                    next.recipients
                }
                Err(Error::AllRecipientsRefused { recipients }) => recipients,
                Err(error) => {
                    tracing::warn!(%error, recipients = deferred.len(),
                        "further transaction for the recipients refused as too many failed");
                    if let Some(reply) = error.reply() {
                        for &index in &deferred {
                            report.recipients[index].outcome = Err(reply.clone());
                        }
                    }
                    return Ok(report);
                }
            };
            let last_round = outcomes.iter().all(|r| !r.is_accepted());
            for (&index, outcome) in deferred.iter().zip(outcomes) {
                report.recipients[index] = outcome;
            }
            if last_round {
                return Ok(report);
            }
        }
    }

    /// One transaction of a message held in memory.
    async fn send_once(
        &mut self,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<SendReport, Error> {
        self.send_from(
            envelope,
            BodyInfo::of(message),
            BodySource::<tokio::io::Empty>::Bytes(message),
        )
        .await
    }

    /// Sends one message read from `reader`, streamed in pieces.
    /// `size_hint` (the size in octets, when known) is announced with `SIZE=`
    /// and checked against the server's limit before anything is sent.
    pub async fn send_reader<R: AsyncRead + Unpin>(
        &mut self,
        envelope: &Envelope,
        reader: R,
        size_hint: Option<u64>,
    ) -> Result<SendReport, Error> {
        self.send_from(
            envelope,
            BodyInfo::streamed(size_hint),
            BodySource::Reader(reader),
        )
        .await
    }

    async fn send_from<R: AsyncRead + Unpin>(
        &mut self,
        envelope: &Envelope,
        info: BodyInfo,
        mut source: BodySource<'_, R>,
    ) -> Result<SendReport, Error> {
        self.check_usable()?;
        self.session.send_mail(envelope, info)?;
        let mut body_wanted = false;
        let mut body_done = false;
        let mut piece = Vec::new();
        loop {
            self.flush().await?;
            while let Some(event) = self.session.poll_event() {
                match event {
                    Event::BodyRequested => body_wanted = true,
                    Event::MessageAccepted(report) => return Ok(report),
                    Event::TransactionFailed(error) => return Err(error),
                    _ => {}
                }
            }
            if body_wanted && !body_done && self.session.wants_body() {
                match &mut source {
                    BodySource::Bytes(rest) => {
                        if rest.is_empty() {
                            self.session.finish_body()?;
                            body_done = true;
                        } else {
                            let (head, tail) = rest.split_at(rest.len().min(IO_CHUNK));
                            self.session.send_body(head)?;
                            *rest = tail;
                        }
                    }
                    BodySource::Reader(reader) => {
                        piece.resize(IO_CHUNK, 0);
                        let n = reader
                            .read(&mut piece)
                            .await
                            .map_err(|e| Error::InvalidInput(format!("reading the message: {e}")));
                        let n = match n {
                            Ok(n) => n,
                            Err(error) => {
                                // The server already has part of the body; the
                                // connection cannot be trusted to be in sync.
                                self.broken = true;
                                return Err(error);
                            }
                        };
                        if n == 0 {
                            self.session.finish_body()?;
                            body_done = true;
                        } else {
                            self.session.send_body(&piece[..n])?;
                        }
                    }
                }
                continue;
            }
            self.read_input().await?;
        }
    }

    async fn simple_command(
        &mut self,
        start: fn(&mut ClientSession) -> Result<(), Error>,
    ) -> Result<smtp_proto::Reply<'static>, Error> {
        self.check_usable()?;
        start(&mut self.session)?;
        loop {
            match self.next_event().await? {
                Event::ReplyReceived { reply, .. } => return Ok(reply),
                Event::CommandFailed(error) => return Err(error),
                _ => {}
            }
        }
    }

    /// NOOP: checks that the server is still there.
    pub async fn noop(&mut self) -> Result<smtp_proto::Reply<'static>, Error> {
        self.simple_command(ClientSession::noop).await
    }

    /// RSET: abandons any transaction on the server.
    pub async fn reset(&mut self) -> Result<smtp_proto::Reply<'static>, Error> {
        self.simple_command(ClientSession::reset).await
    }

    /// QUIT, then closes the connection. A server that closes without
    /// answering is not an error.
    pub async fn quit(&mut self) -> Result<(), Error> {
        if self.check_usable().is_ok() {
            let result = self.simple_command(ClientSession::quit).await;
            match result {
                Ok(_) | Err(Error::ConnectionClosed { reply: None }) => {}
                Err(error) => {
                    self.close().await;
                    return Err(error);
                }
            }
        }
        self.close().await;
        Ok(())
    }

    async fn close(&mut self) {
        if let Some(mut stream) = self.stream.take() {
            let _ = tokio::time::timeout(Duration::from_secs(1), stream.shutdown()).await;
        }
        self.broken = true;
    }

    /// Closes this connection (QUIT when it is still usable) and opens a new
    /// one with the same settings: for a caller that noticed
    /// [`Client::is_connected`] turn false (421, end of stream, timeout).
    pub async fn reconnect(&mut self) -> Result<(), Error> {
        if self.is_connected() {
            let _ = self.quit().await;
        }
        let fresh = Client::connect(&self.settings).await?;
        *self = fresh;
        Ok(())
    }

    /// The settings this client was built with.
    pub fn settings(&self) -> &ClientBuilder {
        &self.settings
    }

    /// False once the server closed the connection (421, end of stream),
    /// after QUIT, or after an I/O error or timeout.
    pub fn is_connected(&self) -> bool {
        !self.broken && self.stream.is_some() && self.session.is_connected()
    }

    /// True when the connection is TLS (implicit or after STARTTLS).
    pub fn is_tls(&self) -> bool {
        self.session.is_tls()
    }

    /// What the server announced in its (last) EHLO answer.
    pub fn capabilities(&self) -> Option<&EhloInfo<'static>> {
        self.session.capabilities()
    }
}

#[cfg(test)]
mod tests {
    use super::too_many_recipients;
    use smtp_proto::Reply;

    #[test]
    fn only_452_with_4_5_3_or_without_an_enhanced_code_means_too_many_recipients() {
        let reply = |wire: &[u8]| Reply::parse(wire).unwrap().0.into_owned();
        assert!(too_many_recipients(&reply(
            b"452 4.5.3 Too many recipients\r\n"
        )));
        assert!(too_many_recipients(&reply(b"452 Too many recipients\r\n")));
        assert!(!too_many_recipients(&reply(b"452 4.2.2 Mailbox full\r\n")));
        assert!(!too_many_recipients(&reply(
            b"452 4.3.1 Insufficient storage\r\n"
        )));
        assert!(!too_many_recipients(&reply(b"451 4.5.3 Try again\r\n")));
        assert!(!too_many_recipients(&reply(
            b"552 5.5.3 Too many recipients\r\n"
        )));
    }
}
