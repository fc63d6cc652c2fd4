//! What the binary does with its flags.

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use smtp_server::maildir::{Maildir, MaildirHandler};
use smtp_server::sink::SinkHandler;
use smtp_server::users::{Users, UsersAuthenticator, hash_password as hash};
use smtp_server::{Authenticator, Handler, Server, ServerBuilder};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::cli::ServeArgs;

/// The usage-error status, as clap uses for bad flags.
const USAGE: u8 = 2;

/// The default SMTP listener: loopback only, unprivileged port.
const DEFAULT_LISTEN: &str = "127.0.0.1:2525";

/// `smtp-server hash-password`: first line of stdin in, PHC string out.
pub(crate) fn hash_password() -> ExitCode {
    let mut line = String::new();
    if let Err(e) = std::io::stdin().lock().read_line(&mut line) {
        eprintln!("smtp-server: cannot read the password from standard input: {e}");
        return ExitCode::FAILURE;
    }
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        eprintln!("smtp-server: empty password on standard input");
        return ExitCode::from(USAGE);
    }
    println!("{}", hash(password));
    ExitCode::SUCCESS
}

/// Everything checked and loaded before the runtime starts.
struct Plan {
    listen: Vec<SocketAddr>,
    tls_listen: Vec<SocketAddr>,
    tls: Option<Arc<rustls::ServerConfig>>,
    store: Store,
    authenticator: Option<UsersAuthenticator>,
    config: smtp_server::Config,
    threads: usize,
}

enum Store {
    Maildir(Maildir),
    Sink,
}

/// A reason to stop before serving, with its exit status.
struct Refusal {
    message: String,
    status: u8,
}

impl Refusal {
    fn usage(message: impl Into<String>) -> Self {
        Refusal {
            message: message.into(),
            status: USAGE,
        }
    }

    fn failure(message: impl Into<String>) -> Self {
        Refusal {
            message: message.into(),
            status: 1,
        }
    }
}

/// `smtp-server [flags]`: serve until SIGTERM / Ctrl-C.
pub(crate) fn serve(args: ServeArgs) -> ExitCode {
    init_logging();
    let plan = match plan(args) {
        Ok(plan) => plan,
        Err(refusal) => {
            eprintln!("smtp-server: {}", refusal.message);
            return ExitCode::from(refusal.status);
        }
    };
    // This thread binds, announces and waits for signals; the connections run
    // on the worker threads (see `serve_until_signal`).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("smtp-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(plan)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("smtp-server: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Logs go to stderr; stdout carries only the "listening on" lines.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Checks the flags and loads files (certificates, users) so that every
/// mistake is reported before a socket is opened.
fn plan(args: ServeArgs) -> Result<Plan, Refusal> {
    let mut listen = args.listen.clone();
    if listen.is_empty() && args.tls_listen.is_empty() {
        listen.push(
            DEFAULT_LISTEN
                .parse()
                .map_err(|_| Refusal::usage("bad default"))?,
        );
    }
    if args.is_open_relay() {
        if let Some(addr) = listen
            .iter()
            .chain(&args.tls_listen)
            .find(|addr| !addr.ip().is_loopback())
        {
            return Err(Refusal::usage(format!(
                "refusing to listen on {addr}: without --users or --local-domain this server \
                 accepts mail for any recipient (a development sink) and only listens on \
                 loopback addresses (127.0.0.1, ::1)"
            )));
        }
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            smtp_server::tls::server_config_from_files(cert, key).map_err(|e| {
                Refusal::failure(format!("{} / {}: {e}", cert.display(), key.display()))
            })?,
        ),
        _ => None,
    };
    let authenticator = match &args.users {
        Some(path) => {
            let users = Users::load(path)
                .map_err(|e| Refusal::failure(format!("{}: {e}", path.display())))?;
            Some(UsersAuthenticator::new(users))
        }
        None => None,
    };
    let hostname = args.hostname.clone().unwrap_or_else(system_hostname);
    let mut config = smtp_server::Config::new(hostname);
    config.local_domains = args.local_domain.clone();
    config.allow_insecure_auth = args.allow_insecure_auth;
    if let Some(size) = args.max_message_size {
        config.max_message_size = size;
    }
    if let Some(n) = args.max_recipients {
        config.max_recipients = n as usize;
    }
    if let Some(n) = args.max_connections {
        config.connections.max_connections = n as usize;
    }
    if let Some(n) = args.max_connections_per_ip {
        config.connections.max_connections_per_ip = n as usize;
    }
    let store = if args.sink {
        Store::Sink
    } else {
        let dir = args
            .maildir
            .clone()
            .unwrap_or_else(|| PathBuf::from("maildir"));
        let maildir = Maildir::open(&dir, &config.hostname)
            .map_err(|e| Refusal::failure(format!("maildir {}: {e}", dir.display())))?;
        Store::Maildir(maildir)
    };
    let threads = match args.threads {
        Some(n) => n as usize,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    Ok(Plan {
        listen,
        tls_listen: args.tls_listen,
        tls,
        store,
        authenticator,
        config,
        threads,
    })
}

/// The kernel's host name, or `localhost`.
fn system_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Builds the server for the chosen store and authenticator, then serves.
async fn run(plan: Plan) -> Result<(), String> {
    let Plan {
        listen,
        tls_listen,
        tls,
        store,
        authenticator,
        config,
        threads,
    } = plan;
    let hostname = config.hostname.clone();
    let listeners = Listeners {
        listen,
        tls_listen,
        threads,
    };
    match store {
        Store::Maildir(maildir) => {
            let builder = Server::builder(MaildirHandler::new(maildir, hostname));
            with_authenticator(builder, authenticator, config, tls, listeners).await
        }
        Store::Sink => {
            let builder = Server::builder(SinkHandler::new());
            with_authenticator(builder, authenticator, config, tls, listeners).await
        }
    }
}

struct Listeners {
    listen: Vec<SocketAddr>,
    tls_listen: Vec<SocketAddr>,
    /// Worker threads that accept on every listener.
    threads: usize,
}

async fn with_authenticator<H: Handler>(
    builder: ServerBuilder<H>,
    authenticator: Option<UsersAuthenticator>,
    config: smtp_server::Config,
    tls: Option<Arc<rustls::ServerConfig>>,
    listeners: Listeners,
) -> Result<(), String> {
    let builder = builder.config(config);
    let builder = match tls {
        Some(tls) => builder.tls(tls),
        None => builder,
    };
    match authenticator {
        Some(authenticator) => {
            serve_until_signal(builder.authenticator(authenticator).build(), listeners).await
        }
        None => serve_until_signal(builder.build(), listeners).await,
    }
}

/// Binds every listener (any failure stops the start), announces them, serves
/// on the worker threads, and on SIGTERM / Ctrl-C shuts down gracefully.
///
/// Each worker thread runs a single-threaded runtime that accepts on every
/// listener and keeps the connections it accepted. A connection's tasks then
/// never move between threads: waking the body reader from the socket pump,
/// or a reply after a read, costs no cross-thread hand-off (futex, eventfd),
/// which measured as most of the server's per-message cost on a work-stealing
/// runtime (benches/sessions/RESULTS.md).
async fn serve_until_signal<H: Handler, A: Authenticator>(
    server: Server<H, A>,
    listeners: Listeners,
) -> Result<(), String> {
    let mut bound = Vec::new();
    for (addrs, implicit_tls) in [(&listeners.listen, false), (&listeners.tls_listen, true)] {
        for addr in addrs {
            let listener = std::net::TcpListener::bind(addr)
                .and_then(|listener| {
                    listener.set_nonblocking(true)?;
                    Ok(listener)
                })
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let local = listener
                .local_addr()
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            bound.push(BoundListener {
                listener,
                local,
                implicit_tls,
            });
        }
    }
    let (finished_tx, mut finished_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut workers = 0;
    for index in 0..listeners.threads.max(1) {
        let mut own = Vec::with_capacity(bound.len());
        for listener in &bound {
            own.push(listener.try_clone()?);
        }
        let server = server.clone();
        let finished = finished_tx.clone();
        std::thread::Builder::new()
            .name(format!("smtp-worker-{index}"))
            .spawn(move || {
                let _ = finished.send(run_worker(server, own));
            })
            .map_err(|e| format!("cannot start a worker thread: {e}"))?;
        workers += 1;
    }
    drop(finished_tx);
    for listener in &bound {
        let kind = if listener.implicit_tls {
            "smtps"
        } else {
            "smtp"
        };
        announce(listener.local, kind);
        tracing::info!(local = %listener.local, implicit_tls = listener.implicit_tls, "listening");
    }

    let shutdown = server.shutdown_handle();
    tokio::select! {
        signal = shutdown_signal() => {
            signal?;
            tracing::info!("shutting down: no new connections, finishing transactions");
        }
        finished = finished_rx.recv() => {
            // A worker stopped on its own: that is an error, stop the others.
            shutdown.shutdown();
            return match finished {
                Some(Err(e)) => Err(e),
                Some(Ok(())) | None => Err("a worker stopped unexpectedly".to_owned()),
            };
        }
    }
    shutdown.shutdown();
    // The server bounds running transactions by its shutdown grace; this
    // bounds the whole exit in case a connection does not go away.
    let limit = SHUTDOWN_LIMIT;
    let drained = tokio::time::timeout(limit, async {
        for _ in 0..workers {
            match finished_rx.recv().await {
                Some(Ok(())) => {}
                Some(Err(e)) => tracing::warn!(error = %e, "worker error during shutdown"),
                None => break,
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            ?limit,
            "connections still open at the shutdown limit; exiting"
        );
    }
    Ok(())
}

/// A bound listening socket, before a runtime owns it.
#[derive(Debug)]
struct BoundListener {
    listener: std::net::TcpListener,
    local: SocketAddr,
    implicit_tls: bool,
}

impl BoundListener {
    /// Another handle on the same socket, for another worker.
    fn try_clone(&self) -> Result<BoundListener, String> {
        Ok(BoundListener {
            listener: self
                .listener
                .try_clone()
                .map_err(|e| format!("cannot share listener {}: {e}", self.local))?,
            local: self.local,
            implicit_tls: self.implicit_tls,
        })
    }
}

/// One worker thread: a single-threaded runtime serving every listener until
/// the shutdown has drained its connections.
fn run_worker<H: Handler, A: Authenticator>(
    server: Server<H, A>,
    listeners: Vec<BoundListener>,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a worker runtime: {e}"))?;
    // The accept loops run as local tasks, so they need not be `Send`.
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let mut tasks = JoinSet::new();
        for bound in listeners {
            let local = bound.local;
            let listener = TcpListener::from_std(bound.listener)
                .map_err(|e| format!("cannot listen on {local}: {e}"))?;
            let server = server.clone();
            tasks.spawn_local(async move {
                let result = if bound.implicit_tls {
                    server.serve_implicit_tls(listener).await
                } else {
                    server.serve(listener).await
                };
                result.map_err(|e| format!("serving {local}: {e}"))
            });
        }
        while let Some(finished) = tasks.join_next().await {
            match finished {
                Ok(result) => result?,
                Err(e) => return Err(format!("a listener failed: {e}")),
            }
        }
        Ok(())
    })
}

/// Longer than the server's default shutdown grace (30 s), so that grace applies first.
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(40);

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
    tokio::select! {
        _ = term.recv() => Ok(()),
        result = tokio::signal::ctrl_c() => result.map_err(|e| format!("cannot handle Ctrl-C: {e}")),
    }
}

/// Prints the listening line tests and scripts parse, then flushes it.
pub(crate) fn announce(addr: SocketAddr, kind: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {addr} ({kind})");
    let _ = out.flush();
}
