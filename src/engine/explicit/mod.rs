//! The explicit-state engine: breadth-first search over concrete states (so counterexamples
//! are shortest), a visited set of packed states, the timing policy, symmetry reduction over
//! identical nodes and interchangeable Deployments, and cycle detection on the explored graph
//! for cycle intents. It is the reference the symbolic engine is cross-checked against. It
//! must not know any controller: it sees only guards, updates, classes and the step labels of
//! the registry; and it asks no solver. What is enabled in a state (the timing policy, the
//! stutter, canonical choice among identical nodes) is the model's step relation
//! (`model::relation`), which the symbolic engine unrolls too.
//!
//! The parts: `search.rs` (the search loop), `store.rs` (the visited set), `graph.rs` (the
//! explored graph), `symmetry.rs` (each expanded state's twins), `deployments.rs`
//! (interchangeable Deployments), `por.rs` (partial-order reduction), `cycles.rs` (lassos on
//! the graph), `trace.rs` (runs from graph paths), `check.rs` (verdicts); for the portfolio,
//! `diameter.rs` (the longest path without a repeated state).

mod check;
mod cycles;
mod deployments;
mod diameter;
mod graph;
pub mod hints;
mod search;
mod store;
mod symmetry;
mod trace;

pub use check::{check, check_from, check_within};
pub use deployments::Deployments;
pub use diameter::longest_simple_path;
pub use graph::{path_to, Edges, Graph};
pub use hints::Hints;
pub use search::{expand_again, explore, explore_from};
pub use store::Store;

/// Works out what every explicit search with `opts` of `m` and of its parts (`crate::parts`)
/// shares, so that no search spends its own time on it: the classes of interchangeable
/// Deployments (`Model::deployment_classes`), where such a search renames them.
pub fn prepare(m: &crate::model::Model, opts: &Options) {
    search::symmetric_deployments(m, opts);
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Steps from an initial state beyond which states are not expanded.
    pub max_depth: usize,
    /// States beyond which the search gives up (verdicts then say unknown where unproven).
    pub max_states: usize,
    /// Explore only the lowest-index node among identical ones (same pool, same static facts,
    /// same state) for a step, and — unless an actor's outcome depends on node order
    /// ([`Controller::uses_node_order`](crate::model::Controller::uses_node_order)) — store
    /// each state once up to a renaming of identical nodes. Traces are always real runs of the
    /// model.
    pub symmetry: bool,
    /// Partial-order reduction (por.rs): in a state, take only an ample set of the enabled
    /// steps where the others cannot interfere with it nor be seen by an intent. Only
    /// [`check`] uses it (other searches need every reachable state).
    pub reduction: bool,
    /// Decide every intent. Without it the search stops at the first safety violation it
    /// meets, and intents it has not decided by then are reported unknown, with the reason.
    pub all: bool,
}
