//! A real [`Server`] on 127.0.0.1:0 with an in-test handler and
//! authenticator, and a minimal line-based client.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use smtp_proto::sasl::scram::ScramCredentials;
use smtp_proto::{ForwardPath, MailParams, RcptParams, Reply, ReversePath};
use smtp_server::{
    Authenticator, Config, ConnectionInfo, Handler, Server, Session, ShutdownHandle,
};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the handler saw.
#[derive(Debug, Default)]
pub struct Log {
    pub messages: Vec<Vec<u8>>,
    pub body_errors: usize,
    pub resets: usize,
    pub identities: Vec<Option<String>>,
    /// When set, `data` refuses at once without reading the body.
    pub reject_data_early: bool,
}

#[derive(Clone, Default)]
pub struct TestHandler {
    pub log: Arc<Mutex<Log>>,
}

pub struct TestSession {
    log: Arc<Mutex<Log>>,
}

impl Handler for TestHandler {
    type Session = TestSession;

    async fn connect(&self, _info: &ConnectionInfo) -> Result<TestSession, Reply<'static>> {
        Ok(TestSession {
            log: Arc::clone(&self.log),
        })
    }
}

impl Session for TestSession {
    async fn mail(
        &mut self,
        _info: &ConnectionInfo,
        _from: &ReversePath<'_>,
        _params: &MailParams<'_>,
    ) -> Result<(), Reply<'static>> {
        Ok(())
    }

    async fn rcpt(
        &mut self,
        _info: &ConnectionInfo,
        _to: &ForwardPath<'_>,
        _params: &RcptParams<'_>,
    ) -> Result<(), Reply<'static>> {
        Ok(())
    }

    async fn data(
        &mut self,
        info: &ConnectionInfo,
        body: &mut (dyn AsyncRead + Unpin + Send),
    ) -> Result<(), Reply<'static>> {
        if self.log.lock().unwrap().reject_data_early {
            return Err(Reply::TRANSACTION_FAILED);
        }
        let mut message = Vec::new();
        match body.read_to_end(&mut message).await {
            Ok(_) => {
                let mut log = self.log.lock().unwrap();
                log.messages.push(message);
                log.identities.push(info.authenticated_as.clone());
                Ok(())
            }
            Err(_) => {
                self.log.lock().unwrap().body_errors += 1;
                Err(Reply::LOCAL_ERROR)
            }
        }
    }

    fn reset(&mut self) {
        self.log.lock().unwrap().resets += 1;
    }
}

/// alice / secret, for every mechanism.
#[derive(Debug, Clone, Copy)]
pub struct TestAuthenticator;

impl Authenticator for TestAuthenticator {
    fn mechanisms(&self) -> &[&'static str] {
        &["SCRAM-SHA-256", "CRAM-MD5", "PLAIN", "LOGIN"]
    }

    async fn verify_password(
        &self,
        _authzid: Option<&str>,
        username: &str,
        password: &str,
    ) -> Result<String, ()> {
        if username == "alice" && password == "secret" {
            Ok("alice".to_owned())
        } else {
            Err(())
        }
    }

    async fn cram_md5_password(&self, username: &str) -> Option<String> {
        (username == "alice").then(|| "secret".to_owned())
    }

    async fn scram_sha256_credentials(&self, username: &str) -> Option<ScramCredentials> {
        (username == "alice")
            .then(|| ScramCredentials::derive("secret", b"0123456789abcdef", 4096).unwrap())
    }
}

/// A test configuration: short timeouts.
pub fn test_config() -> Config {
    let mut config = Config::new("mx.test");
    config.timeouts.command = Duration::from_secs(5);
    config.timeouts.data = Duration::from_secs(5);
    config.timeouts.tls_handshake = Duration::from_secs(5);
    config.timeouts.shutdown_grace = Duration::from_secs(2);
    // An authenticator is configured, so relay control applies.
    config.local_domains = vec!["example.net".to_owned()];
    config
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Log>>,
    pub shutdown: ShutdownHandle,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

pub async fn start(
    config: Config,
    tls: Option<Arc<rustls::ServerConfig>>,
    implicit: bool,
) -> Running {
    let handler = TestHandler::default();
    let log = Arc::clone(&handler.log);
    let mut builder = Server::builder(handler)
        .config(config)
        .authenticator(TestAuthenticator);
    if let Some(tls) = tls {
        builder = builder.tls(tls);
    }
    let server = builder.build();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = server.shutdown_handle();
    let task = tokio::spawn(async move {
        if implicit {
            server.serve_implicit_tls(listener).await
        } else {
            server.serve(listener).await
        }
    });
    Running {
        addr,
        log,
        shutdown,
        task,
    }
}

/// A line-based SMTP client over any stream.
pub struct Client<S> {
    pub stream: BufReader<S>,
}

impl Client<TcpStream> {
    pub async fn connect(addr: SocketAddr) -> Self {
        Client {
            stream: BufReader::new(TcpStream::connect(addr).await.unwrap()),
        }
    }

    /// Connects, reads the greeting and opens a transaction from
    /// `a@example.org` to `b@example.net` (after `EHLO c.test`), not
    /// looking at the replies: the tests check what comes next.
    pub async fn in_transaction(addr: SocketAddr) -> Self {
        let mut client = Self::connect(addr).await;
        client.reply().await;
        client.command("EHLO c.test").await;
        client.command("MAIL FROM:<a@example.org>").await;
        client.command("RCPT TO:<b@example.net>").await;
        client
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    pub fn new(stream: S) -> Self {
        Client {
            stream: BufReader::new(stream),
        }
    }

    pub async fn write(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.unwrap();
        self.stream.get_mut().flush().await.unwrap();
    }

    /// One whole reply (all its lines); empty at EOF.
    pub async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            let read =
                tokio::time::timeout(Duration::from_secs(8), self.stream.read_line(&mut line))
                    .await
                    .expect("reply timed out")
                    .unwrap_or(0);
            if read == 0 {
                return reply;
            }
            reply.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    /// Sends a command and returns its reply.
    pub async fn command(&mut self, line: &str) -> String {
        self.write(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    pub fn into_inner(self) -> S {
        self.stream.into_inner()
    }
}

/// A self-signed certificate for `localhost`: the server configuration and
/// a client connector trusting it.
pub fn tls_pair() -> (Arc<rustls::ServerConfig>, tokio_rustls::TlsConnector) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = certified.cert.pem();
    let key_pem = certified.key_pair.serialize_pem();
    let server =
        smtp_server::tls::server_config_from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (server, tokio_rustls::TlsConnector::from(Arc::new(client)))
}

pub fn code(reply: &str) -> &str {
    reply.get(..3).unwrap_or(reply)
}
