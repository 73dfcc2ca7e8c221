//! Witness runs as hints: a concrete run the probes' witnesses recorded (`probe/`), whose
//! last state violates the intent (or which closes a lasso), offered to a fresh solver with
//! the unrolling's assertions, its steps and values pinned, before the incremental solver is
//! asked. It owns that one check; it must not decide a verdict: what it returns is a model of
//! every assertion of the unrolling and of the query, or nothing.

use std::time::Instant;

use z3::ast::{Bool, Int};
use z3::SatResult;

use super::frame::{fields, lift};
use super::solver::{check as counted, params, set_timeout, statistics, Solver};
use super::unroll::Unrolling;
use super::Query;
use crate::domain::{Concrete, Symbolic};
use crate::model::intents::{self, Watch};
use crate::model::{registry, ClusterState};

/// A model of the query "safety intent i is violated at depth k" found along a witness run
/// (the probes' concrete runs) whose last state violates it, if there is such a run and the
/// unrolling admits it. Finding a model of a deep query is where the solver can spend the
/// most (C4: 34 s for its 16-step counterexample, against about a second to refute each
/// shallower depth), and the incremental solver took 3 s even with every step and field
/// fixed by assumptions; a fresh solver given the same assertions with the run's steps and
/// values as equalities substitutes them away while preprocessing and only checks what is
/// left. The answer is still a model of every assertion of the unrolling and of the query,
/// decoded and replayed like any other, and every shallower depth was refuted by the solver:
/// only the search is guided. For a cycle intent the run is a lasso through the witnesses'
/// recorded depths (`Witnesses::lasso_to`), and the query's formula for its loop start is
/// the one asserted. `None` (no such run, or the solver does not confirm it) leaves
/// the query to be asked as usual; a witness run the unrolling does not admit would be a
/// disagreement of the semantics, which the cross-checks look for, not a verdict.
pub(super) fn hinted(
    q: &Query,
    u: &Unrolling,
    i: usize,
    k: usize,
    loops: &[Bool],
    timeout_ms: Option<u64>,
) -> Option<z3::Model> {
    let m = q.m;
    let intent = &m.ir.intents[i];
    if u.rounds.is_some() {
        return round_hinted(u, i, k, &intents::violated(&Symbolic, m, &u.frames[k], i), timeout_ms);
    }
    let w = &u.prober.as_ref()?.witnesses;
    // The run, and what its last frame must satisfy: the intent's violation, or for a cycle
    // intent the lasso that closes at the run's own depth l.
    let (origin, path, bad) = if intent.is_cycle() {
        let creg = registry::<Concrete>();
        let (origin, path, l) = w.lasso_to(
            |st| intents::loop_state(&Concrete, m, st, intent) != Some(false),
            |a, lab, b| match intents::watch(intent) {
                Some(Watch::Rises { measure, by }) => {
                    by.is_none_or(|kind| {
                        u.labels.get(lab as usize).is_some_and(|s| kind.of(creg[s.actor as usize].as_ref(), s))
                    }) && measure.value_of(m, b) > measure.value_of(m, a)
                }
                _ => true,
            },
        )?;
        (origin, path, loops.get(l)?.clone())
    } else {
        let (origin, path) = w.hint_to(|st| intents::violated(&Concrete, m, st, i))?;
        (origin, path.to_vec(), intents::violated(&Symbolic, m, &u.frames[k], i))
    };
    if path.len() != k || u.selectors.len() != k {
        return None;
    }
    let check = with_query(u, i, k, &bad, timeout_ms);
    let creg = registry::<Concrete>();
    let mut st = q.inits.get(origin)?.clone();
    let pin = |frame: &ClusterState<Symbolic>, st: &ClusterState<Concrete>| {
        let (vars, consts) = (fields(frame), fields(&lift(st)));
        for (v, c) in vars.0.iter().zip(&consts.0).filter(|(v, _)| v.as_i64().is_none()) {
            check.assert(v.eq(c));
        }
        for (v, c) in vars.1.iter().zip(&consts.1).filter(|(v, _)| v.as_bool().is_none()) {
            check.assert(v.iff(c));
        }
    };
    for (j, &l) in path.iter().enumerate() {
        pin(&u.frames[j], &st);
        check.assert(u.selectors[j].eq(Int::from_i64(l as i64)));
        if let Some(s) = u.labels.get(l as usize) {
            st = intents::observe(&Concrete, m, creg[s.actor as usize].update(&Concrete, m, s, &st));
        }
    }
    pin(&u.frames[k], &st);
    let asked = Instant::now();
    let answer = counted(&check, &[]);
    u.prober.as_ref()?.add_effort(statistics(&check));
    log::debug!("depth {k}: a witness run as a hint: {answer:?} in {:.3} s", asked.elapsed().as_secs_f64());
    (answer == SatResult::Sat).then(|| check.get_model()).flatten()
}

/// Under step semantics, a model of the query "safety intent i is violated at depth k" (`bad`)
/// found along a run through the round lemmas (`Prober::round_path`), each frame pinned to
/// its state on a fresh solver with the unrolling's assertions, as `hinted` pins a witness
/// run; the solver is left to find which steps fire in each round. `None` where there is no
/// such run or the solver does not confirm it.
fn round_hinted(u: &Unrolling, i: usize, k: usize, bad: &Bool, timeout_ms: Option<u64>) -> Option<z3::Model> {
    let p = u.prober.as_ref()?;
    let path = p.round_path(k, bad)?;
    let check = with_query(u, i, k, bad, timeout_ms);
    for at in &path {
        check.assert(at);
    }
    let asked = Instant::now();
    let answer = counted(&check, &[]);
    p.add_effort(statistics(&check));
    log::debug!(
        "depth {k}: a run through the round lemmas as a hint: {answer:?} in {:.3} s",
        asked.elapsed().as_secs_f64()
    );
    (answer == SatResult::Sat).then(|| check.get_model()).flatten()
}

/// A fresh solver with every assertion of the unrolling and the query "intent i is violated at
/// depth k" (`bad`, and its literal where queries are asked by assumption).
fn with_query(u: &Unrolling, i: usize, k: usize, bad: &Bool, timeout_ms: Option<u64>) -> Solver {
    let check = Solver::new();
    check.set_params(&params());
    if let Some(ms) = timeout_ms {
        set_timeout(&check, ms);
    }
    for a in u.solver.get_assertions() {
        check.assert(a);
    }
    check.assert(Bool::new_const(format!("query.{i}@{k}")));
    check.assert(bad);
    check
}
