//! k-induction for safety intents (`check --prove`). The base case is the bounded query the
//! deepening loop already asks (no violation within k steps from an initial state); this file
//! owns the step case: from any state that satisfies the model's proven invariant, k
//! violation-free steps are never followed by a violating one. Simple-path constraints are
//! added lazily, only between frames a model of the step case shows equal. It also builds the
//! SMT-LIB certificates of a proof. It must not decide anything about the base case, nor when
//! a step case is asked (`engine::portfolio` does).
//!
//! The invariant the step case assumes is built from cheap candidates: each counter within its
//! declared range and each field that every initial state agrees on never changing (read off
//! the state's fields, none named here), and the model's candidates about what its
//! controllers keep (`model::invariants`: live pods within the pod bound, no pods on absent
//! nodes, requests within allocatable, replicas within each HPA's range, ...), kept only where
//! they hold initially and pruned until a query shows them inductive together. (The reachable states an explicit search found, as an invariant, are
//! `reachable.rs`'s.)

use z3::ast::{Ast, Bool};
use z3::SatResult;

use super::bmc::base_query;
use super::decode::decode;
use super::frame::{equal, fields, frame, lift, values, Values};
use super::solver::{check, set_timeout};
use super::unroll::Unrolling;
use super::{Options, Query};
use crate::domain::{Concrete, Symbolic};
use crate::model::{intents, invariants, ClusterState, Model};

/// Candidate invariants, each a formula over one frame: every counter within its declared
/// range, every field the initial states agree on unchanged, and the model's candidates
/// about what its controllers keep (`model::invariants::kept_by_controllers`).
#[derive(Clone)]
pub struct Invariant {
    /// Which candidates are kept (all before `invariant` has pruned them).
    pub kept: Vec<bool>,
    lo: ClusterState<Concrete>,
    hi: ClusterState<Concrete>,
    /// A field's value shared by every initial state (`None` where they differ): the candidate
    /// "this field never changes" (node presence, statuses and budgets when no event fires).
    same: Values,
}

impl Invariant {
    fn candidates(&self, m: &Model, st: &ClusterState<Symbolic>) -> Vec<Bool> {
        let (xs, bs) = fields(st);
        let (ls, _) = fields(&lift(&self.lo));
        let (hs, _) = fields(&lift(&self.hi));
        // Lower and upper bounds apart: from states off the invariant a count may outgrow its
        // bound (deleting surplus pods of an overfull node) and still never go negative.
        let mut out: Vec<Bool> = xs.iter().zip(&ls).map(|(x, l)| x.ge(l)).collect();
        out.extend(xs.iter().zip(&hs).map(|(x, h)| x.le(h)));
        for (x, v) in xs.iter().zip(&self.same.0) {
            out.push(v.map_or(Bool::from_bool(true), |v| x.eq(z3::ast::Int::from_i64(v))));
        }
        for (b, v) in bs.iter().zip(&self.same.1) {
            out.push(v.map_or(Bool::from_bool(true), |v| b.iff(Bool::from_bool(v))));
        }
        out.extend(invariants::kept_by_controllers(&Symbolic, m, st));
        out
    }

    /// The kept candidates over `st`.
    pub(super) fn holds(&self, m: &Model, st: &ClusterState<Symbolic>) -> Bool {
        let c = self.candidates(m, st);
        Bool::and(&c.into_iter().zip(&self.kept).filter(|(_, k)| **k).map(|(c, _)| c).collect::<Vec<_>>())
    }

    /// How many candidates are kept, of how many.
    pub fn size(&self) -> (usize, usize) {
        (self.kept.iter().filter(|k| **k).count(), self.kept.len())
    }

    /// How many candidates survived, for the progress line.
    pub fn describe(&self) -> String {
        let (kept, all) = self.size();
        format!("{kept} of {all} candidate invariants (counter ranges, fields that never change, live pods per Deployment, no pods on absent nodes, requests within allocatable, replicas within each HPA's range) are inductive")
    }
}

/// An unrolling from any state (frame 0 free), with the invariant assumed on frame 0 when given.
pub(super) fn from_any(m: &Model, opts: &Options, inv: Option<&Invariant>) -> Unrolling {
    let u = Unrolling::new(m, opts, frame(m, 0));
    if let Some(inv) = inv {
        u.solver.assert(inv.holds(m, &u.frames[0]));
    }
    u
}

/// The query "a state satisfying the invariant steps to one that does not" (unsatisfiable
/// when the invariant is inductive).
fn inductive_query(q: &Query, inv: &Invariant) -> Unrolling {
    let mut u = from_any(q.m, q.opts, Some(inv));
    q.extend(&mut u);
    u.solver.assert(inv.holds(q.m, &u.frames[1]).not());
    u
}

/// The invariant the step cases may assume: the candidates that hold in every initial state,
/// pruned until they are inductive together (a candidate that a model of the query shows
/// broken after one step is dropped, and the query asked again). `Err` says why there is none.
pub fn invariant(q: &Query, timeout_ms: Option<u64>) -> Result<Invariant, String> {
    let (m, inits) = (q.m, q.inits);
    let (lo, hi) = invariants::ranges(m, &inits[0]);
    let values: Vec<Values> = inits.iter().map(values).collect();
    let agree_i = (0..values[0].0.len())
        .map(|f| values.iter().all(|v| v.0[f] == values[0].0[f]).then_some(values[0].0[f]).flatten())
        .collect();
    let agree_b = (0..values[0].1.len())
        .map(|f| values.iter().all(|v| v.1[f] == values[0].1[f]).then_some(values[0].1[f]).flatten())
        .collect();
    let mut inv = Invariant { kept: Vec::new(), lo, hi, same: (agree_i, agree_b) };
    let n = inv.candidates(m, &lift(&inits[0])).len();
    inv.kept = vec![true; n];
    // Candidates that fail in an initial state are no invariants.
    for s in inits {
        for (k, c) in inv.candidates(m, &lift(s)).iter().enumerate() {
            if c.simplify().as_bool() != Some(true) {
                inv.kept[k] = false;
            }
        }
    }
    // The timeout bounds the whole search for the invariant, not each of its rounds.
    let deadline = timeout_ms.map(|ms| std::time::Instant::now() + std::time::Duration::from_millis(ms));
    loop {
        if inv.kept.iter().all(|k| !k) {
            return Err("no candidate invariant is inductive".into());
        }
        let mut u = from_any(m, q.opts, Some(&inv));
        q.extend(&mut u);
        let after = inv.candidates(m, &u.frames[1]);
        let broken: Vec<Bool> = after.iter().zip(&inv.kept).filter(|(_, k)| **k).map(|(c, _)| c.not()).collect();
        u.solver.assert(Bool::or(&broken));
        if let Some(d) = deadline {
            let left = d.saturating_duration_since(std::time::Instant::now()).as_millis() as u64;
            if left == 0 {
                return Err("its share of the time limit ran out before the candidates were shown inductive".into());
            }
            set_timeout(&u.solver, left);
        }
        match check(&u.solver, &[]) {
            SatResult::Unsat => return Ok(inv),
            SatResult::Unknown => {
                let why = u.solver.get_reason_unknown().unwrap_or_default();
                return Err(format!("Z3 could not decide whether the candidate invariants are inductive: {why}"));
            }
            SatResult::Sat => {
                let model = u.solver.get_model().expect("sat gives a model");
                for (k, c) in after.iter().enumerate() {
                    if inv.kept[k] && model.eval(c, true).and_then(|v| v.as_bool()) != Some(true) {
                        inv.kept[k] = false;
                    }
                }
            }
        }
    }
}

/// What the step case showed at one k.
pub enum Step {
    /// Unsatisfiable: with the base case at k, the intent holds for every run length.
    Proved,
    /// A path of k violation-free steps into a violation exists (through states that may be
    /// unreachable): try a larger k.
    NotYet,
    Unknown(String),
}

/// The step case of one safety intent, deepened incrementally on its own solver.
pub struct StepCase {
    u: Unrolling,
    intent: usize,
    /// Frames 0..assumed carry "not violated".
    assumed: usize,
    /// Pairs of frames constrained to differ (simple path), added as models demanded.
    pub distinct: Vec<(usize, usize)>,
}

impl StepCase {
    pub fn new(m: &Model, opts: &Options, intent: usize, inv: Option<&Invariant>) -> StepCase {
        StepCase { u: from_any(m, opts, inv), intent, assumed: 0, distinct: Vec::new() }
    }

    /// The step case at `k`: frames 0..=k not violated, frame k+1 violated.
    pub fn check(&mut self, q: &Query, k: usize, timeout_ms: Option<u64>) -> Step {
        let m = q.m;
        q.extend_to(&mut self.u, k + 1);
        while self.assumed <= k {
            let ok = intents::violated(&Symbolic, m, &self.u.frames[self.assumed], self.intent).not();
            self.u.solver.assert(ok);
            self.assumed += 1;
        }
        if let Some(ms) = timeout_ms {
            set_timeout(&self.u.solver, ms);
        }
        let lit = Bool::new_const(format!("step.{}@{k}", self.intent));
        self.u.solver.assert(lit.implies(intents::violated(&Symbolic, m, &self.u.frames[k + 1], self.intent)));
        loop {
            match check(&self.u.solver, std::slice::from_ref(&lit)) {
                SatResult::Unsat => return Step::Proved,
                SatResult::Unknown => {
                    let reason = self.u.solver.get_reason_unknown().unwrap_or_else(|| "no reason given".into());
                    return Step::Unknown(format!("Z3 gave up on the k-induction step case at k = {k}: {reason}"));
                }
                SatResult::Sat => {
                    let model = self.u.solver.get_model().expect("sat gives a model");
                    // Every field, booleans included: frames that differ only in a boolean are
                    // not equal (treating them so would re-assert what the model already
                    // satisfies, and ask the same question forever).
                    let states: Vec<Values> =
                        self.u.frames[..=k + 1].iter().map(|f| values(&decode(&model, f))).collect();
                    let pair = (0..states.len())
                        .flat_map(|a| (a + 1..states.len()).map(move |b| (a, b)))
                        .find(|&(a, b)| states[a] == states[b]);
                    match pair {
                        // A path through a repeated state is never needed: rule it out, ask again.
                        Some((a, b)) => {
                            self.u.solver.assert(equal(&self.u.frames[a], &self.u.frames[b]).not());
                            self.distinct.push((a, b));
                        }
                        None => return Step::NotYet,
                    }
                }
            }
        }
    }
}

/// The SMT-LIB files that re-check a proof of intent `i` at `k`, each unsatisfiable: the base
/// case (a violation within k steps from an initial state), the step case with the simple-path
/// constraints the proof used, and, when the step case assumed an invariant, its
/// inductiveness.
pub fn certificates(
    q: &Query,
    i: usize,
    k: usize,
    distinct: &[(usize, usize)],
    inv: Option<&Invariant>,
) -> Vec<(String, String)> {
    let m = q.m;
    let name = m.ir.intents[i].name();
    let base = base_query(q, i, k);
    let mut step = from_any(m, q.opts, inv);
    q.extend_to(&mut step, k + 1);
    for j in 0..=k {
        step.solver.assert(intents::violated(&Symbolic, m, &step.frames[j], i).not());
    }
    step.solver.assert(intents::violated(&Symbolic, m, &step.frames[k + 1], i));
    for &(a, b) in distinct {
        step.solver.assert(equal(&step.frames[a], &step.frames[b]).not());
    }
    let mut out = vec![
        (format!("{name}-base-k{k}.smt2"), base.solver.to_smt2()),
        (format!("{name}-step-k{k}.smt2"), step.solver.to_smt2()),
    ];
    if let Some(inv) = inv {
        out.push((format!("{name}-invariant-inductive.smt2"), inductive_query(q, inv).solver.to_smt2()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Domain;
    use crate::model::testkit::{deployment, model};

    /// The k-induction invariant knows that absent nodes hold no pods: over two topologies
    /// (pool b with 0 or 1 node), pods do get scheduled on b's node slot, so its counts change
    /// and only "absent, so empty" rules out pods there while it is absent.
    #[test]
    fn invariant_keeps_pods_off_absent_nodes() {
        let m = model(&format!(
            "{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {{name: a, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}}}\n    - {{name: b, count: {{min: 0, max: 1}}, capacity: {{cpu: \"8\", memory: 8Gi}}}}\n  intents: [{{type: podAlwaysSchedulable}}]\n",
            deployment("web", 2, "1", "1Gi", "")
        ));
        let opts = Options::plain(1);
        let inits = m.initial_states();
        assert_eq!(inits.len(), 2);
        let inv = invariant(&Query::new(&m, &opts, &inits), None).expect("an invariant");
        let pods_on_b = |present: bool| {
            let n = crate::model::testkit::node(&m, "b-0");
            let u = from_any(&m, &opts, Some(&inv));
            let d = Symbolic;
            u.solver.assert(d.gt(&crate::model::node::active_on(&d, &m, &u.frames[0], 0, n), &d.int(0)));
            u.solver.assert(u.frames[0].present[n].iff(Bool::from_bool(present)));
            u.solver.check()
        };
        assert_eq!(pods_on_b(false), SatResult::Unsat);
        assert_eq!(pods_on_b(true), SatResult::Sat);
    }
}
