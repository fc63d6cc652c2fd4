//! TLS for the client: the modes, the rustls configuration (ring provider,
//! webpki roots or given CA certificates) and a stream that is either plain
//! TCP or TLS over it.

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::error::Error;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// TLS from the first byte (port 465, RFC 8314).
    Implicit,
    /// STARTTLS, and fail when the server does not offer it or refuses it.
    StartTlsRequired,
    /// STARTTLS when offered, else stay in plaintext (never sends credentials
    /// in plaintext unless `allow_plaintext_auth`).
    StartTlsOpportunistic,
    /// No TLS at all (only when asked).
    None,
}

impl TlsMode {
    /// The default for a port: implicit TLS on 465, STARTTLS required elsewhere.
    pub fn default_for_port(port: u16) -> Self {
        if port == 465 {
            TlsMode::Implicit
        } else {
            TlsMode::StartTlsRequired
        }
    }
}

/// The trust anchors the client checks server certificates against.
#[derive(Debug, Clone, Default)]
pub enum RootCertificates {
    /// Mozilla's roots, from the `webpki-roots` crate.
    #[default]
    WebPki,
    /// These certificates only.
    Custom(Vec<CertificateDer<'static>>),
}

/// Reads every certificate of a PEM file.
pub fn load_pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let data = std::fs::read(path)
        .map_err(|e| Error::InvalidInput(format!("cannot read CA file {}: {e}", path.display())))?;
    let certificates = rustls_pemfile::certs(&mut data.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::InvalidInput(format!("bad PEM in {}: {e}", path.display())))?;
    if certificates.is_empty() {
        return Err(Error::InvalidInput(format!(
            "no certificate in {}",
            path.display()
        )));
    }
    Ok(certificates)
}

/// A rustls client configuration with the ring provider.
pub(crate) fn client_config(roots: &RootCertificates) -> Result<Arc<ClientConfig>, Error> {
    let mut store = RootCertStore::empty();
    match roots {
        RootCertificates::WebPki => {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        RootCertificates::Custom(certificates) => {
            for certificate in certificates {
                store
                    .add(certificate.clone())
                    .map_err(|e| Error::Tls(format!("bad CA certificate: {e}")))?;
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The connection: plain TCP, or TLS over it.
#[derive(Debug)]
pub(crate) enum Stream {
    /// Plain TCP (before STARTTLS, or without TLS).
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
