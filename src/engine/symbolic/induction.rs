//! k-induction for safety intents (`check --prove`). The base case is the bounded query the
//! deepening loop already asks (no violation within k steps from an initial state); this file
//! owns the step case: from any state that satisfies the model's proven invariant, k
//! violation-free steps are never followed by a violating one. Simple-path constraints are
//! added lazily, only between frames a model of the step case shows equal. It also builds the
//! SMT-LIB certificates of a proof. It must not decide anything about the base case.
//!
//! The invariant the step case assumes is built from cheap candidates derived from the IR (each
//! counter within its declared range; per Deployment, live pods at most its pod bound; no
//! pods on absent nodes; per node, requests within allocatable; replicas within each HPA's
//! range), kept only where they hold
//! initially and pruned until a query shows them inductive together. Also here: the reachable
//! states an explicit search found (up to node renaming), checked by Z3 state by state as an
//! invariant (`reachable_states`).

use z3::ast::{Ast, Bool, Int};
use z3::{SatResult, Solver};

use super::{base_query, decode, equal, fields, frame, set_timeout, values, Fields, Options, Query, Unrolling, Values};
use crate::domain::{Concrete, Domain, Symbolic};
use crate::engine::explicit;
use crate::model::state::{Scratch, DECLARED_NOT_READY, READY};
use crate::model::{all_steps, intents, registry, ClusterState, Model};

/// The declared range of every counter, as a lowest and a highest state.
pub(super) fn ranges(m: &Model, shape: &ClusterState<Concrete>) -> (ClusterState<Concrete>, ClusterState<Concrete>) {
    let ir = &m.ir;
    let per_dep = ir.bounds.max_pods_per_deployment;
    let panics: i64 = ir.events.iter().map(crate::model::events::initial_budget).sum();
    let (mut lo, mut hi) = (shape.clone(), shape.clone());
    let fill = |v: &mut Vec<i64>, x: i64| v.iter_mut().for_each(|e| *e = x);
    let fill_grid = |v: &mut Vec<Vec<i64>>, x: i64| v.iter_mut().flatten().for_each(|e| *e = x);
    fill(&mut lo.status, READY);
    fill(&mut hi.status, DECLARED_NOT_READY);
    fill(&mut lo.panics, 0);
    fill(&mut hi.panics, panics);
    fill(&mut lo.pending, 0);
    fill(&mut hi.pending, m.max_pods);
    for (l, h) in [(&mut lo.bound, &mut hi.bound), (&mut lo.running, &mut hi.running)] {
        fill_grid(l, 0);
        fill_grid(h, m.max_pods);
    }
    fill_grid(&mut lo.terminating, 0);
    fill_grid(&mut hi.terminating, m.max_pods);
    fill_grid(&mut lo.evicting, 0);
    fill_grid(&mut hi.evicting, m.max_pods);
    fill_grid(&mut lo.deleting, 0);
    fill_grid(&mut hi.deleting, m.max_pods);
    fill_grid(&mut lo.queued, 0);
    fill_grid(&mut hi.queued, m.max_pods);
    fill(&mut lo.desired, 0);
    fill(&mut hi.desired, per_dep);
    fill(&mut lo.revision, 0);
    for (d, r) in hi.revision.iter_mut().enumerate() {
        *r = ir.groups.iter().filter(|g| g.deployment.index() == d).map(|g| g.revision as i64).max().unwrap_or(0);
    }
    fill(&mut lo.hpa_window_max, -1);
    fill(&mut hi.hpa_window_max, per_dep);
    fill(&mut lo.hpa_window_min, -1);
    fill(&mut hi.hpa_window_min, per_dep);
    fill(&mut lo.budget, 0);
    for (e, b) in hi.budget.iter_mut().enumerate() {
        *b = crate::model::events::initial_budget(&ir.events[e]);
    }
    (lo, hi)
}

/// Candidate invariants, each a formula over one frame: every counter within its declared
/// range; per Deployment, its live pods (pending, bound and running, over all its pod groups)
/// at most the model's per-Deployment pod bound; per node, its pods' requests within its
/// allocatable.
#[derive(Clone)]
pub(super) struct Invariant {
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
        let (ls, _) = fields(&super::lift(&self.lo));
        let (hs, _) = fields(&super::lift(&self.hi));
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
        let d = Symbolic;
        for dep in 0..m.ir.deployments.len() {
            let live = crate::model::live_replicas(&d, m, st, dep);
            out.push(d.le(&live, &d.int(m.ir.bounds.max_pods_per_deployment)));
        }
        // Per picked cell: the picks are running pods of the group there (the run picks no
        // more, and nothing else acts until they are evicted). Without it the step case may
        // start from picks with nothing left to evict.
        for (g, row) in st.evicting.iter().enumerate() {
            for (n, picked) in row.iter().enumerate() {
                out.push(d.le(picked, &crate::model::running_of_group(&d, m, st, g, n)));
            }
        }
        // A ReplicaSet sync chooses no more pods than its surplus: without it the step case
        // may start mid-deletion from choices no sync made.
        for g in 0..m.ir.groups.len() {
            let chosen = crate::model::controllers::deployment::chosen_total(&d, m, st, g);
            let surplus = crate::model::controllers::deployment::surplus(&d, m, st, g);
            out.push(d.or(&d.eq(&chosen, &d.int(0)), &d.le(&chosen, &surplus)));
            // Where nothing ever scales a Deployment down, no ReplicaSet has a surplus.
            out.push(d.le(&surplus, &d.int(0)));
        }
        // Likewise a ReplicaSet sync's chosen victims: bound or running pods of their row.
        let ng = m.ir.groups.len();
        for (r, row) in st.deleting.iter().enumerate() {
            for (n, chosen) in row.iter().enumerate() {
                let of = if r < ng { st.bound[r][n].clone() } else { st.running[r - ng][n].clone() };
                out.push(d.le(chosen, &of));
            }
        }
        // Per node: no pods while it is absent (outside the topology). Where initial states
        // differ in which nodes exist (a scaling query), pods do land on a node slot in some
        // topologies, so "its pod counts never change" fails there; without this candidate
        // the step case starts from pods on absent nodes and finds "violations" no run
        // reaches. (Pods of a group on a node it never reaches are covered by "never
        // changes": those counts stay 0.)
        let zero = d.int(0);
        for n in 0..m.nodes() {
            let counts = st.pod_rows().map(|row| d.eq(&row[n], &zero));
            let empty = counts.fold(d.bool(true), |acc, c| d.and(&acc, &c));
            out.push(d.or(&st.present[n], &empty));
        }
        // Per node: what its pods request fits its allocatable, as the scheduler keeps it (pods
        // leave a node only through terminating, which still counts). Without it the step case
        // starts on an overfull node and stops its terminating pods one by one for as many
        // steps as the overfill allows, before the "violation" no run reaches.
        for (n, (cpu, mem, pods)) in crate::model::requested(&d, m, st).into_iter().enumerate() {
            let a = m.ir.nodes[n].allocatable;
            out.push(d.all(
                [d.le(&cpu, &d.int(a.cpu_milli)), d.le(&mem, &d.int(a.memory)), d.le(&pods, &d.int(a.pods))].iter(),
            ));
        }
        // Per HPA: the target's replicas within [minReplicas, maxReplicas].
        for h in &m.ir.hpas {
            let r = &st.desired[h.target.index()];
            out.push(d.and(&d.ge(r, &d.int(h.min_replicas)), &d.le(r, &d.int(h.max_replicas))));
        }
        out
    }

    /// The kept candidates over `st`.
    pub fn holds(&self, m: &Model, st: &ClusterState<Symbolic>) -> Bool {
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
fn from_any(m: &Model, opts: &Options, inv: Option<&Invariant>) -> Unrolling {
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
pub(super) fn invariant(q: &Query, timeout_ms: Option<u64>) -> Result<Invariant, String> {
    let (m, inits) = (q.m, q.inits);
    let (lo, hi) = ranges(m, &inits[0]);
    let values: Vec<Values> = inits.iter().map(values).collect();
    let agree_i = (0..values[0].0.len())
        .map(|f| values.iter().all(|v| v.0[f] == values[0].0[f]).then_some(values[0].0[f]).flatten())
        .collect();
    let agree_b = (0..values[0].1.len())
        .map(|f| values.iter().all(|v| v.1[f] == values[0].1[f]).then_some(values[0].1[f]).flatten())
        .collect();
    let mut inv = Invariant { kept: Vec::new(), lo, hi, same: (agree_i, agree_b) };
    let n = inv.candidates(m, &super::lift(&inits[0])).len();
    inv.kept = vec![true; n];
    // Candidates that fail in an initial state are no invariants.
    for s in inits {
        for (k, c) in inv.candidates(m, &super::lift(s)).iter().enumerate() {
            if c.simplify().as_bool() != Some(true) {
                inv.kept[k] = false;
            }
        }
    }
    loop {
        if inv.kept.iter().all(|k| !k) {
            return Err("no candidate invariant is inductive".into());
        }
        let mut u = from_any(m, q.opts, Some(&inv));
        if let Some(ms) = timeout_ms {
            set_timeout(&u.solver, ms);
        }
        q.extend(&mut u);
        let after = inv.candidates(m, &u.frames[1]);
        let broken: Vec<Bool> = after.iter().zip(&inv.kept).filter(|(_, k)| **k).map(|(c, _)| c.not()).collect();
        u.solver.assert(Bool::or(&broken));
        match u.solver.check() {
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
pub(super) enum Step {
    /// Unsatisfiable: with the base case at k, the intent holds for every run length.
    Proved,
    /// A path of k violation-free steps into a violation exists (through states that may be
    /// unreachable): try a larger k.
    NotYet,
    Unknown(String),
}

/// The step case of one safety intent, deepened incrementally on its own solver.
pub(super) struct StepCase {
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
            match self.u.solver.check_assumptions(std::slice::from_ref(&lit)) {
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
pub(super) fn certificates(
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

/// The open safety intents proved by the reachable states as an invariant, checked state by
/// state. The explicit engine (at most `prove.diameter_search` states, stored up to a renaming
/// of identical nodes) collects every reachable state; kbmc checks that each initial state is
/// a renaming of one of them and that no state violates the intent (concretely), then Z3
/// checks each state against the symbolic transition relation, encoded once over a free
/// frame: pinned to the state, no step leads outside the successors the concrete semantics
/// gives, and the state violates none of the intents (`closure_query`). Each of those
/// successors is a renaming of a collected state (looked up by canonical form), so the
/// renamings of the collected states contain every initial state, are closed under every step
/// and hold no violation: an inductive invariant, whatever produced it. Returns each proved
/// intent with its certificates (empty unless asked for; the shared script goes with the
/// first). Nothing when the search does not finish, a check fails, or time runs out.
pub(super) fn reachable_states(
    q: &Query,
    prove: super::Prove,
    timeout_ms: &dyn Fn() -> Option<u64>,
) -> Vec<(usize, Vec<(String, String)>)> {
    let (m, inits) = (q.m, q.inits);
    if prove.diameter_search == 0 {
        return Vec::new();
    }
    let search =
        explicit::Options { max_depth: 1_000_000, max_states: prove.diameter_search, symmetry: true, all: true };
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
    let asked = std::time::Instant::now();
    let mut u = from_any(m, q.opts, None);
    q.extend(&mut u);
    // "Frame 0 violates intent i", named once here so that each state's query stays small.
    let violated: Vec<Bool> = proving
        .iter()
        .map(|&i| {
            let v = Bool::new_const(format!("intent.{}.violated@0", m.ir.intents[i].name()));
            u.solver.assert(v.iff(intents::violated(&Symbolic, m, &u.frames[0], i)));
            v
        })
        .collect();
    let mut script = String::new();
    if prove.certificates {
        // Every field of both frames mentioned, so that the script declares each constant
        // the per-state queries use.
        let (a, b) = (fields(&u.frames[0]), fields(&u.frames[1]));
        let mut mention: Vec<Bool> = a.0.iter().chain(&b.0).map(|x| x.eq(x)).collect();
        mention.extend(a.1.iter().chain(&b.1).map(|x| x.iff(x)));
        u.solver.assert(Bool::and(&mention));
        script = u.solver.to_smt2();
        script = script.trim_end().strip_suffix("(check-sat)").unwrap_or(&script).to_string();
    }
    let pinned = Pinned::new(&u);
    for id in 0..count {
        g.states.load(id, &mut st);
        let next = explicit::next_states(m, &creg, &labels, &q.classes, &st);
        if !next.iter().all(&mut known) {
            log::warn!(
                "model bug: a successor of a reached state is missing from the states the explicit search reached"
            );
            return Vec::new();
        }
        let [pin, bad] = closure_query(&u, &st, &next, &violated);
        let answer = pinned.check(&st, &bad, timeout_ms());
        match answer {
            SatResult::Unsat => {}
            SatResult::Sat => {
                log::warn!(
                    "model bug: the symbolic transition relation and the concrete semantics disagree on reached state {id} (a violation, or a step the concrete semantics does not take)"
                );
                return Vec::new();
            }
            SatResult::Unknown => {
                let why = pinned.solver.get_reason_unknown().unwrap_or_else(|| "no reason given".into());
                log::info!(
                    target: crate::PROGRESS,
                    "Z3 gave up on the reachable states as an invariant at state {id} of {count}: {why}"
                );
                return Vec::new();
            }
        }
        if prove.certificates {
            script.push_str(&format!(
                "\n; reached state {id}: no step leads outside its {} successor(s) and it violates no intent\n(push 1)\n(assert {pin})\n(assert {bad})\n(check-sat)\n(pop 1)\n",
                next.len()
            ));
        }
    }
    log::debug!(
        "the {count} reachable states (up to node renaming) as an invariant: checked in {:.3} s",
        asked.elapsed().as_secs_f64()
    );
    let mut shared = if prove.certificates { vec![("reachable-set.smt2".to_string(), script)] } else { Vec::new() };
    proving.into_iter().map(|i| (i, std::mem::take(&mut shared))).collect()
}

/// An unrolling's relation (every assertion of its solver) asked with frame 0 fixed to one
/// concrete state after another. Each query is the relation with frame 0's constants replaced
/// by the state's values and simplified (a few kilobytes of terms where the free relation has
/// hundreds), on a QF_LIA solver reset between states. Pinning frame 0 by equalities under
/// push/pop on the relation's own solver took over 80 ms a state on C2-fixed; this about
/// 10 ms (the default solver, faster on deep bounded queries, spends about 25 ms a state here,
/// mostly setting up). A frame-0 constant left unreplaced would only make a query easier to
/// satisfy, never a wrong "unsatisfiable".
struct Pinned {
    relation: Bool,
    frame0: Fields,
    solver: Solver,
}

impl Pinned {
    fn new(u: &Unrolling) -> Pinned {
        let solver = Solver::new_for_logic("QF_LIA").unwrap_or_default();
        Pinned { relation: Bool::and(&u.solver.get_assertions()), frame0: fields(&u.frames[0]), solver }
    }

    /// The relation and `query`, both over frames 0 and 1, with frame 0 equal to `st`.
    fn check(&self, st: &ClusterState<Concrete>, query: &Bool, timeout_ms: Option<u64>) -> SatResult {
        let (ints, bools) = fields(&super::lift(st));
        let int_pairs: Vec<(&Int, &Int)> = self.frame0.0.iter().zip(&ints).collect();
        let bool_pairs: Vec<(&Bool, &Bool)> = self.frame0.1.iter().zip(&bools).collect();
        let pin = |f: &Bool| f.substitute(&int_pairs).substitute(&bool_pairs).simplify();
        self.solver.reset();
        self.solver.set_params(&super::params());
        if let Some(ms) = timeout_ms {
            set_timeout(&self.solver, ms);
        }
        self.solver.assert(pin(&self.relation));
        self.solver.assert(pin(query));
        self.solver.check()
    }
}

/// One state's part of the reachable-set invariant, over frames 0 and 1 of `u`: frame 0 pinned
/// to `st`, and "frame 0 violates an intent (one of `violated`), or frame 1 is none of `next`"
/// (unsatisfiable when `next` holds every successor and `st` no violation).
fn closure_query(
    u: &Unrolling,
    st: &ClusterState<Concrete>,
    next: &[ClusterState<Concrete>],
    violated: &[Bool],
) -> [Bool; 2] {
    let pin = equal(&u.frames[0], &super::lift(st));
    let mut bad = violated.to_vec();
    bad.push(Bool::and(
        &next.iter().map(|t| equal(&u.frames[1], &super::lift(t)).simplify().not()).collect::<Vec<_>>(),
    ));
    [pin, Bool::or(&bad)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};
    use crate::model::Step;

    /// The per-state closure query is unsatisfiable exactly when the listed successors are all
    /// of them and the state violates nothing: dropping a successor, or a state that violates
    /// the intent, makes it satisfiable (so a wrong reachable set is never taken for an
    /// invariant).
    #[test]
    fn closure_query_fails_on_a_missing_successor_or_a_violation() {
        let spec = |cpu: &str| {
            format!(
                "{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: a, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}}}, {{name: b, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n  intents: [{{type: podAlwaysSchedulable}}]\n",
                deployment("web", 2, cpu, "1Gi", "")
            )
        };
        let opts = Options::plain(1);
        let answer = |m: &Model, drop: usize| {
            let inits = m.initial_states();
            let q = Query::new(m, &opts, &inits);
            let (classes, creg) = (&q.classes, registry::<Concrete>());
            let labels = all_steps(m, &creg);
            let step = |s: &Step, st: &ClusterState<Concrete>| {
                intents::observe(&Concrete, m, creg[s.actor as usize].update(&Concrete, m, s, st))
            };
            // The first state, along the first enabled steps, with two or more steps enabled
            // or none (it stutters).
            let mut st = inits[0].clone();
            let mut en = explicit::enabled(m, &creg, &labels, classes, true, &st);
            while en.len() == 1 {
                st = step(&en[0], &st);
                en = explicit::enabled(m, &creg, &labels, classes, true, &st);
            }
            let mut next = explicit::next_states(m, &creg, &labels, classes, &st);
            assert!(next.len() > drop, "{en:?}");
            next.drain(..drop);
            let mut u = from_any(m, &opts, None);
            q.extend(&mut u);
            let violated = vec![intents::violated(&Symbolic, m, &u.frames[0], 0)];
            let [pin, bad] = closure_query(&u, &st, &next, &violated);
            // The query as kbmc asks it, and as its certificate states it: the same answer.
            let asked = Pinned::new(&u).check(&st, &bad, None);
            u.solver.assert(&pin);
            u.solver.assert(&bad);
            assert_eq!(u.solver.check(), asked);
            asked
        };
        let fits = model(&spec("1"));
        assert_eq!(answer(&fits, 0), SatResult::Unsat);
        assert_eq!(answer(&fits, 1), SatResult::Sat);
        let too_big = model(&spec("16"));
        assert_eq!(answer(&too_big, 0), SatResult::Sat);
    }

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
            u.solver.assert(d.gt(&crate::model::active_on(&d, &m, &u.frames[0], 0, n), &d.int(0)));
            u.solver.assert(u.frames[0].present[n].iff(Bool::from_bool(present)));
            u.solver.check()
        };
        assert_eq!(pods_on_b(false), SatResult::Unsat);
        assert_eq!(pods_on_b(true), SatResult::Sat);
    }
}
