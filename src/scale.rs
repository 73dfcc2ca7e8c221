//! The scaling loop (`kbmc scale`): covers every topology the spec's ranges allow, up to the
//! confident size (`bounds.maxNodesPerPool`, `bounds.maxPodsPerNode`), one cluster size at a
//! time, smallest first, and stops at the first size with a violation, which it then shrinks
//! to the topology with the fewest pods. Owns the order of the queries and what their results
//! add up to; must not print (the caller gets each size's row through a callback) and must not
//! know how an engine searches.
//!
//! An autoscaled pool's size in a topology is its size at start (`count`); in every run the
//! cluster autoscaler may move it within `autoscaling`, and the statement says so.
//!
//! A size's query covers all its topologies at once: the engine starts from all of their
//! initial states (nodes outside a topology are absent: their `present` bit is off). With
//! `enumerate`, every topology is its own query instead, run in parallel with rayon; each
//! worker builds, solves and decodes on its own thread and returns plain data.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::domain::Concrete;
use crate::engine::{explicit, portfolio, symbolic};
use crate::model::{ClusterState, Model, Topology};
use crate::verdict::{CheckResult, Verdict};

/// Which engine answers each query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Explicit,
    Symbolic,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Explicit => "explicit",
            Engine::Symbolic => "symbolic",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub engine: Engine,
    /// Largest pool size covered (each pool's range is cut here).
    pub max_nodes_per_pool: i64,
    /// Replicas are covered up to this many per node of the topology.
    pub max_pods_per_node: i64,
    /// Steps each query explores.
    pub steps: usize,
    /// Explicit engine: states per query before it gives up.
    pub max_states: usize,
    /// Symbolic engine: per-query timeout in milliseconds (0: none).
    pub timeout_ms: u64,
    /// Time for the whole loop; sizes not reached are not claimed.
    pub budget: Option<Duration>,
    /// One query per topology, in parallel, instead of one per size.
    pub enumerate: bool,
    /// Symbolic engine: prove each size's intents for every run length (`check --prove`).
    pub prove: Option<symbolic::Prove>,
    /// Symbolic engine: what one frame of a bounded query fires.
    pub semantics: symbolic::Semantics,
}

impl Options {
    /// The explicit engine's options for one query: every intent decided, symmetry on, every
    /// enabled step (`scale` offers no partial-order reduction).
    fn explicit(&self) -> explicit::Options {
        explicit::Options {
            max_depth: self.steps,
            max_states: self.max_states,
            symmetry: true,
            reduction: false,
            all: true,
        }
    }

    /// The symbolic engine's options for one query, with `left` of the loop's time.
    fn symbolic(&self, left: Option<Duration>) -> symbolic::Options {
        symbolic::Options {
            max_depth: self.steps,
            timeout_ms: self.timeout_ms,
            budget: left,
            incremental: Default::default(),
            all: true,
            prove: self.prove,
            probe: true,
            semantics: self.semantics,
        }
    }
}

/// What one cluster size's query found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No violation; `every_run`: in runs of any length, because every reachable state of
    /// every topology was explored (explicit engine) or every intent was proved (symbolic
    /// engine with `prove`), not only within `Level::depth` steps.
    Holds {
        every_run: bool,
    },
    Violated,
    Unknown(String),
}

/// One row of the output: a cluster size and its query.
#[derive(Clone, Debug)]
pub struct Level {
    /// Nodes in the cluster (all pools).
    pub nodes: i64,
    pub topologies: usize,
    /// Steps within which the result holds (the deepest step explored).
    pub depth: usize,
    pub outcome: Outcome,
    pub seconds: f64,
}

/// What the whole loop established.
#[derive(Clone, Debug)]
// One per run, moved a few times: boxing the check to keep the enum small buys nothing.
#[allow(clippy::large_enum_variant)]
pub enum Conclusion {
    /// The smallest violating topology (fewest nodes, then fewest pods) and the check of it,
    /// whose violated intents carry their traces.
    Violated { topology: Topology, described: String, result: CheckResult },
    /// No violation in any covered topology: `statement` says exactly which and how deep.
    Holds { statement: String },
    /// A size could not be decided: `statement` says what was covered before it.
    Unknown { statement: String },
}

#[derive(Clone, Debug)]
pub struct ScaleResult {
    pub model: String,
    pub engine: &'static str,
    pub levels: Vec<Level>,
    pub conclusion: Conclusion,
    pub seconds: f64,
}

impl ScaleResult {
    pub fn exit_code(&self) -> i32 {
        match self.conclusion {
            Conclusion::Violated { .. } => crate::exit::VIOLATED,
            Conclusion::Holds { .. } => crate::exit::HOLDS,
            Conclusion::Unknown { .. } => crate::exit::INCONCLUSIVE,
        }
    }
}

/// The topologies covered up to the confident size, with at least one node, smallest first
/// (nodes, then pods, then pool sizes).
pub fn covered_topologies(m: &Model, opts: &Options) -> Vec<Topology> {
    let mut ts: Vec<Topology> = within_pool_cap(m, opts)
        .filter(|t| {
            // Replicas up to maxPodsPerNode per node, but never below what the spec requires.
            let cap = opts.max_pods_per_node * t.nodes();
            t.replicas.iter().zip(&m.ir.deployments).all(|(&r, d)| r <= cap.max(d.replicas.min))
        })
        .collect();
    ts.sort_by_key(|t| (t.nodes(), t.pods(), t.sizes.clone(), t.replicas.clone()));
    ts
}

/// The topologies of the spec with at least one node and no pool above the cap.
fn within_pool_cap(m: &Model, opts: &Options) -> impl Iterator<Item = Topology> {
    let cap = opts.max_nodes_per_pool.max(0);
    m.topologies().into_iter().filter(move |t| t.nodes() >= 1 && t.sizes.iter().all(|&s| s <= cap))
}

/// Runs the loop. `on_level` sees each size's row as soon as it is decided.
pub fn run(m: &Model, opts: &Options, mut on_level: impl FnMut(&Level)) -> ScaleResult {
    let start = Instant::now();
    let all = covered_topologies(m, opts);
    let engine = opts.engine.name();
    let mut levels = Vec::new();
    let mut done: Vec<&Topology> = Vec::new();
    let mut depth_all = usize::MAX;
    let mut every_run_all = true;
    let finish = |levels, conclusion| ScaleResult {
        model: m.ir.name.clone(),
        engine,
        levels,
        conclusion,
        seconds: start.elapsed().as_secs_f64(),
    };
    if all.is_empty() {
        let statement =
            "no topology to check: every pool range is empty or above bounds.maxNodesPerPool, or allows no node at all"
                .to_string();
        return finish(levels, Conclusion::Unknown { statement });
    }
    // Whether the per-node cap on replicas left out topologies the spec's ranges allow.
    let capped = within_pool_cap(m, opts).count() > all.len();
    let statement = |done: &[&Topology], depth, every_run| {
        let mut s = covered(m, opts.engine, done, depth, every_run);
        if capped && !done.is_empty() {
            s.push_str(&format!(", replicas at most {} per node", opts.max_pods_per_node));
        }
        s
    };
    let mut i = 0;
    while i < all.len() {
        let nodes = all[i].nodes();
        let j = all[i..].iter().position(|t| t.nodes() != nodes).map_or(all.len(), |p| i + p);
        let level = &all[i..j];
        let left = opts.budget.map(|b| b.saturating_sub(start.elapsed()));
        if left.is_some_and(|l| l.is_zero()) {
            let statement = format!(
                "the time limit ran out before clusters of {}; {}",
                crate::count(nodes, "node", "nodes"),
                statement(&done, depth_all, every_run_all)
            );
            return finish(levels, Conclusion::Unknown { statement });
        }
        let asked = Instant::now();
        let (outcome, depth, found) = query(m, opts, level, left);
        let row = Level {
            nodes,
            topologies: level.len(),
            depth,
            outcome: outcome.clone(),
            seconds: asked.elapsed().as_secs_f64(),
        };
        on_level(&row);
        levels.push(row);
        match outcome {
            Outcome::Violated => {
                let (mut topology, mut result) = found.expect("a violated query returns its result");
                // Shrink: ask again among the topologies of this size with fewer pods.
                loop {
                    let fewer: Vec<Topology> = level.iter().filter(|t| t.pods() < topology.pods()).cloned().collect();
                    if fewer.is_empty() {
                        break;
                    }
                    let left = opts.budget.map(|b| b.saturating_sub(start.elapsed()));
                    match query(m, opts, &fewer, left) {
                        (Outcome::Violated, _, Some((t, r))) => {
                            topology = t;
                            result = r;
                        }
                        // No violation (or no answer) with fewer pods: keep the one found, which
                        // the caller sees as the smallest *found*; the rows show the sizes.
                        _ => break,
                    }
                }
                let described = m.describe_topology(&topology);
                return finish(levels, Conclusion::Violated { topology, described, result });
            }
            Outcome::Unknown(reason) => {
                let statement = format!(
                    "clusters of {} are undecided ({reason}); {}",
                    crate::count(nodes, "node", "nodes"),
                    statement(&done, depth_all, every_run_all)
                );
                return finish(levels, Conclusion::Unknown { statement });
            }
            Outcome::Holds { every_run } => {
                depth_all = depth_all.min(depth);
                every_run_all &= every_run;
                done.extend(level.iter());
            }
        }
        i = j;
    }
    let statement = statement(&done, depth_all, every_run_all);
    finish(levels, Conclusion::Holds { statement })
}

/// One query over `topologies` (or one per topology with `enumerate`): the outcome, the depth
/// it holds within, and for a violation the violating topology with the fewest pods and its
/// check result.
fn query(
    m: &Model,
    opts: &Options,
    topologies: &[Topology],
    left: Option<Duration>,
) -> (Outcome, usize, Option<(Topology, CheckResult)>) {
    let results: Vec<CheckResult> = if opts.enumerate {
        topologies.par_iter().map(|t| check(m, opts, &[m.topology_state(t)], left)).collect()
    } else {
        let inits: Vec<ClusterState<Concrete>> = topologies.iter().map(|t| m.topology_state(t)).collect();
        vec![check(m, opts, &inits, left)]
    };
    let mut violated: Vec<(Topology, CheckResult)> = Vec::new();
    let mut unknown = None;
    let mut depth = usize::MAX;
    let mut every_run = true;
    for r in results {
        let mut first: Option<Topology> = None;
        for ir in &r.results {
            match &ir.verdict {
                Verdict::Violated(t) => {
                    let top = m.topology_of(&t.states[0]);
                    if first.as_ref().is_none_or(|f| top.pods() < f.pods()) {
                        first = Some(top);
                    }
                }
                Verdict::Unknown { reason } => {
                    unknown.get_or_insert_with(|| format!("{}: {reason}", ir.name));
                }
                // An exhaustive search or a proof holds at every depth: it does not lower the bound.
                Verdict::Holds { exhaustive: true, .. } | Verdict::Proved { .. } => {}
                Verdict::Holds { steps, exhaustive: false } => {
                    depth = depth.min(*steps);
                    every_run = false;
                }
            }
        }
        if let Some(t) = first {
            violated.push((t, r));
        }
    }
    if depth == usize::MAX {
        depth = opts.steps;
    }
    if let Some(best) = violated.into_iter().min_by_key(|(t, _)| (t.pods(), t.sizes.clone(), t.replicas.clone())) {
        return (Outcome::Violated, depth, Some(best));
    }
    match unknown {
        Some(reason) => (Outcome::Unknown(reason), depth, None),
        None => (Outcome::Holds { every_run }, depth, None),
    }
}

fn check(m: &Model, opts: &Options, inits: &[ClusterState<Concrete>], left: Option<Duration>) -> CheckResult {
    match opts.engine {
        Engine::Explicit => explicit::check_from(m, &opts.explicit(), inits),
        Engine::Symbolic => portfolio::check_from(m, &opts.symbolic(left), inits),
    }
}

/// "no violation within k steps (or: in any run) for every cluster with <pool> a..b nodes, …
/// and <deployment> c..d replicas (at most p per node)": the ranges of `done`, exactly.
fn covered(m: &Model, engine: Engine, done: &[&Topology], depth: usize, every_run: bool) -> String {
    if done.is_empty() {
        return "no cluster size was covered".into();
    }
    let range = |f: &dyn Fn(&Topology) -> i64| {
        let lo = done.iter().map(|t| f(t)).min().unwrap_or(0);
        let hi = done.iter().map(|t| f(t)).max().unwrap_or(0);
        if lo == hi {
            lo.to_string()
        } else {
            format!("{lo}..{hi}")
        }
    };
    let pools: Vec<String> =
        m.ir.pools
            .iter()
            .enumerate()
            .map(|(p, pool)| {
                let size = noun(range(&|t: &Topology| t.sizes[p]), "node", "nodes");
                match pool.autoscaling {
                    // The size a run starts from; the cluster autoscaler moves it within its range.
                    Some(a) => format!("{} {size} at start (autoscaled within {}..{})", pool.name, a.min, a.max),
                    None => format!("{} {size}", pool.name),
                }
            })
            .collect();
    let deps: Vec<String> = m
        .ir
        .deployments
        .iter()
        .enumerate()
        .map(|(d, dep)| format!("{} {}", dep.name, noun(range(&|t: &Topology| t.replicas[d]), "replica", "replicas")))
        .collect();
    let nodes = range(&|t: &Topology| t.nodes());
    let how = if every_run {
        match engine {
            Engine::Explicit => "in any run (every reachable state explored)".to_string(),
            Engine::Symbolic => "in any run (every intent proved for every run length)".to_string(),
        }
    } else {
        format!("within {depth} steps")
    };
    format!(
        "no violation {how} for every cluster with {} ({} in all) and {} ({})",
        pools.join(", "),
        noun(nodes, "node", "nodes"),
        deps.join(", "),
        crate::count(done.len() as i64, "topology", "topologies")
    )
}

/// A count or range with its noun: singular only for exactly one (`1 node`, `1..3 nodes`).
fn noun(range: String, one: &str, many: &str) -> String {
    let word = if range == "1" { one } else { many };
    format!("{range} {word}")
}
