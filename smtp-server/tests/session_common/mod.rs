//! In-memory driver for the sans-I/O session, shared by the session tests.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use smtp_proto::Reply;
use smtp_proto::sasl::scram::ScramCredentials;
use smtp_server::session::{AuthRequest, BodyState, Connection, Event, Offer};
use smtp_server::{Config, ConnectionInfo, TlsInfo};

/// Drives a [`Connection`] the way the tokio server does, with a handler that
/// accepts everything unless told otherwise, and records what happened.
pub struct Harness {
    pub conn: Connection,
    pub events: Vec<Event>,
    pub messages: Vec<Vec<u8>>,
    pub body: Vec<u8>,
    pub refuse_rcpt: Option<Reply<'static>>,
    pub tls_requested: bool,
}

pub fn info() -> ConnectionInfo {
    ConnectionInfo::new(
        "192.0.2.1:40000".parse().unwrap(),
        "192.0.2.25:25".parse().unwrap(),
    )
}

pub fn tls_info() -> TlsInfo {
    TlsInfo::new("TLSv1_3", "TLS13_AES_128_GCM_SHA256", None)
}

impl Harness {
    pub fn new(config: Config) -> Self {
        Self::with_offer(config, Offer::default())
    }

    pub fn with_offer(config: Config, offer: Offer) -> Self {
        let conn = Connection::new(Arc::new(config), info(), offer);
        let mut h = Harness {
            conn,
            events: Vec::new(),
            messages: Vec::new(),
            body: Vec::new(),
            refuse_rcpt: None,
            tls_requested: false,
        };
        let greeting = h.output();
        assert!(greeting.starts_with("220 "), "{greeting}");
        h
    }

    /// A development sink (no local domains, no AUTH), greeted with EHLO.
    pub fn greeted() -> Self {
        let mut h = Self::new(Config::new("mx.example"));
        let ehlo = h.send("EHLO client.example\r\n");
        assert!(ehlo.starts_with("250-mx.example"), "{ehlo}");
        h
    }

    /// Feeds bytes, answers every event, returns the output produced.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> String {
        self.conn.handle_input(bytes);
        self.pump();
        self.output()
    }

    pub fn send(&mut self, text: &str) -> String {
        self.send_bytes(text.as_bytes())
    }

    pub fn output(&mut self) -> String {
        let mut out = Vec::new();
        self.conn.poll_output(&mut out);
        String::from_utf8(out).unwrap()
    }

    /// Answers events until the session needs input.
    pub fn pump(&mut self) {
        loop {
            self.conn.take_body(&mut self.body);
            let Some(event) = self.conn.poll_event() else {
                break;
            };
            self.events.push(event.clone());
            match event {
                Event::MailReceived { .. } => self.conn.handle_mail_verdict(Ok(())),
                Event::RcptReceived { .. } => {
                    let verdict = match &self.refuse_rcpt {
                        Some(reply) => Err(reply.clone()),
                        None => Ok(()),
                    };
                    self.conn.handle_rcpt_verdict(verdict)
                }
                // Body octets may already be buffered: they belong to this message.
                Event::DataStarted => {}
                Event::MessageReceived => {
                    self.conn.take_body(&mut self.body);
                    assert_eq!(self.conn.body_state(), BodyState::Complete);
                    let refused = self.conn.body_refusal().is_some();
                    if !refused {
                        self.messages.push(std::mem::take(&mut self.body));
                    }
                    self.conn.handle_data_verdict(Ok(()));
                }
                Event::AuthRequested(AuthRequest::Password {
                    username, password, ..
                }) => {
                    let ok = username == "alice" && password == "secret";
                    self.conn
                        .handle_password_verdict(if ok { Ok(username) } else { Err(()) });
                }
                Event::AuthRequested(AuthRequest::CramMd5Password { username }) => {
                    let known = (username == "alice").then(|| "secret".to_owned());
                    self.conn.handle_cram_md5_password(known);
                }
                Event::AuthRequested(AuthRequest::ScramCredentials { username }) => {
                    let known = (username == "alice").then(|| {
                        ScramCredentials::derive("secret", b"saltsaltsalt", 4096).unwrap()
                    });
                    self.conn.handle_scram_credentials(known);
                }
                Event::TlsUpgradeRequested => self.tls_requested = true,
                _ => {}
            }
        }
    }

    /// MAIL + one RCPT, both accepted.
    pub fn open_transaction(&mut self) {
        let out = self.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n");
        assert_eq!(out, "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n");
    }
}

/// The reply codes (with enhanced codes) of each line of `output`.
pub fn codes(output: &str) -> Vec<String> {
    output
        .split("\r\n")
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut parts = line.splitn(3, [' ', '-']);
            let code = parts.next().unwrap_or_default();
            let next = parts.next().unwrap_or_default();
            if next.chars().next().is_some_and(|c| c.is_ascii_digit()) && next.contains('.') {
                format!("{code} {next}")
            } else {
                code.to_owned()
            }
        })
        .collect()
}
