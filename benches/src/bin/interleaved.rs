//! Times every competitor of one benchmark group in turn, round after round,
//! in one process: on a shared machine, a neighbour's load then hits every
//! competitor alike, so the ratios hold where criterion's separate
//! measurement windows (one competitor after the other) drift.
//!
//! `interleaved GROUP [ROUNDS] [CALLS]`, e.g. `interleaved data/unstuff_4k_chunks`:
//! verifies each case, then ROUNDS times (default 301) runs each competitor
//! CALLS times (default 10) and records the time per call. Prints, per
//! competitor, the minimum and median time per call and the competitor's
//! median divided by ours (above 1.00× ours is faster).

use std::process::ExitCode;
use std::time::Instant;

use smtp_benches::cases_of;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(group) = args.first() else {
        eprintln!(
            "usage: interleaved GROUP [ROUNDS] [CALLS]   (groups: `count-instructions list`)"
        );
        return ExitCode::FAILURE;
    };
    let number = |index: usize, default: usize| -> Result<usize, String> {
        args.get(index).map_or(Ok(default), |text| {
            text.parse()
                .map_err(|_| format!("{text:?} is not a number"))
        })
    };
    let (rounds, calls) = match (number(1, 301), number(2, 10)) {
        (Ok(rounds), Ok(calls)) if rounds > 0 && calls > 0 => (rounds, calls),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
        _ => {
            eprintln!("ROUNDS and CALLS must be at least 1");
            return ExitCode::FAILURE;
        }
    };
    let kind = group.split('/').next().unwrap_or_default();
    let mut cases: Vec<_> = cases_of(kind)
        .into_iter()
        .filter(|case| case.group == group.as_str())
        .collect();
    if cases.is_empty() {
        eprintln!("no group {group:?}; `count-instructions list` prints the case ids");
        return ExitCode::FAILURE;
    }
    for case in &mut cases {
        if let Err(e) = case.verify() {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); cases.len()];
    for _ in 0..rounds {
        for (case, times) in cases.iter_mut().zip(&mut times) {
            let started = Instant::now();
            for _ in 0..calls {
                if let Err(e) = std::hint::black_box(case.run()) {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            }
            times.push(started.elapsed().as_nanos() as f64 / calls as f64);
        }
    }
    let medians: Vec<(f64, f64)> = times
        .iter_mut()
        .map(|times| {
            times.sort_by(f64::total_cmp);
            (times[0], times[times.len() / 2])
        })
        .collect();
    let ours = cases
        .iter()
        .position(|case| case.competitor == "ours")
        .map(|index| medians[index].1);
    println!("{group}: {rounds} interleaved rounds x {calls} calls, ns per call");
    println!("| competitor | min | median | ours faster by (median) |");
    println!("|---|---:|---:|---:|");
    for (case, (min, median)) in cases.iter().zip(&medians) {
        let ratio = ours.map_or_else(|| "-".to_owned(), |ours| format!("{:.2}×", median / ours));
        println!("| {} | {min:.0} | {median:.0} | {ratio} |", case.competitor);
    }
    ExitCode::SUCCESS
}
