//! `Client::builder(host)`: everything about a connection, set before it is opened.

use std::path::PathBuf;
use std::time::Duration;

use rustls::pki_types::CertificateDer;

use crate::auth::{Credentials, Mechanism};
use crate::client::Client;
use crate::error::Error;
use crate::timeouts::Timeouts;
use crate::tls::{RootCertificates, TlsMode, load_pem_certificates};

/// Where the trust anchors come from.
#[derive(Debug, Clone)]
enum Roots {
    Given(RootCertificates),
    CaFile(PathBuf),
}

/// Settings of a [`Client`], made by [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) tls: Option<TlsMode>,
    pub(crate) tls_server_name: Option<String>,
    pub(crate) ehlo_name: String,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) mechanism: Option<Mechanism<'static>>,
    pub(crate) allow_plaintext_auth: bool,
    roots: Roots,
    pub(crate) timeouts: Timeouts,
    pub(crate) connect_timeout: Duration,
    pub(crate) pipelining: bool,
    pub(crate) chunking: bool,
}

impl ClientBuilder {
    pub(crate) fn new(host: String) -> Self {
        ClientBuilder {
            host,
            port: 587,
            tls: None,
            tls_server_name: None,
            ehlo_name: "localhost".into(),
            credentials: None,
            mechanism: None,
            allow_plaintext_auth: false,
            roots: Roots::Given(RootCertificates::WebPki),
            timeouts: Timeouts::default(),
            connect_timeout: Duration::from_secs(30),
            pipelining: true,
            chunking: true,
        }
    }

    /// The port (default 587, the submission port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How to secure the connection (default: implicit TLS on port 465,
    /// STARTTLS required elsewhere).
    pub fn tls(mut self, mode: TlsMode) -> Self {
        self.tls = Some(mode);
        self
    }

    /// The name the server's certificate must carry, when it differs from the host.
    pub fn tls_server_name(mut self, name: impl Into<String>) -> Self {
        self.tls_server_name = Some(name.into());
        self
    }

    /// The name sent in EHLO (default `localhost`).
    pub fn ehlo_name(mut self, name: impl Into<String>) -> Self {
        self.ehlo_name = name.into();
        self
    }

    /// Authenticate with these credentials after TLS.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Use this SASL mechanism instead of the strongest offered.
    pub fn auth_mechanism(mut self, mechanism: Mechanism<'static>) -> Self {
        self.mechanism = Some(mechanism);
        self
    }

    /// Allow AUTH on a connection without TLS (default false: credentials
    /// are never sent in plaintext).
    pub fn allow_plaintext_auth(mut self, allow: bool) -> Self {
        self.allow_plaintext_auth = allow;
        self
    }

    /// Trust the certificates of this PEM file instead of the webpki roots.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.roots = Roots::CaFile(path.into());
        self
    }

    /// Trust these certificates instead of the webpki roots.
    pub fn root_certificates(mut self, certificates: Vec<CertificateDer<'static>>) -> Self {
        self.roots = Roots::Given(RootCertificates::Custom(certificates));
        self
    }

    /// Per-phase timeouts (default: RFC 5321 §4.5.3.2).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// How long opening the TCP connection may take (default 30 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Use PIPELINING when offered (default true).
    pub fn pipelining(mut self, on: bool) -> Self {
        self.pipelining = on;
        self
    }

    /// Use CHUNKING (BDAT) when offered (default true).
    pub fn chunking(mut self, on: bool) -> Self {
        self.chunking = on;
        self
    }

    /// The TLS mode in effect.
    pub fn tls_mode(&self) -> TlsMode {
        self.tls
            .unwrap_or_else(|| TlsMode::default_for_port(self.port))
    }

    /// The host to connect to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port to connect to.
    pub fn port_number(&self) -> u16 {
        self.port
    }

    pub(crate) fn root_certificates_resolved(&self) -> Result<RootCertificates, Error> {
        match &self.roots {
            Roots::Given(roots) => Ok(roots.clone()),
            Roots::CaFile(path) => load_pem_certificates(path).map(RootCertificates::Custom),
        }
    }

    /// Opens the connection: TCP, TLS (implicit or STARTTLS), greeting,
    /// EHLO, AUTH. Each step under its timeout.
    pub async fn connect(&self) -> Result<Client, Error> {
        Client::connect(self).await
    }
}
