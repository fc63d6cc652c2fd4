//! Benchmarks of this workspace's `smtp-proto` against the other Rust SMTP
//! parsers, on the same inputs in the same run.
//!
//! The library holds the inputs ([`inputs`]) and the measured work of every
//! competitor as verified [`Case`]s, grouped by message kind. Two drivers use
//! them: the criterion benches in `benches/` (wall-clock throughput) and the
//! `count-instructions` binary, which runs one case N times so that
//! `valgrind --tool=callgrind` gives repeatable instruction counts on a noisy
//! machine. See `BENCHMARKS.md` at the workspace root.
#![forbid(unsafe_code)]

pub mod case;
pub mod commands;
pub mod data;
pub mod ehlo;
pub mod encode;
pub mod inputs;
pub mod replies;

pub use case::{Case, Outcome};

/// Every case of every group, in table order.
pub fn all_cases() -> Vec<Case> {
    let mut cases = commands::cases();
    cases.extend(replies::cases());
    cases.extend(ehlo::cases());
    cases.extend(data::cases());
    cases.extend(encode::cases());
    cases
}

/// The cases of one kind (`"commands"`, `"replies"`, `"ehlo"`, `"data"`,
/// `"encode"`: the part of a group before its `/`), built without the
/// inputs of the others; empty for an unknown kind.
pub fn cases_of(kind: &str) -> Vec<Case> {
    match kind {
        "commands" => commands::cases(),
        "replies" => replies::cases(),
        "ehlo" => ehlo::cases(),
        "data" => data::cases(),
        "encode" => encode::cases(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_competitor_parses_every_input_of_its_groups() {
        let mut failures = Vec::new();
        for mut case in all_cases() {
            if let Err(e) = case.verify() {
                failures.push(e);
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn cases_of_each_kind_partition_all_cases() {
        let kinds = ["commands", "replies", "ehlo", "data", "encode"];
        let by_kind: Vec<String> = kinds
            .iter()
            .flat_map(|kind| cases_of(kind))
            .map(|case| case.id())
            .collect();
        let all: Vec<String> = all_cases().iter().map(Case::id).collect();
        assert_eq!(by_kind, all);
        assert!(cases_of("nothing").is_empty());
    }

    #[test]
    fn every_group_has_our_parser_and_case_ids_are_unique() {
        let cases = all_cases();
        let mut ids: Vec<String> = cases.iter().map(Case::id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), cases.len());
        for case in &cases {
            assert!(
                cases
                    .iter()
                    .any(|c| c.group == case.group && c.competitor == case::OURS),
                "{} has no case for our parser",
                case.group
            );
        }
    }
}
