//! What the binary does with its flags.

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use smtp_server::maildir::{Maildir, MaildirHandler};
use smtp_server::sink::SinkHandler;
use smtp_server::users::{Users, UsersAuthenticator, hash_password as hash};

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
}

enum Store {
    Maildir(PathBuf),
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
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("smtp-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(crate::server::run(plan)) {
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
        listen.push(DEFAULT_LISTEN.parse().map_err(|_| Refusal::usage("bad default"))?);
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
        (Some(cert), Some(key)) => Some(load_tls(cert, key).map_err(Refusal::failure)?),
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
    let store = if args.sink {
        Store::Sink
    } else {
        Store::Maildir(args.maildir.clone().unwrap_or_else(|| PathBuf::from("maildir")))
    };
    Ok(Plan {
        listen,
        tls_listen: args.tls_listen,
        tls,
        store,
        authenticator,
        config,
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

/// A rustls server configuration from a PEM certificate chain and key.
fn load_tls(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, String> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let cert_pem = read(cert)?;
    let certs = rustls_pemfile::certs(&mut &cert_pem[..])
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: bad PEM: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate found", cert.display()));
    }
    let key_pem = read(key)?;
    let key_der = rustls_pemfile::private_key(&mut &key_pem[..])
        .map_err(|e| format!("{}: bad PEM: {e}", key.display()))?
        .ok_or_else(|| format!("{}: no private key found", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS setup: {e}"))?
    .with_no_client_auth()
    .with_single_cert(certs, key_der)
    .map_err(|e| format!("{}: {e}", cert.display()))?;
    Ok(Arc::new(config))
}

/// Prints the listening line tests and scripts parse, then flushes it.
pub(crate) fn announce(addr: SocketAddr, kind: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {addr} ({kind})");
    let _ = out.flush();
}
