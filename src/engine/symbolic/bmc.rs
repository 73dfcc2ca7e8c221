//! Bounded model checking on one unrolling, which the portfolio drives depth by depth:
//! the unrolling deepened one frame at a time (the probes before a frame may take as long as
//! the longest query of the depth before), and per intent the query "violated at exactly
//! depth k" (for a cycle intent, a lasso closing at k) asked on the one solver under an
//! assumption literal or inside push/pop, refuted by a layer lemma or answered through a
//! witness hint where one can, a model decoded into a Trace, and a refuted safety query kept
//! as a fact for the deeper ones. Also the base query in one piece, for certificates. It must
//! not decide which intents are asked, when deepening stops, or what an answer makes of a
//! verdict (`engine::portfolio` does).

use std::time::Instant;

use z3::ast::{Ast, Bool, Dynamic};
use z3::SatResult;

use super::decode::decode;
use super::diameter::Simple;
use super::hint::hinted;
use super::probe::Accepts;
use super::solver::{check, rlimit_count, set_timeout, statistics, Answer};
use super::unroll::Unrolling;
use super::{probe, Incremental, Query};
use crate::domain::{Concrete, Symbolic};
use crate::engine::witnesses::Witnesses;
use crate::ir::Intent;
use crate::model::intents::{Property, StepKind, Watch};
use crate::model::{intents, registry, ClusterState, Controller, Step};
use crate::trace::Trace;

/// One bounded check: the unrolling from the initial states, on its one solver.
pub struct Bmc<'a> {
    q: &'a Query<'a>,
    u: Unrolling,
    creg: Vec<Box<dyn Controller<Concrete>>>,
    /// The longest query of the last depth: a probe may take as long (at least 0.1 s;
    /// `probe/`).
    last_query_ms: u64,
    /// Per cycle intent, per frame, per state of its layer lemma: the value a lasso of it
    /// watches (`loop_values_to`).
    loop_values: Vec<Vec<Option<Vec<i64>>>>,
}

/// What the query of one intent at one depth showed.
pub enum Outcome {
    /// A run from an initial state violates it in exactly k steps (or closes a lasso there).
    Violated(Trace),
    /// No run does.
    Refuted,
    /// Z3 gave up, for this reason.
    Unknown(String),
}

/// A query asked and not closed yet ([`Bmc::close`]), with its terms: they are freed when it
/// is closed, in the order of these fields (when terms are freed changes the ids later terms
/// get: see `Unrolling::extend`).
pub struct Pending {
    /// The query's assumption literal, when it has one.
    _query: Vec<Bool>,
    bad: Bool,
    _loops: Vec<Bool>,
    /// A safety intent refuted at this depth: kept as a fact when the query is closed.
    refuted_safety: bool,
}

impl<'a> Bmc<'a> {
    /// The unrolling's frame 0, probed with `witnesses` (the explicit engine's, from the
    /// same initial states) where given.
    pub fn new(q: &'a Query<'a>, witnesses: Option<Witnesses>) -> Bmc<'a> {
        let creg = registry::<Concrete>();
        let mut u = q.unroll();
        if let Err(why) = u.choose_frames(q.m, q.opts.semantics, q.inits.first()) {
            // Said once per run: a check made of parts builds a `Bmc` per part, for one reason.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| log::warn!("--semantics step not applied: {why}"));
        }
        if let Some(w) = witnesses {
            let mut p = probe::Prober::new(w);
            p.keep_edges = u.self_loops;
            // Rounds are probed only with round lemmas, which need every reachable state.
            if u.rounds.is_none() || p.reach_all(q, &u.labels) {
                u.prober = Some(p);
            }
        }
        Bmc { q, u, creg, last_query_ms: 0, loop_values: vec![Vec::new(); q.m.ir.intents.len()] }
    }

    /// Adds the next frame; the probes before it may take as long as the longest query of
    /// the depth before, and end by `deadline`.
    pub fn deepen(&mut self, deadline: Option<Instant>) {
        self.u.probe_budget = probe::Budget { query_ms: self.last_query_ms, deadline };
        self.last_query_ms = 0;
        self.q.extend(&mut self.u);
    }

    /// Asks whether intent `i` is violated at depth `k` (the last frame), in at most
    /// `timeout_ms()` (asked once the query is built) where given. The query stays open until
    /// [`close`](Self::close).
    pub fn ask(&mut self, i: usize, k: usize, timeout_ms: &dyn Fn() -> Option<u64>) -> (Outcome, Pending) {
        let m = self.q.m;
        let intent = &m.ir.intents[i];
        let mut loops = if intent.is_cycle() { self.u.lasso(m, intent, k) } else { Vec::new() };
        // Loop starts whose frame shares no state with frame k by their layer lemmas are left
        // out of the query (`Prober::apart`), and so are those from which the steps between
        // the layer lemmas lead back to no state they started from along a loop the intent's
        // watch accepts (`Prober::no_loop_through`).
        let watch = match intents::property(intent) {
            Property::Cycle(w @ (Watch::EveryState | Watch::Rises { .. })) => Some(w),
            _ => None,
        };
        if watch.is_some() {
            self.loop_values_to(i, k);
        }
        let (q, u) = (self.q, &self.u);
        if let Some(p) = &u.prober {
            let values = &self.loop_values[i];
            // Per transition j < k: the selector values of the steps the watch names, once for
            // every loop start (each reads its own transitions, from l on).
            let by: Vec<Option<&[i64]>> = match watch {
                Some(Watch::Rises { by, .. }) => (0..k)
                    .map(|j| match by {
                        Some(StepKind::Evicts) => Some(&u.evicting_choices[j][..]),
                        Some(StepKind::Preempts) => Some(&u.preempting_choices[j][..]),
                        None => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (l, lp) in loops.iter_mut().enumerate() {
                let accepts = match watch {
                    Some(Watch::Rises { .. }) => Some(Accepts::Rises(&by[l..])),
                    Some(_) => Some(Accepts::EveryState),
                    None => None,
                };
                if p.apart(l, k, || u.closes(l, k))
                    || accepts.is_some_and(|a| p.no_loop_through(l, k, &values[l..=k], &a))
                {
                    *lp = Bool::from_bool(false);
                }
            }
        }
        let bad = if intent.is_cycle() { Bool::or(&loops) } else { intents::violated(&Symbolic, m, &u.frames[k], i) };
        // An unrolling the run's limit cut short allows runs the model does not: nothing is
        // asked of it.
        if u.cut {
            let why = crate::limits::stopped().map_or_else(|| "a limit".into(), |s| s.to_string());
            let outcome = Outcome::Unknown(format!("{why} cut the unrolling short"));
            return (outcome, Pending { _query: Vec::new(), bad, _loops: loops, refuted_safety: false });
        }
        // Frame k's layer lemma refutes the query outright where no state of the layer
        // violates the intent (`Prober::refuted`).
        let by_lemma = if intent.is_cycle() {
            bad.simplify().as_bool() == Some(false)
        } else {
            u.prober.as_ref().is_some_and(|p| p.refuted(k, &bad))
        };
        // The solver is asked: with every layer lemma so far (before a push, so that they
        // outlive the query).
        if !by_lemma {
            self.u.assert_lemmas();
        }
        let u = &self.u;
        // The query may not outlast the time budget.
        let timeout_ms_now = timeout_ms;
        let timeout_ms = timeout_ms_now();
        if let Some(ms) = timeout_ms {
            set_timeout(&u.solver, ms);
        }
        let asked = Instant::now();
        let r0 = rlimit_count(&u.solver);
        // What the query assumes: nothing inside push/pop, else its literal.
        let query = match q.opts.incremental {
            Incremental::PushPop => {
                u.solver.push();
                u.solver.assert(&bad);
                Vec::new()
            }
            Incremental::Assumptions => {
                let lit = Bool::new_const(format!("query.{i}@{k}"));
                u.solver.assert(lit.implies(&bad));
                vec![lit]
            }
        };
        // A witness run that violates the intent is offered to a fresh solver first
        // (`hinted`). Only the search is guided: a violation is still a model of this
        // query, and every shallower depth was refuted by the solver.
        let hint = if by_lemma { None } else { hinted(q, u, i, k, &loops, timeout_ms) };
        let answer = if by_lemma {
            SatResult::Unsat
        } else if hint.is_some() {
            SatResult::Sat
        } else {
            // The hint's check took part of what was left: asked again, so that the two
            // together stay within it.
            if let Some(ms) = timeout_ms.and(timeout_ms_now()) {
                set_timeout(&u.solver, ms);
            }
            check(&u.solver, &query)
        };
        log::debug!(
            "depth {k}, {}: {answer:?} in {:.3} s, rlimit {}",
            intent.name(),
            asked.elapsed().as_secs_f64(),
            rlimit_count(&u.solver) - r0
        );
        self.last_query_ms = self.last_query_ms.max(asked.elapsed().as_millis() as u64);
        let outcome = match answer {
            SatResult::Sat => {
                let model = hint.unwrap_or_else(|| u.solver.get_model().expect("sat gives a model"));
                Outcome::Violated(self.trace(&model, intent, &loops))
            }
            SatResult::Unsat => Outcome::Refuted,
            SatResult::Unknown => Outcome::Unknown(self.reason_unknown()),
        };
        let refuted_safety = answer == SatResult::Unsat && !intent.is_cycle();
        (outcome, Pending { _query: query, bad, _loops: loops, refuted_safety })
    }

    /// Per frame up to `k` with a layer lemma, per state of it, what cycle intent `i`'s lasso
    /// watches there (`None`: not known), each frame evaluated once: for a loop of bad states
    /// only, whether the state is bad (0/1); for a rising measure, the measure.
    fn loop_values_to(&mut self, i: usize, k: usize) {
        let (m, u) = (self.q.m, &self.u);
        let Some(p) = u.prober.as_ref() else { return };
        let intent = &m.ir.intents[i];
        let known = &mut self.loop_values[i];
        for j in known.len()..=k {
            let term = match intents::property(intent) {
                Property::Cycle(Watch::Rises { measure, .. }) => {
                    Dynamic::from_ast(&measure.value(&Symbolic, m, &u.frames[j]))
                }
                _ => Dynamic::from_ast(
                    &intents::loop_state(&Symbolic, m, &u.frames[j], intent).expect("a loop-state intent"),
                ),
            };
            known.push(p.values_at(j, &term));
        }
    }

    /// The run a model of the query at the last frame describes, as a Trace: its loop start
    /// for a cycle intent, what it violates for a safety intent.
    fn trace(&self, model: &z3::Model, intent: &Intent, loops: &[Bool]) -> Trace {
        let (m, u) = (self.q.m, &self.u);
        let states: Vec<ClusterState<Concrete>> = u.frames.iter().map(|f| decode(model, f)).collect();
        if u.rounds.is_some() {
            return self.serialised(model, intent, &states);
        }
        let steps: Vec<Step> = u
            .selectors
            .iter()
            .map(|s| {
                let v = model.eval(s, true).and_then(|v| v.as_i64()).expect("selector value") as usize;
                u.labels.get(v).copied().unwrap_or(crate::model::relation::STUTTER)
            })
            .collect();
        let mut t = Trace::new(m, &self.creg, states, steps);
        if intent.is_cycle() {
            t.loop_start = loops.iter().position(|l| model.eval(l, true).and_then(|v| v.as_bool()) == Some(true));
        } else {
            t.violation = Some(intents::explain(m, intent, t.states.last().expect("a trace has states")));
        }
        t
    }

    /// Under step semantics, the run a model describes as interleaved steps: each round's
    /// fired steps in label order (every order of them reaches the round's state), the states
    /// between them worked out on the concrete semantics from the round's first state, and the
    /// round's last state the solver's frame. The caller replays it as any run, which checks
    /// that each round's last step reaches the solver's state: a round whose steps did not
    /// compose as the encoding says fails there, and the violating state is the solver's.
    fn serialised(&self, model: &z3::Model, intent: &Intent, rounds: &[ClusterState<Concrete>]) -> Trace {
        let (m, u) = (self.q.m, &self.u);
        let mut states = vec![rounds[0].clone()];
        let mut steps = Vec::new();
        for (k, fired) in u.fired.iter().enumerate() {
            let taken: Vec<Step> = fired
                .iter()
                .filter(|(_, f)| model.eval(f, true).and_then(|v| v.as_bool()) == Some(true))
                .map(|(l, _)| u.labels[*l])
                .collect();
            let mut st = rounds[k].clone();
            for (i, s) in taken.iter().enumerate() {
                st = if i + 1 == taken.len() {
                    rounds[k + 1].clone()
                } else {
                    intents::observe(&Concrete, m, self.creg[s.actor as usize].update(&Concrete, m, s, &st))
                };
                states.push(st.clone());
                steps.push(*s);
            }
        }
        let mut t = Trace::new(m, &self.creg, states, steps);
        t.violation = Some(intents::explain(m, intent, t.states.last().expect("a trace has states")));
        t
    }

    /// Closes a query [`ask`](Self::ask) left open. A safety intent refuted at depth k holds
    /// in every state of frame k: kept as a fact for the deeper queries (implied by the
    /// unrolling, so it changes no answer; it saves the solver re-deriving it: C4 reaches
    /// depth 18-20 in 20 s against 17).
    pub fn close(&mut self, pending: Pending) {
        if self.q.opts.incremental == Incremental::PushPop {
            self.u.solver.pop(1);
        }
        if pending.refuted_safety {
            self.u.solver.assert(pending.bad.not());
        }
    }

    /// The recurrence-diameter query at `k` on this unrolling's solver (see [`Simple`]).
    pub fn simple_path(&mut self, sp: &mut Simple, k: usize, timeout_ms: Option<u64>) -> Answer {
        self.u.assert_lemmas();
        sp.check(&self.u, k, timeout_ms).into()
    }

    /// Whether every run has ended by the last frame: the unrolling allows no step past an
    /// earlier frame, so every query at this depth and deeper is unsatisfiable.
    pub fn ended(&self) -> bool {
        self.u.ended && !self.u.cut
    }

    /// Whether the frames are rounds of independent steps (step semantics applied).
    pub fn rounds(&self) -> bool {
        self.u.rounds.is_some()
    }

    /// Why the solver last answered unknown.
    pub fn reason_unknown(&self) -> String {
        self.u.solver.get_reason_unknown().unwrap_or_else(|| "no reason given".into())
    }

    /// Z3's conflicts and decisions: the unrolling's solver, and the side checks and hints
    /// beside it.
    pub fn effort(&self) -> (u64, u64) {
        let (c, d) = statistics(&self.u.solver);
        let (pc, pd) = self.u.prober.as_ref().map_or((0, 0), |p| p.effort.get());
        (c + pc, d + pd)
    }
}

/// The base query of intent `i` at `k`, unsatisfiable when no run from `inits` violates it
/// within `k` steps: for a safety intent a violating state at some depth `0..=k`, for a cycle
/// intent a lasso closing at some depth `1..=k`.
pub(super) fn base_query(q: &Query, i: usize, k: usize) -> Unrolling {
    let m = q.m;
    let mut u = q.unroll();
    q.extend_to(&mut u, k);
    let intent = &m.ir.intents[i];
    let bad: Vec<Bool> = if intent.is_cycle() {
        (1..=k).flat_map(|j| u.lasso(m, intent, j)).collect()
    } else {
        (0..=k).map(|j| intents::violated(&Symbolic, m, &u.frames[j], i)).collect()
    };
    u.solver.assert(Bool::or(&bad));
    u
}

/// The base query of intent `i` at `k` as SMT-LIB (a certificate: unsatisfiable).
pub fn base_certificate(q: &Query, i: usize, k: usize) -> String {
    base_query(q, i, k).solver.to_smt2()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::symbolic::{Options, Query, Semantics};
    use crate::model::testkit::{deployment, model};

    /// Under step semantics one frame takes independent steps together: from two
    /// Deployments with no pods yet, frame 1 may be a state no single step reaches (both
    /// ReplicaSets' pods created), and every such state is one that both creations, one after
    /// the other, reach. Interleaved, frame 1 is always one step's successor.
    #[test]
    fn a_round_fires_independent_steps_together() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  intents: [{type: podAlwaysSchedulable}]\n";
        let m = model(&format!("{}{}{spec}", deployment("a", 1, "1", "1Gi", ""), deployment("b", 1, "1", "1Gi", "")));
        let inits = m.initial_states();
        let creg = registry::<Concrete>();
        let labels = crate::model::all_steps(&m, &creg);
        let s0 = &inits[0];
        let one_step: Vec<ClusterState<Concrete>> = crate::model::relation::enabled(&m, &creg, &labels, &[], false, s0)
            .iter()
            .map(|s| intents::observe(&Concrete, &m, creg[s.actor as usize].update(&Concrete, &m, s, s0)))
            .collect();
        assert!(one_step.len() >= 2, "{} steps enabled at the start", one_step.len());
        for (semantics, beyond) in [(Semantics::Interleaved, false), (Semantics::Step, true)] {
            let opts = Options { semantics, ..Options::plain(1) };
            let q = Query::new(&m, &opts, &inits);
            let mut bmc = Bmc::new(&q, None);
            assert_eq!(bmc.rounds(), semantics == Semantics::Step);
            bmc.deepen(None);
            let u = &bmc.u;
            for st in &one_step {
                u.solver.assert(super::super::frame::equal(&u.frames[1], &super::super::frame::lift(st)).not());
            }
            let found = u.solver.check() == SatResult::Sat;
            assert_eq!(found, beyond, "{semantics:?}");
            if found {
                let model = u.solver.get_model().expect("a model");
                let t = bmc.trace(&model, &m.ir.intents[0], &[]);
                assert_eq!(t.steps.len(), 2, "{:?}", t.steps);
                assert_eq!(t.states.last().map(|s| s.pack()), Some(decode(&model, &u.frames[1]).pack()));
                crate::trace::replay(&m, &creg, &t).expect("the serialised round replays");
            }
        }
    }
}
