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
    /// Each part of an event-bounded check (`crate::parts`: one per set of events) holds for
    /// every run length on its own, not all by one method (an exhaustive search, k-induction,
    /// completeness or an invariant); `k` is the largest any part needed.
    Parts,
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

/// An intent the check left open because it stopped at its first violation: the step that
/// violation was found at, and for a safety intent the steps it has no violation within (the
/// engines' `not decided: ...` reason, read back: the report groups such intents, and a check
/// made of parts says the earliest); None for any other verdict.
pub fn stopped_early(v: &Verdict) -> Option<(usize, Option<usize>)> {
    let Verdict::Unknown { reason } = v else { return None };
    let rest = reason
        .strip_prefix("not decided: the check stopped at the first violation, found at step ")?
        .strip_suffix("; --all decides every intent")?;
    let (step, within) = match rest.split_once(" (no violation of it within ") {
        Some((step, within)) => (step, Some(within.strip_suffix(" step(s))")?.parse().ok()?)),
        None => (rest, None),
    };
    Some((step.parse().ok()?, within))
}

/// The steps an unknown verdict's reason says no violation was found within (the engines'
/// `no violation within N step(s)`), where it says so.
pub fn covered_steps(v: &Verdict) -> Option<usize> {
    let Verdict::Unknown { reason } = v else { return None };
    reason.split("no violation within ").nth(1)?.split(' ').next()?.parse().ok()
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
    /// Symbolic engine: its bounded check's frames were rounds of independent steps (step
    /// semantics), so `depth` counts rounds; each covers at least one step.
    pub rounds: bool,
}

impl Effort {
    /// This effort's engine and depth, with no work counted: what a part whose verdicts are
    /// another's adds (`event_bound::run_parts`).
    pub fn none_done(&self) -> Effort {
        Effort { engine: self.engine, depth: self.depth, reduced: self.reduced.map(|_| 0), ..Effort::default() }
    }

    /// Adds `other`'s work to this one's: counts add up, the depth is the larger.
    pub fn add(&mut self, other: &Effort) {
        self.states += other.states;
        self.transitions += other.transitions;
        self.depth = self.depth.max(other.depth);
        self.seconds += other.seconds;
        self.conflicts += other.conflicts;
        self.decisions += other.decisions;
        self.queries += other.queries;
        self.rounds |= other.rounds;
        self.reduced = match (self.reduced, other.reduced) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }
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
/// --baseline`): SARIF's `baselineState` words, and `unknown` where the baseline's check
/// decided nothing to compare with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaselineState {
    /// Violated with the change, and the baseline decided the same intent holds for runs as
    /// long as the change's, with as many events (see [`covers`]), or has no such intent (the
    /// change brings what it is about).
    New,
    /// Violated in both.
    Unchanged,
    /// Violated with the change, undecided in the baseline: unknown there (a limit cut its
    /// check short), or holding only within fewer steps or events than the change's run
    /// takes. Neither new nor unchanged can be said.
    Unknown,
    /// Violated in the baseline, and the change decided it holds for runs like the baseline's
    /// (see [`covers`]): fixed by it (SARIF `absent`).
    Absent,
}

impl BaselineState {
    pub fn word(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
            BaselineState::Unknown => "unknown",
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

/// One side of a comparison of findings: a check's result, and how many events a run of its
/// model fires (the budgets it spends), which only the model knows.
pub struct Side<'a> {
    pub result: &'a CheckResult,
    pub fired: &'a dyn Fn(&Trace) -> i64,
}

impl Side<'_> {
    /// Each result, with its run where it is violated.
    fn results_with_runs(&self) -> impl Iterator<Item = (&IntentResult, Option<&Trace>)> {
        self.result.results.iter().map(|r| match &r.verdict {
            Verdict::Violated(t) => (r, Some(t)),
            _ => (r, None),
        })
    }
}

/// Whether `r`, one side's verdict on an intent, decides that intent holds for runs like `run`,
/// a violation of it on the other side firing `events` events: it holds (or is proved) for
/// runs at least as long as `run` and under an event bound, if any, at least `events`. A
/// verdict decided within smaller bounds says nothing about such a run (under `--time-limit`
/// one side's deepening may stop an event short of the other's).
pub fn covers(r: &IntentResult, run: &Trace, events: i64) -> bool {
    let long_enough = match r.verdict {
        Verdict::Holds { steps, exhaustive } => exhaustive || run.steps.len() <= steps,
        Verdict::Proved { .. } => true,
        Verdict::Violated(_) | Verdict::Unknown { .. } => false,
    };
    long_enough && r.events_bound.is_none_or(|b| events <= b)
}

impl Baseline {
    /// Each finding of `after` against `before`. Only a decided verdict is compared: a finding
    /// is new where the baseline decided the intent holds for runs like the change's, and
    /// fixed where the change decided it holds for runs like the baseline's; where one side
    /// left it undecided, neither is said.
    pub fn compare(before: Side, after: Side) -> Baseline {
        let change = after
            .results_with_runs()
            .map(|(r, run)| {
                let run = run?;
                let b = before.result.results.iter().find(|b| b.name == r.name);
                Some(match b {
                    None => BaselineState::New,
                    Some(b) if matches!(b.verdict, Verdict::Violated(_)) => BaselineState::Unchanged,
                    Some(b) if covers(b, run, (after.fired)(run)) => BaselineState::New,
                    Some(_) => BaselineState::Unknown,
                })
            })
            .collect();
        let fixed = before
            .results_with_runs()
            .enumerate()
            .filter(|(_, (b, run))| {
                run.is_some_and(|run| {
                    after.result.results.iter().any(|a| a.name == b.name && covers(a, run, (before.fired)(run)))
                })
            })
            .map(|(i, _)| i)
            .collect();
        Baseline { change, fixed }
    }

    /// The change's findings in state `s`, as indices into its results.
    pub fn in_state(&self, s: BaselineState) -> impl Iterator<Item = usize> + '_ {
        (0..self.change.len()).filter(move |&i| self.change[i] == Some(s))
    }

    pub fn new_findings(&self) -> usize {
        self.in_state(BaselineState::New).count()
    }

    /// The exit code of a check against a baseline: 1 only when the change adds a violation;
    /// else 3 when some intent of the change is unknown (a new violation may hide there) or
    /// some violation of it was unknown before it (it may be new); else 0, whatever the
    /// baseline's violations.
    pub fn exit_code(&self, after: &CheckResult) -> i32 {
        if self.new_findings() > 0 {
            crate::exit::VIOLATED
        } else if after.results.iter().any(|r| matches!(r.verdict, Verdict::Unknown { .. }))
            || self.in_state(BaselineState::Unknown).next().is_some()
        {
            crate::exit::INCONCLUSIVE
        } else {
            crate::exit::HOLDS
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::TraceStep;

    /// A violation's run of `n` steps.
    fn run(n: usize) -> Verdict {
        let step = TraceStep { step: crate::model::relation::STUTTER, actor: "a", text: String::new() };
        Verdict::Violated(Trace {
            states: Default::default(),
            steps: vec![step; n],
            loop_start: None,
            violation: None,
            start: None,
        })
    }

    /// A result with one intent per `(name, verdict)`: `v` violated in 2 steps, `V` in 5, `h`
    /// holds for runs of any length, `b` holds within 3 steps, `u` unknown.
    fn result(verdicts: &[(&str, char)]) -> CheckResult {
        CheckResult {
            events: None,
            model: "m".into(),
            results: verdicts
                .iter()
                .map(|&(name, v)| IntentResult {
                    name: name.into(),
                    kivi_name: None,
                    events_bound: None,
                    verdict: match v {
                        'v' => run(2),
                        'V' => run(5),
                        'h' => Verdict::Holds { steps: 3, exhaustive: true },
                        'b' => Verdict::Holds { steps: 3, exhaustive: false },
                        _ => Verdict::Unknown { reason: "cut short".into() },
                    },
                })
                .collect(),
            effort: Effort::default(),
            certificates: Vec::new(),
        }
    }

    /// Runs that fire one event each.
    fn one(_: &Trace) -> i64 {
        1
    }

    fn compare(before: &CheckResult, after: &CheckResult) -> Baseline {
        Baseline::compare(Side { result: before, fired: &one }, Side { result: after, fired: &one })
    }

    /// New, unchanged and fixed findings by name; exit 1 only for a new one.
    #[test]
    fn findings_compare_by_intent_and_subject() {
        let before = result(&[("a(x)", 'v'), ("b", 'v'), ("c", 'h')]);
        let after = result(&[("a(x)", 'v'), ("b", 'h'), ("c", 'v'), ("d(y)", 'h')]);
        let cmp = compare(&before, &after);
        assert_eq!(cmp.change, vec![Some(BaselineState::Unchanged), None, Some(BaselineState::New), None]);
        assert_eq!(cmp.fixed, vec![1]);
        assert_eq!(cmp.exit_code(&after), crate::exit::VIOLATED);
        let same = compare(&before, &before);
        assert_eq!(same.new_findings(), 0);
        assert_eq!(same.exit_code(&before), crate::exit::HOLDS);
    }

    /// What the baseline left unknown is never new, and what the change left unknown never
    /// fixed: a violation unknown before the change is undecided (exit 3, not 1).
    #[test]
    fn an_undecided_side_says_neither_new_nor_fixed() {
        let before = result(&[("a", 'u'), ("b", 'v'), ("c", 'v'), ("d", 'h')]);
        let after = result(&[("a", 'v'), ("b", 'u'), ("c", 'v'), ("d", 'h'), ("e(new)", 'h')]);
        let cmp = compare(&before, &after);
        assert_eq!(cmp.change, vec![Some(BaselineState::Unknown), None, Some(BaselineState::Unchanged), None, None]);
        assert!(cmp.fixed.is_empty());
        assert_eq!(cmp.new_findings(), 0);
        assert_eq!(cmp.exit_code(&after), crate::exit::INCONCLUSIVE);
        // Decided after the change, still unknown before: undecided, exit 3.
        let after = result(&[("a", 'v'), ("b", 'v'), ("c", 'v'), ("d", 'h')]);
        assert_eq!(compare(&before, &after).exit_code(&after), crate::exit::INCONCLUSIVE);
        // A new finding beside it: exit 1.
        let after = result(&[("a", 'v'), ("b", 'v'), ("c", 'v'), ("d", 'v')]);
        let cmp = compare(&before, &after);
        assert_eq!(cmp.new_findings(), 1);
        assert_eq!(cmp.exit_code(&after), crate::exit::VIOLATED);
    }

    /// A side that holds only within smaller bounds than the other side's run decides nothing
    /// about that run: within 3 steps says nothing of a 5-step violation, and under a bound of
    /// one event nothing of a run firing two.
    #[test]
    fn a_verdict_within_smaller_bounds_decides_nothing() {
        let before = result(&[("a", 'b'), ("b", 'b'), ("c", 'V'), ("d", 'v')]);
        let after = result(&[("a", 'v'), ("b", 'V'), ("c", 'b'), ("d", 'b')]);
        let cmp = compare(&before, &after);
        assert_eq!(cmp.change, vec![Some(BaselineState::New), Some(BaselineState::Unknown), None, None]);
        assert_eq!(cmp.fixed, vec![3]);
        let mut bounded = result(&[("a", 'h')]);
        bounded.results[0].events_bound = Some(1);
        let after = result(&[("a", 'v')]);
        let two = |_: &Trace| 2;
        let cmp = Baseline::compare(Side { result: &bounded, fired: &one }, Side { result: &after, fired: &two });
        assert_eq!(cmp.change, vec![Some(BaselineState::Unknown)]);
        let cmp = Baseline::compare(Side { result: &bounded, fired: &one }, Side { result: &after, fired: &one });
        assert_eq!(cmp.change, vec![Some(BaselineState::New)]);
    }
}
