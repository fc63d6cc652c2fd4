//! Sorts command lines into the disagreement classes of `DIFFERENCES.md`.
//!
//! `cargo run --release --example probe [CORPUS_DIR]` reads every file of the
//! directory (or every line of stdin) as a `differential_stalwart` input and
//! prints, per class, how many inputs fall in it and the shortest one. With
//! `CLASS=<part of a class name>` it also prints every matching input.

use smtp_proto_fuzz::differential::{classify, line_of, outcome};
use std::{collections::BTreeMap, fs, io};

fn main() -> io::Result<()> {
    let inputs: Vec<Vec<u8>> = match std::env::args().nth(1) {
        Some(dir) => fs::read_dir(dir)?
            .map(|entry| fs::read(entry?.path()))
            .collect::<io::Result<_>>()?,
        None => io::stdin()
            .lines()
            .map(|line| line.map(String::into_bytes))
            .collect::<io::Result<_>>()?,
    };
    let wanted = std::env::var("CLASS").ok();
    let mut classes: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for data in inputs {
        let line = line_of(&data);
        let found = outcome(&line);
        let class = match classify(&line, &found) {
            Ok(None) => continue,
            Ok(Some(class)) => format!("{class:?}"),
            Err(question) => format!("UNCLASSIFIED {question}"),
        };
        let shown = format!(
            "{:?} ours={:?} theirs={:?}",
            String::from_utf8_lossy(&line),
            found.ours,
            found.theirs
        );
        if wanted.as_deref().is_some_and(|w| class.contains(w)) {
            println!("{class}: {shown}");
        }
        let entry = classes.entry(class).or_insert((0, String::new()));
        entry.0 += 1;
        if entry.1.is_empty() || shown.len() < entry.1.len() {
            entry.1 = shown;
        }
    }
    for (class, (count, example)) in classes {
        println!("{count:6} {class}\n       e.g. {example}");
    }
    Ok(())
}
