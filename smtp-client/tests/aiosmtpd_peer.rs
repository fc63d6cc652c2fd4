//! The async client against aiosmtpd (Python): STARTTLS and implicit TLS
//! with a CA and certificate generated here (rcgen), AUTH PLAIN and LOGIN
//! with right and wrong passwords, a message delivered byte-exact, many
//! recipients, SMTPUTF8.
//!
//! aiosmtpd comes from `bash .ci/install-test-deps`; `python3` is looked up
//! on `PATH`, then in `<workspace>/.ci/cache/bin`.

mod peer_process;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use peer_process::{find_peer, free_port};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use smtp_client::{
    Client, ClientBuilder, Credentials, Envelope, Error, Mechanism, Timeouts, TlsMode,
};

const SERVER: &str = r#"
import json, os, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

port, mode, cert, key, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]

class Handler:
    def __init__(self):
        self.count = 0
    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(out, "message-%d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "mail_options": envelope.mail_options}, f)
        return "250 2.0.0 Ok: queued as AIO%d" % self.count

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"alice" and auth_data.password == b"correct horse"
    # handled=False: aiosmtpd then answers 535 itself.
    return AuthResult(success=ok, handled=False)

context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
kwargs = dict(hostname="127.0.0.1", port=port, enable_SMTPUTF8=True,
              authenticator=authenticator, auth_require_tls=True)
if mode == "starttls":
    kwargs.update(tls_context=context, require_starttls=True)
elif mode == "implicit":
    # aiosmtpd only counts STARTTLS as TLS for auth_require_tls; this
    # connection is TLS from the first byte, so the check is moot.
    kwargs.update(ssl_context=context, auth_require_tls=False)
controller = Controller(Handler(), **kwargs)
controller.start()
print("READY", flush=True)
while True:
    time.sleep(3600)
"#;

/// A running aiosmtpd with its CA and output directory, killed on drop.
struct Aiosmtpd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    ca_pem: PathBuf,
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CA and a certificate for `localhost` signed by it, written as PEM files.
fn make_pki(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

fn start(mode: &str) -> Aiosmtpd {
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, cert, key) = make_pki(dir.path());
    let script = dir.path().join("server.py");
    std::fs::write(&script, SERVER).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let port = free_port();
    let mut child = Command::new(find_peer("python3"))
        .arg(&script)
        .arg(port.to_string())
        .arg(mode)
        .arg(&cert)
        .arg(&key)
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        line.trim(),
        "READY",
        "aiosmtpd did not start: run `bash .ci/install-test-deps`"
    );
    Aiosmtpd {
        child,
        port,
        dir,
        ca_pem,
    }
}

impl Aiosmtpd {
    fn builder(&self, mode: TlsMode) -> ClientBuilder {
        Client::builder("127.0.0.1")
            .port(self.port)
            .tls(mode)
            .tls_server_name("localhost")
            .ca_file(&self.ca_pem)
            .ehlo_name("client.example")
            .timeouts(Timeouts::all(Duration::from_secs(5)))
    }

    /// A client logged in as alice over `mode`.
    async fn alice_client(&self, mode: TlsMode) -> Client {
        self.builder(mode)
            .credentials(alice())
            .connect()
            .await
            .unwrap()
    }

    fn received(&self, n: usize) -> (Vec<u8>, serde_json::Value) {
        let base = self.dir.path().join("out").join(format!("message-{n}"));
        let eml = std::fs::read(base.with_extension("eml")).unwrap();
        let meta = std::fs::read_to_string(base.with_extension("json")).unwrap();
        (eml, serde_json::from_str(&meta).unwrap())
    }
}

fn alice() -> Credentials {
    Credentials::password("alice", "correct horse")
}

#[tokio::test]
async fn starttls_auth_plain_and_byte_exact_delivery() {
    let server = start("starttls");
    let mut client = server.alice_client(TlsMode::StartTlsRequired).await;
    assert!(client.is_tls());
    // A message with dots at line starts, a bare LF and a missing final CRLF.
    let message = b"From: alice@example.com\r\nTo: bob@example.net\r\nSubject: exact\r\n\r\n.leading dot\r\n..two dots\r\nbare lf\nlast line";
    let env = Envelope::new("alice@example.com", ["bob@example.net"]).unwrap();
    let report = client.send(&env, message).await.unwrap();
    assert!(report.all_accepted());
    assert!(report.reply.text().contains("AIO1"));
    client.quit().await.unwrap();
    let (eml, meta) = server.received(1);
    let expected = b"From: alice@example.com\r\nTo: bob@example.net\r\nSubject: exact\r\n\r\n.leading dot\r\n..two dots\r\nbare lf\r\nlast line\r\n";
    assert_eq!(
        String::from_utf8_lossy(&eml),
        String::from_utf8_lossy(expected)
    );
    assert_eq!(meta["from"], "alice@example.com");
    assert_eq!(meta["to"][0], "bob@example.net");
}

#[tokio::test]
async fn implicit_tls_with_auth_login() {
    let server = start("implicit");
    let mut client = server
        .builder(TlsMode::Implicit)
        .credentials(alice())
        .auth_mechanism(Mechanism::Login)
        .connect()
        .await
        .unwrap();
    assert!(client.is_tls());
    let env = Envelope::new("alice@example.com", ["bob@example.net"]).unwrap();
    client
        .send(&env, b"Subject: hi\r\n\r\nimplicit\r\n")
        .await
        .unwrap();
    client.quit().await.unwrap();
    assert_eq!(server.received(1).0, b"Subject: hi\r\n\r\nimplicit\r\n");
}

#[tokio::test]
async fn opportunistic_starttls_upgrades_when_offered() {
    let server = start("starttls");
    let mut client = server.alice_client(TlsMode::StartTlsOpportunistic).await;
    assert!(client.is_tls());
    assert!(client.capabilities().unwrap().supports("AUTH"));
    client.noop().await.unwrap();
    client.quit().await.unwrap();
}

#[tokio::test]
async fn wrong_passwords_are_refused_permanently() {
    let server = start("starttls");
    for mechanism in [Mechanism::Plain, Mechanism::Login] {
        let error = server
            .builder(TlsMode::StartTlsRequired)
            .credentials(Credentials::password("alice", "wrong"))
            .auth_mechanism(mechanism.clone())
            .connect()
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::Reply {
                    command: "AUTH",
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(error.reply().unwrap().code().get(), 535);
        assert!(error.is_permanent());
    }
}

#[tokio::test]
async fn untrusted_certificate_is_a_tls_error() {
    let server = start("implicit");
    let error = Client::builder("127.0.0.1")
        .port(server.port)
        .tls(TlsMode::Implicit)
        .tls_server_name("localhost")
        .timeouts(Timeouts::all(Duration::from_secs(5)))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Tls(_)), "{error}");
}

#[tokio::test]
async fn many_recipients() {
    let server = start("starttls");
    let mut client = server.alice_client(TlsMode::StartTlsRequired).await;
    let recipients: Vec<String> = (0..150).map(|i| format!("user{i}@example.net")).collect();
    let env = Envelope::new("alice@example.com", &recipients).unwrap();
    let report = client
        .send(&env, b"Subject: many\r\n\r\nx\r\n")
        .await
        .unwrap();
    assert_eq!(report.recipients.len(), 150);
    assert!(report.all_accepted());
    let (_, meta) = server.received(1);
    assert_eq!(meta["to"].as_array().unwrap().len(), 150);
    assert_eq!(meta["to"][149], "user149@example.net");
}

#[tokio::test]
async fn smtputf8_addresses() {
    let server = start("starttls");
    let mut client = server.alice_client(TlsMode::StartTlsRequired).await;
    assert!(client.capabilities().unwrap().has_smtputf8());
    let env = Envelope::new("álice@exämple.com", ["用户@例子.广告"]).unwrap();
    let body = "Subject: =?UTF-8?Q?caf=C3=A9?=\r\n\r\ncafé\r\n".as_bytes();
    client.send(&env, body).await.unwrap();
    let (eml, meta) = server.received(1);
    assert_eq!(eml, body);
    assert_eq!(meta["from"], "álice@exämple.com");
    assert_eq!(meta["to"][0], "用户@例子.广告");
    let options = meta["mail_options"].to_string();
    assert!(options.contains("SMTPUTF8"), "{options}");
}
