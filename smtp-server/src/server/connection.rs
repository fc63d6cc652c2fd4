//! One connection: the tokio driver of the sans-I/O [`Connection`] (see its
//! driving loop), with the handler, the authenticator, TLS and the clocks.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use smtp_proto::Reply;
use smtp_proto::encode::Encode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_rustls::TlsAcceptor;

use super::Shared;
use super::body_reader::{BodyReader, PIPE_CAPACITY};
use super::deadline::Deadline;
use super::stream::Stream;
use crate::auth::Authenticator;
use crate::handler::{ConnectionInfo, Handler, Session};
use crate::session::{AuthRequest, BodyState, Connection, Event, Offer};
use crate::tls::tls_info;

/// Bytes read from the socket at once: small, so idle connections stay small.
const READ_SIZE: usize = 4096;

/// Resolves when the server's graceful shutdown starts. Made once per
/// connection so that its waiter stays registered across waits, instead of
/// joining and leaving the shared shutdown channel's waiter list per command.
type ShutdownSignal = Pin<Box<dyn Future<Output = ()> + Send>>;

fn shutdown_signal(mut shutdown: watch::Receiver<bool>) -> ShutdownSignal {
    Box::pin(async move {
        // The watch guard is not Send: drop it inside the future.
        let started = shutdown.wait_for(|stop| *stop).await.is_ok();
        if !started {
            // The server is gone without a shutdown: there will never be one.
            std::future::pending::<()>().await;
        }
    })
}

/// What one connection owns while it runs.
struct Driver<'s, H: Handler, A: Authenticator> {
    shared: &'s Shared<H, A>,
    conn: Connection,
    session: H::Session,
    stream: Stream,
    out: Vec<u8>,
    buf: Box<[u8; READ_SIZE]>,
    /// The handler's answer for the body being received, kept until `MessageReceived`.
    data_verdict: Option<Vec<Result<(), Reply<'static>>>>,
    shutdown: ShutdownSignal,
    shutdown_deadline: Option<Instant>,
    /// When the current command wait ends (RFC 5321 §4.5.3.2).
    command_deadline: Instant,
    /// The timer behind whichever wait is current (command or body).
    deadline: Deadline,
}

/// Serves one accepted TCP connection to its end.
pub(crate) async fn serve_connection<H: Handler, A: Authenticator>(
    shared: Arc<Shared<H, A>>,
    tcp: TcpStream,
    peer: SocketAddr,
    implicit_tls: bool,
) {
    let Ok(local) = tcp.local_addr() else {
        return;
    };
    let _ = tcp.set_nodelay(true);
    let mut info = ConnectionInfo::new(peer, local);
    let mut stream = Stream::Plain(tcp);
    if implicit_tls {
        match handshake(&shared, stream).await {
            Some((tls, negotiated)) => {
                stream = tls;
                info.tls = Some(negotiated);
            }
            None => return,
        }
    }
    let session = match shared.handler.connect(&info).await {
        Ok(session) => session,
        Err(reply) => {
            let _ = stream.write_all(&reply.to_bytes()).await;
            let _ = stream.shutdown().await;
            return;
        }
    };
    let offer = Offer::new(
        shared.tls.is_some() && !implicit_tls,
        shared.authenticator.mechanisms().to_vec(),
    );
    let conn = Connection::new(Arc::clone(&shared.config), info, offer);
    let command_deadline = Instant::now() + shared.config.timeouts.command;
    let mut driver = Driver {
        shared: &shared,
        conn,
        session,
        stream,
        out: Vec::new(),
        buf: Box::new([0; READ_SIZE]),
        data_verdict: None,
        shutdown: shutdown_signal(shared.shutdown.subscribe()),
        shutdown_deadline: None,
        command_deadline,
        deadline: Deadline::new(command_deadline),
    };
    if let Err(error) = driver.run().await {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
    driver.session.logout();
    let _ = driver.stream.shutdown().await;
}

/// The server side of a TLS handshake, bounded by the handshake timeout.
async fn handshake<H: Handler, A: Authenticator>(
    shared: &Shared<H, A>,
    stream: Stream,
) -> Option<(Stream, crate::handler::TlsInfo)> {
    let config = shared.tls.as_ref()?;
    let Stream::Plain(tcp) = stream else {
        return None;
    };
    let acceptor = TlsAcceptor::from(Arc::clone(config));
    match timeout(shared.config.timeouts.tls_handshake, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => {
            let negotiated = tls_info(tls.get_ref().1);
            Some((Stream::Tls(Box::new(tls)), negotiated))
        }
        Ok(Err(error)) => {
            tracing::debug!(%error, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!("TLS handshake timed out");
            None
        }
    }
}

impl<H: Handler, A: Authenticator> Driver<'_, H, A> {
    async fn run(&mut self) -> io::Result<()> {
        self.command_deadline = self.next_command_deadline();
        loop {
            while let Some(event) = self.conn.poll_event() {
                self.handle_event(event).await?;
                if matches!(self.stream, Stream::Closed) {
                    return Ok(());
                }
            }
            if self.flush().await? {
                // A reply went out: a new command wait starts (RFC 5321 §4.5.3.2).
                self.command_deadline = self.next_command_deadline();
            }
            if self.conn.is_closed() {
                return Ok(());
            }
            if !self.conn.wants_input() {
                // Every wait of the session is announced by an event, all handled
                // above; anything else would spin, so end the connection instead.
                tracing::error!("session waits for nothing it announced; closing");
                return Ok(());
            }
            self.deadline.set(self.command_deadline);
            let shutting_down = self.shutdown_deadline.is_some();
            let shutdown_deadline = self.shutdown_deadline.unwrap_or(self.command_deadline);
            tokio::select! {
                () = self.shutdown.as_mut(), if !shutting_down => {
                    self.shutdown_deadline =
                        Some(Instant::now() + self.shared.config.timeouts.shutdown_grace);
                    self.conn.handle_shutdown();
                }
                () = sleep_until(shutdown_deadline), if shutting_down => {
                    self.conn.handle_shutdown_deadline();
                }
                () = self.deadline.expired() => self.conn.handle_timeout(),
                read = self.stream.read(&mut self.buf[..]) => match read {
                    Ok(0) | Err(_) => self.conn.handle_eof(),
                    Ok(n) => self.conn.handle_input(self.buf.get(..n).unwrap_or_default()),
                },
            }
        }
    }

    fn next_command_deadline(&self) -> Instant {
        Instant::now()
            + self
                .conn
                .timeout()
                .unwrap_or(self.shared.config.timeouts.command)
    }

    /// Writes the queued replies; true if there were any.
    async fn flush(&mut self) -> io::Result<bool> {
        self.out.clear();
        if !self.conn.poll_output(&mut self.out) {
            return Ok(false);
        }
        self.stream.write_all(&self.out).await?;
        self.stream.flush().await?;
        if self.out.capacity() > 2 * READ_SIZE {
            self.out = Vec::new();
        }
        Ok(true)
    }

    async fn handle_event(&mut self, event: Event) -> io::Result<()> {
        match event {
            Event::MailReceived { from, params } => {
                let verdict = self.session.mail(self.conn.info(), &from, &params).await;
                self.conn.handle_mail_verdict(verdict);
            }
            Event::RcptReceived { to, params } => {
                let verdict = self.session.rcpt(self.conn.info(), &to, &params).await;
                self.conn.handle_rcpt_verdict(verdict);
            }
            Event::DataStarted => {
                self.flush().await?;
                // Boxed: the body phase's state (the handler's `data` future,
                // the pump) exists only while a body is received, instead of
                // inflating every connection's task, idle ones included.
                let verdict = Box::pin(self.receive_body()).await?;
                self.data_verdict = Some(verdict);
            }
            Event::MessageReceived => {
                let verdicts = self
                    .data_verdict
                    .take()
                    .unwrap_or_else(|| vec![Err(Reply::LOCAL_ERROR)]);
                self.conn.handle_data_verdicts(verdicts);
            }
            Event::TransactionReset => {
                self.data_verdict = None;
                self.session.reset();
            }
            Event::AuthRequested(request) => Box::pin(self.authenticate(request)).await,
            Event::TlsUpgradeRequested => {
                self.flush().await?;
                let plain = std::mem::replace(&mut self.stream, Stream::Closed);
                if let Some((tls, negotiated)) = Box::pin(handshake(self.shared, plain)).await {
                    self.stream = tls;
                    self.conn.handle_tls_established(negotiated);
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn authenticate(&mut self, request: AuthRequest) {
        let authenticator = &self.shared.authenticator;
        match request {
            AuthRequest::Password {
                authzid,
                username,
                password,
            } => {
                let verdict = authenticator
                    .verify_password(authzid.as_deref(), &username, &password)
                    .await;
                self.conn.handle_password_verdict(verdict);
            }
            AuthRequest::CramMd5Password { username } => {
                let password = authenticator.cram_md5_password(&username).await;
                self.conn.handle_cram_md5_password(password);
            }
            AuthRequest::ScramCredentials { username } => {
                let credentials = authenticator.scram_sha256_credentials(&username).await;
                self.conn.handle_scram_credentials(credentials);
            }
        }
    }

    /// Streams a message body from the socket to the handler's `data`, both
    /// running at once; returns the handler's answer.
    async fn receive_body(&mut self) -> io::Result<Vec<Result<(), Reply<'static>>>> {
        let (pipe_in, pipe_out) = tokio::io::duplex(PIPE_CAPACITY);
        let failed = Arc::new(AtomicBool::new(false));
        let mut reader = BodyReader::new(pipe_out, Arc::clone(&failed));
        // The handler sees the connection as it was when the body started.
        let info = self.conn.info().clone();
        let lmtp_recipients = self
            .shared
            .config
            .lmtp
            .then(|| self.conn.recipients().to_vec());
        let session = &mut self.session;
        let handler = async move {
            let verdict = match lmtp_recipients {
                Some(recipients) => session.lmtp_data(&info, &recipients, &mut reader).await,
                None => vec![session.data(&info, &mut reader).await],
            };
            // Dropping the reader makes the pump discard the rest of the body.
            drop(reader);
            verdict
        };
        let pump = Pump {
            conn: &mut self.conn,
            stream: &mut self.stream,
            buf: &mut self.buf[..],
            timeouts: self.shared.config.timeouts,
            shutdown: &mut self.shutdown,
            shutdown_deadline: &mut self.shutdown_deadline,
            deadline: &mut self.deadline,
        };
        let (verdict, pumped) = tokio::join!(handler, pump.run(pipe_in, failed));
        pumped?;
        Ok(verdict)
    }
}

/// Moves body octets from the socket, through the session, to the handler's pipe.
struct Pump<'d> {
    conn: &'d mut Connection,
    stream: &'d mut Stream,
    buf: &'d mut [u8],
    timeouts: crate::config::Timeouts,
    shutdown: &'d mut ShutdownSignal,
    /// Set once a graceful shutdown started: the transaction must end by then.
    shutdown_deadline: &'d mut Option<Instant>,
    deadline: &'d mut Deadline,
}

impl Pump<'_> {
    async fn run(self, pipe: tokio::io::DuplexStream, failed: Arc<AtomicBool>) -> io::Result<()> {
        let Pump {
            conn,
            stream,
            buf,
            timeouts,
            shutdown,
            shutdown_deadline,
            deadline: clock,
        } = self;
        let mut pipe = Some(pipe);
        let mut chunk = Vec::new();
        let mut out = Vec::new();
        let started = Instant::now();
        let mut received: u64 = 0;
        loop {
            chunk.clear();
            conn.take_body(&mut chunk);
            if conn.body_refusal().is_some() && pipe.is_some() {
                failed.store(true, Ordering::Release);
                pipe = None;
            }
            if let Some(writer) = pipe.as_mut() {
                if !chunk.is_empty() && writer.write_all(&chunk).await.is_err() {
                    // The handler stopped reading: drain the rest to the terminator.
                    pipe = None;
                }
            }
            out.clear();
            if conn.poll_output(&mut out) {
                stream.write_all(&out).await?;
                stream.flush().await?;
            }
            match conn.body_state() {
                BodyState::Receiving if !conn.is_closed() => {}
                BodyState::Complete => return Ok(()),
                _ => {
                    failed.store(true, Ordering::Release);
                    return Ok(());
                }
            }
            if !conn.wants_input() {
                // Events (e.g. a reset between BDAT chunks) are the main loop's.
                failed.store(true, Ordering::Release);
                return Ok(());
            }
            let wait = conn.timeout().unwrap_or(timeouts.data);
            let mut deadline = Instant::now() + wait;
            if timeouts.min_data_rate > 0 {
                // Slow-loris: the body must keep up an average rate after the grace period.
                let allowed =
                    Duration::from_secs_f64(received as f64 / timeouts.min_data_rate as f64);
                deadline = deadline.min(started + timeouts.data_rate_grace + allowed);
            }
            clock.set(deadline);
            let shutting_down = shutdown_deadline.is_some();
            let stop_at = shutdown_deadline.unwrap_or(deadline);
            tokio::select! {
                () = shutdown.as_mut(), if !shutting_down => {
                    *shutdown_deadline = Some(Instant::now() + timeouts.shutdown_grace);
                    conn.handle_shutdown();
                }
                () = sleep_until(stop_at), if shutting_down => conn.handle_shutdown_deadline(),
                () = clock.expired() => conn.handle_timeout(),
                read = stream.read(buf) => match read {
                    Ok(0) | Err(_) => conn.handle_eof(),
                    Ok(n) => {
                        received = received.saturating_add(n as u64);
                        conn.handle_input(buf.get(..n).unwrap_or_default());
                    }
                },
            }
        }
    }
}
