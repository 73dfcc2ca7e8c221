//! The symbolic engine: the transition relation unrolled in Z3, frame by frame, on one solver
//! (incremental deepening under assumption literals), a step selector per frame, constants
//! propagated from the initial state (docs/encoding.md), and for each safety intent the query
//! "is a violating state reachable in exactly k steps". The only engine that drives Z3. Every
//! counterexample is decoded into the same Trace the explicit engine produces and replayed on
//! the concrete semantics by the caller before it is reported.
//!
//! Safety intents: "a violating state is reachable in exactly k steps". Cycle intents: a
//! lasso — some earlier frame l equals frame k (S_l = S_k) and the watched change happens
//! on a step inside the loop (an eviction for noEvictionCycle, waiting pods all along for
//! allPodsEventuallyRun). Both use the urgent or interleaved timing policy and canonical
//! choice among identical nodes, as the explicit engine does.
//!
//! With `--prove`, intents are also proved for every run length: in `induction.rs` by the
//! reachable states as an invariant (checked state by state) or by k-induction, and here by
//! completeness at the recurrence diameter (the query "k steps without a repeated state",
//! helped by the explicit engine's search for such paths). The explicit engine only proposes
//! (paths, state sets); a proof is claimed only on what Z3 checked, except that an exhaustive
//! concrete search for the longest path without a repeated state settles the diameter, and
//! that kbmc looks up the invariant's states up to a renaming of identical nodes
//! (docs/induction.md).

mod decode;
mod diameter;
mod dump;
mod frame;
mod ground;
mod hint;
pub mod hints;
mod induction;
mod lasso;
mod probe;
mod solver;
mod unroll;

use std::time::Instant;

use z3::ast::{Ast, Bool};
use z3::SatResult;

use decode::decode;
use diameter::{simple_path_query, Simple};
pub use dump::{dump, successors, DumpStart};
use frame::{equal, fields, frame, lift, values, Fields, Values};
use hint::hinted;
pub use hints::Hints;
pub use solver::Answer;
use solver::{params, rlimit_count, set_timeout, statistics};
use unroll::Unrolling;

use crate::domain::{Concrete, Symbolic};
use crate::ir::Intent;
use crate::model::{intents, registry, ClusterState, Controller, Model, Step};
use crate::trace::Trace;
use crate::verdict::{CheckResult, Effort, IntentResult, Proof, Verdict};

#[derive(Clone, Debug)]
pub struct Options {
    /// Unroll at most this many steps.
    pub max_depth: usize,
    /// Per-query timeout in milliseconds (0: none).
    pub timeout_ms: u64,
    /// Stop deepening once this much time is spent (intents still open become unknown).
    pub budget: Option<std::time::Duration>,
    /// How each depth's query is posed on the one solver.
    pub incremental: Incremental,
    /// Decide every intent. Without it deepening stops at the first violation found, and
    /// intents still open then are reported unknown, with the reason.
    pub all: bool,
    /// Prove intents for every run length (the reachable-state invariant and k-induction in
    /// `induction.rs`, completeness at the recurrence diameter here), and with `certificates`
    /// return each proof's queries as SMT-LIB.
    pub prove: Option<Prove>,
    /// Before each frame, ask the solver which kinds of step no run of that length enables,
    /// and leave them out (`probe/`). Changes no answer, only the time to it.
    pub probe: bool,
}

impl Options {
    /// A query to `max_depth` steps with no time limits and nothing to prove (dumps,
    /// successor enumeration, tests).
    fn plain(max_depth: usize) -> Options {
        Options {
            max_depth,
            timeout_ms: 0,
            budget: None,
            incremental: Incremental::Assumptions,
            all: true,
            prove: None,
            probe: false,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Prove {
    pub certificates: bool,
    /// States a depth-first search over the concrete semantics may expand looking for the
    /// longest path without a repeated state (0: none; the solver alone bounds the diameter).
    pub diameter_search: usize,
}

/// Two ways to ask "violated at depth k?" on one solver that keeps the unrolling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Incremental {
    /// `push`, assert the negated intent, `check`, `pop`.
    PushPop,
    /// Assert `q_k -> negated intent` once for a fresh literal `q_k` and check under the
    /// assumption `q_k` (no scope: lemmas learnt stay). The default: up to 2.6x faster on
    /// proofs (C3-fixed to depth 8: 10 s against 26 s; docs/encoding.md).
    #[default]
    Assumptions,
}

/// The time a query may take: the per-query timeout and `left` (what the time limit allows),
/// whichever is smaller; `None` when neither bounds it.
fn query_ms(opts: &Options, left: Option<u64>) -> Option<u64> {
    match (opts.timeout_ms > 0, left) {
        (true, Some(l)) => Some(opts.timeout_ms.min(l)),
        (true, None) => Some(opts.timeout_ms),
        (false, l) => l,
    }
}

/// What every query of one check shares: the model, the options, the symbolic controllers,
/// the classes of identical nodes (for canonical choice) and the initial states.
struct Query<'a> {
    m: &'a Model,
    opts: &'a Options,
    reg: Vec<Box<dyn Controller<Symbolic>>>,
    classes: Vec<usize>,
    inits: &'a [ClusterState<Concrete>],
}

impl<'a> Query<'a> {
    fn new(m: &'a Model, opts: &'a Options, inits: &'a [ClusterState<Concrete>]) -> Query<'a> {
        Query { m, opts, reg: registry::<Symbolic>(), classes: crate::engine::explicit::symmetry_classes(m), inits }
    }

    /// An unrolling from the initial states.
    fn unroll(&self) -> Unrolling {
        Unrolling::from_inits(self.m, self.opts, self.inits)
    }

    /// Adds one step to `u`.
    fn extend(&self, u: &mut Unrolling) {
        u.extend(self.m, &self.reg, &self.classes);
    }

    /// Extends `u` until it has frames 0..=k.
    fn extend_to(&self, u: &mut Unrolling, k: usize) {
        u.extend_to(self.m, &self.reg, &self.classes, k);
    }
}

/// Checks every intent by bounded model checking from every topology the spec allows, in one
/// query (see `check_from`).
pub fn check(m: &Model, opts: &Options) -> CheckResult {
    check_from(m, opts, &m.initial_states())
}

/// Checks every intent by bounded model checking from `inits`, all in one query: frame 0 is
/// any one of them (`Unrolling::from_inits`), so a verdict covers every one of them.
pub fn check_from(m: &Model, opts: &Options, inits: &[ClusterState<Concrete>]) -> CheckResult {
    let start = Instant::now();
    let q = Query::new(m, opts, inits);
    let creg = registry::<Concrete>();
    let ni = m.ir.intents.len();
    let mut results: Vec<Option<Verdict>> = vec![None; ni];
    let mut depth_reached = 0;
    let mut certificates = Vec::new();
    let solver_effort;
    {
        let mut u = q.unroll();
        // Without cycle intents no query needs a step that changes nothing (`self_loops`).
        u.self_loops = m.ir.intents.iter().any(Intent::is_cycle);
        if opts.probe {
            u.prober = Some(probe::Prober::new(inits));
        }
        // The longest query of the last depth: a probe may take as long (at least 0.1 s;
        // `probe/`).
        let mut last_query_ms: u64 = 0;
        // k-induction: the invariant its step cases may assume, and one step case per safety
        // intent (`induction.rs`).
        // What the time limit leaves, divided by `share` (in milliseconds).
        let left =
            |share: u128| opts.budget.map(|b| (b.saturating_sub(start.elapsed()).as_millis() / share).max(1) as u64);
        // Safety intents: the states an explicit search reaches, if it finishes within the
        // search budget, as an invariant that Z3 checks state by state. Tried first: one
        // small query per reachable state costs less than bounded checking to the diameter
        // on every bundled case (C3-fixed: 1 s against 7 s), and it needs no diameter.
        if let Some(p) = opts.prove.filter(|_| any_safety_open(m, &results)) {
            let timeout = || query_ms(opts, left(4));
            let found = induction::reachable_states(&q, p, &timeout);
            for (i, cert) in found {
                if results[i].is_none() {
                    results[i] = Some(Verdict::Proved { k: 0, by: Proof::Invariant });
                    certificates.extend(cert);
                }
            }
        }
        // The longest path without a repeated state that a bounded depth-first search over the
        // concrete semantics finds, and whether the search enumerated every such path (then it
        // is the recurrence diameter, and bounded checking one step beyond it is complete).
        let (witnessed, diameter_exact) = if opts.prove.is_some() && results.iter().any(Option::is_none) {
            let budget = opts.prove.map_or(0, |p| p.diameter_search);
            let (len, exact) = if budget > 0 {
                crate::engine::explicit::longest_simple_path(m, inits, budget, opts.max_depth)
            } else {
                (0, false)
            };
            log::debug!("longest path without a repeated state found concretely: {len} steps (exact: {exact})");
            (len, exact)
        } else {
            (0, false)
        };
        // k-induction is needed only where the diameter is unknown: on the bundled cases its
        // step queries cost far more than bounded checking up to a known diameter.
        let inv = (opts.prove.is_some() && any_safety_open(m, &results) && !diameter_exact).then(|| {
            // At most an eighth of the time limit: the bounded check and the recurrence
            // diameter (which prove more of the bundled cases) must still get their share.
            induction::invariant(&q, query_ms(opts, left(8)))
        });
        match &inv {
            Some(Err(why)) => log::warn!("k-induction without an invariant: {why}"),
            Some(Ok(inv)) => log::info!(target: crate::PROGRESS, "k-induction: {}", inv.describe()),
            None => {}
        }
        let inv = inv.and_then(Result::ok);
        let mut steps: Vec<Option<induction::StepCase>> = (0..ni)
            .map(|i| {
                (opts.prove.is_some() && !diameter_exact && !m.ir.intents[i].is_cycle() && results[i].is_none())
                    .then(|| induction::StepCase::new(m, opts, i, inv.as_ref()))
            })
            .collect();
        // With --prove: the recurrence-diameter query, on the bounded check's solver.
        let mut simple = opts.prove.map(|_| Simple::new());
        'deepen: for k in 0..=opts.max_depth {
            if k > 0 {
                u.probe_budget = probe::Budget { query_ms: last_query_ms, deadline: opts.budget.map(|b| start + b) };
                last_query_ms = 0;
                q.extend(&mut u);
            }
            depth_reached = k;
            // The run's time or memory limit (`crate::limits`), which may have cut the
            // unrolling of this frame short: nothing of it is asked.
            if let Some(why) = crate::limits::stopped() {
                for r in results.iter_mut().filter(|r| r.is_none()) {
                    *r = Some(Verdict::Unknown {
                        reason: format!(
                            "{why} was reached at depth {k} of {}: no violation within {} step(s), longer runs not covered",
                            opts.max_depth,
                            k.saturating_sub(1)
                        ),
                    });
                }
                break 'deepen;
            }
            if opts.budget.is_some_and(|b| start.elapsed() > b) {
                let spent = start.elapsed().as_secs_f64();
                for r in results.iter_mut().filter(|r| r.is_none()) {
                    *r = Some(Verdict::Unknown {
                        reason: format!(
                            "the time limit ran out after {spent:.0} s: no violation within {} step(s), depth {k} not finished (raise --time-limit, or try --engine explicit)",
                            k.saturating_sub(1)
                        ),
                    });
                }
                break 'deepen;
            }
            for i in 0..ni {
                if results[i].is_some() {
                    continue;
                }
                let intent = &m.ir.intents[i];
                let mut loops = if intent.is_cycle() { u.lasso(m, intent, k) } else { Vec::new() };
                // Loop starts whose frame shares no state with frame k by their layer lemmas
                // are left out of the query (`Prober::apart`).
                if let Some(p) = &u.prober {
                    for (l, lp) in loops.iter_mut().enumerate() {
                        if p.apart(l, k, &equal(&u.frames[l], &u.frames[k])) {
                            *lp = Bool::from_bool(false);
                        }
                    }
                }
                let bad =
                    if intent.is_cycle() { Bool::or(&loops) } else { intents::violated(&Symbolic, m, &u.frames[k], i) };
                // The query may not outlast the time budget.
                let timeout = left(1).and_then(|l| query_ms(opts, Some(l)));
                if let Some(ms) = timeout {
                    set_timeout(&u.solver, ms);
                }
                let asked = Instant::now();
                let r0 = rlimit_count(&u.solver);
                // What the query assumes: nothing inside push/pop, else its literal.
                let query = match opts.incremental {
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
                // Frame k's layer lemma refutes the query outright where no state of the layer
                // violates the intent (`Prober::refuted`).
                let by_lemma = if intent.is_cycle() {
                    bad.simplify().as_bool() == Some(false)
                } else {
                    u.prober.as_ref().is_some_and(|p| p.refuted(k, &bad))
                };
                let hint = if by_lemma { None } else { hinted(&q, &u, i, k, &loops, timeout) };
                let answer = if by_lemma {
                    SatResult::Unsat
                } else if hint.is_some() {
                    SatResult::Sat
                } else {
                    u.solver.check_assumptions(&query)
                };
                log::debug!(
                    "depth {k}, {}: {answer:?} in {:.3} s, rlimit {}",
                    intent.name(),
                    asked.elapsed().as_secs_f64(),
                    rlimit_count(&u.solver) - r0
                );
                last_query_ms = last_query_ms.max(asked.elapsed().as_millis() as u64);
                match answer {
                    SatResult::Sat => {
                        let model = hint.unwrap_or_else(|| u.solver.get_model().expect("sat gives a model"));
                        let states: Vec<ClusterState<Concrete>> = u.frames.iter().map(|f| decode(&model, f)).collect();
                        let steps: Vec<Step> = u
                            .selectors
                            .iter()
                            .map(|s| {
                                let v = model.eval(s, true).and_then(|v| v.as_i64()).expect("selector value") as usize;
                                u.labels.get(v).copied().unwrap_or(crate::engine::explicit::STUTTER)
                            })
                            .collect();
                        let mut t = Trace::new(m, &creg, states, steps);
                        if intent.is_cycle() {
                            t.loop_start =
                                loops.iter().position(|l| model.eval(l, true).and_then(|v| v.as_bool()) == Some(true));
                        } else {
                            t.violation =
                                Some(intents::explain(m, intent, t.states.last().expect("a trace has states")));
                        }
                        results[i] = Some(Verdict::Violated(t));
                    }
                    SatResult::Unsat => {
                        // No violation within k steps (the base case); try the step case.
                        if let Some(sc) = steps[i].as_mut() {
                            // A step query may take an eighth of what is left (it gives up for good
                            // when it times out), so deepening goes on after it.
                            let asked = Instant::now();
                            let step = sc.check(&q, k, query_ms(opts, left(8)));
                            log::debug!(
                                "depth {k}, {}: step case in {:.3} s",
                                intent.name(),
                                asked.elapsed().as_secs_f64()
                            );
                            match step {
                                induction::Step::Proved => {
                                    results[i] = Some(Verdict::Proved { k, by: Proof::Induction });
                                    if opts.prove.is_some_and(|p| p.certificates) {
                                        certificates.extend(induction::certificates(
                                            &q,
                                            i,
                                            k,
                                            &sc.distinct,
                                            inv.as_ref(),
                                        ));
                                    }
                                }
                                induction::Step::NotYet => {}
                                induction::Step::Unknown(why) => {
                                    log::info!(target: crate::PROGRESS, "{}: {why}; bounded checking goes on", intent.name());
                                    steps[i] = None;
                                }
                            }
                        }
                    }
                    SatResult::Unknown => {
                        let reason = u.solver.get_reason_unknown().unwrap_or_else(|| "no reason given".into());
                        let reason = if opts.budget.is_some_and(|b| start.elapsed() >= b) {
                            format!(
                                "the time limit ran out at depth {k}: no violation within {} step(s) (raise --time-limit, or try --engine explicit)",
                                k.saturating_sub(1)
                            )
                        } else {
                            format!(
                                "Z3 gave up at depth {k} (no violation within {} step(s)): {reason}",
                                k.saturating_sub(1)
                            )
                        };
                        results[i] = Some(Verdict::Unknown { reason });
                    }
                }
                if opts.incremental == Incremental::PushPop {
                    u.solver.pop(1);
                }
                // A safety intent refuted at depth k holds in every state of frame k: kept as a
                // fact for the deeper queries (implied by the unrolling, so it changes no
                // answer; it saves the solver re-deriving it: C4 reaches depth 18-20 in 20 s
                // against 17).
                if answer == SatResult::Unsat && !intent.is_cycle() {
                    u.solver.assert(bad.not());
                }
                if !opts.all && matches!(results[i], Some(Verdict::Violated(_))) {
                    for r in results.iter_mut().filter(|r| r.is_none()) {
                        *r = Some(Verdict::Unknown {
                            reason: format!(
                                "not decided: the check stopped at the first violation, found at step {k} (no violation of it within {} step(s)); --all decides every intent",
                                k.saturating_sub(1)
                            ),
                        });
                    }
                    break 'deepen;
                }
            }
            if results.iter().all(Option::is_some) {
                break 'deepen;
            }
            // Completeness by the recurrence diameter: when no path of k steps from an initial
            // state visits k + 1 distinct states, every reachable state lies on a path of at
            // most k - 1 steps and every reachable lasso (a simple stem and a simple cycle
            // through the watched step) closes within k steps, so the bounded checks at
            // depths 0..=k, all unsatisfiable for the intents still open, decide them for
            // every run length. The distinctness constraints sit behind one literal, added as
            // frames are, so that the bounded queries do not see them.
            // A real path of k steps without a repeated state answers the query at k already.
            if let Some(sp) = simple.as_mut().filter(|_| k > witnessed) {
                let asked = Instant::now();
                // A search that enumerated every path without a repeated state knows the
                // answer; Z3 is asked only beyond what the search saw (on these models it takes
                // minutes to refute what the search enumerates in milliseconds).
                let answer = if diameter_exact { SatResult::Unsat } else { sp.check(&u, k, query_ms(opts, left(2))) };
                log::debug!(
                    "depth {k}, simple path of {k} steps: {answer:?} in {:.3} s ({} distinct pair(s) asserted)",
                    asked.elapsed().as_secs_f64(),
                    sp.distinct.len()
                );
                match answer {
                    SatResult::Unsat => {
                        for i in 0..ni {
                            if results[i].is_none() {
                                results[i] = Some(Verdict::Proved { k, by: Proof::Complete });
                                if opts.prove.is_some_and(|p| p.certificates) {
                                    let name = m.ir.intents[i].name();
                                    let base = base_query(&q, i, k);
                                    certificates.push((format!("{name}-base-k{k}.smt2"), base.solver.to_smt2()));
                                }
                            }
                        }
                        if opts.prove.is_some_and(|p| p.certificates) {
                            certificates
                                .push((format!("no-simple-path-k{k}.smt2"), simple_path_query(&q, k).solver.to_smt2()));
                        }
                        break 'deepen;
                    }
                    SatResult::Sat => {}
                    SatResult::Unknown => {
                        let why = u.solver.get_reason_unknown().unwrap_or_else(|| "no reason given".into());
                        log::info!(target: crate::PROGRESS, "the recurrence-diameter query at k = {k} gave up ({why}); bounded checking goes on");
                        simple = None;
                    }
                }
            }
            if start.elapsed().as_secs() >= 1 {
                log::info!(
                    target: crate::PROGRESS,
                    "depth {k} of {}: no violation of {} open intent(s) yet ({:.1} s)",
                    opts.max_depth,
                    results.iter().filter(|r| r.is_none()).count(),
                    start.elapsed().as_secs_f64()
                );
            }
        }
        // The unrolling's solver, and the side checks and hints beside it.
        let (c, d) = statistics(&u.solver);
        let (pc, pd) = u.prober.as_ref().map_or((0, 0), |p| p.effort.get());
        solver_effort = (c + pc, d + pd);
    }
    let results =
        m.ir.intents
            .iter()
            .zip(results)
            .map(|(intent, v)| IntentResult {
                name: m.ir.intent_label(intent),
                kivi_name: intent.kivi_name(),
                verdict: v.unwrap_or(Verdict::Holds { steps: depth_reached, exhaustive: false }),
            })
            .collect();
    CheckResult {
        certificates,
        model: m.ir.name.clone(),
        results,
        effort: Effort {
            engine: "symbolic",
            states: 0,
            transitions: 0,
            depth: depth_reached,
            seconds: start.elapsed().as_secs_f64(),
            conflicts: solver_effort.0,
            decisions: solver_effort.1,
        },
    }
}

/// Whether some safety intent is still undecided.
fn any_safety_open(m: &Model, results: &[Option<Verdict>]) -> bool {
    m.ir.intents.iter().zip(results).any(|(i, r)| !i.is_cycle() && r.is_none())
}

/// The base query of intent `i` at `k`, unsatisfiable when no run from `inits` violates it
/// within `k` steps: for a safety intent a violating state at some depth `0..=k`, for a cycle
/// intent a lasso closing at some depth `1..=k`.
fn base_query(q: &Query, i: usize, k: usize) -> Unrolling {
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
