//! The explicit search a default check runs first (ADR 0006, option 1): `explicit::check`
//! with symmetry over identical nodes and interchangeable Deployments, on a share of the
//! states (`--explicit-states`) and of the time limit (`shares::EXPLICIT`). Its verdicts stand
//! where its search finished: a violation (a run of the model, replayed before it is
//! reported), "holds" where every state within the step bound was explored, and the intents
//! left undecided because the check stopped at its first violation. What a limit cut short is
//! handed to the symbolic engine, which decides it as it would alone; where it leaves it
//! unknown within fewer steps than the explicit search covered, the report says both. With
//! `--prove` its violations stand, and its "holds" where its search reached every reachable
//! state (no state left unexpanded at the step bound): that covers every run length, the proof
//! `--prove` asks for. A bounded "holds" goes to the symbolic engine, and so does every intent when
//! certificates are asked for (they are Z3's scripts). It owns which explicit verdicts stand;
//! it must not expand a state itself (it asks the explicit engine) nor pose a query.

use std::time::Instant;

use super::shares::{self, Shares};
use crate::engine::explicit;
use crate::engine::symbolic::Options;
use crate::model::Model;
use crate::verdict::{covered_steps, CheckResult, Effort, IntentResult, Verdict};

/// The options of the explicit search a check with `opts` runs first, on at most `states`
/// states: with symmetry, without partial-order reduction.
pub fn explicit_options(opts: &Options, states: usize) -> explicit::Options {
    explicit::Options { max_depth: opts.max_depth, max_states: states, symmetry: true, reduction: false, all: opts.all }
}

/// Checks every intent of the model: the explicit search first, on at most `states` states,
/// then the symbolic engine on the intents it left open (see the module doc).
pub fn check_explicit_first(m: &Model, opts: &Options, states: usize) -> CheckResult {
    let start = Instant::now();
    let inits = m.initial_states();
    let share = Shares::new(opts, start);
    let deadline = share.share_left(shares::EXPLICIT).map(|left| start + left);
    let mut first = explicit::check_within(m, &explicit_options(opts, states), &inits, deadline);
    let stands = standing(&first, opts);
    log::debug!(
        "explicit search first: {} states, {} of {} intent(s) decided",
        first.effort.states,
        stands.iter().filter(|&&s| s).count(),
        stands.len()
    );
    // Where the run's limit has passed, the symbolic engine could ask nothing: the explicit
    // verdicts are the check's, its unknowns saying how far its search got.
    let stopped = crate::limits::stopped();
    if stands.iter().all(|&s| s) || stopped.is_some() {
        for (r, s) in first.results.iter_mut().zip(stands) {
            if let (false, Verdict::Holds { steps, .. }, Some(why)) = (s, &r.verdict, stopped) {
                // A bounded "holds" that --prove leaves to the symbolic engine.
                r.verdict = Verdict::Unknown {
                    reason: format!("{why} was reached before the symbolic engine could decide it (the explicit search found no violation within {steps} step(s))"),
                };
            }
        }
        first.effort.seconds = start.elapsed().as_secs_f64();
        return first;
    }
    // The verdicts that stand go to the symbolic engine's check as they are.
    let decided = first
        .results
        .iter_mut()
        .zip(stands)
        .map(|(r, s)| s.then(|| std::mem::replace(&mut r.verdict, Verdict::Unknown { reason: String::new() })))
        .collect();
    let mut r = super::check_open(m, opts, &inits, decided);
    keep_explicit_reach(&mut r.results, &first.results);
    // One effort for the check: the explicit search's states, the solver's work.
    r.effort = Effort {
        states: first.effort.states,
        transitions: first.effort.transitions,
        seconds: start.elapsed().as_secs_f64(),
        ..r.effort
    };
    r
}

/// Where the symbolic engine left an intent unknown within fewer steps than the explicit
/// search had covered (`explicit`, the explicit check's results), the explicit search's reach
/// is what the check knows: the reason says both.
fn keep_explicit_reach(results: &mut [IntentResult], explicit: &[IntentResult]) {
    for (x, e) in results.iter_mut().zip(explicit) {
        let (Verdict::Unknown { reason }, Verdict::Unknown { reason: first }) = (&x.verdict, &e.verdict) else {
            continue;
        };
        let Some(steps) = covered_steps(&e.verdict) else { continue };
        if covered_steps(&x.verdict).is_none_or(|s| s < steps) {
            x.verdict = Verdict::Unknown { reason: format!("{first}; the symbolic engine, given the rest: {reason}") };
        }
    }
}

/// Which explicit verdicts stand, per intent (`false`: open for the symbolic engine).
fn standing(first: &CheckResult, opts: &Options) -> Vec<bool> {
    // Without --all the check stops at its first violation: the intents the explicit search
    // had not decided by then stay so, with that reason, as the symbolic engine says it.
    if !opts.all && first.results.iter().any(|r| matches!(r.verdict, Verdict::Violated(_))) {
        return vec![true; first.results.len()];
    }
    first
        .results
        .iter()
        .map(|r| match &r.verdict {
            Verdict::Violated(_) => true,
            Verdict::Holds { exhaustive, .. } => opts.prove.is_none_or(|p| !p.certificates && *exhaustive),
            _ => false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(reason: &str) -> IntentResult {
        IntentResult {
            name: "podAlwaysSchedulable".into(),
            kivi_name: None,
            verdict: Verdict::Unknown { reason: reason.into() },
            events_bound: None,
        }
    }

    /// The explicit search covered 22 steps before its share ran out, the symbolic engine 7 in
    /// the rest: the report keeps the 22 and says what the symbolic engine did. Where the
    /// symbolic engine got further, or the explicit search said no reach, its reason stands.
    #[test]
    fn the_explicit_searchs_reach_is_kept_where_the_symbolic_engine_got_less_far() {
        let explicit = "the explicit search's share of the time limit ran out at depth 22 of 30: no violation within 22 step(s), longer runs not covered (raise --time-limit)";
        let symbolic = "the time limit of 2 s (--time-limit) was reached at depth 8 of 30: no violation within 7 step(s), longer runs not covered";
        let mut results = vec![unknown(symbolic), unknown("no violation within 25 step(s)"), unknown(symbolic)];
        let first = vec![unknown(explicit), unknown(explicit), unknown("before every cycle could be looked for")];
        keep_explicit_reach(&mut results, &first);
        assert_eq!(covered_steps(&results[0].verdict), Some(22));
        let Verdict::Unknown { reason } = &results[0].verdict else { unreachable!() };
        assert!(reason.ends_with(&format!("; the symbolic engine, given the rest: {symbolic}")), "{reason}");
        assert_eq!(covered_steps(&results[1].verdict), Some(25));
        assert_eq!(covered_steps(&results[2].verdict), Some(7));
    }
}
