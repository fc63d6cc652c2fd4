//! A scripted SMTP server on 127.0.0.1:0 for the bulk and CLI tests: a test
//! decides the reply to each greeting, MAIL, RCPT and end of data, and reads
//! back what the server saw (connections, transactions, timestamps).
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the server is about to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new connection (numbered from 1).
    Greeting,
    /// `MAIL FROM` of the `n`-th transaction on the whole server (from 1).
    Mail,
    /// `RCPT TO` with the address.
    Rcpt(String),
    /// The end of the message data.
    DataEnd,
}

/// Where an event happened.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// The connection, from 1.
    pub connection: usize,
    /// The transaction (MAIL command) on the whole server, from 1; 0 before any.
    pub transaction: usize,
}

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub connection: usize,
    pub transaction: usize,
    pub recipients: Vec<String>,
    pub data: Vec<u8>,
    pub at: Instant,
}

type Script = dyn Fn(Context, &Event) -> String + Send + Sync;

/// What the server saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub connections: usize,
    pub transactions: usize,
    pub accepted: Vec<Accepted>,
    pub auth_lines: Vec<String>,
}

/// A running scripted server.
pub struct ScriptedServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Seen>>,
}

/// `250 OK` for everything: the script tests start from.
pub fn accept_all(_: Context, event: &Event) -> String {
    match event {
        Event::Greeting => "220 scripted ESMTP".into(),
        Event::Mail => "250 2.1.0 OK".into(),
        Event::Rcpt(_) => "250 2.1.5 OK".into(),
        Event::DataEnd => "250 2.0.0 OK queued".into(),
    }
}

impl ScriptedServer {
    /// Starts the server; `script` answers each event with a whole reply
    /// (lines separated by `\r\n`, without the final CRLF). A reply starting
    /// with `421` closes the connection after it is sent.
    pub async fn start(script: impl Fn(Context, &Event) -> String + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let script: Arc<Script> = Arc::new(script);
        let shared = seen.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let connection = {
                    let mut seen = shared.lock().unwrap();
                    seen.connections += 1;
                    seen.connections
                };
                tokio::spawn(serve(socket, connection, shared.clone(), script.clone()));
            }
        });
        ScriptedServer { addr, seen }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn connections(&self) -> usize {
        self.seen.lock().unwrap().connections
    }

    pub fn transactions(&self) -> usize {
        self.seen.lock().unwrap().transactions
    }

    pub fn accepted(&self) -> Vec<Accepted> {
        self.seen.lock().unwrap().accepted.clone()
    }
}

async fn serve(
    socket: tokio::net::TcpStream,
    connection: usize,
    seen: Arc<Mutex<Seen>>,
    script: Arc<Script>,
) {
    let (read, mut write) = socket.into_split();
    let mut reader = BufReader::new(read);
    let mut transaction = 0usize;
    let mut recipients = Vec::new();
    macro_rules! answer {
        ($event:expr) => {{
            let reply = script(
                Context {
                    connection,
                    transaction,
                },
                &$event,
            );
            if write
                .write_all(format!("{reply}\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
            if reply.starts_with("421") {
                return;
            }
            reply
        }};
    }
    answer!(Event::Greeting);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply = if upper.starts_with("EHLO") {
            "250-scripted\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME".to_string()
        } else if upper.starts_with("HELO") {
            "250 scripted".to_string()
        } else if upper.starts_with("AUTH") {
            seen.lock().unwrap().auth_lines.push(command.clone());
            "235 2.7.0 Authentication successful".to_string()
        } else if upper.starts_with("MAIL FROM") {
            transaction = {
                let mut seen = seen.lock().unwrap();
                seen.transactions += 1;
                seen.transactions
            };
            recipients.clear();
            answer!(Event::Mail);
            continue;
        } else if upper.starts_with("RCPT TO") {
            let address = command[8..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or_default()
                .to_string();
            let reply = answer!(Event::Rcpt(address.clone()));
            if reply.starts_with('2') {
                recipients.push(address);
            }
            continue;
        } else if upper == "DATA" {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let mut data = Vec::new();
            loop {
                line.clear();
                match reader.read_line(&mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if line == ".\r\n" {
                    break;
                }
                data.extend_from_slice(line.as_bytes());
            }
            let reply = answer!(Event::DataEnd);
            if reply.starts_with('2') {
                seen.lock().unwrap().accepted.push(Accepted {
                    connection,
                    transaction,
                    recipients: std::mem::take(&mut recipients),
                    data,
                    at: Instant::now(),
                });
            }
            continue;
        } else if upper == "RSET" || upper == "NOOP" {
            "250 2.0.0 OK".to_string()
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
            return;
        } else {
            "500 5.5.2 unrecognised".to_string()
        };
        if write
            .write_all(format!("{reply}\r\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}
