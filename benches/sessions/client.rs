//! Client side of the whole-session benchmarks: delivers MESSAGES messages of
//! SIZE octets over one connection to an SMTP server (Postfix `smtp-sink` in
//! `run.sh`) and prints the rate.
//!
//! ```text
//! session-client-bench ours|lettre|lettre-transport HOST PORT MESSAGES SIZE [CONNECTIONS]
//! ```
//!
//! - `ours`: `smtp_client::Client` on a current-thread runtime, plaintext,
//!   PIPELINING as the server offers it (MAIL, RCPT, DATA in one write).
//!   With CONNECTIONS > 1 (ours only), that many connections on the same
//!   thread share the messages: a load generator cheap enough per message
//!   that the server, not the driver, sets the rate (see run.sh).
//! - `lettre`: lettre 0.11's blocking `SmtpConnection`, one connection for
//!   every message (what `SmtpTransport` does with its connection pool).
//! - `lettre-transport`: `SmtpTransport::builder_dangerous(host).port(port)`;
//!   without lettre's `pool` feature it opens a connection per message.
//!
//! Output: one line `client=NAME messages=N seconds=S rate=R` on stdout; exit
//! status 1 when a message is refused or the connection fails.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use lettre::Transport;
use lettre::address::{Address, Envelope as LettreEnvelope};
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::client::SmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use smtp_client::tls::TlsMode;
use smtp_client::{Client, Envelope};

const FROM: &str = "bench@client.localdomain";
const TO: &str = "sink@server.localdomain";

struct Args {
    client: String,
    host: String,
    port: u16,
    messages: u64,
    size: usize,
    connections: u64,
}

fn parse_args() -> Result<Args, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (client, host, port, messages, size, connections) = match args.as_slice() {
        [client, host, port, messages, size] => (client, host, port, messages, size, "1"),
        [client, host, port, messages, size, connections] => {
            (client, host, port, messages, size, connections.as_str())
        }
        _ => {
            return Err("usage: session-client-bench ours|lettre|lettre-transport \
                 HOST PORT MESSAGES SIZE [CONNECTIONS]"
                .to_owned());
        }
    };
    let connections: u64 = connections
        .parse()
        .map_err(|e| format!("CONNECTIONS {connections}: {e}"))?;
    if connections == 0 || (connections > 1 && client != "ours") {
        return Err("CONNECTIONS must be at least 1, and more than 1 only for ours".to_owned());
    }
    Ok(Args {
        client: client.clone(),
        host: host.clone(),
        port: port.parse().map_err(|e| format!("PORT {port}: {e}"))?,
        messages: messages
            .parse()
            .map_err(|e| format!("MESSAGES {messages}: {e}"))?,
        size: size.parse().map_err(|e| format!("SIZE {size}: {e}"))?,
        connections,
    })
}

/// A message of about `size` octets: headers, then 78-octet lines of text.
fn message(size: usize) -> Vec<u8> {
    let mut message = format!(
        "From: <{FROM}>\r\nTo: <{TO}>\r\nSubject: session benchmark\r\n\
         Message-ID: <bench@client.localdomain>\r\n\r\n"
    )
    .into_bytes();
    let line = [b'x'; 76];
    // At least one body line, however small `size` is.
    let target = size.max(message.len() + line.len() + 2);
    while message.len() + line.len() + 2 <= target {
        message.extend_from_slice(&line);
        message.extend_from_slice(b"\r\n");
    }
    message
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let message = message(args.size);
    let started = Instant::now();
    let sent = match args.client.as_str() {
        "ours" => run_ours(&args, &message),
        "lettre" => run_lettre_connection(&args, &message),
        "lettre-transport" => run_lettre_transport(&args, &message),
        other => Err(format!("unknown client {other}")),
    };
    let elapsed = started.elapsed();
    match sent {
        Ok(()) => {
            print_rate(&args.client, args.messages, elapsed);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}: {error}", args.client);
            ExitCode::FAILURE
        }
    }
}

fn print_rate(client: &str, messages: u64, elapsed: Duration) {
    let seconds = elapsed.as_secs_f64();
    println!(
        "client={client} messages={messages} seconds={seconds:.3} rate={:.0}",
        messages as f64 / seconds
    );
}

fn run_ours(args: &Args, message: &[u8]) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let message: std::sync::Arc<[u8]> = message.into();
    runtime.block_on(async {
        // Connection i sends the messages i, i + N, i + 2N, ...
        let mut tasks = tokio::task::JoinSet::new();
        for first in 0..args.connections {
            let count = (args.messages + args.connections - 1 - first) / args.connections;
            let (host, port, message) = (args.host.clone(), args.port, message.clone());
            tasks
                .spawn(async move { deliver_on_one_connection(host, port, &message, count).await });
        }
        while let Some(joined) = tasks.join_next().await {
            joined.map_err(|e| format!("connection task: {e}"))??;
        }
        Ok(())
    })
}

async fn deliver_on_one_connection(
    host: String,
    port: u16,
    message: &[u8],
    count: u64,
) -> Result<(), String> {
    let mut client = Client::builder(host)
        .port(port)
        .tls(TlsMode::None)
        .ehlo_name("client.localdomain")
        .connect()
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let envelope = Envelope::new(FROM, [TO]).map_err(|e| e.to_string())?;
    for n in 0..count {
        let report = client
            .send(&envelope, message)
            .await
            .map_err(|e| format!("message {n}: {e}"))?;
        if !report.all_accepted() {
            return Err(format!("message {n}: a recipient was refused"));
        }
    }
    client.quit().await.map_err(|e| format!("QUIT: {e}"))
}

fn lettre_envelope() -> Result<LettreEnvelope, String> {
    let from: Address = FROM.parse().map_err(|e| format!("{FROM}: {e}"))?;
    let to: Address = TO.parse().map_err(|e| format!("{TO}: {e}"))?;
    LettreEnvelope::new(Some(from), vec![to]).map_err(|e| e.to_string())
}

fn run_lettre_connection(args: &Args, message: &[u8]) -> Result<(), String> {
    let envelope = lettre_envelope()?;
    let hello = ClientId::Domain("client.localdomain".to_owned());
    let mut connection = SmtpConnection::connect(
        (args.host.as_str(), args.port),
        Some(Duration::from_secs(30)),
        &hello,
        None,
        None,
    )
    .map_err(|e| format!("connect: {e}"))?;
    for n in 0..args.messages {
        connection
            .send(&envelope, message)
            .map_err(|e| format!("message {n}: {e}"))?;
    }
    connection.quit().map_err(|e| format!("QUIT: {e}"))?;
    Ok(())
}

fn run_lettre_transport(args: &Args, message: &[u8]) -> Result<(), String> {
    let envelope = lettre_envelope()?;
    let transport = SmtpTransport::builder_dangerous(args.host.as_str())
        .port(args.port)
        .build();
    for n in 0..args.messages {
        transport
            .send_raw(&envelope, message)
            .map_err(|e| format!("message {n}: {e}"))?;
    }
    Ok(())
}
