//! The explicit search a default check runs first (ADR 0006, option 1): `explicit::check`
//! with symmetry over identical nodes and interchangeable Deployments, on a share of the
//! states (`--explicit-states`) and of the time limit (`shares::EXPLICIT`). Its verdicts stand
//! where its search finished: a violation (a run of the model, replayed before it is
//! reported), "holds" where every state within the step bound was explored, and the intents
//! left undecided because the check stopped at its first violation. What a limit cut short is
//! handed to the symbolic engine, which decides it as it would alone. With `--prove` its
//! violations stand, and its "holds" where its search reached every reachable state (no state
//! left unexpanded at the step bound): that covers every run length, the proof `--prove` asks
//! for. A bounded "holds" goes to the symbolic engine, and so does every intent when
//! certificates are asked for (they are Z3's scripts). It owns which explicit verdicts stand;
//! it must not expand a state itself (it asks the explicit engine) nor pose a query.

use std::time::Instant;

use super::shares::{self, Shares};
use crate::engine::explicit;
use crate::engine::symbolic::Options;
use crate::model::Model;
use crate::verdict::{CheckResult, Effort, Verdict};

/// Checks every intent of the model: the explicit search first, on at most `states` states,
/// then the symbolic engine on the intents it left open (see the module doc).
pub fn check_explicit_first(m: &Model, opts: &Options, states: usize) -> CheckResult {
    let start = Instant::now();
    let inits = m.initial_states();
    let share = Shares::new(opts, start);
    let deadline = share.share_left(shares::EXPLICIT).map(|left| start + left);
    let explicit_opts = explicit::Options {
        max_depth: opts.max_depth,
        max_states: states,
        symmetry: true,
        reduction: false,
        all: opts.all,
    };
    let first = explicit::check_within(m, &explicit_opts, &inits, deadline);
    let decided = standing(&first, opts);
    log::debug!(
        "explicit search first: {} states, {} of {} intent(s) decided",
        first.effort.states,
        decided.iter().filter(|d| d.is_some()).count(),
        decided.len()
    );
    if decided.iter().all(Option::is_some) {
        let mut r = first;
        r.effort.seconds = start.elapsed().as_secs_f64();
        return r;
    }
    let mut r = super::check_open(m, opts, &inits, decided);
    // One effort for the check: the explicit search's states, the solver's work.
    r.effort = Effort {
        states: first.effort.states,
        transitions: first.effort.transitions,
        seconds: start.elapsed().as_secs_f64(),
        ..r.effort
    };
    r
}

/// The explicit verdicts that stand, per intent (`None`: open for the symbolic engine).
fn standing(first: &CheckResult, opts: &Options) -> Vec<Option<Verdict>> {
    // Without --all the check stops at its first violation: the intents the explicit search
    // had not decided by then stay so, with that reason, as the symbolic engine says it.
    if !opts.all && first.results.iter().any(|r| matches!(r.verdict, Verdict::Violated(_))) {
        return first.results.iter().map(|r| Some(r.verdict.clone())).collect();
    }
    first
        .results
        .iter()
        .map(|r| match &r.verdict {
            Verdict::Violated(_) => Some(r.verdict.clone()),
            Verdict::Holds { .. } if opts.prove.is_none() => Some(r.verdict.clone()),
            Verdict::Holds { exhaustive: true, .. } if opts.prove.is_some_and(|p| !p.certificates) => {
                Some(r.verdict.clone())
            }
            _ => None,
        })
        .collect()
}
