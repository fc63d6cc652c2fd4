//! The tokio server: accepts connections, applies the connection limits and
//! runs one driver per connection over the sans-I/O session.
//!
//! ```no_run
//! use smtp_server::{ConnectionInfo, Handler, Server, Session};
//! use smtp_proto::{ForwardPath, MailParams, RcptParams, Reply, ReversePath};
//! use tokio::io::{AsyncRead, AsyncReadExt};
//!
//! struct Sink;
//! struct SinkSession;
//!
//! impl Handler for Sink {
//!     type Session = SinkSession;
//!     async fn connect(&self, _: &ConnectionInfo) -> Result<SinkSession, Reply<'static>> {
//!         Ok(SinkSession)
//!     }
//! }
//!
//! impl Session for SinkSession {
//!     async fn mail(&mut self, _: &ConnectionInfo, _: &ReversePath<'_>, _: &MailParams<'_>)
//!         -> Result<(), Reply<'static>> { Ok(()) }
//!     async fn rcpt(&mut self, _: &ConnectionInfo, _: &ForwardPath<'_>, _: &RcptParams<'_>)
//!         -> Result<(), Reply<'static>> { Ok(()) }
//!     async fn data(&mut self, _: &ConnectionInfo, body: &mut (dyn AsyncRead + Unpin + Send))
//!         -> Result<(), Reply<'static>> {
//!         let mut message = Vec::new();
//!         body.read_to_end(&mut message).await.map_err(|_| Reply::LOCAL_ERROR)?;
//!         Ok(())
//!     }
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let server = Server::builder(Sink).hostname("mx.example.org").build();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:2525").await?;
//! server.serve(listener).await
//! # }
//! ```

mod body_reader;
mod connection;
mod deadline;
mod stream;
mod workers;

pub use workers::Workers;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use smtp_proto::encode::Encode;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::{Authenticator, NoAuthenticator};
use crate::config::Config;
use crate::handler::Handler;
use crate::limits::ConnectionLimiter;
use crate::session::replies;

/// What all connections of a server share.
#[derive(Debug)]
pub(crate) struct Shared<H, A> {
    pub(crate) config: Arc<Config>,
    pub(crate) handler: H,
    pub(crate) authenticator: A,
    pub(crate) tls: Option<Arc<ServerConfig>>,
    pub(crate) limiter: Arc<ConnectionLimiter>,
    pub(crate) shutdown: watch::Sender<bool>,
}

/// An SMTP server: a handler, an optional authenticator and TLS configuration,
/// and the [`Config`]. Cheap to clone; clones serve the same connections.
#[derive(Debug)]
pub struct Server<H, A = NoAuthenticator> {
    shared: Arc<Shared<H, A>>,
}

impl<H, A> Clone for Server<H, A> {
    fn clone(&self) -> Self {
        Server {
            shared: Arc::clone(&self.shared),
        }
    }
}

/// Builds a [`Server`].
#[derive(Debug)]
pub struct ServerBuilder<H, A = NoAuthenticator> {
    handler: H,
    authenticator: A,
    config: Config,
    tls: Option<Arc<ServerConfig>>,
}

impl<H: Handler> Server<H, NoAuthenticator> {
    /// A builder for a server that gives connections to `handler`.
    pub fn builder(handler: H) -> ServerBuilder<H, NoAuthenticator> {
        ServerBuilder {
            handler,
            authenticator: NoAuthenticator,
            config: Config::default(),
            tls: None,
        }
    }
}

impl<H: Handler, A: Authenticator> ServerBuilder<H, A> {
    /// The name the server gives itself (greeting, EHLO).
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.config.hostname = hostname.into();
        self
    }

    /// The whole configuration (limits, timeouts, relay policy); keeps a
    /// host name set before unless `config` has its own.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// A TLS configuration: enables STARTTLS on [`Server::serve`] and makes
    /// [`Server::serve_implicit_tls`] possible.
    pub fn tls(mut self, tls: Arc<ServerConfig>) -> Self {
        self.tls = Some(tls);
        self
    }

    /// The authenticator: enables AUTH with its mechanisms.
    pub fn authenticator<B: Authenticator>(self, authenticator: B) -> ServerBuilder<H, B> {
        ServerBuilder {
            handler: self.handler,
            authenticator,
            config: self.config,
            tls: self.tls,
        }
    }

    /// The server.
    pub fn build(self) -> Server<H, A> {
        let (shutdown, _) = watch::channel(false);
        Server {
            shared: Arc::new(Shared {
                limiter: ConnectionLimiter::new(self.config.connections),
                config: Arc::new(self.config),
                handler: self.handler,
                authenticator: self.authenticator,
                tls: self.tls,
                shutdown,
            }),
        }
    }
}

/// Starts a graceful shutdown of a server from anywhere.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    shutdown: watch::Sender<bool>,
}

impl ShutdownHandle {
    /// Stops accepting; idle connections get `421 4.3.2` now, running
    /// transactions may finish within [`crate::Timeouts::shutdown_grace`].
    /// `serve` returns once every connection is closed.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
    }
}

impl<H: Handler, A: Authenticator> Server<H, A> {
    /// A handle that starts a graceful shutdown.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            shutdown: self.shared.shutdown.clone(),
        }
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.shared.limiter.open()
    }

    /// Serves plaintext SMTP with STARTTLS (when TLS is configured) until shutdown.
    pub async fn serve(&self, listener: TcpListener) -> io::Result<()> {
        self.accept_loop(listener, false, None).await
    }

    /// Like [`Server::serve`], but each accepted connection runs on the
    /// runtime of `workers` with the fewest open connections, not on the
    /// accepting task's runtime. Returns once shut down and every
    /// connection, on every worker, is closed.
    pub async fn serve_on(&self, listener: TcpListener, workers: &Workers) -> io::Result<()> {
        self.accept_loop(listener, false, Some(workers)).await
    }

    /// [`Server::serve_implicit_tls`] with the connections spread over
    /// `workers`, as [`Server::serve_on`] does.
    pub async fn serve_implicit_tls_on(
        &self,
        listener: TcpListener,
        workers: &Workers,
    ) -> io::Result<()> {
        self.check_implicit_tls()?;
        self.accept_loop(listener, true, Some(workers)).await
    }

    fn check_implicit_tls(&self) -> io::Result<()> {
        if self.shared.tls.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "implicit TLS needs a TLS configuration",
            ));
        }
        Ok(())
    }

    /// Serves SMTP inside TLS from the first byte (port 465, RFC 8314) until shutdown.
    pub async fn serve_implicit_tls(&self, listener: TcpListener) -> io::Result<()> {
        self.check_implicit_tls()?;
        self.accept_loop(listener, true, None).await
    }

    async fn accept_loop(
        &self,
        listener: TcpListener,
        implicit_tls: bool,
        workers: Option<&Workers>,
    ) -> io::Result<()> {
        let mut shutdown = self.shared.shutdown.subscribe();
        loop {
            tokio::select! {
                // The watch guard is not Send: drop it inside the future.
                _ = async { shutdown.wait_for(|stop| *stop).await.is_ok() } => break,
                accepted = listener.accept() => {
                    let (mut tcp, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(error) => {
                            // Out of file descriptors and the like: back off, do not spin.
                            tracing::warn!(%error, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let Some(guard) = self.shared.limiter.try_acquire(peer.ip()) else {
                        tracing::info!(%peer, "connection refused: too many connections");
                        if !implicit_tls {
                            tokio::spawn(async move {
                                let _ = tcp.write_all(&replies::TOO_MANY_CONNECTIONS.to_bytes()).await;
                                let _ = tcp.shutdown().await;
                            });
                        }
                        continue;
                    };
                    let shared = Arc::clone(&self.shared);
                    let Some(workers) = workers else {
                        tokio::spawn(async move {
                            connection::serve_connection(shared, tcp, peer, implicit_tls).await;
                            drop(guard);
                        });
                        continue;
                    };
                    // The socket moves to the worker's reactor: out of this
                    // runtime's, into the worker's when its task starts.
                    let tcp = match tcp.into_std() {
                        Ok(tcp) => tcp,
                        Err(error) => {
                            tracing::warn!(%peer, %error, "cannot hand the connection to a worker");
                            continue;
                        }
                    };
                    workers.spawn(move |open| async move {
                        match tokio::net::TcpStream::from_std(tcp) {
                            Ok(tcp) => {
                                connection::serve_connection(shared, tcp, peer, implicit_tls).await;
                            }
                            Err(error) => {
                                tracing::warn!(%peer, %error, "cannot register the connection");
                            }
                        }
                        drop(guard);
                        drop(open);
                    });
                }
            }
        }
        drop(listener);
        self.shared.limiter.wait_idle().await;
        Ok(())
    }
}
