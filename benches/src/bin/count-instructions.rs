//! Runs one benchmark case N times, for instruction counts under
//! `valgrind --tool=callgrind`, which are repeatable where wall-clock times
//! on a shared machine are not.
//!
//! `count-instructions list` prints the case ids;
//! `count-instructions CASE_ID N` verifies the case, then runs it N times.
//! Only the inputs of the case's kind are built, the same for every N, so `(count(N) - count(0)) / N` is the
//! cost of one call (see `benches/callgrind.sh`).

use std::process::ExitCode;

use smtp_benches::{all_cases, cases_of};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [list] if list == "list" => {
            for case in all_cases() {
                println!("{}\t{}", case.id(), case.bytes);
            }
            ExitCode::SUCCESS
        }
        [id, n] => {
            let Ok(n) = n.parse::<u64>() else {
                eprintln!("N must be a number, not {n:?}");
                return ExitCode::FAILURE;
            };
            let kind = id.split('/').next().unwrap_or_default();
            let Some(mut case) = cases_of(kind).into_iter().find(|c| c.id() == *id) else {
                eprintln!("no case {id:?}; `count-instructions list` prints them");
                return ExitCode::FAILURE;
            };
            if let Err(e) = case.verify() {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
            for _ in 0..n {
                if let Err(e) = std::hint::black_box(case.run()) {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: count-instructions list | count-instructions CASE_ID N");
            ExitCode::FAILURE
        }
    }
}
