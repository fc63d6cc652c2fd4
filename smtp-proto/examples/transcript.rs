//! Parses a recorded SMTP session transcript (`S:`/`C:` lines) and prints what
//! each line is. With no argument, replays RFC 5321 Appendix D.1.
//!
//! ```sh
//! cargo run -p smtp-proto --example transcript [FILE]
//! ```

use smtp_proto::transcript::{TranscriptItem, replay};
use smtp_proto::{EhloInfo, ParseOptions};

fn main() {
    let text = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(&path).unwrap_or_else(|e| {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2)
        }),
        None => include_str!("../tests/transcripts/d1-typical.txt").to_owned(),
    };
    let items = match replay(&text, &ParseOptions::default()) {
        Ok(items) => items,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1)
        }
    };
    for item in &items {
        match item {
            TranscriptItem::Command(command) => {
                println!("C  {:<8} {command:?}", command.verb().as_str())
            }
            TranscriptItem::Reply(reply) => {
                println!("S  {} {:?}", reply.code(), reply.text());
                if let Ok(info) = EhloInfo::from_reply(reply) {
                    if !info.capabilities().is_empty() {
                        println!("   capabilities: {:?}", info.capabilities());
                    }
                }
            }
            TranscriptItem::Body(body) => println!("   body: {} octets, unstuffed", body.len()),
            other => println!("   {other:?}"),
        }
    }
    println!("{} exchanges parsed", items.len());
}
