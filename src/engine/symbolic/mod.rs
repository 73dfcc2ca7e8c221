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
//! allPodsEventuallyRun, a drain under way all along for drainCompletes). Both use the urgent or interleaved timing policy and canonical
//! choice among identical nodes, as the explicit engine does.
//!
//! With `--prove`, the queries that prove intents for every run length: the reachable states
//! as an invariant, checked state by state (`reachable.rs`), k-induction (`induction.rs`) and
//! the recurrence diameter (`diameter.rs`). The explicit engine only proposes (paths, state
//! sets) and the portfolio (`engine::portfolio`) decides which of these queries are asked, in
//! which order and for how long; a proof is claimed only on what Z3 checked, except that an
//! exhaustive concrete search for the longest path without a repeated state settles the
//! diameter, and that kbmc looks up the invariant's states up to a renaming of identical nodes
//! (docs/induction.md).
//!
//! The parts: `frame.rs` (frames of constants), `unroll.rs` (the unroller), `round.rs` (the
//! rounds of `--semantics step`), `lasso.rs`,
//! `bmc.rs` (the bounded queries a check deepens through), `hint.rs` (witness runs as hints),
//! `decode.rs`, `probe/` (labels no run enables, layer lemmas), `ground.rs` (evaluation of
//! ground terms), `solver.rs` (parameters and counters), `dump.rs`. It must not decide a
//! verdict from several answers, nor which queries a check asks, in which order or for how
//! long (a frame's probes excepted: `probe/`): `engine::portfolio` does.

mod bmc;
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
mod reachable;
mod round;
mod solver;
mod unroll;
mod watchdog;

pub(crate) use bmc::{base_certificate, Bmc, Outcome};
pub(crate) use diameter::{simple_path_certificate, Simple};
pub use dump::{dump, successors, DumpStart, Unbuilt};
pub use hints::Hints;
pub(crate) use induction::{certificates, invariant, Invariant, Step as InductionStep, StepCase};
pub(crate) use reachable::Closure;
pub use solver::{fresh_context, queries, Answer};
use unroll::Unrolling;

use crate::domain::{Concrete, Symbolic};
use crate::model::{registry, ClusterState, Controller, Model};

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
    /// Prove intents for every run length (the reachable-state invariant in `reachable.rs`,
    /// k-induction in `induction.rs`, completeness at the recurrence diameter in
    /// `diameter.rs`, in the order `engine::portfolio` gives), and with `certificates` return
    /// each proof's queries as SMT-LIB.
    pub prove: Option<Prove>,
    /// Before each frame, ask the solver which kinds of step no run of that length enables,
    /// and leave them out (`probe/`). Changes no answer, only the time to it.
    pub probe: bool,
    /// What one frame of a bounded check's unrolling is: one step, or a round of
    /// independent steps (`--semantics`).
    pub semantics: Semantics,
}

/// What one frame of the unrolling fires (`--semantics`, docs/encoding.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Semantics {
    /// One step per frame: a bound of k frames is k steps.
    #[default]
    Interleaved,
    /// A round per frame: any set of enabled steps that are pairwise independent (and
    /// leave a higher pass and every monitor's first stage as a single step would), which
    /// every order of them runs to the same state. Bounded checks of safety intents only:
    /// lassos and proofs keep interleaved frames.
    Step,
}

impl Options {
    /// A query to `max_depth` steps with no time limits and nothing to prove (dumps,
    /// successor enumeration, tests).
    pub(crate) fn plain(max_depth: usize) -> Options {
        Options {
            max_depth,
            timeout_ms: 0,
            budget: None,
            incremental: Incremental::Assumptions,
            all: true,
            prove: None,
            probe: false,
            semantics: Semantics::Interleaved,
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

/// What every query of one check shares: the model, the options, the symbolic controllers,
/// the classes of identical nodes (for canonical choice) and the initial states.
pub struct Query<'a> {
    pub(crate) m: &'a Model,
    pub(crate) opts: &'a Options,
    reg: Vec<Box<dyn Controller<Symbolic>>>,
    pub(crate) classes: Vec<usize>,
    pub(crate) inits: &'a [ClusterState<Concrete>],
}

impl<'a> Query<'a> {
    pub fn new(m: &'a Model, opts: &'a Options, inits: &'a [ClusterState<Concrete>]) -> Query<'a> {
        Query { m, opts, reg: registry::<Symbolic>(), classes: crate::model::relation::symmetry_classes(m), inits }
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
