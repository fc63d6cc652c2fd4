//! An embedded [`Server`] with an in-test authenticator that keeps plaintext
//! passwords, so that `swaks` can log in with CRAM-MD5 (over STARTTLS).

mod peer_support;

use std::net::SocketAddr;

use peer_support::{TlsFiles, assert_success, swaks_auth};
use smtp_server::maildir::{Maildir, MaildirHandler};
use smtp_server::{Authenticator, Server, ShutdownHandle};

/// One user, `carol` / `cr4m`, with the plaintext password CRAM-MD5 needs.
struct PlaintextUsers;

const USER: &str = "carol";
const PASSWORD: &str = "cr4m";

impl Authenticator for PlaintextUsers {
    fn mechanisms(&self) -> &[&'static str] {
        &["CRAM-MD5", "PLAIN", "LOGIN"]
    }

    async fn verify_password(
        &self,
        _authzid: Option<&str>,
        username: &str,
        password: &str,
    ) -> Result<String, ()> {
        if username == USER && password == PASSWORD {
            Ok(username.to_owned())
        } else {
            Err(())
        }
    }

    async fn cram_md5_password(&self, username: &str) -> Option<String> {
        (username == USER).then(|| PASSWORD.to_owned())
    }
}

/// Runs the server on its own runtime thread; returns its address and a stopper.
fn start(
    maildir: Maildir,
    tls: &TlsFiles,
) -> (SocketAddr, ShutdownHandle, std::thread::JoinHandle<()>) {
    let tls_config = smtp_server::tls::server_config_from_files(&tls.cert, &tls.key).unwrap();
    let mut config = smtp_server::Config::new("mx.test");
    config.local_domains = vec!["mx.test".to_owned()];
    let server = Server::builder(MaildirHandler::new(maildir, "mx.test"))
        .config(config)
        .tls(tls_config)
        .authenticator(PlaintextUsers)
        .build();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = server.shutdown_handle();
    let thread = std::thread::spawn(move || {
        runtime.block_on(server.serve(listener)).unwrap();
    });
    (addr, handle, thread)
}

fn swaks(addr: SocketAddr, mechanism: &str, password: &str) -> std::process::Output {
    swaks_auth(
        addr.port(),
        mechanism,
        (USER, password),
        ("carol@mx.test", "dave@example.org"),
        &["--header", "Subject: cram"],
    )
}

#[test]
fn swaks_cram_md5_over_starttls() {
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsFiles::generate(dir.path());
    let maildir = Maildir::open(dir.path().join("md"), "mx.test").unwrap();
    let (addr, stop, thread) = start(maildir.clone(), &tls);

    let good = swaks(addr, "CRAM-MD5", PASSWORD);
    assert_success("swaks CRAM-MD5", &good, None);
    let transcript = String::from_utf8_lossy(&good.stdout);
    assert!(transcript.contains("AUTH CRAM-MD5"), "{transcript}");
    assert!(transcript.contains("235 2.7.0"), "{transcript}");

    let bad = swaks(addr, "CRAM-MD5", "guess");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stdout).contains("535 5.7.8"));

    stop.shutdown();
    thread.join().unwrap();
    let files = peer_support::new_messages(maildir.root());
    assert_eq!(files.len(), 1, "{files:?}");
    let stored = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        stored.replace("\r\n\t", " ").contains(" with ESMTPSA id "),
        "{stored}"
    );
    assert!(stored.contains("Subject: cram\r\n"));
}
