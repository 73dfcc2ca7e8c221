//! Verdicts: what was shown about each intent, stated with its bound, and how a change's
//! findings compare with its baseline's (matched by name). Owns the types only, and no
//! Kubernetes meaning; engines produce them, `report/` prints them.

use crate::trace::Trace;

#[derive(Clone, Debug)]
pub enum Verdict {
    /// A counterexample (for cycle intents, a lasso: `trace.loop_start` is set).
    Violated(Trace),
    /// No violation in any run of at most `steps` steps. `exhaustive`: every reachable state
    /// was explored within the bound, so the intent holds in every run of any length.
    Holds { steps: usize, exhaustive: bool },
    /// Holds in every run of any length, proved at `k` (see [`Proof`]).
    Proved { k: usize, by: Proof },
    /// Neither shown nor refuted, with the reason (a state or time limit).
    Unknown { reason: String },
}

/// How a `Proved` verdict was shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// k-induction: no violation within `k` steps from an initial state (the base case), and
    /// from any state within the model's proven invariants, `k` violation-free steps are never
    /// followed by a violating one (the step case).
    Induction,
    /// Completeness by the recurrence diameter: no path of `k` steps from an initial state
    /// visits `k + 1` distinct states, so every reachable state, and every reachable lasso,
    /// lies within `k` steps; bounded checking to `k` found no violation.
    Complete,
    /// An inductive invariant: the states an explicit search reached and their renamings of
    /// identical nodes, shown to contain every initial state and no violation, and checked by
    /// Z3 state by state to be closed under every step (`k` is 0).
    Invariant,
}

#[derive(Clone, Debug)]
pub struct IntentResult {
    /// The intent and what it is about, as reports name it (`noEvictionCycle(web)`).
    pub name: String,
    pub kivi_name: Option<&'static str>,
    pub verdict: Verdict,
    /// The bound on events in one run the verdict holds under (`Holds`, `Proved`, and the
    /// runs an `Unknown` covered); `None`: no bound beyond each event's own budget. A
    /// violation's run names its events itself.
    pub events_bound: Option<i64>,
}

/// What an engine did, for reports and benchmarks.
#[derive(Clone, Debug, Default)]
pub struct Effort {
    pub engine: &'static str,
    pub states: usize,
    pub transitions: usize,
    pub depth: usize,
    pub seconds: f64,
    /// Symbolic engine: Z3's conflicts and decisions over the whole check (0 for the explicit
    /// engine).
    pub conflicts: u64,
    pub decisions: u64,
    /// Symbolic engine: the solver checks made over the whole check (0 for the explicit
    /// engine). Like conflicts and decisions, it does not depend on the machine.
    pub queries: u64,
    /// Explicit engine with partial-order reduction: how many states were expanded through
    /// an ample set smaller than their enabled steps (counterexamples are then shortest in
    /// the reduced graph, not necessarily in the model). `None`: no reduction.
    pub reduced: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct CheckResult {
    pub model: String,
    pub results: Vec<IntentResult>,
    pub effort: Effort,
    /// SMT-LIB queries that re-check `Proved` verdicts (`check --prove --certificate DIR`):
    /// (file name, contents); each must be unsatisfiable.
    pub certificates: Vec<(String, String)>,
    /// The bound on events in one run the check went to, where it is below what every
    /// event's own budget allows (`None`: no such bound).
    pub events: Option<EventBound>,
}

/// How far an event-bounded check went (`event_bound.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventBound {
    /// The largest bound every verdict was decided at.
    pub reached: i64,
    /// The events every event's own budget allows in one run, all kinds together.
    pub total: i64,
    /// Whether kbmc deepened the bound from one event (none was given).
    pub deepened: bool,
}

impl CheckResult {
    /// The exit code: 1 when any intent is violated, else 3 when any is unknown, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.results.iter().any(|r| matches!(r.verdict, Verdict::Violated(_))) {
            crate::exit::VIOLATED
        } else if self.results.iter().any(|r| matches!(r.verdict, Verdict::Unknown { .. })) {
            crate::exit::INCONCLUSIVE
        } else {
            crate::exit::HOLDS
        }
    }
}

/// How a finding of a change compares with the same check of its baseline (`check
/// --baseline`): SARIF's `baselineState` words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaselineState {
    /// Violated with the change, not in the baseline (holds there, unknown there, or the
    /// intent is new with the change).
    New,
    /// Violated in both.
    Unchanged,
    /// Violated in the baseline, not with the change: fixed by it (SARIF `absent`).
    Absent,
}

impl BaselineState {
    pub fn word(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
            BaselineState::Absent => "absent",
        }
    }
}

/// The findings (violated intents) of a change and of its baseline, matched by the intent and
/// what it is about (`IntentResult::name`).
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// Per result of the change: its state when violated, `None` otherwise.
    pub change: Vec<Option<BaselineState>>,
    /// Indices into the baseline's results of the findings the change fixed.
    pub fixed: Vec<usize>,
}

impl Baseline {
    pub fn compare(before: &CheckResult, after: &CheckResult) -> Baseline {
        let violated = |r: &IntentResult| matches!(r.verdict, Verdict::Violated(_));
        let was_violated = |name: &str| before.results.iter().any(|b| b.name == name && violated(b));
        let change = after
            .results
            .iter()
            .map(|r| {
                violated(r).then(|| if was_violated(&r.name) { BaselineState::Unchanged } else { BaselineState::New })
            })
            .collect();
        let fixed = (0..before.results.len())
            .filter(|&i| {
                violated(&before.results[i])
                    && !after.results.iter().any(|a| a.name == before.results[i].name && violated(a))
            })
            .collect();
        Baseline { change, fixed }
    }

    pub fn new_findings(&self) -> usize {
        self.change.iter().filter(|s| **s == Some(BaselineState::New)).count()
    }

    /// The exit code of a check against a baseline: 1 only when the change adds a violation;
    /// else 3 when some intent of the change is unknown (a new violation may hide there);
    /// else 0, whatever the baseline's violations.
    pub fn exit_code(&self, after: &CheckResult) -> i32 {
        if self.new_findings() > 0 {
            crate::exit::VIOLATED
        } else if after.results.iter().any(|r| matches!(r.verdict, Verdict::Unknown { .. })) {
            crate::exit::INCONCLUSIVE
        } else {
            crate::exit::HOLDS
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(verdicts: &[(&str, bool)]) -> CheckResult {
        CheckResult {
            events: None,
            model: "m".into(),
            results: verdicts
                .iter()
                .map(|&(name, violated)| IntentResult {
                    name: name.into(),
                    kivi_name: None,
                    events_bound: None,
                    verdict: if violated {
                        Verdict::Violated(Trace {
                            states: Vec::new(),
                            steps: Vec::new(),
                            loop_start: None,
                            violation: None,
                            start: None,
                        })
                    } else {
                        Verdict::Holds { steps: 3, exhaustive: true }
                    },
                })
                .collect(),
            effort: Effort::default(),
            certificates: Vec::new(),
        }
    }

    /// New, unchanged and fixed findings by name; exit 1 only for a new one.
    #[test]
    fn findings_compare_by_intent_and_subject() {
        let before = result(&[("a(x)", true), ("b", true), ("c", false)]);
        let after = result(&[("a(x)", true), ("b", false), ("c", true), ("d(y)", false)]);
        let cmp = Baseline::compare(&before, &after);
        assert_eq!(cmp.change, vec![Some(BaselineState::Unchanged), None, Some(BaselineState::New), None]);
        assert_eq!(cmp.fixed, vec![1]);
        assert_eq!(cmp.exit_code(&after), crate::exit::VIOLATED);
        let same = Baseline::compare(&before, &before);
        assert_eq!(same.new_findings(), 0);
        assert_eq!(same.exit_code(&before), crate::exit::HOLDS);
    }
}
