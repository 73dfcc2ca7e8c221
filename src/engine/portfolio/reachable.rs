//! The explicit engine's reachable states handed to the symbolic engine as an invariant. The
//! explicit engine (at most `prove.diameter_search` states, stored up to a renaming of
//! identical nodes) collects every reachable state; here kbmc checks that each initial state
//! is a renaming of one of them and that no state violates the intent (concretely), then Z3
//! checks each state against the symbolic transition relation (`symbolic::Closure`): pinned to
//! the state, no step leads outside the successors the concrete semantics gives, and the state
//! violates none of the intents. Each of those successors is a renaming of a collected state
//! (looked up by canonical form), so the renamings of the collected states contain every
//! initial state, are closed under every step and hold no violation: an inductive invariant,
//! whatever produced it. It must not pose a query itself, and claims nothing unless every
//! state's query is unsatisfiable.

use std::time::Instant;

use crate::domain::Concrete;
use crate::engine::explicit;
use crate::engine::symbolic::{Answer, Closure, Prove, Query};
use crate::model::state::Scratch;
use crate::model::{all_steps, intents, registry, ClusterState};

/// The open safety intents proved by the reachable states as an invariant, checked state by
/// state, each query taking at most `timeout_ms()`. Returns each proved intent with its
/// certificates (empty unless asked for; the shared script goes with the first). Nothing
/// when the search does not finish, a check fails, or time runs out: `reached()` is asked
/// before each state's query, as most of those queries are settled by Z3's simplifier before
/// their timeout could stop them (C2-fixed: thousands of them, past any small limit).
pub(super) fn invariant(
    q: &Query,
    prove: Prove,
    timeout_ms: &dyn Fn() -> Option<u64>,
    reached: &dyn Fn() -> bool,
) -> Vec<(usize, Vec<(String, String)>)> {
    let (m, inits) = (q.m, q.inits);
    if prove.diameter_search == 0 {
        return Vec::new();
    }
    let search = explicit::Options {
        max_depth: 1_000_000,
        max_states: prove.diameter_search,
        symmetry: true,
        reduction: false,
        all: true,
    };
    let g = explicit::explore_from(m, &search, inits, |_, _| true);
    if g.truncated {
        return Vec::new();
    }
    let d = Concrete;
    let creg = registry::<Concrete>();
    let labels = all_steps(m, &creg);
    let mut scratch = Scratch::default();
    let mut key = Vec::new();
    // Stored, up to a renaming of identical nodes.
    let mut known = |st: &ClusterState<Concrete>| {
        let mut canon = st.clone();
        if let Some(c) = &g.canonical {
            canon.canonicalize(c, &mut scratch);
        }
        g.states.find_state(&canon, &mut key).is_some()
    };
    if !inits.iter().all(&mut known) {
        log::warn!("model bug: an initial state is missing from the states the explicit search reached");
        return Vec::new();
    }
    let count = g.states.len() as u32;
    let mut st = inits[0].clone();
    let mut proving: Vec<usize> = (0..m.ir.intents.len()).filter(|&i| !m.ir.intents[i].is_cycle()).collect();
    for id in 0..count {
        g.states.load(id, &mut st);
        proving.retain(|&i| !intents::violated(&d, m, &st, i));
    }
    if proving.is_empty() {
        return Vec::new();
    }
    let asked = Instant::now();
    let mut closure = Closure::new(q, &proving, prove.certificates);
    for id in 0..count {
        if reached() {
            log::info!(
                target: crate::PROGRESS,
                "a limit was reached after {id} of the {count} reachable states were checked as an invariant"
            );
            return Vec::new();
        }
        g.states.load(id, &mut st);
        let next = crate::model::relation::next_states(m, &creg, &labels, &q.classes, &st);
        if !next.iter().all(&mut known) {
            log::warn!(
                "model bug: a successor of a reached state is missing from the states the explicit search reached"
            );
            return Vec::new();
        }
        match closure.check(id, &st, &next, timeout_ms) {
            Answer::Unsat => {}
            Answer::Sat => {
                log::warn!(
                    "model bug: the symbolic transition relation and the concrete semantics disagree on reached state {id} (a violation, or a step the concrete semantics does not take)"
                );
                return Vec::new();
            }
            Answer::Unknown => {
                let why = closure.reason_unknown();
                log::info!(
                    target: crate::PROGRESS,
                    "Z3 gave up on the reachable states as an invariant at state {id} of {count}: {why}"
                );
                return Vec::new();
            }
        }
    }
    log::debug!(
        "the {count} reachable states (up to node renaming) as an invariant: checked in {:.3} s",
        asked.elapsed().as_secs_f64()
    );
    let mut shared = match closure.script() {
        Some(script) => vec![("reachable-set.smt2".to_string(), script)],
        None => Vec::new(),
    };
    proving.into_iter().map(|i| (i, std::mem::take(&mut shared))).collect()
}
