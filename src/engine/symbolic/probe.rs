//! Probes: before frame k+1 is built, which kinds of step (an actor and an operation, such
//! as "the deployment deletes a pod from a node") can be enabled at frame k at all. A kind
//! whose guards no run of k steps satisfies is dropped from the frame, and that fact is
//! asserted. Frames are unions of every path's state, so a guard that is false in every
//! reachable state rarely simplifies to false by itself (C3-fixed at 39 nodes: 126 of 206
//! labels at frame 7 were cpuChange steps after the only change had been spent); each such
//! label cost every later query its `ite` cases.
//!
//! A probe that would answer "yes, enabled" proves nothing and costs a solver call, so random
//! concrete runs of exactly k steps (the same semantics, replayed on `Concrete`) answer that
//! question first: a kind enabled at the end of one of them needs no probe.
//!
//! Owns the probing and the witness runs; must not change what a frame means. Dropping a
//! kind only after the solver refuted it, and keeping every kind otherwise (a probe that
//! times out, a witness that says yes), keeps every frame exactly the set of states the
//! unrolling reaches.

use std::time::Instant;

use z3::ast::Bool;
use z3::{SatResult, Solver};

use crate::domain::{Concrete, Symbolic};
use crate::engine::simulate::Rng;
use crate::model::{intents, registry, ClusterState, Controller, Model, Step};

/// How many concrete runs look for enabled kinds of step.
const RUNS: usize = 16;

/// Random concrete runs from the initial states, each exactly as long as the unrolling (runs
/// that reach a state with no step that changes it end, when such steps are not choices).
pub(super) struct Witnesses {
    reg: Vec<Box<dyn Controller<Concrete>>>,
    runs: Vec<ClusterState<Concrete>>,
    rng: Rng,
}

impl Witnesses {
    pub(super) fn new(inits: &[ClusterState<Concrete>]) -> Witnesses {
        let runs = (0..RUNS).map(|i| inits[i % inits.len()].clone()).collect();
        Witnesses { reg: registry::<Concrete>(), runs, rng: Rng(0x6b62_6d63) }
    }

    /// One more step on every run: a random enabled step under the timing policy, among the
    /// canonical ones for identical nodes; without `self_loops`, only one that changes the
    /// state. A run with no such step ends (or, with `self_loops`, stutters); an ended run is
    /// replaced by a copy of a live one, which the random choices then set apart.
    pub(super) fn advance(&mut self, m: &Model, labels: &[Step], classes: &[usize], self_loops: bool) {
        let d = Concrete;
        let mut live = Vec::new();
        for st in std::mem::take(&mut self.runs) {
            let en = crate::engine::explicit::enabled(m, &self.reg, labels, classes, true, &st);
            let mut next: Vec<ClusterState<Concrete>> = en
                .iter()
                .map(|s| intents::observe(&d, m, self.reg[s.actor as usize].update(&d, m, s, &st)))
                .filter(|n| self_loops || n.pack() != st.pack())
                .collect();
            if next.is_empty() {
                if self_loops {
                    live.push(st);
                }
                continue;
            }
            let i = self.rng.below(next.len());
            live.push(next.swap_remove(i));
        }
        let alive = live.len();
        for i in 0..RUNS.saturating_sub(alive) {
            if alive > 0 {
                live.push(live[i % alive].clone());
            }
        }
        self.runs = live;
    }

    /// Whether some label of `group` is enabled (its guard holds) at the end of some run.
    fn seen(&self, m: &Model, labels: &[Step], group: &[usize]) -> bool {
        let d = Concrete;
        self.runs.iter().any(|st| {
            group.iter().any(|&i| {
                let s = &labels[i];
                self.reg[s.actor as usize].guard(&d, m, s, st)
            })
        })
    }
}

/// What probing remembers between frames: the witness runs, and per kind of step that a probe
/// could not settle in time, the frame before which it is not probed again (the wait doubles
/// with each failure: such a kind is usually enabled somewhere, or too costly to refute).
pub(super) struct Prober {
    pub(super) witnesses: Witnesses,
    backoff: Vec<((u8, u8), usize, u32)>,
    /// Every kind of step dropped, with the frame it was dropped from.
    pub(super) dropped: Vec<(usize, (u8, u8))>,
}

impl Prober {
    pub(super) fn new(inits: &[ClusterState<Concrete>]) -> Prober {
        Prober { witnesses: Witnesses::new(inits), backoff: Vec::new(), dropped: Vec::new() }
    }

    /// Drops from `guards` (frame `k`'s guard per label) every kind of step that the solver
    /// shows no run of `k` steps enables, and asserts that fact. Each probe may take
    /// `limit_ms`; one that runs out keeps its kind. Returns how many labels were dropped.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn prune(
        &mut self,
        solver: &Solver,
        m: &Model,
        reg: &[Box<dyn Controller<Symbolic>>],
        labels: &[Step],
        cur: &ClusterState<Symbolic>,
        guards: &mut [Bool],
        k: usize,
        limit_ms: u64,
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
        let mut dropped = 0;
        for (gi, (key, mine)) in kinds.iter().enumerate() {
            let (actor, op) = *key;
            let wait = self.backoff.iter().find(|(kk, _, _)| *kk == *key).map(|(_, until, _)| *until);
            if wait.is_some_and(|until| k < until) || self.witnesses.seen(m, labels, mine) {
                continue;
            }
            let c = &reg[actor as usize];
            // An actor with one kind of step may have a cheaper "some step enabled" than the
            // disjunction of its guards (the scheduler: a pending pod and a feasible node,
            // without the score comparisons).
            let only_kind = kinds.iter().filter(|((a, _), _)| *a == actor).count() == 1;
            let cond = match c.any_enabled(&d, m, cur).filter(|_| only_kind) {
                Some(f) => f,
                None => Bool::or(&mine.iter().map(|&i| guards[i].clone()).collect::<Vec<_>>()),
            };
            super::set_timeout(solver, limit_ms);
            let asked = Instant::now();
            let lit = Bool::new_const(format!("probe.{gi}@{k}"));
            solver.assert(lit.implies(&cond));
            let answer = solver.check_assumptions(&[lit]);
            log::debug!(
                "probe {} op {op} ({} labels) at frame {k}: {answer:?} in {:.3} s",
                c.name(),
                mine.len(),
                asked.elapsed().as_secs_f64()
            );
            match answer {
                SatResult::Unsat => {
                    solver.assert(cond.not());
                    for &i in mine {
                        guards[i] = Bool::from_bool(false);
                    }
                    dropped += mine.len();
                    self.dropped.push((k, *key));
                }
                SatResult::Sat => {}
                SatResult::Unknown => match self.backoff.iter_mut().find(|(kk, _, _)| *kk == *key) {
                    Some((_, until, fails)) => {
                        *fails += 1;
                        *until = k + (1usize << (*fails).min(16));
                    }
                    None => self.backoff.push((*key, k + 2, 1)),
                },
            }
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Options, Query};
    use super::*;
    use crate::model::all_steps;

    /// On C3-fixed (3 nodes), probing drops kinds of step from some frames, and none that is
    /// enabled in a state some run of that many steps reaches (every such state enumerated
    /// concretely, steps that change nothing left out as the unrolling leaves them out).
    #[test]
    fn probes_drop_only_kinds_no_run_enables() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases/c3-conflicting-spread-fixed");
        let (ir, _) = crate::load_model(&[dir], false).expect("case loads");
        let m = Model::new(&ir);
        let inits = m.initial_states();
        let depth = 6;
        let opts = Options { probe: true, ..Options::plain(depth) };
        let q = Query::new(&m, &opts, &inits);
        let mut u = q.unroll();
        u.self_loops = false;
        u.prober = Some(Prober::new(&inits));
        u.probe_ms = 60_000;
        q.extend_to(&mut u, depth);
        let dropped = u.prober.take().expect("probing is on").dropped;
        assert!(!dropped.is_empty(), "no kind of step was dropped");
        // The states at each exact depth, concretely.
        let d = Concrete;
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let mut layer = inits.clone();
        for k in 0..depth {
            for &(at, (actor, op)) in dropped.iter().filter(|(at, _)| *at == k) {
                let enabled = layer.iter().any(|st| {
                    labels.iter().any(|s| s.actor == actor && s.op == op && reg[actor as usize].guard(&d, &m, s, st))
                });
                assert!(!enabled, "{} op {op} dropped from frame {at} but enabled there", reg[actor as usize].name());
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
