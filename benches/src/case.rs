//! One measurement: a competitor running over one input, verified before it
//! is timed.

use std::fmt;

/// Name of this workspace's `smtp-proto` in the tables.
pub const OURS: &str = "ours";
/// Stalwart Labs' `smtp-proto` 0.2.5.
pub const STALWART: &str = "stalwart-0.2.5";
/// duesee's nom-based `smtp-codec` 0.2.
pub const SMTP_CODEC: &str = "smtp-codec-0.2";
/// `lettre` 0.11 (`Response::from_str`, `ServerInfo`).
pub const LETTRE: &str = "lettre-0.11";

/// What one call of a case returns: how many items it produced (commands,
/// replies, capabilities or output octets), or why it failed.
pub type Outcome = Result<u64, String>;

/// A competitor's work over one input, as a closure the timed loop calls.
pub struct Case {
    /// The benchmark group, e.g. `commands/mix_pipelined`: every case of a
    /// group runs over the same input.
    pub group: &'static str,
    /// Who is measured ([`OURS`], [`STALWART`], ...).
    pub competitor: &'static str,
    /// Input octets handled per call, for `Throughput::Bytes`.
    pub bytes: u64,
    /// What a successful call returns: checked by [`Case::verify`] so that
    /// no competitor wins by failing fast or doing less.
    pub expected: u64,
    run: Box<dyn FnMut() -> Outcome>,
    check: Option<Box<dyn FnMut() -> Outcome>>,
}

impl Case {
    /// A case whose `run` must return `Ok(expected)`.
    pub fn new(
        group: &'static str,
        competitor: &'static str,
        bytes: usize,
        expected: usize,
        run: impl FnMut() -> Outcome + 'static,
    ) -> Self {
        Case {
            group,
            competitor,
            bytes: bytes as u64,
            expected: expected as u64,
            run: Box::new(run),
            check: None,
        }
    }

    /// Adds a check that [`Case::verify`] runs besides the timed work, which
    /// must also return `Ok(expected)`: for facts that cost a competitor
    /// time to report, so the timed loop need not ask for them.
    pub fn with_check(mut self, check: impl FnMut() -> Outcome + 'static) -> Self {
        self.check = Some(Box::new(check));
        self
    }

    /// `group/competitor`, the name criterion and the counting binary use.
    pub fn id(&self) -> String {
        format!("{}/{}", self.group, self.competitor)
    }

    /// One call: the work being measured.
    pub fn run(&mut self) -> Outcome {
        (self.run)()
    }

    /// Runs the case once (and its check, if any) and checks it parsed its
    /// whole input successfully.
    pub fn verify(&mut self) -> Result<(), String> {
        let id = self.id();
        let expected = self.expected;
        let outcomes = [Some(self.run()), self.check.as_mut().map(|check| check())];
        for outcome in outcomes.into_iter().flatten() {
            match outcome {
                Ok(n) if n == expected => {}
                Ok(n) => return Err(format!("{id}: produced {n} items, expected {expected}")),
                Err(e) => return Err(format!("{id}: failed: {e}")),
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("group", &self.group)
            .field("competitor", &self.competitor)
            .field("bytes", &self.bytes)
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}

/// An error of any competitor as the text of an [`Outcome`].
pub(crate) fn failed(what: &str, error: impl fmt::Debug) -> String {
    format!("{what}: {error:?}")
}
