//! Probes: before frame k+1 is built, which labels can be enabled at frame k at all. A label
//! whose guard no run of k steps satisfies is dropped from the frame, and that fact is
//! asserted. Frames are unions of every path's state, so a guard that is false in every
//! reachable state rarely simplifies to false by itself (C3-fixed at 39 nodes: 126 of 206
//! labels at frame 7 were cpuChange steps after the only change had been spent); each such
//! label cost every later query its `ite` cases.
//!
//! A probe that would answer "yes, enabled" proves nothing and costs a solver call, so
//! concrete witnesses (every state of depth k while they are few, then random runs; the same
//! semantics, replayed on `Concrete`: the explicit engine's `Witnesses`, which the portfolio
//! hands over and the unroller advances frame by frame) answer that question first: a label
//! enabled in one of them needs no probe. The other labels are asked about all at once, then per kind of step
//! (an actor and an operation, such as "the deployment deletes a pod from a node").
//!
//! Layer lemmas: while the witnesses are every state of their depth and few, "frame k is one
//! of them" is proposed, checked one step at a time (frame k - 1 one of its layer's states,
//! then one step: the step's own assertions evaluated state by state, `ground`, or else a
//! side solver), and asserted once refuted otherwise. A frame with its lemma lets what holds
//! in none of its states (a safety query, a probe, a loop start for a lasso) be refuted
//! state by state. The witnesses also keep the steps between their depths, from which
//! `lasso_to` finds a lasso to offer as a hint.
//!
//! Round lemmas (step semantics, where a frame is a round of independent steps): where the
//! witnesses find every reachable state, frame k's lemma is the states a round from a state
//! of frame k - 1's reaches, each found by evaluating the round's assertions for every set
//! of steps that may fire together (`round_lemma`); labels enabled in none of them are
//! dropped, and the rounds between them lead hints to a violation (`round_path`).
//!
//! Owns the probing and the lemmas; must not change what a frame means, nor search for states
//! itself (the witnesses are the explicit engine's).
//! Dropping a label only after a solver refuted it (or its evaluation in every state of a
//! lemma did), asserting a lemma only after the step's assertions confirmed it, and keeping
//! every label otherwise (a probe that times out, a witness that says yes), keeps every
//! frame exactly the set of states the unrolling reaches. The witnesses only decide what is
//! asked, never what is dropped or asserted.

use std::time::Instant;

use z3::ast::{Ast, Bool, Dynamic, Int};
use z3::SatResult;

use super::frame::{each_value, fields};
use super::ground::{Dag, Incremental};
use super::hints;
use super::solver::{check as counted, params, rlimit_count, set_timeout, statistics, Solver};
use crate::domain::{Concrete, Symbolic};
use crate::engine::witnesses::Witnesses;
use crate::model::{ClusterState, Controller, Model, Step};

mod lemma;
mod remembered;

pub(super) use lemma::Accepts;
use lemma::*;

/// How many solver calls one kind of step may take per frame: each satisfiable one settles
/// the labels its model enables, and the labels still open after the last are kept.
const ROUNDS: usize = 3;

/// Up to how many values (states of the previous layer times variable fields) a lemma check
/// that evaluation could not decide substitutes into the step's assertions (about 1 ms per
/// state) before it asks the side solver; past it, the lemmas end there.
const SUBSTITUTED_TERMS: usize = 1 << 16;

/// Up to how many states a debug build checks a lemma check or refutation that evaluation
/// decided against the solver as well (every test then cross-checks the evaluator).
const DEBUG_CROSS_CHECK: usize = 64;

/// Up to how many states a debug build evaluates a lemma check again where it recalled
/// remembered steps (every test then cross-checks `remembered`).
const DEBUG_RECALL_CHECK: usize = 1024;

/// Up to how many values (states times variable fields) a layer lemma may pin. With lemma
/// checks evaluated (about 50 us per state on C2-fixed) this can be large: C2-fixed's widest
/// depth has 3,623 states of 20-odd variable fields, and with a lemma on every frame its 40
/// steps take 3 s (at 65,536 values the lemmas ended at depth 22 and the check ran out at
/// 60 s).
const LEMMA_TERMS: usize = 1 << 20;

/// Up to how many reachable states the round lemmas take their states from (`reach_all`),
/// and how many states times step labels the witnesses may go through to find them (each
/// state asks every label's guard: on a large cluster the search would otherwise outlast
/// the check it serves).
const REACHABLE: usize = 1 << 14;
const REACHABLE_WORK: usize = 1 << 22;

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

    /// Whether the time limit has run out, or the run's limit passed (`crate::limits`).
    fn spent(self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d) || crate::limits::stopped().is_some()
    }
}

/// What probing remembers between frames: the witness runs, and per kind of step that a probe
/// could not settle in time, the frame before which it is not probed again (the wait doubles
/// with each failure: such a kind is usually enabled somewhere, or too costly to refute).
pub(super) struct Prober {
    pub(super) witnesses: Witnesses,
    backoff: Vec<((u8, u8), usize, u32)>,
    /// Every label dropped, with the frame it was dropped from.
    pub(super) dropped: Vec<(usize, Vec<Step>)>,
    /// The layer lemma of each frame from 0 on, as far as every frame has one (`lemma`): a
    /// frame's lemma is only asked for under its predecessor's, where it is a one-step check.
    lemmas: Vec<Lemma>,
    /// Whether the next frame may still get a lemma.
    chain: bool,
    /// The solver of the lemmas' one-step checks and of `refuted`: their formulas are small
    /// and already simplified, and one solver with push/pop saves creating one per question
    /// (about 10 ms each).
    side: Solver,
    /// The side solver's conflicts and decisions as last read, and the work of every solver
    /// besides the unrolling's so far (side checks, hints), for the reported effort.
    side_seen: std::cell::Cell<(u64, u64)>,
    pub(super) effort: std::cell::Cell<(u64, u64)>,
    /// The side solver's timeout as last set (setting it costs as much as a small check).
    side_ms: std::cell::Cell<u64>,
    /// Whether a probe asked the unrolling's solver since `take_asked` (which then restores
    /// that solver's timeout).
    asked: bool,
    /// Whether lemma checks and refutations by layer lemmas evaluate before they ask the side
    /// solver (`successors_within`, `holds_in_none`); tests compare both ways.
    evaluate: bool,
    /// How many lemma checks evaluation decided (tests: that it decides at all).
    evaluated: usize,
    /// Whether lemmas keep the steps between layers (`Lemma::edges`): only lassos read them.
    pub(super) keep_edges: bool,
    /// How many of `lemmas`, from the first, are asserted on the unrolling's solver (frame 0's
    /// needs not be: the frame is defined as one of the initial states).
    asserted: usize,
    /// The steps lemma checks evaluated, per state, for later frames' checks.
    remembered: remembered::Remembered,
    /// Under step semantics: every reachable state (`Witnesses::reachable`), which each
    /// round's frame is one of (`round_lemma`); `None` where the witnesses could not find
    /// them all.
    reach: Option<Vec<(ClusterState<Concrete>, Vec<i16>)>>,
}

impl Prober {
    /// Probing with `witnesses` (from the initial states the unrolling starts from).
    pub(super) fn new(witnesses: Witnesses) -> Prober {
        Prober {
            witnesses,
            backoff: Vec::new(),
            dropped: Vec::new(),
            lemmas: Vec::new(),
            chain: true,
            side: side_solver(),
            side_ms: Default::default(),
            side_seen: Default::default(),
            effort: Default::default(),
            asked: false,
            evaluate: true,
            evaluated: 0,
            keep_edges: true,
            asserted: 1,
            remembered: Default::default(),
            reach: None,
        }
    }

    /// Under step semantics: every reachable state the witnesses find, from which each
    /// round's lemma takes its states (`round_lemma`); whether they found them all.
    pub(super) fn reach_all(&mut self, q: &super::Query, labels: &[Step]) -> bool {
        let most = REACHABLE.min(REACHABLE_WORK / labels.len().max(1));
        self.reach = self.witnesses.reachable(q.m, labels, &q.classes, most);
        log::debug!("round lemmas: {:?} reachable state(s)", self.reach.as_ref().map(Vec::len));
        self.reach.is_some()
    }

    /// Under step semantics, after the round into frame `k` (`step` its assertions, `fire`
    /// its firing literals): "frame k is one of these states", the states every round from a
    /// state of frame k - 1's lemma reaches, found by evaluating `step` from each of them for
    /// every set of steps that may fire together (`round_successors`). That is the whole of
    /// what the unrolling allows there, so the lemma needs no other check. The chain ends
    /// where evaluation cannot tell, a round reaches a state the witnesses did not find, or
    /// the rounds from a state are too many to go through.
    pub(super) fn round_lemma(
        &mut self,
        step: &[Bool],
        fire: &[Bool],
        frame: &ClusterState<Symbolic>,
        k: usize,
        budget: Budget,
    ) {
        let Some(reach) = &self.reach else { return };
        if !self.chain || self.lemmas.len() != k || budget.spent() {
            self.chain = false;
            return;
        }
        self.chain = false;
        let asked = Instant::now();
        let Some(candidates) = reach_points(reach, frame) else {
            return;
        };
        let before = &self.lemmas[k - 1].points;
        let reached = round_successors(before, &candidates, step, fire);
        log::debug!(
            "round lemma: frame {k}: {:?} round(s) from {} state(s) ({:.3} s)",
            reached.as_ref().map(Vec::len),
            before.len(),
            asked.elapsed().as_secs_f64()
        );
        if let Some(rounds) = reached {
            // The states reached, in the order of their index among the candidates, and the
            // rounds into them as edges (of no selector value: a round has none).
            let mut index: Vec<Option<u32>> = vec![None; candidates.len()];
            let mut to: Vec<u32> = rounds.iter().map(|&(_, b)| b).collect();
            to.sort_unstable();
            to.dedup();
            for (n, &b) in to.iter().enumerate() {
                index[b as usize] = Some(n as u32);
            }
            let edges = rounds.iter().map(|&(a, b)| (a, index[b as usize].expect("reached"), 0)).collect();
            let mut candidates: Vec<Option<Point>> = candidates.into_iter().map(Some).collect();
            let layer = to.iter().map(|&b| candidates[b as usize].take().expect("each once")).collect();
            let lemma = Lemma::new(layer, Some(edges));
            // Debug builds (every test) check evaluation against the solver where that is cheap.
            if cfg!(debug_assertions) && before.len() <= DEBUG_CROSS_CHECK {
                let solved = self.solved_lemma(before, step, lemma.formula(), budget);
                assert!(solved != SatResult::Sat, "round lemma of frame {k}: the side solver finds a state outside it");
            }
            self.lemmas.push(lemma);
            self.chain = true;
        }
    }

    /// Under step semantics, a run of rounds through the round lemmas to a state of frame
    /// `k`'s in which `cond` holds: per frame 0..=k, "the frame is this state". `None` without
    /// round lemmas up to frame k, or where no such state is known.
    pub(super) fn round_path(&self, k: usize, cond: &Bool) -> Option<Vec<Bool>> {
        self.reach.as_ref()?;
        let last = self.lemmas.get(k)?;
        let mut at = first_holding(&last.points, cond)??;
        let mut path = vec![&last.points[at]];
        for j in (1..=k).rev() {
            let edges = self.lemmas[j].edges.as_ref()?;
            let &(from, _, _) = edges.iter().find(|&&(_, to, _)| to as usize == at)?;
            at = from as usize;
            path.push(&self.lemmas[j - 1].points[at]);
        }
        path.reverse();
        Some(path.iter().map(|p| p.formula()).collect())
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
        if self.reach.is_some() {
            return self.prune_by_round_lemma(solver, labels, guards, k);
        }

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
        let asked: Vec<usize> = (0..kinds.len()).filter(|&gi| !waiting(kinds[gi].0)).collect();
        let groups: Vec<&[usize]> = asked.iter().map(|&gi| kinds[gi].1.as_slice()).collect();
        let seen = self.witnesses.seen(m, labels, classes, &groups);
        let opens: Vec<(usize, Vec<usize>)> = asked
            .iter()
            .zip(&seen)
            .map(|(&gi, seen)| (gi, kinds[gi].1.iter().zip(seen).filter(|(_, s)| !**s).map(|(&i, _)| i).collect()))
            .filter(|(_, open): &(usize, Vec<usize>)| !open.is_empty())
            .collect();
        // Per state of frame k's lemma, which open labels it disables, from the guards as the
        // frame has them before any probe drops one.
        let masks = match (&opens[..], self.evaluate, self.lemmas.get(k)) {
            ([_, ..], true, Some(lemma)) => {
                let asked: Vec<usize> = opens.iter().flat_map(|(_, open)| open.iter().copied()).collect();
                Some(disabled(&mut self.remembered, &lemma.points, guards, &asked))
            }
            _ => None,
        };
        // With every state of depth k as witnesses, an open label is enabled in no reachable
        // state, so a probe can only be refuted or run out: all of them in one query first,
        // with more time (one refutation settles every kind; see JOINT_FACTOR).
        if self.witnesses.exact() && opens.len() > 1 && !waiting(ALL) && !budget.spent() {
            let all: Vec<usize> = opens.iter().flat_map(|(_, open)| open.iter().copied()).collect();
            let cond = Bool::or(&all.iter().map(|&i| guards[i].clone()).collect::<Vec<_>>());
            let by_lemma = self.refuted_labels(k, masks.as_deref(), &all, guards, &cond);
            let answer = if by_lemma {
                SatResult::Unsat
            } else {
                self.asked = true;
                self.assert_lemmas(solver);
                ask(solver, &cond, &format!("probe.all@{k}"), budget.joint_ms())
            };
            log::debug!("probe of {} labels of {} kinds at frame {k}: {answer:?}", all.len(), opens.len());
            if answer == SatResult::Unsat {
                if !by_lemma {
                    self.remembered.distrust(k);
                }
                self.drop(solver, (!by_lemma).then_some(&cond), &all, labels, guards, k);
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
                let cond = match hints::of(&**c).any_enabled(&d, m, cur).filter(|_| only_kind && whole) {
                    Some(f) => f,
                    None => Bool::or(&open.iter().map(|&i| guards[i].clone()).collect::<Vec<_>>()),
                };
                let by_lemma = self.refuted_labels(k, masks.as_deref(), &open, guards, &cond);
                let answer = if by_lemma {
                    SatResult::Unsat
                } else {
                    self.asked = true;
                    self.assert_lemmas(solver);
                    ask(solver, &cond, &format!("probe.{gi}.{round}@{k}"), budget.per_kind_ms())
                };
                log::debug!(
                    "probe {} op {op} ({} of {} labels) at frame {k}: {answer:?}",
                    c.name(),
                    open.len(),
                    mine.len()
                );
                match answer {
                    SatResult::Unsat => {
                        if !by_lemma {
                            self.remembered.distrust(k);
                        }
                        self.drop(solver, (!by_lemma).then_some(&cond), &open, labels, guards, k);
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

    /// Under step semantics: drops every label disabled in every state of frame `k`'s round
    /// lemma, which is every state the unrolling allows there (`round_lemma`); without one,
    /// none. The witnesses are not asked: they follow single steps, not rounds.
    fn prune_by_round_lemma(&mut self, solver: &Solver, labels: &[Step], guards: &mut [Bool], k: usize) -> usize {
        let Some(lemma) = self.lemmas.get(k) else { return 0 };
        let open: Vec<usize> = (0..guards.len()).filter(|&i| guards[i].as_bool() != Some(false)).collect();
        if open.is_empty() {
            return 0;
        }
        let masks = disabled(&mut self.remembered, &lemma.points, guards, &open);
        let off: Vec<usize> =
            open.into_iter().filter(|&l| masks.iter().all(|m| (m[l / 64] >> (l % 64)) & 1 == 1)).collect();
        log::debug!("round lemma at frame {k}: {} label(s) enabled in none of its states", off.len());
        // The lemma, asserted before any query, implies each of these guards false.
        self.drop(solver, None, &off, labels, guards, k);
        off.len()
    }

    /// Asserts, once confirmed, that frame `k` is one of the witness states of depth k (every
    /// state of that depth, when there are few: `lemma::layer`). The confirmation is a
    /// one-step check: frame k - 1 is one of the states of its layer (its lemma, already
    /// asserted), `step` (the assertions that built frame k from frame k - 1, `sel` the
    /// selector and its possible values, `idle` the labels left out as changing nothing), and
    /// frame k outside the new layer must be impossible: by ground evaluation
    /// (`successors_within`, or the steps an earlier frame's evaluated from the same state:
    /// `remembered`), or else on the side solver.
    /// The unrolling implies the first two, so it implies the lemma. On the whole unrolling
    /// the same question took up to a second on C4. Only a refutation asserts the lemma;
    /// otherwise (too many states, a sample, an answer that is not "no") this and every
    /// later frame go without.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn lemma(
        &mut self,
        step: &[Bool],
        sel: (&Int, &[i64]),
        idle: &[i64],
        frame: &ClusterState<Symbolic>,
        k: usize,
        budget: Budget,
    ) {
        if !self.chain || self.lemmas.len() != k || budget.spent() {
            self.chain = false;
            return;
        }
        self.chain = false;
        let trusted = self.remembered.frame(k - 1, idle);
        let before = &self.lemmas[k - 1].points;
        let Some(layer) = layer(&self.witnesses, frame) else {
            return;
        };
        let mut lemma = Lemma::new(layer, None);
        let layer = &lemma.points;
        let asked = Instant::now();
        let evaluated =
            if self.evaluate { successors(&mut self.remembered, before, &lemma, step, sel, trusted, k) } else { None };
        // Without evaluation: the step from each state of the previous layer, with that
        // state's values substituted into its assertions and simplified (what is left is
        // mostly "the selector picks this step, and the next frame's fields are these
        // constants"), asked as one disjunction. The previous layer as a disjunction of
        // equalities over the unsimplified step took 0.3-1 s on C4's layers of 3-22 states,
        // and as assumptions, one state per check, 0.2-2 s per frame on C8; one fresh solver
        // per state, 10 ms each.
        let (answer, how) = match evaluated {
            Some(Some(_)) => (SatResult::Unsat, "evaluated"),
            Some(None) => (SatResult::Sat, "evaluated"),
            // Substitution costs about 1 ms per state: past [`SUBSTITUTED_TERMS`] values
            // the chain ends instead.
            None if before.len() * before.first().map_or(0, |p| p.values().len()) > SUBSTITUTED_TERMS => {
                (SatResult::Unknown, "not evaluated, too many values to substitute")
            }
            None => (self.solved_lemma(before, step, lemma.formula(), budget), "substituted, then the side solver"),
        };
        // Debug builds (every test) check evaluation against the solver where that is cheap.
        if cfg!(debug_assertions) && before.len() <= DEBUG_CROSS_CHECK {
            if let Some(e) = &evaluated {
                let solved = self.solved_lemma(before, step, lemma.formula(), budget);
                assert!(
                    solved == SatResult::Unknown || (solved == SatResult::Unsat) == e.is_some(),
                    "lemma of frame {k}: evaluation says {}, the side solver {solved:?}",
                    e.is_some()
                );
            }
        }
        log::debug!(
            "lemma: frame {k} is one of {} state(s): {answer:?} in {:.3} s ({})",
            layer.len(),
            asked.elapsed().as_secs_f64(),
            how,
        );
        if evaluated.is_some() {
            self.evaluated += 1;
        }
        if answer == SatResult::Unsat {
            // Steps not kept are unknown, not absent (`no_loop_through` reads none as no loop).
            lemma.edges = evaluated.flatten().filter(|_| self.keep_edges);
            self.lemmas.push(lemma);
            self.chain = true;
        }
    }

    /// Asserts on the unrolling's `solver` the layer lemmas not asserted yet. A lemma is
    /// asserted only once the solver is about to be asked something (`Unrolling::assert_lemmas`):
    /// a frame whose queries evaluation answers never builds its formula. Each is implied by
    /// the unrolling, so a check without it has the same answer.
    pub(super) fn assert_lemmas(&mut self, solver: &Solver) {
        for l in &self.lemmas[self.asserted.min(self.lemmas.len())..] {
            solver.assert(l.formula());
        }
        self.asserted = self.lemmas.len();
    }

    /// Whether `cond`, a formula over the last frame's fields, holds in none of the states of
    /// that frame's layer lemma: each state's values substituted into `cond` and simplified,
    /// and what does not simplify to false asked of a fresh solver. The unrolling implies
    /// the lemma, so a refutation here refutes `cond` on the unrolling too, in a fraction of
    /// the time (C4's safety queries and probes: 0.1-0.5 s each on the whole unrolling).
    /// False without a lemma, or when the answer is not "no".
    pub(super) fn refuted(&self, k: usize, cond: &Bool) -> bool {
        let Some(Lemma { points, .. }) = self.lemmas.get(k) else {
            return false;
        };
        if self.evaluate {
            if let Some(none) = holds_in_none(points, cond) {
                // Debug builds (every test) check evaluation against the solver where that
                // is cheap.
                if cfg!(debug_assertions) && points.len() <= DEBUG_CROSS_CHECK {
                    let solved = self.refuted_by_solver(points, cond);
                    assert!(
                        solved.is_none_or(|r| r == none),
                        "refutation at frame {k}: evaluation says {none}, the side solver {solved:?}"
                    );
                }
                return none;
            }
        }
        self.refuted_by_solver(points, cond) == Some(true)
    }

    /// Whether every label of `which` is disabled in every state of frame `k`'s lemma: by
    /// `masks` (`disabled`), else as `refuted` says of `cond` (their guards' disjunction, or
    /// a stronger fact: what the probe asks the solver otherwise).
    fn refuted_labels(
        &self,
        k: usize,
        masks: Option<&[Box<[u64]>]>,
        which: &[usize],
        guards: &[Bool],
        cond: &Bool,
    ) -> bool {
        let Some(masks) = masks else { return self.refuted(k, cond) };
        let none = masks.iter().all(|m| which.iter().all(|&l| (m[l / 64] >> (l % 64)) & 1 == 1));
        // Debug builds (every test) evaluate the guards' disjunction itself where that is cheap.
        if cfg!(debug_assertions) && masks.len() <= DEBUG_RECALL_CHECK {
            let points = &self.lemmas[k].points;
            let any = Bool::or(&which.iter().map(|&i| guards[i].clone()).collect::<Vec<_>>());
            let evaluated = holds_in_none(points, &any);
            assert!(
                evaluated.is_none_or(|e| e == none),
                "refutation at frame {k}: the labels remembered disabled say {none}, evaluation {evaluated:?}"
            );
        }
        none
    }

    /// `refuted` by the solver: each state's values substituted into `cond` and simplified,
    /// and what does not simplify to false asked of the side solver. None when it cannot
    /// tell.
    fn refuted_by_solver(&self, points: &[Point], cond: &Bool) -> Option<bool> {
        let rest: Vec<Bool> = points.iter().map(|p| p.apply(cond)).filter(|c| c.as_bool() != Some(false)).collect();
        if rest.is_empty() {
            return Some(true);
        }
        if rest.iter().any(|c| c.as_bool() == Some(true)) {
            return Some(false);
        }
        match self.side_check(&[&Bool::or(&rest)]) {
            SatResult::Unsat => Some(true),
            SatResult::Sat => Some(false),
            SatResult::Unknown => None,
        }
    }

    /// A lemma's one-step check by the solver (`lemma`): each state of the previous layer
    /// substituted into the step's assertions and simplified, and the disjunction of the
    /// results with "frame k is none of the new states" asked of the side solver.
    fn solved_lemma(&self, before: &[Point], step: &[Bool], lemma: &Bool, budget: Budget) -> SatResult {
        if budget.spent() {
            return SatResult::Unknown;
        }
        let step = Bool::and(step);
        let from: Vec<Bool> = before.iter().map(|p| p.apply(&step)).collect();
        // Substituting may have used up what was left.
        if budget.spent() {
            return SatResult::Unknown;
        }
        let ms = budget.joint_ms();
        if self.side_ms.replace(ms) != ms {
            set_timeout(&self.side, ms);
        }
        self.side_check(&[&Bool::or(&from), &lemma.not()])
    }

    /// Whether `parts` can hold together, asked of the side solver in a scope of its own.
    fn side_check(&self, parts: &[&Bool]) -> SatResult {
        let check = &self.side;
        check.push();
        for p in parts {
            check.assert(*p);
        }
        let answer = counted(check, &[]);
        self.count_side();
        check.pop(1);
        answer
    }

    /// Adds the side solver's work since it was last read to `effort` (Z3 may report a
    /// solver's statistics since its last check or since its creation; either is counted
    /// once).
    fn count_side(&self) {
        let now = statistics(&self.side);
        let seen = self.side_seen.replace(now);
        let delta = |n: u64, s: u64| if n >= s { n - s } else { n };
        self.add_effort((delta(now.0, seen.0), delta(now.1, seen.1)));
    }

    /// Counts `work` (conflicts, decisions) of a solver besides the unrolling's.
    pub(super) fn add_effort(&self, work: (u64, u64)) {
        let e = self.effort.get();
        self.effort.set((e.0 + work.0, e.1 + work.1));
    }

    /// Whether frames `l` and `k` hold no state in common by their layer lemmas (`same`: the
    /// formula "frame l is frame k"). A lasso from l to k then cannot close; on C8 most loop
    /// starts are such (its states recur only from depth 7). False without both lemmas.
    ///
    /// Told by the lemmas' keys: a lemma's keys pack every field of every witness state of its
    /// depth, of which its states are those that agree with the frame's constants; equal
    /// states have equal keys, so two lemmas whose keys are disjoint share no state. Debug
    /// builds (every test) ask the side solver too, of `same`, which compares every field
    /// (built only then).
    pub(super) fn apart(&self, l: usize, k: usize, same: impl FnOnce() -> Bool) -> bool {
        let (Some(a), Some(b)) = (self.lemmas.get(l), self.lemmas.get(k)) else {
            return false;
        };
        let apart = !a.keys.keys().any(|key| b.keys.contains_key(key));
        if cfg!(debug_assertions) && apart {
            let solved = self.side_check(&[a.formula(), b.formula(), &same()]);
            assert!(
                solved != SatResult::Sat,
                "frames {l} and {k}: their lemmas' keys are disjoint, but the side solver finds a common state"
            );
        }
        apart
    }

    /// Per state of frame `k`'s layer lemma, the value of `term` (over that frame's fields;
    /// Bool as 0/1) there, by ground evaluation; None without a lemma, or where evaluation
    /// cannot tell.
    pub(super) fn values_at(&self, k: usize, term: &Dynamic) -> Option<Vec<i64>> {
        let lemma = self.lemmas.get(k)?;
        self.evaluate.then(|| values_at(&lemma.points, term)).flatten()
    }

    /// Whether no loop from frame `l` back to the same state at frame `k` is accepted by
    /// `accepts` on `values[j - l]` (per state of frame j's layer lemma; `None`: not known),
    /// by the steps between the layers that evaluation found (`Lemma::edges`): every step the
    /// unrolling allows from a state of one layer lemma is one of them (a step's own assertions
    /// allow at least what the whole unrolling does), with its selector's value, so a lasso of
    /// the unrolling closing at `k` from `l` is a path of them from a state of layer `l` to the
    /// same state in layer `k`. False where a layer has no lemma or no edges, or a path may
    /// exist.
    pub(super) fn no_loop_through(&self, l: usize, k: usize, values: &[Option<Vec<i64>>], accepts: &Accepts) -> bool {
        let Some(layers) = self.lemmas.get(l..=k) else { return false };
        if values.len() != layers.len() || layers[1..].iter().any(|x| x.edges.is_none()) {
            return false;
        }
        let Some(values) = values.iter().map(Option::as_deref).collect::<Option<Vec<&[i64]>>>() else { return false };
        !loops_back(layers, &values, accepts)
    }

    /// Whether a probe asked the unrolling's solver (with its own timeout) since last asked.
    pub(super) fn take_asked(&mut self) -> bool {
        std::mem::take(&mut self.asked)
    }

    /// No more layer lemmas (the witnesses no longer follow the frames).
    pub(super) fn end_lemmas(&mut self) {
        self.chain = false;
    }

    /// Starts the layer lemmas at frame 0, if the solver confirms that it is one of the
    /// initial states (it is by construction; the check costs nothing on the assertions that
    /// define frame 0 alone). Called before the first step.
    pub(super) fn first_lemma(&mut self, solver: &Solver, frame: &ClusterState<Symbolic>) {
        let layer = match &self.reach {
            Some(reach) => reach_points(reach, frame),
            None => layer(&self.witnesses, frame),
        };
        let Some(layer) = layer else {
            return;
        };
        let lemma = Lemma::new(layer, None);
        self.asked = true;
        if ask(solver, &lemma.formula().not(), "lemma@0", 1000) == SatResult::Unsat {
            self.lemmas.push(lemma);
        }
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
    /// from frame `k`, and asserts the refutation where it is given: one refuted in every
    /// state of frame k's layer lemma is not, since the lemma implies it (and is asserted
    /// before the solver is asked anything), and asserting a large disjunction is not free.
    fn drop(
        &mut self,
        solver: &Solver,
        cond: Option<&Bool>,
        which: &[usize],
        labels: &[Step],
        guards: &mut [Bool],
        k: usize,
    ) {
        if let Some(cond) = cond {
            solver.assert(cond.not());
        }
        for &i in which {
            guards[i] = Bool::from_bool(false);
        }
        self.dropped.push((k, which.iter().map(|&i| labels[i]).collect()));
    }
}

/// The reachable states `reach` (`Prober::reach_all`) as the states of a lemma about `frame`
/// (`lemma::points`).
fn reach_points(reach: &[(ClusterState<Concrete>, Vec<i16>)], frame: &ClusterState<Symbolic>) -> Option<Vec<Point>> {
    points(reach.iter().map(|(s, key)| (s, &key[..])), reach.len(), frame)
}

/// `successors_within` from every state of `before` into `lemma`'s, where a state's steps
/// are not recalled from an earlier frame's evaluation (`remembered`, where `trusted`);
/// the states evaluated here are remembered for later frames.
#[allow(clippy::too_many_arguments)]
fn successors(
    remembered: &mut remembered::Remembered,
    before: &[Point],
    lemma: &Lemma,
    step: &[Bool],
    sel: (&Int, &[i64]),
    trusted: bool,
    k: usize,
) -> Option<Option<Vec<Edge>>> {
    let mut choices = sel.1.to_vec();
    choices.sort_unstable();
    let mut recalled: Vec<Edge> = Vec::new();
    let mut todo: Vec<usize> = Vec::new();
    let mut one = Vec::new();
    let index = if trusted { remembered.index(lemma.points.iter().map(|p| &p.key[..])) } else { Default::default() };
    for (i, p) in before.iter().enumerate() {
        if trusted && remembered.recall(&p.key, k - 1, &choices, &index, &mut one) {
            recalled.extend(one.iter().map(|&(to, c)| (i as u32, to, c)));
        } else {
            todo.push(i);
        }
    }
    let evaluated = successors_within(before, &todo, &lemma.points, step, sel);
    if let (true, Some(Some(edges))) = (trusted, &evaluated) {
        // Edges are sorted by the state they leave, and `todo` is ascending.
        let mut at = 0;
        for &i in &todo {
            let end = at + edges[at..].partition_point(|e| e.0 as usize == i);
            let steps = edges[at..end].iter().map(|&(_, to, c)| (c, &lemma.points[to as usize].key[..]));
            remembered.remember(&before[i].key, k - 1, steps);
            at = end;
        }
    }
    let recalls = todo.len() < before.len();
    log::debug!("lemma: frame {k}'s step from {} of {} state(s) recalled", before.len() - todo.len(), before.len());
    let evaluated = evaluated.map(|e| {
        e.map(|mut e| {
            e.extend(recalled);
            e.sort_unstable();
            e
        })
    });
    // Debug builds (every test) evaluate recalled states again where that is cheap.
    if cfg!(debug_assertions) && recalls && before.len() <= DEBUG_RECALL_CHECK {
        let every: Vec<usize> = (0..before.len()).collect();
        let whole = successors_within(before, &every, &lemma.points, step, sel);
        assert!(
            whole.is_none() || whole == evaluated,
            "lemma of frame {k}: the steps recalled differ from the steps evaluated"
        );
    }
    evaluated
}

/// Per state of a frame's lemma (`points`), which of the labels `asked` have a guard
/// (`guards`, the frame's before any probe dropped one) that is false there, a bit per label:
/// remembered where an earlier frame evaluated them all there (`remembered`), else by
/// evaluation (`disabled_in`), and remembered.
fn disabled(
    remembered: &mut remembered::Remembered,
    points: &[Point],
    guards: &[Bool],
    asked: &[usize],
) -> Vec<Box<[u64]>> {
    let words = guards.len().div_ceil(64);
    let mut bits = vec![0u64; words];
    for &l in asked {
        bits[l / 64] |= 1 << (l % 64);
    }
    let mut masks: Vec<Option<Box<[u64]>>> = points
        .iter()
        .map(|p| {
            let both = remembered.disabled(&p.key)?;
            let known = (0..words).all(|w| both[w] & bits[w] == bits[w]);
            known.then(|| both[words..].iter().zip(&bits).map(|(off, b)| off & b).collect())
        })
        .collect();
    let todo: Vec<usize> = (0..points.len()).filter(|&i| masks[i].is_none()).collect();
    for (&i, mask) in todo.iter().zip(disabled_in(points, &todo, guards, asked)) {
        remembered.remember_disabled(&points[i].key, &bits, &mask);
        masks[i] = Some(mask);
    }
    masks.into_iter().map(|m| m.expect("every state's is worked out")).collect()
}

/// Whether `cond` can hold, within `ms`, under a fresh assumption literal named `name`.
fn ask(solver: &Solver, cond: &Bool, name: &str, ms: u64) -> SatResult {
    set_timeout(solver, ms);
    let asked = Instant::now();
    let lit = Bool::new_const(name);
    solver.assert(lit.implies(cond));
    let r0 = rlimit_count(solver);
    let answer = counted(solver, &[lit]);
    log::debug!("{name}: {answer:?} in {:.3} s, rlimit {}", asked.elapsed().as_secs_f64(), rlimit_count(solver) - r0);
    answer
}

#[cfg(test)]
mod tests {
    use super::super::frame::values;
    use super::super::{Options, Query};
    use super::*;
    use crate::domain::Concrete;
    use crate::engine::witnesses::LAYER;
    use crate::model::state::Scratch;
    use crate::model::{all_steps, intents, registry};

    fn case(name: &str) -> Model {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases").join(name);
        let (ir, _) = crate::load_model(&[dir], false).expect("case loads");
        Model::new(&ir)
    }

    /// Every state one step that changes the state takes `layer` to, concretely (with
    /// canonical choice among identical nodes when `symmetry`), each once.
    fn next_layer(
        m: &Model,
        classes: &[usize],
        symmetry: bool,
        layer: &[ClusterState<Concrete>],
    ) -> Vec<ClusterState<Concrete>> {
        let d = Concrete;
        let reg = registry::<Concrete>();
        let labels = all_steps(m, &reg);
        let mut next: Vec<ClusterState<Concrete>> = Vec::new();
        for st in layer {
            for s in crate::model::relation::enabled(m, &reg, &labels, classes, symmetry, st) {
                let n = intents::observe(&d, m, reg[s.actor as usize].update(&d, m, &s, st));
                if n.pack() != st.pack() && !next.iter().any(|x| x.pack() == n.pack()) {
                    next.push(n);
                }
            }
        }
        next
    }

    /// The witnesses' depths are every state runs of that many steps reach, each once, where
    /// states recur from depth to depth and their steps come from the witnesses' memo: C2-fixed,
    /// whose depths share most of their states, to depth 14.
    #[test]
    fn witness_depths_are_every_state_of_their_depth() {
        let m = case("c2-apply-resets-replicas-fixed");
        let inits = m.initial_states();
        let depth = 14;
        let opts = Options { probe: true, ..Options::plain(depth) };
        let q = Query::new(&m, &opts, &inits);
        let labels = q.unroll().labels;
        let mut w = Witnesses::new(&inits, LAYER);
        let mut layer = inits.clone();
        let mut expanded = 0;
        let sorted = |states: &mut dyn Iterator<Item = &ClusterState<Concrete>>| {
            let mut keys: Vec<Vec<i16>> = states.map(|s| s.pack()).collect();
            keys.sort();
            keys
        };
        for k in 1..=depth {
            expanded += layer.len();
            w.advance(&m, &labels, &q.classes, false);
            layer = next_layer(&m, &q.classes, true, &layer);
            assert!(w.exact());
            assert_eq!(sorted(&mut w.states()), sorted(&mut layer.iter()), "depth {k}");
        }
        assert!(w.memo_len() < expanded, "no state recurred: {} worked out for {expanded}", w.memo_len());
    }

    /// An unrolling for safety intents from `q`'s initial states, probed with witness layers
    /// of up to `layer` states and probes of `query_ms` each.
    fn probed(q: &Query, layer: usize, query_ms: u64) -> super::super::unroll::Unrolling {
        let mut u = q.unroll();
        u.self_loops = false;
        u.prober = Some(Prober::new(Witnesses::new(q.inits, layer)));
        u.probe_budget = Budget { query_ms, deadline: None };
        u
    }

    /// C6 is violated after 11 steps. The probes' witness runs reach such a state, and the
    /// solver confirms it: a model of the query whose last frame violates the intent. A run the
    /// unrolling does not admit (a stutter, not a choice without cycle intents, in place of
    /// one of its steps) is refused, so a hint can only ever guide the search.
    #[test]
    fn a_witness_run_is_a_hint_the_solver_checks() {
        let m = case("c6-maintenance-drain");
        let inits = m.initial_states();
        let depth = 11;
        let opts = Options { probe: true, ..Options::plain(depth) };
        let q = Query::new(&m, &opts, &inits);
        let mut u = probed(&q, LAYER, 1000);
        q.extend_to(&mut u, depth - 1);
        assert!(
            super::super::hint::hinted(&q, &u, 0, depth - 1, &[], None).is_none(),
            "no run of 10 steps violates it"
        );
        q.extend(&mut u);
        let model = super::super::hint::hinted(&q, &u, 0, depth, &[], None)
            .expect("a witness run violates it, and the solver agrees");
        let states: Vec<ClusterState<Concrete>> =
            u.frames.iter().map(|f| super::super::decode::decode(&model, f)).collect();
        assert!(intents::violated(&Concrete, &m, &states[depth], 0));
        assert!(!intents::violated(&Concrete, &m, &states[depth - 1], 0));
        let stutter = u.labels.len() as u32;
        for path in u.prober.as_mut().expect("probing is on").witnesses.paths_mut() {
            path[3] = stutter;
        }
        assert!(
            super::super::hint::hinted(&q, &u, 0, depth, &[], None).is_none(),
            "a run with a stutter is not one of the unrolling's"
        );
    }

    /// Layer lemmas on C3-fixed (3 nodes): every frame to depth 6 gets one, and none leaves
    /// out a state that a run of that many steps reaches (each such state, enumerated
    /// concretely with canonical choice among identical nodes as the frames make it, is still
    /// a model of its frame on the unrolling with every lemma asserted). A witness layer that
    /// misses states gets no lemma: the solver's one-step check finds the step out of it.
    #[test]
    fn layer_lemmas_keep_every_reachable_state() {
        for evaluate in [true, false] {
            lemmas_keep_every_reachable_state(evaluate);
        }
    }

    fn lemmas_keep_every_reachable_state(evaluate: bool) {
        let m = case("c3-conflicting-spread-fixed");
        let inits = m.initial_states();
        let depth = 6;
        let opts = Options { probe: true, ..Options::plain(depth) };
        let q = Query::new(&m, &opts, &inits);
        let mut u = probed(&q, LAYER, 60_000);
        u.prober.as_mut().expect("probing is on").evaluate = evaluate;
        q.extend_to(&mut u, depth);
        assert_eq!(u.prober.as_ref().expect("probing is on").lemmas.len(), depth + 1, "a frame without its lemma");
        u.assert_lemmas();
        let mut layer = inits.clone();
        for k in 0..=depth {
            for st in &layer {
                let (vars, vals) = (fields(&u.frames[k]), values(st));
                u.solver.push();
                for (v, c) in vars.0.iter().zip(&vals.0) {
                    u.solver.assert(v.eq(Int::from_i64(c.expect("a concrete value"))));
                }
                for (v, c) in vars.1.iter().zip(&vals.1) {
                    u.solver.assert(v.iff(Bool::from_bool(c.expect("a concrete value"))));
                }
                assert_eq!(u.solver.check(), SatResult::Sat, "a state of depth {k} is not in frame {k}");
                u.solver.pop(1);
            }
            layer = next_layer(&m, &q.classes, true, &layer);
        }
        // Depth 3 with one of its states only: depth 4's layer misses the others' successors.
        let mut u = probed(&q, LAYER, 60_000);
        u.prober.as_mut().expect("probing is on").evaluate = evaluate;
        q.extend_to(&mut u, 3);
        let p = u.prober.as_mut().expect("probing is on");
        assert_eq!(p.lemmas.len(), 4);
        assert!(p.witnesses.states().count() > 1, "depth 3 has one state");
        p.witnesses.keep_first(1);
        q.extend(&mut u);
        assert_eq!(u.prober.as_ref().expect("probing is on").lemmas.len(), 4, "a lemma from an incomplete layer");
    }

    /// The lemma checks and refutations by ground evaluation answer as the side solver does:
    /// on C1, C4 and C8 the same frames get lemmas either way (every frame, as long as the
    /// witnesses are exact), and each frame's safety condition, the intents' violation, is
    /// refuted or not alike.
    #[test]
    fn evaluated_lemma_checks_agree_with_the_solver() {
        for (name, depth) in
            [("c1-hpa-oscillation", 12), ("c4-kernel-panic-loop", 12), ("c8-descheduler-spread-loop", 10)]
        {
            let m = case(name);
            let inits = m.initial_states();
            let opts = Options { probe: true, ..Options::plain(depth) };
            let q = Query::new(&m, &opts, &inits);
            let answers = |evaluate: bool| {
                let mut u = probed(&q, LAYER, 60_000);
                u.prober.as_mut().expect("probing is on").evaluate = evaluate;
                q.extend_to(&mut u, depth);
                let p = u.prober.as_ref().expect("probing is on");
                // Per frame: each intent's violation and each label's guard.
                let refuted: Vec<Vec<bool>> = (0..=depth)
                    .map(|k| {
                        let f = &u.frames[k];
                        let intents = (0..m.ir.intents.len()).map(|i| intents::violated(&Symbolic, &m, f, i));
                        let guards = u.labels.iter().map(|s| q.reg[s.actor as usize].guard(&Symbolic, &m, s, f));
                        intents.chain(guards).map(|c| p.refuted(k, &c)).collect()
                    })
                    .collect();
                if evaluate {
                    assert_eq!(p.evaluated, depth, "{name}: a lemma check evaluation did not decide");
                } else {
                    assert_eq!(p.evaluated, 0);
                }
                (p.lemmas.len(), refuted)
            };
            let (evaluated, solved) = (answers(true), answers(false));
            assert_eq!(evaluated.0, depth + 1, "{name}: a frame without its lemma");
            assert_eq!(evaluated, solved, "{name}: evaluation and the side solver disagree");
        }
    }

    /// C5's eviction cycle closes after 6 steps (the run, its Eviction API call, the
    /// replacement's creation, binding and start, the evicted pod's end). The witnesses'
    /// recorded depths hold such a lasso, and the solver confirms it: a model of the lasso
    /// query whose frame 6 is its frame l, with an eviction between them; none at 5 steps.
    #[test]
    fn a_witness_lasso_is_a_hint_the_solver_checks() {
        let m = case("c5-remove-duplicates-loop");
        let inits = m.initial_states();
        let depth = 6;
        let opts = Options { probe: true, ..Options::plain(depth) };
        let q = Query::new(&m, &opts, &inits);
        let mut u = probed(&q, LAYER, 1000);
        u.self_loops = true;
        let intent = &m.ir.intents[0];
        assert!(intent.is_cycle());
        q.extend_to(&mut u, depth - 1);
        let loops = u.lasso(&m, intent, depth - 1);
        assert!(super::super::hint::hinted(&q, &u, 0, depth - 1, &loops, None).is_none(), "no lasso of 5 steps");
        q.extend(&mut u);
        let loops = u.lasso(&m, intent, depth);
        let model = super::super::hint::hinted(&q, &u, 0, depth, &loops, None).expect("a witness lasso, confirmed");
        let states: Vec<ClusterState<Concrete>> =
            u.frames.iter().map(|f| super::super::decode::decode(&model, f)).collect();
        let l = loops
            .iter()
            .position(|f| model.eval(f, true).and_then(|v| v.as_bool()) == Some(true))
            .expect("the model closes a loop");
        assert_eq!(states[l].pack(), states[depth].pack());
        let dep = 0;
        assert!(
            (l..depth).any(|j| crate::model::terminating_pods(&m, &states[j + 1], dep)
                > crate::model::terminating_pods(&m, &states[j], dep)),
            "no eviction inside the loop"
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
        let mut layer = inits.clone();
        for k in 0..depth {
            for (at, gone) in dropped.iter().filter(|(at, _)| *at == k) {
                // The frame's guard before probing: the raw guard, on a node with no
                // lower-index twin (the urgency filter comes after, so it is not applied).
                for st in &layer {
                    let mut rows = Scratch::default();
                    st.node_rows(&mut rows);
                    let twin = crate::model::relation::twins(&q.classes, &rows);
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
            layer = next_layer(&m, &q.classes, false, &layer);
        }
    }
}
