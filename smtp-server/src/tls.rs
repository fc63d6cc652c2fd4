//! TLS helpers: a rustls server configuration from PEM files (ring provider),
//! and what the handler learns about a negotiated session.

use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::handler::TlsInfo;

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The certificate PEM holds no certificate.
    #[error("no certificate found in the PEM data")]
    NoCertificate,
    /// The key PEM holds no private key.
    #[error("no private key found in the PEM data")]
    NoPrivateKey,
    /// The PEM data is malformed.
    #[error("malformed PEM data: {0}")]
    Pem(std::io::Error),
    /// rustls refused the certificate or key.
    #[error("TLS configuration refused: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A server configuration from a PEM certificate chain and a PEM private key.
pub fn server_config_from_pem(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<ServerConfig>, TlsError> {
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut BufReader::new(cert_pem))
        .collect::<Result<_, _>>()
        .map_err(TlsError::Pem)?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut BufReader::new(key_pem))
        .map_err(TlsError::Pem)?
        .ok_or(TlsError::NoPrivateKey)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    Ok(Arc::new(config))
}

/// A server configuration from PEM files (`--tls-cert`, `--tls-key`).
pub fn server_config_from_files(
    cert_path: &Path,
    key_path: &Path,
) -> Result<Arc<ServerConfig>, TlsError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| TlsError::Read {
            path: path.display().to_string(),
            source,
        })
    };
    server_config_from_pem(&read(cert_path)?, &read(key_path)?)
}

/// What the handler sees of a negotiated TLS session.
pub(crate) fn tls_info(connection: &rustls::ServerConnection) -> TlsInfo {
    let protocol = connection
        .protocol_version()
        .map(|version| format!("{version:?}"))
        .unwrap_or_default();
    let cipher_suite = connection
        .negotiated_cipher_suite()
        .map(|suite| format!("{:?}", suite.suite()))
        .unwrap_or_default();
    TlsInfo::new(
        protocol,
        cipher_suite,
        connection.server_name().map(str::to_owned),
    )
}
