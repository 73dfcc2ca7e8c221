//! What the symbolic engine shows of itself: `kbmc dump` (the SMT-LIB of the query at a
//! depth, from the initial state or from any state) and the successors of a state read off
//! the solver (for the cross-check against the explicit engine). It must not decide a
//! verdict.

use z3::ast::{Bool, Int};
use z3::SatResult;

use super::decode::decode;
use super::frame::{equal, fields, frame, lift};
use super::unroll::Unrolling;
use super::{Options, Query, Semantics};
use crate::domain::{Concrete, Symbolic};
use crate::model::{intents, ClusterState, Model, Step};

/// Where a dumped query starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpStart {
    /// The model's single initial state (constants, propagated through the unrolling).
    Initial,
    /// Any state: frame 0 is free, so every step label's guard and update appear in full.
    Any,
}

/// Why `dump` wrote nothing.
#[derive(Debug)]
pub enum Unbuilt {
    /// The run's time or memory limit passed before the query was built.
    Stopped(crate::limits::Stop),
    /// Rounds of independent steps were asked for where the bounded check keeps single steps;
    /// the text says why.
    NoRounds(&'static str),
}

/// The SMT-LIB of the query at depth `steps`: the unrolling and "some intent is violated at
/// the last frame" (for cycle intents, a lasso closing there). Its first line says what a
/// frame is under `semantics`, as the bounded check would build it.
pub fn dump(m: &Model, steps: usize, start: DumpStart, semantics: Semantics) -> Result<String, Unbuilt> {
    let opts = Options { semantics, ..Options::plain(steps) };
    let inits = m.initial_states();
    let q = Query::new(m, &opts, &inits);
    let mut u = match start {
        DumpStart::Any => Unrolling::new(m, &opts, frame(m, 0)),
        DumpStart::Initial => q.unroll(),
    };
    // The frames the bounded check would build (`Bmc::new`).
    u.choose_frames(m, semantics, inits.first()).map_err(Unbuilt::NoRounds)?;
    q.extend_to(&mut u, steps);
    if let Some(why) = crate::limits::stopped() {
        return Err(Unbuilt::Stopped(why));
    }
    let bad: Vec<Bool> =
        m.ir.intents
            .iter()
            .enumerate()
            .map(|(i, intent)| {
                if intent.is_cycle() {
                    Bool::or(&u.lasso(m, intent, steps))
                } else {
                    intents::violated(&Symbolic, m, &u.frames[steps], i)
                }
            })
            .collect();
    u.solver.assert(Bool::or(&bad));
    let frames = match semantics {
        Semantics::Interleaved => format!("{steps} frame(s) of one step each (--semantics interleaved)"),
        Semantics::Step => format!("{steps} frame(s), each a round of independent steps (--semantics step)"),
    };
    let from = match start {
        DumpStart::Initial => "the initial state",
        DumpStart::Any => "any state",
    };
    let smt = format!("; kbmc dump: {frames} from {from}\n{}", u.solver.to_smt2());
    match crate::limits::stopped() {
        Some(why) => Err(Unbuilt::Stopped(why)),
        None => Ok(smt),
    }
}

/// Every successor of `st` under the symbolic transition relation, read off the solver: frame
/// 0 is free and pinned to `st` by equalities (so the relation is encoded in full, not
/// simplified against `st`), and models of (step, next state) are enumerated with blocking
/// clauses. Stops after `limit` models. For the cross-check against the explicit engine's
/// successors.
pub fn successors(m: &Model, st: &ClusterState<Concrete>, limit: usize) -> Vec<(Step, ClusterState<Concrete>)> {
    let opts = Options::plain(1);
    let q = Query::new(m, &opts, std::slice::from_ref(st));
    let mut u = Unrolling::new(m, &opts, frame(m, 0));
    u.solver.assert(equal(&u.frames[0], &lift(st)));
    q.extend(&mut u);
    let (ints, bools) = fields(&u.frames[1]);
    let mut out = Vec::new();
    while out.len() < limit && u.solver.check() == SatResult::Sat {
        let model = u.solver.get_model().expect("sat gives a model");
        let v = model.eval(&u.selectors[0], true).and_then(|v| v.as_i64()).expect("selector value");
        let step = u.labels.get(v as usize).copied().unwrap_or(crate::model::relation::STUTTER);
        let next = decode(&model, &u.frames[1]);
        // Block this (step, next state) pair.
        let mut same = vec![u.selectors[0].eq(Int::from_i64(v))];
        same.extend(ints.iter().map(|i| i.eq(model.eval(i, true).expect("a model assigns every integer"))));
        same.extend(bools.iter().map(|b| b.iff(model.eval(b, true).expect("a model assigns every boolean"))));
        u.solver.assert(Bool::and(&same).not());
        out.push((step, next));
    }
    out
}
