//! Probes: before frame k+1 is built, which labels can be enabled at frame k at all. A label
//! whose guard no run of k steps satisfies is dropped from the frame, and that fact is
//! asserted. Frames are unions of every path's state, so a guard that is false in every
//! reachable state rarely simplifies to false by itself (C3-fixed at 39 nodes: 126 of 206
//! labels at frame 7 were cpuChange steps after the only change had been spent); each such
//! label cost every later query its `ite` cases.
//!
//! A probe that would answer "yes, enabled" proves nothing and costs a solver call, so
//! concrete witnesses (every state of depth k while they are few, then random runs; the same
//! semantics, replayed on `Concrete`) answer that question first: a label enabled in one of
//! them needs no probe. The other labels are asked about all at once, then per kind of step
//! (an actor and an operation, such as "the deployment deletes a pod from a node").
//!
//! Owns the probing and the witnesses; must not change what a frame means. Dropping a label
//! only after the solver refuted it, and keeping every label otherwise (a probe that times
//! out, a witness that says yes), keeps every frame exactly the set of states the unrolling
//! reaches. The witnesses only decide what is asked, never what is dropped.

use std::time::Instant;

use z3::ast::Bool;
use z3::{SatResult, Solver};

use crate::domain::{Concrete, Symbolic};
use crate::engine::explicit::twins;
use crate::engine::simulate::Rng;
use crate::model::state::Scratch;
use crate::model::{intents, registry, ClusterState, Controller, Model, Step};

/// How many concrete runs look for enabled steps once the states of a depth are too many.
const RUNS: usize = 16;

/// Up to how many states of one depth the witnesses keep all of them.
const LAYER: usize = 4096;

/// How many solver calls one kind of step may take per frame: each satisfiable one settles
/// the labels its model enables, and the labels still open after the last are kept.
const ROUNDS: usize = 3;

/// The backoff key of the query about every open label at once (no actor has this index).
const ALL: (u8, u8) = (u8::MAX, u8::MAX);

/// The least time a probe of one kind may take, in milliseconds.
const FLOOR_MS: u64 = 100;

/// How many times the longest query of the previous depth the joint probe may take, and the
/// least it may take. On C3-fixed at 39 nodes the joint probe is refuted at every frame
/// (0.2-2.6 s, 10 steps in about 12 s; with the per-kind budget, probes that ran out left
/// their labels in and 10 steps took 16-23 s). On C8-fixed it runs out, and backs off like
/// a kind; giving each kind this budget too cost C8-fixed 15 s instead of 4 s.
const JOINT_FACTOR: u64 = 10;
const JOINT_FLOOR_MS: u64 = 1000;

/// What a probe may take: as long as the longest query of the previous depth, at least
/// [`FLOOR_MS`]; the query about every open label at once, which can only be refuted or run
/// out, [`JOINT_FACTOR`] times that, at least [`JOINT_FLOOR_MS`]. Never past the time limit:
/// the probes of one frame together end by its deadline.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Budget {
    /// The longest query of the previous depth, in milliseconds.
    pub(super) query_ms: u64,
    /// When the time limit runs out, if there is one.
    pub(super) deadline: Option<Instant>,
}

impl Budget {
    /// What the deadline leaves, in milliseconds (at least 1: Z3 reads 0 as no timeout).
    fn left_ms(self) -> u64 {
        self.deadline.map_or(u64::MAX, |d| d.saturating_duration_since(Instant::now()).as_millis().max(1) as u64)
    }

    fn per_kind_ms(self) -> u64 {
        self.query_ms.max(FLOOR_MS).min(self.left_ms())
    }

    fn joint_ms(self) -> u64 {
        (self.query_ms * JOINT_FACTOR).max(JOINT_FLOOR_MS).min(self.left_ms())
    }

    /// Whether the time limit has run out.
    fn spent(self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Concrete states some run of exactly k steps reaches (the same semantics, replayed on
/// `Concrete`; runs that reach a state with no step that changes it end, when such steps are
/// not choices): every such state while there are at most [`LAYER`] of them, then random runs.
/// One witness run: where it is, and how it got there.
#[derive(Clone)]
struct Run {
    state: ClusterState<Concrete>,
    /// The initial state it started from (an index into the initial states), then the labels
    /// of its steps (the stutter as `labels.len()`): the selector values of one path of the
    /// unrolling to `state`, a hint for the solver (`hint_to`), never an answer.
    path: Vec<u32>,
}

pub(super) struct Witnesses {
    reg: Vec<Box<dyn Controller<Concrete>>>,
    runs: Vec<Run>,
    /// Whether `runs` is every state of its depth (no sampling yet).
    exact: bool,
    /// Up to how many states of one depth are kept ([`LAYER`]; tests lower it).
    layer: usize,
    rng: Rng,
}

impl Witnesses {
    fn new(inits: &[ClusterState<Concrete>], layer: usize) -> Witnesses {
        let reg = registry::<Concrete>();
        let mut w = Witnesses {
            reg,
            runs: inits.iter().zip(0..).map(|(st, i)| Run { state: st.clone(), path: vec![i] }).collect(),
            exact: true,
            layer,
            rng: Rng(0x6b62_6d63),
        };
        w.dedup();
        if w.runs.len() > layer {
            w.sample();
        }
        w
    }

    /// One more step: while the states are exact, all their successors (a step enabled under
    /// the timing policy, among the canonical ones for identical nodes; without
    /// `self_loops`, only one that changes the state; a state with no such step ends, or with
    /// `self_loops` stutters). Past [`LAYER`] states, a random one of them per run; an ended
    /// run is replaced by a copy of a live one, which the random choices then set apart.
    pub(super) fn advance(&mut self, m: &Model, labels: &[Step], classes: &[usize], self_loops: bool) {
        let d = Concrete;
        let mut live = Vec::new();
        let stutter = labels.len() as u32;
        for Run { state: st, path } in std::mem::take(&mut self.runs) {
            let en = crate::engine::explicit::enabled_ids(m, &self.reg, labels, classes, true, &st);
            let mut next: Vec<(ClusterState<Concrete>, u32)> = en
                .iter()
                .map(|&i| {
                    let s = &labels[i as usize];
                    (intents::observe(&d, m, self.reg[s.actor as usize].update(&d, m, s, &st)), i)
                })
                .filter(|(n, _)| self_loops || n.pack() != st.pack())
                .collect();
            if next.is_empty() {
                if self_loops {
                    live.push(Run { state: st, path: extended(&path, stutter) });
                }
                continue;
            }
            if !self.exact {
                let i = self.rng.below(next.len());
                next = vec![next.swap_remove(i)];
            }
            live.extend(next.into_iter().map(|(n, i)| Run { state: n, path: extended(&path, i) }));
        }
        self.runs = live;
        if self.exact {
            self.dedup();
            if self.runs.len() <= self.layer {
                return;
            }
            self.sample();
        }
        let alive = self.runs.len();
        for i in 0..RUNS.saturating_sub(alive) {
            if alive > 0 {
                self.runs.push(self.runs[i % alive].clone());
            }
        }
    }

    /// Each run's path (its initial state's index, then its labels), for tests to corrupt.
    #[cfg(test)]
    pub(super) fn paths_mut(&mut self) -> impl Iterator<Item = &mut Vec<u32>> {
        self.runs.iter_mut().map(|r| &mut r.path)
    }

    /// A run whose state `bad` holds in, if there is one: the index of its initial state and
    /// the labels of its steps.
    pub(super) fn hint_to(&self, bad: impl Fn(&ClusterState<Concrete>) -> bool) -> Option<(usize, &[u32])> {
        self.runs.iter().find(|r| bad(&r.state)).map(|r| (r.path[0] as usize, &r.path[1..]))
    }

    fn dedup(&mut self) {
        let mut seen = std::collections::HashSet::new();
        self.runs.retain(|r| seen.insert(r.state.pack()));
    }

    /// Keeps [`RUNS`] of the states, picked at random, and samples from then on.
    fn sample(&mut self) {
        self.exact = false;
        let mut kept = Vec::with_capacity(RUNS);
        for _ in 0..RUNS.min(self.runs.len()) {
            let i = self.rng.below(self.runs.len());
            kept.push(self.runs.swap_remove(i));
        }
        self.runs = kept;
    }

    /// Per label of `group`: whether it is enabled at the end of some run, canonical choice
    /// included (a label on a node with a lower-index twin is not, as in the frames).
    fn seen(&self, m: &Model, labels: &[Step], classes: &[usize], group: &[usize]) -> Vec<bool> {
        let d = Concrete;
        let mut seen = vec![false; group.len()];
        let mut rows = Scratch::default();
        for Run { state: st, .. } in &self.runs {
            st.node_rows(&mut rows);
            let twin = twins(classes, &rows);
            for (j, &i) in group.iter().enumerate() {
                let s = &labels[i];
                let c = &self.reg[s.actor as usize];
                seen[j] = seen[j] || (!c.node_of(s).is_some_and(|n| twin[n]) && c.guard(&d, m, s, st));
            }
        }
        seen
    }
}

/// `path` followed by label `i`.
fn extended(path: &[u32], i: u32) -> Vec<u32> {
    let mut p = Vec::with_capacity(path.len() + 1);
    p.extend_from_slice(path);
    p.push(i);
    p
}

/// What probing remembers between frames: the witness runs, and per kind of step that a probe
/// could not settle in time, the frame before which it is not probed again (the wait doubles
/// with each failure: such a kind is usually enabled somewhere, or too costly to refute).
pub(super) struct Prober {
    pub(super) witnesses: Witnesses,
    backoff: Vec<((u8, u8), usize, u32)>,
    /// Every label dropped, with the frame it was dropped from.
    pub(super) dropped: Vec<(usize, Vec<Step>)>,
}

impl Prober {
    pub(super) fn new(inits: &[ClusterState<Concrete>]) -> Prober {
        Prober::with_layer(inits, LAYER)
    }

    fn with_layer(inits: &[ClusterState<Concrete>], layer: usize) -> Prober {
        Prober { witnesses: Witnesses::new(inits, layer), backoff: Vec::new(), dropped: Vec::new() }
    }

    /// Drops from `guards` (frame `k`'s guard per label) every label that the solver shows no
    /// run of `k` steps enables, and asserts that fact. Each probe may take what `budget`
    /// allows; one that runs out keeps its labels. Returns how many labels were dropped.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn prune(
        &mut self,
        solver: &Solver,
        m: &Model,
        reg: &[Box<dyn Controller<Symbolic>>],
        labels: &[Step],
        classes: &[usize],
        cur: &ClusterState<Symbolic>,
        guards: &mut [Bool],
        k: usize,
        budget: Budget,
    ) -> usize {
        let d = Symbolic;

        // Kinds of step: (actor, operation) with their labels still possible.
        let mut kinds: Vec<((u8, u8), Vec<usize>)> = Vec::new();
        for (i, s) in labels.iter().enumerate() {
            if guards[i].as_bool() == Some(false) {
                continue;
            }
            match kinds.iter_mut().find(|(key, _)| *key == (s.actor, s.op)) {
                Some((_, v)) => v.push(i),
                None => kinds.push(((s.actor, s.op), vec![i])),
            }
        }
        // Per kind not waiting out a backoff: the labels no witness enables.
        let waiting = |key: (u8, u8)| self.backoff.iter().any(|(kk, until, _)| *kk == key && k < *until);
        let opens: Vec<(usize, Vec<usize>)> = kinds
            .iter()
            .enumerate()
            .filter(|(_, (key, _))| !waiting(*key))
            .map(|(gi, (_, mine))| {
                let seen = self.witnesses.seen(m, labels, classes, mine);
                (gi, mine.iter().zip(&seen).filter(|(_, s)| !**s).map(|(&i, _)| i).collect())
            })
            .filter(|(_, open): &(usize, Vec<usize>)| !open.is_empty())
            .collect();
        // With every state of depth k as witnesses, an open label is enabled in no reachable
        // state, so a probe can only be refuted or run out: all of them in one query first,
        // with more time (one refutation settles every kind; see JOINT_FACTOR).
        if self.witnesses.exact && opens.len() > 1 && !waiting(ALL) && !budget.spent() {
            let all: Vec<usize> = opens.iter().flat_map(|(_, open)| open.iter().copied()).collect();
            let cond = Bool::or(&all.iter().map(|&i| guards[i].clone()).collect::<Vec<_>>());
            let answer = ask(solver, &cond, &format!("probe.all@{k}"), budget.joint_ms());
            log::debug!("probe of {} labels of {} kinds at frame {k}: {answer:?}", all.len(), opens.len());
            if answer == SatResult::Unsat {
                self.drop(solver, &cond, &all, labels, guards, k);
                return all.len();
            }
            if answer == SatResult::Unknown {
                self.back_off(ALL, k);
            }
        }
        let mut dropped = 0;
        for (gi, mut open) in opens {
            let (key, mine) = &kinds[gi];
            let (actor, op) = *key;
            let c = &reg[actor as usize];
            // The open labels are asked about together, and each model the solver finds
            // settles every label it enables.
            for round in 0..ROUNDS {
                if open.is_empty() || budget.spent() {
                    break;
                }
                // An actor with one kind of step may have a cheaper "some step enabled" than
                // the disjunction of its guards (the scheduler: a pending pod and a feasible
                // node, without the score comparisons); it stands for the whole kind only.
                let only_kind = kinds.iter().filter(|((a, _), _)| *a == actor).count() == 1;
                let whole = open.len() == mine.len();
                let cond = match c.any_enabled(&d, m, cur).filter(|_| only_kind && whole) {
                    Some(f) => f,
                    None => Bool::or(&open.iter().map(|&i| guards[i].clone()).collect::<Vec<_>>()),
                };
                let answer = ask(solver, &cond, &format!("probe.{gi}.{round}@{k}"), budget.per_kind_ms());
                log::debug!(
                    "probe {} op {op} ({} of {} labels) at frame {k}: {answer:?}",
                    c.name(),
                    open.len(),
                    mine.len()
                );
                match answer {
                    SatResult::Unsat => {
                        self.drop(solver, &cond, &open, labels, guards, k);
                        dropped += open.len();
                        break;
                    }
                    SatResult::Sat => {
                        let Some(model) = solver.get_model() else { break };
                        let before = open.len();
                        open.retain(|&i| model.eval(&guards[i], true).and_then(|v| v.as_bool()) != Some(true));
                        if open.len() == before {
                            break;
                        }
                    }
                    SatResult::Unknown => {
                        self.back_off(*key, k);
                        break;
                    }
                }
            }
        }
        dropped
    }

    /// After a probe of `key` at frame `k` ran out: it waits 2, then 4, 8, ... frames.
    fn back_off(&mut self, key: (u8, u8), k: usize) {
        match self.backoff.iter_mut().find(|(kk, _, _)| *kk == key) {
            Some((_, until, fails)) => {
                *fails += 1;
                *until = k + (1usize << (*fails).min(16));
            }
            None => self.backoff.push((key, k + 2, 1)),
        }
    }

    /// Drops `which` labels, refuted by `cond` (their guards' disjunction or a stronger fact),
    /// from frame `k`, and asserts the refutation.
    fn drop(&mut self, solver: &Solver, cond: &Bool, which: &[usize], labels: &[Step], guards: &mut [Bool], k: usize) {
        solver.assert(cond.not());
        for &i in which {
            guards[i] = Bool::from_bool(false);
        }
        self.dropped.push((k, which.iter().map(|&i| labels[i]).collect()));
    }
}

/// Whether `cond` can hold, within `ms`, under a fresh assumption literal named `name`.
fn ask(solver: &Solver, cond: &Bool, name: &str, ms: u64) -> SatResult {
    super::set_timeout(solver, ms);
    let asked = Instant::now();
    let lit = Bool::new_const(name);
    solver.assert(lit.implies(cond));
    let r0 = super::rlimit_count(solver);
    let answer = solver.check_assumptions(&[lit]);
    log::debug!(
        "{name}: {answer:?} in {:.3} s, rlimit {}",
        asked.elapsed().as_secs_f64(),
        super::rlimit_count(solver) - r0
    );
    answer
}

#[cfg(test)]
mod tests {
    use super::super::{Options, Query};
    use super::*;
    use crate::model::all_steps;

    fn case(name: &str) -> Model {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases").join(name);
        let (ir, _) = crate::load_model(&[dir], false).expect("case loads");
        Model::new(&ir)
    }

    /// An unrolling for safety intents from `q`'s initial states, probed with witness layers
    /// of up to `layer` states and probes of `query_ms` each.
    fn probed(q: &Query, layer: usize, query_ms: u64) -> super::super::Unrolling {
        let mut u = q.unroll();
        u.self_loops = false;
        u.prober = Some(Prober::with_layer(q.inits, layer));
        u.probe_budget = Budget { query_ms, deadline: None };
        u
    }

    /// C6 is violated after 7 steps. The probes' witness runs reach such a state, and the
    /// solver confirms it: a model of the query whose frame 7 violates the intent. A run the
    /// unrolling does not admit (a stutter, not a choice without cycle intents, in place of
    /// one of its steps) is refused, so a hint can only ever guide the search.
    #[test]
    fn a_witness_run_is_a_hint_the_solver_checks() {
        let m = case("c6-maintenance-drain");
        let inits = m.initial_states();
        let depth = 7;
        let opts = Options { probe: true, ..Options::plain(depth) };
        let q = Query::new(&m, &opts, &inits);
        let mut u = probed(&q, LAYER, 1000);
        q.extend_to(&mut u, depth - 1);
        assert!(super::super::hinted(&q, &u, 0, depth - 1, None).is_none(), "no run of 6 steps violates it");
        q.extend(&mut u);
        let model =
            super::super::hinted(&q, &u, 0, depth, None).expect("a witness run violates it, and the solver agrees");
        let states: Vec<ClusterState<Concrete>> = u.frames.iter().map(|f| super::super::decode(&model, f)).collect();
        assert!(intents::violated(&Concrete, &m, &states[depth], 0));
        assert!(!intents::violated(&Concrete, &m, &states[depth - 1], 0));
        let stutter = u.labels.len() as u32;
        for path in u.prober.as_mut().expect("probing is on").witnesses.paths_mut() {
            path[3] = stutter;
        }
        assert!(
            super::super::hinted(&q, &u, 0, depth, None).is_none(),
            "a run with a stutter is not one of the unrolling's"
        );
    }

    /// On C3-fixed (3 nodes), probing drops labels from some frames, and none that is enabled
    /// in a state some run of that many steps reaches (every such state enumerated concretely,
    /// steps that change nothing left out as the unrolling leaves them out): with every state
    /// of a depth as witnesses, and with random runs only (where the solver decides).
    #[test]
    fn probes_drop_only_labels_no_run_enables() {
        for layer in [LAYER, 0] {
            probes_drop_sound(layer);
        }
    }

    fn probes_drop_sound(witness_layer: usize) {
        let m = case("c3-conflicting-spread-fixed");
        let inits = m.initial_states();
        let depth = 6;
        let opts = Options { probe: true, ..Options::plain(depth) };
        let q = Query::new(&m, &opts, &inits);
        let mut u = probed(&q, witness_layer, 60_000);
        q.extend_to(&mut u, depth);
        let dropped = u.prober.take().expect("probing is on").dropped;
        assert!(!dropped.is_empty(), "no label was dropped (witness layer {witness_layer})");
        // The states at each exact depth, concretely.
        let d = Concrete;
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let mut layer = inits.clone();
        for k in 0..depth {
            for (at, gone) in dropped.iter().filter(|(at, _)| *at == k) {
                // The frame's guard before probing: the raw guard, on a node with no
                // lower-index twin (the urgency filter comes after, so it is not applied).
                for st in &layer {
                    let mut rows = Scratch::default();
                    st.node_rows(&mut rows);
                    let twin = crate::engine::explicit::twins(&q.classes, &rows);
                    for s in gone {
                        let c = &reg[s.actor as usize];
                        let en = !c.node_of(s).is_some_and(|n| twin[n]) && c.guard(&d, &m, s, st);
                        assert!(
                            !en,
                            "{} op {} dropped from frame {at} but enabled there (witness layer {witness_layer})",
                            c.name(),
                            s.op
                        );
                    }
                }
            }
            let mut next: Vec<ClusterState<Concrete>> = Vec::new();
            for st in &layer {
                for s in crate::engine::explicit::enabled(&m, &reg, &labels, &q.classes, false, st) {
                    let n = intents::observe(&d, &m, reg[s.actor as usize].update(&d, &m, &s, st));
                    if n.pack() != st.pack() && !next.iter().any(|x| x.pack() == n.pack()) {
                        next.push(n);
                    }
                }
            }
            layer = next;
        }
    }
}
