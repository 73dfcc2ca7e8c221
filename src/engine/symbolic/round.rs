//! Rounds (`--semantics step`, docs/encoding.md "Step semantics"): which of a frame's possible
//! steps may fire together, as constraints on their firing literals, and the state a round of
//! fired steps reaches, as terms. The dependency comes from the steps' footprints
//! (`engine::por::Rounds`); the unroller (`Unrolling::add_round`) asserts what this gives and
//! names the round's state. It must not assert anything itself, nor pose a query.

use z3::ast::{Ast, Bool, Int};

use super::frame::{fields, with_fields};
use super::unroll::Choice;
use crate::domain::{Concrete, Symbolic};
use crate::engine::por::Rounds;
use crate::model::{intents, ClusterState, Model};

/// How many labels are looked at between two looks at the run's limit.
const POLL: usize = 64;

/// Whether the run's time or memory limit has passed.
fn stopped() -> bool {
    crate::limits::stopped().is_some()
}

/// The frame's values in the footprints' variable order (`ClusterState::map`'s), booleans
/// as 0/1.
fn values(cur: &ClusterState<Symbolic>) -> Vec<Int> {
    let var = std::cell::RefCell::new(Vec::new());
    let _ = cur.map::<Concrete>(
        &|i: &Int| {
            var.borrow_mut().push(i.clone());
            0
        },
        &|b: &Bool| {
            var.borrow_mut().push(b.ite(&Int::from_i64(1), &Int::from_i64(0)));
            false
        },
    );
    var.into_inner()
}

/// Pushes onto `out` what a round from `cur` by `labels` (the possible labels, sorted, with
/// their firing literals `fire`) must satisfy beyond each step's own condition: two dependent
/// steps never fire together; a label of a higher pass than a fired step stays disabled
/// through the round (where two or more steps fire and one of them may enable it, some
/// conjunct of its guard is false before the round and no fired step changes it; where no
/// conjunct can be, its possible enablers fire alone, as does a step whose footprint was given
/// up); and at most one fired step moves each monitor's first stage. `all` is how many labels
/// the model has. How many labels fire only alone; `None` once the run's limit has passed.
pub(super) fn constrain(
    rounds: &mut Rounds,
    all: usize,
    cur: &ClusterState<Symbolic>,
    labels: &[u32],
    fire: &[Bool],
    out: &mut Vec<Bool>,
) -> Option<usize> {
    let at: std::collections::HashMap<u32, usize> = labels.iter().enumerate().map(|(j, &l)| (l, j)).collect();
    let (one, zero) = (Int::from_i64(1), Int::from_i64(0));
    let count = |which: &[usize]| Int::add(&which.iter().map(|&j| fire[j].ite(&one, &zero)).collect::<Vec<_>>());
    let every: Vec<usize> = (0..labels.len()).collect();
    let mut alone: Vec<bool> = labels.iter().map(|&l| rounds.top(l)).collect();
    if labels.len() > 1 {
        let var = values(cur);
        let multi = count(&every).ge(Int::from_i64(2));
        for b in 0..all as u32 {
            let near = rounds.enablers_among(b, labels);
            if near.is_empty() {
                continue;
            }
            if (b as usize).is_multiple_of(POLL) && stopped() {
                return None;
            }
            let keep: Vec<Bool> = rounds
                .conjuncts(&Symbolic, b, &var, labels)
                .into_iter()
                .filter_map(|(c, movers)| {
                    let mut parts = vec![c?.not()];
                    parts.extend(movers.iter().map(|&j| fire[j].not()));
                    Some(Bool::and(&parts))
                })
                .collect();
            let keep = Bool::or(&keep).simplify();
            match keep.as_bool() {
                Some(true) => {}
                Some(false) => near.iter().for_each(|&j| alone[j] = true),
                None => {
                    let fired_near = Bool::or(&near.iter().map(|&j| fire[j].clone()).collect::<Vec<_>>());
                    out.push(Bool::and(&[&fired_near, &multi]).implies(&keep));
                }
            }
        }
    }
    let lonely: Vec<usize> = (0..labels.len()).filter(|&j| alone[j]).collect();
    if !lonely.is_empty() && labels.len() > 1 {
        let any_lonely = Bool::or(&lonely.iter().map(|&j| fire[j].clone()).collect::<Vec<_>>());
        out.push(any_lonely.implies(count(&every).le(&one)));
    }
    for (j, &l) in labels.iter().enumerate() {
        if alone[j] {
            continue;
        }
        if j.is_multiple_of(POLL) && stopped() {
            return None;
        }
        for &b in rounds.dependents(l).iter() {
            if let Some(&jb) = at.get(&b) {
                if jb > j && !alone[jb] {
                    out.push(Bool::or(&[fire[j].not(), fire[jb].not()]));
                }
            }
        }
    }
    for movers in rounds.monitor_movers() {
        let which: Vec<usize> = movers.iter().filter_map(|l| at.get(l).copied()).collect();
        if which.len() > 1 {
            out.push(count(&which).le(&one));
        }
    }
    Some(lonely.len())
}

/// The state a round from `cur` by the fired steps of `choices` (each with its firing literal
/// in `fire`, its fields worked out from `cur` without the monitors) reaches: per integer field
/// the value before plus each fired step's change, per boolean the value of the one fired step
/// that changes it, then the monitors observed on the result. `None` once the run's limit has
/// passed.
pub(super) fn state(
    m: &Model,
    cur: &ClusterState<Symbolic>,
    choices: &[Choice],
    fire: &[Bool],
) -> Option<ClusterState<Symbolic>> {
    let zero = Int::from_i64(0);
    let (now_ints, now_bools) = fields(cur);
    let mut ints = Vec::with_capacity(now_ints.len());
    for (f, now) in now_ints.iter().enumerate() {
        if f.is_multiple_of(POLL) && stopped() {
            return None;
        }
        let mut terms = vec![now.clone()];
        for ((_, _, (next, _)), fired) in choices.iter().zip(fire) {
            if next[f] != *now {
                terms.push(fired.ite(&Int::sub(&[&next[f], now]), &zero));
            }
        }
        ints.push(if terms.len() == 1 { now.clone() } else { Int::add(&terms).simplify() });
    }
    let mut bools = Vec::with_capacity(now_bools.len());
    for (f, now) in now_bools.iter().enumerate() {
        let mut v = now.clone();
        for ((_, _, (_, next)), fired) in choices.iter().zip(fire).rev() {
            if next[f] != *now {
                v = fired.ite(&next[f], &v);
            }
        }
        bools.push(v.simplify());
    }
    Some(intents::observe(&Symbolic, m, with_fields(cur, ints, bools)))
}
