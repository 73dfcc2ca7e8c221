//! The portfolio: how kbmc combines its engines into one check of every intent with the
//! symbolic engine (`kbmc check` by default, `kbmc compare`'s symbolic half, each query of
//! `kbmc scale --engine symbolic`). It owns which engine is asked what, in which order, with
//! what share of the time limit (`shares.rs`), what the explicit engine hands the symbolic
//! one, and what the answers make of each verdict:
//!
//! 0. `kbmc check` (the default engine, [`check_explicit_first`]): the explicit engine's check
//!    first, with symmetry, on at most `--explicit-states` states and half the time limit
//!    (`first.rs`, ADR 0006). Its verdicts stand where its search finished: a violation (its
//!    run is replayed before it is reported), "holds" where every state within the step bound
//!    was explored (worded as the explicit engine words it), and without `--all` everything
//!    once it found a violation. Only the intents it left open go through the steps below;
//!    with `--prove` its violations stand, and its "holds" where it reached every reachable
//!    state (unless certificates are asked for). `compare` and `scale` start at step 1, the
//!    symbolic engine in full.
//! 1. With `--prove`, the explicit engine first: the states it reaches, if its search finishes
//!    within `--diameter-search` states, handed to the symbolic engine as an invariant that
//!    Z3 checks state by state (`reachable.rs`). One small query per reachable state costs
//!    less than bounded checking to the diameter on every bundled case (C3-fixed: 1 s
//!    against 7 s), and it needs no diameter.
//! 2. The explicit engine's longest path without a repeated state: a lower bound on the
//!    recurrence diameter, and the diameter itself when its search enumerated every such
//!    path (bounded checking one step beyond it is then complete).
//! 3. k-induction, only where the diameter is unknown (on the bundled cases its step queries
//!    cost far more than bounded checking up to a known diameter): the symbolic engine's
//!    invariant candidates, and a step case per open safety intent.
//! 4. Bounded model checking, one depth after another on one solver (`deepen.rs`), each
//!    refuted depth followed by the step case, and with `--prove` the recurrence-diameter
//!    query, which Z3 is asked only beyond the paths the explicit search saw. With probing
//!    on (the default), the witnesses (`engine::witnesses`: every state
//!    of each depth while they are few, then random runs) go with the unrolling: the symbolic
//!    engine advances them frame by frame, and their states answer probes, become layer
//!    lemmas once Z3 confirms them, and offer runs as hints.
//!
//! From step 1 on, a proof is claimed only on what Z3 checked, except that an exhaustive
//! concrete search for the longest path without a repeated state settles the diameter
//! (docs/induction.md). It
//! must not import z3 or pose a query (the symbolic engine does), nor expand a state itself
//! (it asks the explicit engine).

mod deepen;
mod first;
mod reachable;
mod shares;

pub use first::{check_explicit_first, explicit_options};

use std::time::Instant;

use shares::Shares;

use crate::domain::Concrete;
use crate::engine::explicit;
use crate::engine::symbolic::{self, Bmc, Invariant, Options, Query, Simple, StepCase};
use crate::model::{ClusterState, Model};
use crate::verdict::{CheckResult, Effort, IntentResult, Proof, Verdict};

/// Checks every intent from every topology the spec allows, in one query (see
/// [`check_from`]).
pub fn check(m: &Model, opts: &Options) -> CheckResult {
    check_from(m, opts, &m.initial_states())
}

/// Checks every intent on the runs from `inits`, all in one query: the symbolic engine's
/// frame 0 is any one of them, so a verdict covers every one of them.
pub fn check_from(m: &Model, opts: &Options, inits: &[ClusterState<Concrete>]) -> CheckResult {
    check_open(m, opts, inits, vec![None; m.ir.intents.len()])
}

/// [`check_from`] on the intents `decided` leaves open (`None`); the others keep the verdict
/// they have (the explicit search's, in `first.rs`).
fn check_open(
    m: &Model,
    opts: &Options,
    inits: &[ClusterState<Concrete>],
    decided: Vec<Option<Verdict>>,
) -> CheckResult {
    let start = Instant::now();
    let asked = symbolic::queries();
    // Past the run's limit nothing would be asked: the unrolling is not even begun (on a
    // large cluster its first frame and witnesses take a while).
    if let Some(why) = crate::limits::stopped() {
        let reason = format!("{why} was reached before the symbolic engine started: no query asked");
        let results = decided.into_iter().map(|v| Some(v.unwrap_or(Verdict::Unknown { reason: reason.clone() })));
        return result(m, results.collect(), Vec::new(), 0, (0, 0, false), start, 0);
    }
    let (results, certificates, depth, effort) = symbolic::fresh_context(|| {
        let q = Query::new(m, opts, inits);
        let mut c = Check::new(&q, Shares::new(opts, start));
        c.results = decided;
        c.prove_by_reachable_states();
        c.search_diameter();
        c.prepare_induction();
        // With --prove: the recurrence-diameter query, on the bounded check's solver.
        c.simple = opts.prove.map(|_| Simple::new());
        c.deepen();
        let (conflicts, decisions) = c.bmc.effort();
        (c.results, c.certificates, c.depth_reached, (conflicts, decisions, c.bmc.rounds()))
    });
    result(m, results, certificates, depth, effort, start, symbolic::queries() - asked)
}

/// The check's result from the verdicts (`None`: holds at `depth`, the depth reached) and the
/// solver's work (conflicts, decisions, and whether the frames were rounds).
fn result(
    m: &Model,
    results: Vec<Option<Verdict>>,
    certificates: Vec<(String, String)>,
    depth: usize,
    (conflicts, decisions, rounds): (u64, u64, bool),
    start: Instant,
    queries: u64,
) -> CheckResult {
    let results =
        m.ir.intents
            .iter()
            .zip(results)
            .map(|(intent, v)| IntentResult {
                name: m.ir.intent_label(intent),
                kivi_name: intent.kivi_name(),
                verdict: v.unwrap_or(Verdict::Holds { steps: depth, exhaustive: false }),
                events_bound: m.events_bound,
            })
            .collect();
    CheckResult {
        events: None,
        certificates,
        model: m.ir.name.clone(),
        results,
        effort: Effort {
            engine: "symbolic",
            states: 0,
            transitions: 0,
            depth,
            seconds: start.elapsed().as_secs_f64(),
            conflicts,
            decisions,
            queries,
            reduced: None,
            rounds,
        },
    }
}

/// One check under way: the verdicts so far (`None`: open), what each engine has handed
/// over, and the bounded check.
///
/// The fields that hold solver terms come first, in the order they are dropped (when terms are
/// freed changes the ids later terms get: see `symbolic::Unrolling::extend`).
struct Check<'a> {
    simple: Option<Simple>,
    /// k-induction: one step case per safety intent it is tried on, and the invariant they
    /// may assume.
    steps: Vec<Option<StepCase>>,
    inv: Option<Invariant>,
    bmc: Bmc<'a>,
    m: &'a Model,
    opts: &'a Options,
    q: &'a Query<'a>,
    shares: Shares<'a>,
    results: Vec<Option<Verdict>>,
    certificates: Vec<(String, String)>,
    depth_reached: usize,
    /// The longest path without a repeated state the explicit search found, and whether it is
    /// the recurrence diameter.
    witnessed: usize,
    diameter_exact: bool,
}

impl<'a> Check<'a> {
    fn new(q: &'a Query<'a>, shares: Shares<'a>) -> Check<'a> {
        let (m, opts) = (q.m, q.opts);
        let ni = m.ir.intents.len();
        Check {
            simple: None,
            steps: (0..ni).map(|_| None).collect(),
            inv: None,
            bmc: Bmc::new(
                q,
                opts.probe.then(|| {
                    crate::engine::witnesses::Witnesses::new(q.inits, crate::engine::witnesses::layer_for(q.inits))
                }),
            ),
            m,
            opts,
            q,
            shares,
            results: vec![None; ni],
            certificates: Vec::new(),
            depth_reached: 0,
            witnessed: 0,
            diameter_exact: false,
        }
    }

    /// Whether some safety intent is still undecided.
    fn any_safety_open(&self) -> bool {
        self.m.ir.intents.iter().zip(&self.results).any(|(i, r)| !i.is_cycle() && r.is_none())
    }

    /// Safety intents: the states an explicit search reaches, if it finishes within the
    /// search budget, as an invariant that Z3 checks state by state (`reachable.rs`).
    fn prove_by_reachable_states(&mut self) {
        let Some(p) = self.opts.prove.filter(|_| self.any_safety_open()) else { return };
        let shares = self.shares;
        let timeout = || shares.of(shares::REACHABLE);
        let found =
            reachable::invariant(self.q, p, &timeout, &|| shares.reached() || crate::limits::stopped().is_some());
        for (i, cert) in found {
            if self.results[i].is_none() {
                self.results[i] = Some(Verdict::Proved { k: 0, by: Proof::Invariant });
                self.certificates.extend(cert);
            }
        }
    }

    /// The longest path without a repeated state that a bounded depth-first search over the
    /// concrete semantics finds, and whether the search enumerated every such path (then it
    /// is the recurrence diameter, and bounded checking one step beyond it is complete).
    fn search_diameter(&mut self) {
        if self.opts.prove.is_none() || self.results.iter().all(Option::is_some) {
            return;
        }
        let budget = self.opts.prove.map_or(0, |p| p.diameter_search);
        let (len, exact) = if budget > 0 {
            explicit::longest_simple_path(self.m, self.q.inits, budget, self.opts.max_depth)
        } else {
            (0, false)
        };
        log::debug!("longest path without a repeated state found concretely: {len} steps (exact: {exact})");
        (self.witnessed, self.diameter_exact) = (len, exact);
    }

    /// k-induction, where the diameter is unknown: the invariant (at most an eighth of the
    /// time limit: the bounded check and the recurrence diameter, which prove more of the
    /// bundled cases, must still get their share), and a step case per open safety intent.
    fn prepare_induction(&mut self) {
        let (m, opts) = (self.m, self.opts);
        let inv = (opts.prove.is_some() && self.any_safety_open() && !self.diameter_exact)
            .then(|| symbolic::invariant(self.q, self.shares.of(shares::INDUCTION)));
        match &inv {
            Some(Err(why)) => log::warn!("k-induction without an invariant: {why}"),
            Some(Ok(inv)) => log::info!(target: crate::PROGRESS, "k-induction: {}", inv.describe()),
            None => {}
        }
        self.inv = inv.and_then(Result::ok);
        for i in 0..m.ir.intents.len() {
            self.steps[i] = (opts.prove.is_some()
                && !self.diameter_exact
                && !m.ir.intents[i].is_cycle()
                && self.results[i].is_none())
            .then(|| StepCase::new(m, opts, i, self.inv.as_ref()));
        }
    }
}
