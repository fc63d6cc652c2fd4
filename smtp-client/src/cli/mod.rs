//! The `smtp-send` program: flags → client settings → messages → bulk run →
//! summary or JSON → exit status. Everything is sent through the bulk
//! [`Sender`], a single message included, so one message and ten thousand get
//! the same retries, provider rules and report.

mod args;
mod input;
mod output;
mod progress;

use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use smtp_client::bulk::{BulkMessage, RetryPolicy, Sender};
use smtp_client::{Client, ClientBuilder, Credentials, Envelope, Mechanism, TlsMode};

use args::{Args, TlsFlag};
use input::{Prepared, list_messages, prepare, read_message, read_stdin};
use output::{EXIT_USAGE, exit_status, json, summary};

/// Runs the program and returns its exit status.
pub(crate) fn main_exit_status() -> i32 {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            // --help and --version print and exit 0; usage errors exit 2.
            let _ = error.print();
            return error.exit_code();
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("smtp-send: cannot start the runtime: {error}");
            return EXIT_USAGE;
        }
    };
    runtime.block_on(run(args))
}

/// A configuration problem: printed, exit status 2.
fn usage_error(message: impl std::fmt::Display) -> i32 {
    eprintln!("smtp-send: {message}");
    EXIT_USAGE
}

async fn run(args: Args) -> i32 {
    let builder = match client_builder(&args) {
        Ok(builder) => builder,
        Err(message) => return usage_error(message),
    };
    let local_errors = Arc::new(Mutex::new(Vec::new()));
    let (messages, count) = match load_messages(&args, local_errors.clone()) {
        Ok(loaded) => loaded,
        Err(message) => return usage_error(message),
    };

    let (progress_tx, progress_rx) = tokio::sync::mpsc::unbounded_channel();
    let show_bar = count > 1 && std::io::stderr().is_terminal();
    let progress = tokio::spawn(progress::show(progress_rx, count, show_bar, args.verbose));
    if args.verbose {
        print_conversation();
        eprintln!(
            "=== Sending {count} message(s) via {}:{} ({:?}), concurrency {}",
            builder.host(),
            builder.port_number(),
            builder.tls_mode(),
            args.concurrency
        );
    }

    let mut sender = Sender::builder(builder)
        .concurrency(usize::from(args.concurrency))
        .messages_per_connection(args.messages_per_connection as usize)
        .retry(
            RetryPolicy::default()
                .max_attempts(args.attempts)
                .base(args.retry_base())
                .cap(args.retry_base().max(Duration::from_secs(1)) * 16),
        )
        .progress(progress_tx);
    for limit in &args.rate {
        sender = sender.rate(*limit);
    }
    let report = sender.build().send_all(messages).await;
    // The sender (and with it the progress channel) is gone: the display task ends.
    let _ = progress.await;

    let local_errors = local_errors
        .lock()
        .map(|errors| errors.clone())
        .unwrap_or_default();
    if args.json {
        println!("{}", json(&report, &local_errors));
    } else {
        print!("{}", summary(&report, &local_errors));
    }
    exit_status(&report, local_errors.len())
}

/// The client settings from the flags; an `Err` is a usage error.
fn client_builder(args: &Args) -> Result<ClientBuilder, String> {
    let (host, port) = args.host_and_port()?;
    let mut builder = Client::builder(host)
        .port(port)
        .connect_timeout(Duration::from_secs_f64(args.connect_timeout))
        .allow_plaintext_auth(args.allow_plaintext_auth);
    if let Some(tls) = args.tls {
        builder = builder.tls(match tls {
            TlsFlag::Implicit => TlsMode::Implicit,
            TlsFlag::Starttls => TlsMode::StartTlsRequired,
            TlsFlag::StarttlsOpportunistic => TlsMode::StartTlsOpportunistic,
            TlsFlag::None => TlsMode::None,
        });
    }
    if let Some(ca_file) = &args.ca_file {
        if !ca_file.is_file() {
            return Err(format!("--ca-file {}: no such file", ca_file.display()));
        }
        builder = builder.ca_file(ca_file.clone());
    }
    if let Some(name) = &args.ehlo {
        builder = builder.ehlo_name(name.clone());
    }
    if let Some(credentials) = credentials(args)? {
        builder = builder.credentials(credentials);
    }
    if let Some(name) = &args.auth {
        builder = builder.auth_mechanism(mechanism(name)?);
    }
    Ok(builder)
}

fn credentials(args: &Args) -> Result<Option<Credentials>, String> {
    let from_env = |var: &str| {
        std::env::var(var)
            .map_err(|_| format!("environment variable {var} is not set (or not UTF-8)"))
    };
    let secret = if let Some(var) = &args.password_env {
        Some((from_env(var)?, false))
    } else if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--password-file {}: {e}", path.display()))?;
        let password = text.lines().next().unwrap_or_default().to_owned();
        Some((password, false))
    } else if let Some(var) = &args.oauth_token_env {
        Some((from_env(var)?, true))
    } else {
        None
    };
    match (&args.user, secret) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(
            "--user needs --password-env VAR, --password-file FILE or --oauth-token-env VAR".into(),
        ),
        (None, Some(_)) => Err("a password or token needs --user NAME".into()),
        (Some(user), Some((secret, _))) if secret.is_empty() => {
            Err(format!("the password or token for {user} is empty"))
        }
        (Some(user), Some((token, true))) => Ok(Some(Credentials::oauth_bearer(user, token))),
        (Some(user), Some((password, false))) => Ok(Some(Credentials::password(user, password))),
    }
}

fn mechanism(name: &str) -> Result<Mechanism<'static>, String> {
    let supported = "PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256, XOAUTH2, OAUTHBEARER";
    match Mechanism::from_name(name) {
        Ok(Mechanism::Plain) => Ok(Mechanism::Plain),
        Ok(Mechanism::Login) => Ok(Mechanism::Login),
        Ok(Mechanism::CramMd5) => Ok(Mechanism::CramMd5),
        Ok(Mechanism::ScramSha256) => Ok(Mechanism::ScramSha256),
        Ok(Mechanism::XOAuth2) => Ok(Mechanism::XOAuth2),
        Ok(Mechanism::OAuthBearer) => Ok(Mechanism::OAuthBearer),
        _ => Err(format!(
            "--auth {name:?} is not supported; use one of {supported}"
        )),
    }
}

/// The lazily read input, and how many messages it holds.
type Messages = Box<dyn Iterator<Item = BulkMessage<Envelope>> + Send>;

/// Checks every message's envelope before anything is sent (a bad file is a
/// usage error, not a half-finished run), then reads the files again one by
/// one while sending, so a large directory is never all in memory.
fn load_messages(
    args: &Args,
    local_errors: Arc<Mutex<Vec<String>>>,
) -> Result<(Messages, usize), String> {
    let from = args.from.clone();
    let to = args.to.clone();
    let build = move |id: String, bytes: Vec<u8>| -> Result<BulkMessage<Envelope>, String> {
        let Prepared {
            id,
            from,
            recipients,
            message,
        } = prepare(id.clone(), bytes, from.as_deref(), &to).map_err(|e| format!("{id}: {e}"))?;
        let envelope = Envelope::new(&from, &recipients).map_err(|e| format!("{id}: {e}"))?;
        Ok(BulkMessage::new(id, envelope, message))
    };
    let single = |id: String, bytes: Vec<u8>| -> Result<(Messages, usize), String> {
        let message = build(id, bytes)?;
        Ok((Box::new(std::iter::once(message)), 1))
    };
    match (&args.message, &args.messages) {
        (Some(path), _) => single(path.display().to_string(), read_message(path)?),
        (None, None) => single("stdin".into(), read_stdin()?),
        (None, Some(dir)) => {
            let files = list_messages(dir)?;
            for path in &files {
                build(display_name(path), read_message(path)?)?;
            }
            let count = files.len();
            let lazily = files.into_iter().filter_map(move |path| {
                let name = display_name(&path);
                match read_message(&path).and_then(|bytes| build(name, bytes)) {
                    Ok(message) => Some(message),
                    Err(error) => {
                        // Changed or removed since the check: report it, send the rest.
                        if let Ok(mut errors) = local_errors.lock() {
                            errors.push(error);
                        }
                        None
                    }
                }
            });
            Ok((Box::new(lazily), count))
        }
    }
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Shows the SMTP conversation on stderr, as swaks does: the client's wire log
/// (`smtp_client::session::WIRE_TARGET`), in which AUTH arguments and SASL
/// responses are already `<redacted>` and message data is summarised by size.
fn print_conversation() {
    let filter =
        tracing_subscriber::EnvFilter::new(format!("{}=debug", smtp_client::session::WIRE_TARGET));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .with_level(false)
        .with_target(false)
        .try_init();
}
