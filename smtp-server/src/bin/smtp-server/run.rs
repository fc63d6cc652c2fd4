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
use smtp_server::{Authenticator, Handler, Server, ServerBuilder, Workers};
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
    /// Worker threads the connections are spread over.
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
/// Each worker thread runs a single-threaded runtime; this thread accepts and
/// gives each connection to the worker with the fewest open connections
/// ([`Workers`]), where it stays. A connection's tasks then never move between
/// threads: waking the body reader from the socket pump, or a reply after a
/// read, costs no cross-thread hand-off (futex, eventfd), which measured as
/// most of the server's per-message cost on a work-stealing runtime
/// (benches/sessions/RESULTS.md). Workers that each accepted on the same
/// socket did not spread a burst of connections: the first to wake took them all.
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
            let listener = TcpListener::from_std(listener)
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            bound.push((listener, local, implicit_tls));
        }
    }
    let pool = WorkerThreads::start(listeners.threads.max(1))?;

    let mut accepting = JoinSet::new();
    for (listener, local, implicit_tls) in bound {
        let kind = if implicit_tls { "smtps" } else { "smtp" };
        announce(local, kind);
        tracing::info!(%local, implicit_tls, "listening");
        let (server, workers) = (server.clone(), pool.workers.clone());
        accepting.spawn(async move {
            let result = if implicit_tls {
                server.serve_implicit_tls_on(listener, &workers).await
            } else {
                server.serve_on(listener, &workers).await
            };
            result.map_err(|e| format!("serving {local}: {e}"))
        });
    }

    let shutdown = server.shutdown_handle();
    let outcome = tokio::select! {
        signal = shutdown_signal() => {
            signal?;
            tracing::info!("shutting down: no new connections, finishing transactions");
            Ok(())
        }
        finished = accepting.join_next() => {
            // A listener stopped on its own: that is an error, stop the others.
            match finished {
                Some(Ok(Err(e))) => Err(e),
                Some(Err(e)) => Err(format!("a listener failed: {e}")),
                Some(Ok(Ok(()))) | None => Err("a listener stopped unexpectedly".to_owned()),
            }
        }
    };
    shutdown.shutdown();
    // The server bounds running transactions by its shutdown grace; this
    // bounds the whole exit in case a connection does not go away. Each
    // accept loop returns once every connection is closed.
    let limit = SHUTDOWN_LIMIT;
    let drained = tokio::time::timeout(limit, async {
        while let Some(finished) = accepting.join_next().await {
            match finished {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "listener error during shutdown"),
                Err(e) => tracing::warn!(error = %e, "listener failed during shutdown"),
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
    pool.stop();
    outcome
}

/// The worker threads, each driving a single-threaded runtime until stopped.
struct WorkerThreads {
    workers: Workers,
    stop: tokio::sync::watch::Sender<bool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl WorkerThreads {
    fn start(count: usize) -> Result<WorkerThreads, String> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (handles_tx, handles_rx) = std::sync::mpsc::channel();
        let mut threads = Vec::with_capacity(count);
        for index in 0..count {
            let (handles_tx, mut stopped) = (handles_tx.clone(), stopped.clone());
            let thread = std::thread::Builder::new()
                .name(format!("smtp-worker-{index}"))
                .spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| format!("cannot start a worker runtime: {e}"));
                    let runtime = match runtime {
                        Ok(runtime) => runtime,
                        Err(e) => {
                            let _ = handles_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = handles_tx.send(Ok(runtime.handle().clone()));
                    // Runs the connections given to this runtime until told to stop.
                    runtime.block_on(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    });
                })
                .map_err(|e| format!("cannot start a worker thread: {e}"))?;
            threads.push(thread);
        }
        drop((handles_tx, stopped));
        let mut handles = Vec::with_capacity(count);
        for _ in 0..count {
            match handles_rx.recv() {
                Ok(Ok(handle)) => handles.push(handle),
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err("a worker thread ended at start".to_owned()),
            }
        }
        let workers = Workers::new(handles).ok_or("no worker thread")?;
        Ok(WorkerThreads {
            workers,
            stop,
            threads,
        })
    }

    /// Stops every runtime (dropping what is left on it) and joins the threads.
    fn stop(self) {
        self.stop.send_replace(true);
        for thread in self.threads {
            let _ = thread.join();
        }
    }
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
