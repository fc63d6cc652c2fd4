//! Prints how each line of stdin (or each corpus file given as argument) is
//! classified by the differential comparison, and a histogram of classes.
use smtp_proto_fuzz::differential::{classify, line_of, outcome};
use std::collections::BTreeMap;

fn main() {
    let inputs: Vec<Vec<u8>> = match std::env::args().nth(1) {
        Some(dir) => std::fs::read_dir(dir).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect(),
        None => std::io::stdin().lines().map(|l| l.unwrap().into_bytes()).collect(),
    };
    let mut histogram: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for data in inputs {
        let line = line_of(&data);
        let o = outcome(&line);
        let class = match classify(&line, &o) { Ok(None) => continue, Ok(Some(c)) => format!("{c:?}"), Err(q) => format!("UNCLASSIFIED {q}") };
        let entry = histogram.entry(class).or_insert((0, String::new()));
        entry.0 += 1;
        if entry.1.is_empty() || line.len() < entry.1.len() { entry.1 = format!("{:?} ours={:?} theirs={:?}", String::from_utf8_lossy(&line), o.ours, o.theirs); }
    }
    for (class, (count, example)) in histogram { println!("{count:6} {class}\n       e.g. {example}"); }
}
