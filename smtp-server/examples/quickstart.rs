//! The main job in one command: start the server on its default address
//! (127.0.0.1:2525) with durable Maildir storage, send it a message with
//! `smtp-client`, and show the file the server stored. The Maildir goes in the
//! system's temporary directory, so running this leaves the checkout as it was.
//!
//! ```sh
//! cargo run -p smtp-server --example quickstart
//! ```

use std::time::Duration;

use smtp_client::{Client, Envelope, TlsMode};
use smtp_server::Server;
use smtp_server::maildir::{Maildir, MaildirHandler};
use tokio::net::TcpListener;

const HOSTNAME: &str = "localhost";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::env::temp_dir().join("smtp-rs-quickstart");
    let maildir = Maildir::open(&root, HOSTNAME)?;
    let new_dir = maildir.new_dir().to_path_buf();
    let listener = match TcpListener::bind("127.0.0.1:2525").await {
        Ok(listener) => listener,
        // Something else holds the default port: any free one will do here.
        Err(_) => TcpListener::bind("127.0.0.1:0").await?,
    };
    let addr = listener.local_addr()?;
    let server = Server::builder(MaildirHandler::new(maildir, HOSTNAME))
        .hostname(HOSTNAME)
        .build();
    let shutdown = server.shutdown_handle();
    let serving = tokio::spawn(async move { server.serve(listener).await });
    println!(
        "smtp-server listening on {addr}, storing into {}",
        root.display()
    );

    let mut client = Client::builder(addr.ip().to_string())
        .port(addr.port())
        .tls(TlsMode::None)
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await?;
    let envelope = Envelope::new("alice@example.org", ["bob@example.org"])?;
    let message = "From: Alice <alice@example.org>\r\n\
                   To: Bob <bob@example.org>\r\n\
                   Subject: Hello from smtp-rs\r\n\
                   \r\n\
                   It works.\r\n";
    let report = client.send(&envelope, message).await?;
    client.quit().await?;
    println!(
        "server said: {} {}",
        report.reply.code(),
        report.reply.text()
    );

    let mut newest = None;
    for entry in std::fs::read_dir(&new_dir)? {
        let entry = entry?;
        let modified = entry.metadata()?.modified()?;
        if newest.as_ref().is_none_or(|(time, _)| modified > *time) {
            newest = Some((modified, entry.path()));
        }
    }
    if let Some((_, path)) = newest {
        println!("stored as {}:\n", path.display());
        print!("{}", std::fs::read_to_string(path)?);
    }

    shutdown.shutdown();
    serving.await??;
    Ok(())
}
