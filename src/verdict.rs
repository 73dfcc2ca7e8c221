//! Verdicts: what was shown about each intent, stated with its bound. Owns the types only;
//! engines produce them, `report/` prints them.

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
