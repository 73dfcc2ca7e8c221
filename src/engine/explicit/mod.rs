//! The explicit-state engine: breadth-first search over concrete states (so counterexamples
//! are shortest), a visited set of packed states, the timing policy, symmetry reduction over
//! identical nodes, and cycle detection on the explored graph for cycle intents. It is the
//! reference the symbolic engine is cross-checked against. It must not know any controller:
//! it sees only guards, updates, classes and the step labels of the registry.

mod cycles;
mod diameter;
mod enabled;
mod graph;
pub mod hints;
mod memo;
mod store;
mod symmetry;
mod trace;

use std::collections::VecDeque;
use std::time::Instant;

pub use diameter::longest_simple_path;
pub use enabled::{enabled, enabled_ids, next_states};
use enabled::{enabled_into, EnabledBuf, LabelIndex};
pub use graph::{path_to, Edges, Graph};
pub use hints::Hints;
pub use store::Store;
use symmetry::Twins;
pub use symmetry::{node_classes, static_classes, symmetry_classes, twins};
use trace::trace_of;

use crate::domain::Concrete;
use crate::ir::Intent;
use crate::model::state::{Conditions, Fields, Scratch};
use crate::model::{all_steps, intents, registry, ClusterState, Controller, Model, Step};
use crate::verdict::{CheckResult, Effort, IntentResult, Verdict};

/// The label of a stutter step (nothing else can happen; time passes).
pub const STUTTER: Step = Step { actor: u8::MAX, op: 0, a: 0, b: 0, v: 0 };

#[derive(Clone, Debug)]
pub struct Options {
    /// Steps from an initial state beyond which states are not expanded.
    pub max_depth: usize,
    /// States beyond which the search gives up (verdicts then say unknown where unproven).
    pub max_states: usize,
    /// Explore only the lowest-index node among identical ones (same pool, same static facts,
    /// same state) for a step, and — unless an actor's outcome depends on node order
    /// ([`Controller::uses_node_order`]) — store each state once up to a renaming of identical
    /// nodes. Traces are always real runs of the model.
    pub symmetry: bool,
    /// Decide every intent. Without it the search stops at the first safety violation it
    /// meets, and intents it has not decided by then are reported unknown, with the reason.
    pub all: bool,
}

/// The fields a search stores: all but the node conditions that no step of the model can
/// change ([`Controller::node_conditions_changed`]) and in which no two initial states
/// differ, so that every reachable state has those of the first. With canonical forms
/// (`classes`) the nodes of each class must also have alike ones: renaming nodes then leaves
/// them as they are.
fn stored_fields(
    reg: &[Box<dyn Controller<Concrete>>],
    labels: &[Step],
    inits: &[ClusterState<Concrete>],
    classes: Option<&[Vec<usize>]>,
) -> Fields {
    let Some(first) = inits.first() else { return Fields::ALL };
    let mut kept = Conditions::NONE;
    for s in labels {
        kept = kept.with(reg[s.actor as usize].node_conditions_changed());
    }
    for i in inits {
        kept = kept.with(i.conditions_differing_from(first));
    }
    for c in classes.unwrap_or_default() {
        for &n in c {
            kept = kept.with(first.conditions_differing_between(n, c[0]));
        }
    }
    Fields { left_out: kept.others() }
}

/// A successor of the state being expanded: the state (not renamed yet), the key it is
/// looked up by, that key's hash, and whether it is renamed to be canonical (by `perm`, a
/// buffer kept from one expansion to the next, like the others).
struct Successor {
    state: ClusterState<Concrete>,
    key: Vec<i16>,
    hash: u64,
    renamed: bool,
    perm: Vec<usize>,
}

/// Explores the state graph breadth-first from every initial state.
pub fn explore(m: &Model, opts: &Options, on_state: impl FnMut(u32, &ClusterState<Concrete>) -> bool) -> Graph {
    explore_from(m, opts, &m.initial_states(), on_state)
}

/// Explores the state graph breadth-first from `inits`.
pub fn explore_from(
    m: &Model,
    opts: &Options,
    inits: &[ClusterState<Concrete>],
    mut on_state: impl FnMut(u32, &ClusterState<Concrete>) -> bool,
) -> Graph {
    explore_with(m, opts, inits, true, true, |id, st, _| on_state(id, st))
}

/// `explore_from`, storing states up to node renaming only when `canonical` allows it too,
/// and the transitions only with `keep_edges` (only cycles need them: on C8 at 9 nodes they
/// are 80 MB, more than the states). `on_state` is told each new state with the step that
/// first reached it from an expanded state (none for an initial state).
fn explore_with(
    m: &Model,
    opts: &Options,
    inits: &[ClusterState<Concrete>],
    canonical: bool,
    keep_edges: bool,
    mut on_state: impl FnMut(u32, &ClusterState<Concrete>, Option<&Step>) -> bool,
) -> Graph {
    let reg = registry::<Concrete>();
    let labels = all_steps(m, &reg);
    let classes = symmetry_classes(m);
    let renamable = node_classes(m);
    let canonical = (canonical && opts.symmetry && !renamable.is_empty()).then_some(renamable);
    let mut scratch = Scratch::default();
    let d = Concrete;
    let Some(first) = inits.first() else {
        panic!("model bug: a search needs at least one initial state");
    };
    let fields = stored_fields(&reg, &labels, inits, canonical.as_deref());
    let mut g = Graph {
        states: Store::of_fields(first, fields),
        canonical,
        origins: Vec::new(),
        labels: labels.clone(),
        parent: Vec::new(),
        depth: Vec::new(),
        edges: Edges::default(),
        stutters: Vec::new(),
        truncated: false,
        renamed_guards: 0,
        state_limit_at: None,
        stopped_at: None,
        transitions: 0,
        expanded: 0,
    };
    let mut queue = VecDeque::new();
    let mut stop = false;
    // Progress (a log line, no I/O here) at most once a second, after the first second.
    let started = Instant::now();
    let mut reported = started;
    let mut popped: u64 = 0;
    let mut key_buf: Vec<i16> = Vec::with_capacity(128);
    let mut parent_rows = Scratch::default();
    // The expanded state's key, which its successors' keys are patched from (with canonical
    // forms only: the nodes a step changed are known only there).
    let mut parent_key: Vec<i16> = Vec::new();
    for init in inits {
        // Successors are observed from their parents' monitors (intents::observe_after).
        debug_assert!(
            intents::observe(&d, m, init.clone()).monitor == init.monitor,
            "search bug: an initial state whose monitors were not observed"
        );
        let mut canon = init.clone();
        if let Some(c) = &g.canonical {
            canon.canonicalize(c, &mut scratch);
        }
        canon.pack_fields_into(None, fields, &mut key_buf);
        if let Some(id) = g.states.find(&key_buf) {
            g.origins.push((id, init.clone()));
            continue;
        }
        let id = g.states.insert(&key_buf);
        g.origins.push((id, init.clone()));
        stop |= !on_state(id, &canon, None);
        g.parent.push(None);
        g.depth.push(0);
        g.stutters.push(false);
        queue.push_back(id);
    }
    // The state being expanded, unpacked into one reused allocation, and its successor.
    let mut st = first.clone();
    // The expanded state's successors, reused from one expansion to the next.
    let mut succ: Vec<Successor> = Vec::new();
    let mut en = EnabledBuf::remembering(reg.len());
    let mut index = LabelIndex::of(m, &reg, &labels);
    index.rename_guards &= g.canonical.is_none();
    let mut expanded = Twins::new(m, opts, &classes);
    while let Some(u) = queue.pop_front() {
        if stop {
            g.truncated = true;
            break;
        }
        if let Some(why) = crate::limits::stopped() {
            g.truncated = true;
            g.stopped_at = Some((why, g.depth[u as usize] as usize));
            break;
        }
        popped += 1;
        if popped.is_multiple_of(4096) && reported.elapsed().as_secs() >= 1 {
            reported = Instant::now();
            log::info!(
                target: crate::PROGRESS,
                "depth {} of {}: {} states, {} transitions ({:.1} s)",
                g.depth[u as usize],
                opts.max_depth,
                g.states.len(),
                g.transitions,
                started.elapsed().as_secs_f64()
            );
        }
        debug_assert_eq!(u, g.expanded, "search bug: states expanded out of id order");
        g.expanded = u + 1;
        g.states.load(u, &mut st);
        // Its node rows (its successors' canonical forms start from them) and twins; with
        // canonical forms, its key too (its successors' keys are patched from it).
        if expanded.prepare(&st, g.canonical.as_deref(), &mut parent_rows) && g.canonical.is_some() {
            st.pack_fields_into(None, fields, &mut parent_key);
        }
        enabled_into(m, &reg, &index, &expanded.twin, &st, &mut en);
        // A limit passed while the guards were asked leaves them unfinished: not used.
        if let Some(why) = crate::limits::stopped() {
            g.truncated = true;
            g.stopped_at = Some((why, g.depth[u as usize] as usize));
            break;
        }
        if en.out.is_empty() {
            g.stutters[u as usize] = true;
            continue;
        }
        if g.depth[u as usize] as usize >= opts.max_depth {
            g.truncated = true;
            continue;
        }
        // Every successor first, each with its key and hash, prefetching its table slot; then
        // the stored keys those slots name; then the lookups. On a large store a lookup is
        // two cache misses in a row, and a state's successors are independent of one another,
        // so their misses overlap instead of adding up. Successors are still looked up and
        // stored in label order, so ids are those of a one-at-a-time search.
        let n = en.out.len();
        // States stored as reached: successors on a node of an actor that changes only that
        // node get keys patched from their parent's, packed once here where two or more do
        // (for one, packing the parent costs what it saves).
        let patched =
            g.canonical.is_none() && en.out.iter().filter(|&&li| index.patch[li as usize].is_some()).nth(1).is_some();
        if patched {
            st.pack_fields_into(None, fields, &mut parent_key);
        }
        while succ.len() < n {
            succ.push(Successor { state: first.clone(), key: Vec::new(), hash: 0, renamed: false, perm: Vec::new() });
        }
        for (&li, x) in en.out.iter().zip(&mut succ) {
            let s = labels[li as usize];
            x.state.copy_from(&st, fields);
            reg[s.actor as usize].update_into(&d, m, &s, &st, &mut x.state);
            debug_assert!(
                !x.state.conditions_differing_from(first).has(fields.left_out),
                "model bug: {s:?} changes node conditions"
            );
            intents::observe_after(m, &st, &mut x.state);
            // Looked up by the key of its canonical renaming; only a state kept is renamed.
            // Its key is its parent's with the nodes the step changed or the renaming moved
            // written over (a step changes few nodes, and a renaming moves few).
            match &g.canonical {
                Some(c) => {
                    let only = index.patch[li as usize];
                    x.renamed = x.state.canonical_order_after(&st, &parent_rows, c, only, &mut scratch);
                    let perm = x.renamed.then_some(scratch.perm.as_slice());
                    patch_key(&x.state, &parent_key, perm, &scratch.dirty, fields, &mut x.key, || {
                        "search bug: a successor's key patched from its parent's is not its key".into()
                    });
                    if x.renamed {
                        x.perm.clone_from(&scratch.perm);
                    }
                }
                None => {
                    x.renamed = false;
                    match index.patch[li as usize].filter(|_| patched) {
                        Some(node) => patch_key(&x.state, &parent_key, None, &[node], fields, &mut x.key, || {
                            format!("model bug: {s:?} changes another node than its own")
                        }),
                        None => x.state.pack_fields_into(None, fields, &mut x.key),
                    }
                }
            }
            x.hash = Store::hash(&x.key);
            g.states.prefetch(x.hash);
        }
        for x in &succ[..n] {
            g.states.prefetch_match(x.hash);
        }
        for (&li, x) in en.out.iter().zip(&mut succ) {
            g.transitions += 1;
            let v = match g.states.find_hashed(&x.key, x.hash) {
                Some(v) => v,
                None => {
                    if g.states.len() >= opts.max_states {
                        g.truncated = true;
                        g.state_limit_at = Some(g.depth[u as usize] as usize);
                        stop = true;
                        break;
                    }
                    let v = g.states.insert_hashed(&x.key, x.hash);
                    if x.renamed {
                        x.state.apply_renaming(&x.perm);
                    }
                    stop |= !on_state(v, &x.state, Some(&labels[li as usize]));
                    g.parent.push(Some((u, li)));
                    g.depth.push(g.depth[u as usize] + 1);
                    g.stutters.push(false);
                    queue.push_back(v);
                    v
                }
            };
            if keep_edges {
                g.edges.push(u, v, li);
            }
        }
    }
    g.renamed_guards = en.memo.iter().flatten().map(|memo| memo.renamed_hits).sum();
    g
}

/// Expands every state `g`'s search expanded again, without building a successor: unpacks
/// it, works out its node rows and twins, and asks its guards, as the search that made `g`
/// did (`m` and `opts` must be those of that search, with states stored in canonical forms
/// as [`explore`] stores them), and tells `each` the state and its enabled steps (indices
/// into `g.labels`). What this costs is what a search of `g`'s states spends on them before
/// it builds any successor: the `explicit` bench times it (`KBMC_BENCH_EXPAND_FLOOR`) as a
/// floor that no change to successors, keys or the visited set can go below.
pub fn expand_again(m: &Model, opts: &Options, g: &Graph, mut each: impl FnMut(u32, &[u32])) {
    let reg = registry::<Concrete>();
    let classes = symmetry_classes(m);
    let mut index = LabelIndex::of(m, &reg, &g.labels);
    index.rename_guards &= g.canonical.is_none();
    let mut en = EnabledBuf::remembering(reg.len());
    let mut expanded = Twins::new(m, opts, &classes);
    let (mut rows, mut st) = (Scratch::default(), g.states.get(0));
    for u in 0..g.expanded {
        g.states.load(u, &mut st);
        expanded.prepare(&st, g.canonical.as_deref(), &mut rows);
        enabled_into(m, &reg, &index, &expanded.twin, &st, &mut en);
        each(u, &en.out);
    }
}

/// Writes into `key` the key of `st` (renamed by `perm`) from `parent_key`, the key of a state
/// that differs from `st`'s renaming at most at `dirty` (positions of per-node values) and in
/// values that are not per node: only those are packed. Under debug assertions (the test
/// suite) the result is compared with the whole key, and `broken` says what went wrong.
fn patch_key(
    st: &ClusterState<Concrete>,
    parent_key: &[i16],
    perm: Option<&[usize]>,
    dirty: &[usize],
    fields: Fields,
    key: &mut Vec<i16>,
    broken: impl FnOnce() -> String,
) {
    key.clear();
    key.extend_from_slice(parent_key);
    st.pack_dirty_into(perm, dirty, fields, key);
    if cfg!(debug_assertions) {
        let mut whole = Vec::new();
        st.pack_fields_into(perm, fields, &mut whole);
        assert!(*key == whole, "{}", broken());
    }
}

/// Checks every intent of the model.
pub fn check(m: &Model, opts: &Options) -> CheckResult {
    check_from(m, opts, &m.initial_states())
}

/// Checks every intent on the runs from `inits` (one search covers all of them).
pub fn check_from(m: &Model, opts: &Options, inits: &[ClusterState<Concrete>]) -> CheckResult {
    let start = Instant::now();
    check_with(m, opts, inits, true, start).unwrap_or_else(|| {
        // Only an actor that depends on node order without saying so gets here; searching
        // again without renaming costs time, never correctness.
        log::warn!("a counterexample over renamed nodes did not map back to a run; searching again without renaming");
        check_with(m, opts, inits, false, start).expect("traces without renaming are paths of the graph")
    })
}

/// The verdict of an intent left open because the check stopped at a violation found at
/// depth `d` (every state within `d - 1` steps was checked against safety intents).
fn not_decided(d: u32, safety: bool) -> Verdict {
    let within =
        if safety { format!(" (no violation of it within {} step(s))", d.saturating_sub(1)) } else { String::new() };
    Verdict::Unknown {
        reason: format!(
            "not decided: the check stopped at the first violation, found at step {d}{within}; --all decides every intent"
        ),
    }
}

fn check_with(
    m: &Model,
    opts: &Options,
    inits: &[ClusterState<Concrete>],
    canonical: bool,
    start: Instant,
) -> Option<CheckResult> {
    let d = Concrete;
    let reg = registry::<Concrete>();
    let ni = m.ir.intents.len();
    let mut first_bad: Vec<Option<u32>> = vec![None; ni];
    let safety: Vec<usize> = (0..ni).filter(|&i| !m.ir.intents[i].is_cycle()).collect();
    let all_safety = safety.len() == ni;
    // Cycle intents, and replica oscillation (shown as a cycle where one exists), read the
    // transitions; safety intents and traces need only each state's parent.
    let cycles = m.ir.intents.iter().any(|i| i.is_cycle() || matches!(i, Intent::NoReplicaOscillation { .. }));
    let mut failed_fast = false;
    let g = explore_with(m, opts, inits, canonical, cycles, |id, st, by| {
        let placed = by.is_some_and(|s| hints::of(&*reg[s.actor as usize]).keeps_pod_placement(s));
        for &i in &safety {
            if first_bad[i].is_some() {
                continue;
            }
            // The state it was reached from did not violate `i` (else `first_bad[i]` would be
            // set): where the step kept what `i` reads, neither does this one.
            if placed && intents::reads_only_placement(&m.ir.intents[i]) {
                debug_assert!(
                    !intents::violated(&d, m, st, i),
                    "model bug: {by:?} keeps pod placement but changes whether a pending pod has a feasible node"
                );
                continue;
            }
            if intents::violated(&d, m, st, i) {
                first_bad[i] = Some(id);
            }
        }
        // Stop at the first violation unless every intent is to be decided; with --all, stop
        // early only when every intent is a safety intent and all are violated.
        if !opts.all && first_bad.iter().any(Option::is_some) {
            failed_fast = true;
            return false;
        }
        !(all_safety && first_bad.iter().all(Option::is_some))
    });
    // Stopped at a violation before the search was done: the depth it was found at.
    let stopped_at = failed_fast.then(|| first_bad.iter().flatten().map(|&v| g.depth[v as usize]).min()).flatten();
    let max_depth = g.depth.iter().copied().max().unwrap_or(0) as usize;
    let bound = max_depth.min(opts.max_depth);
    // A search a limit cut short covered every state within `d` steps, short of the bound
    // asked for: nothing holds at that bound, so what was covered is said as unknown.
    let cut = match (g.state_limit_at, g.stopped_at) {
        (Some(d), _) => Some((
            format!("the state limit of {} states (--max-states) was reached", opts.max_states),
            d,
            "raise --max-states",
        )),
        (None, Some((why, d))) => Some((
            format!("{why} was reached"),
            d,
            match why {
                crate::limits::Stop::Time(_) => "raise --time-limit",
                crate::limits::Stop::Memory(_) => "raise --max-memory, or lower --max-states",
            },
        )),
        (None, None) => None,
    };
    let holds = match &cut {
        Some((what, d, raise)) => Verdict::Unknown {
            reason: format!(
                "{what} at depth {d} of {}: no violation within {d} step(s), longer runs not covered ({raise})",
                opts.max_depth
            ),
        },
        None => Verdict::Holds { steps: if g.truncated { opts.max_depth } else { bound }, exhaustive: !g.truncated },
    };
    let cycle_unknown = cut.as_ref().map(|(what, d, raise)| Verdict::Unknown {
        reason: format!("{what} at depth {d} of {} before every cycle could be looked for ({raise})", opts.max_depth),
    });
    let results =
        m.ir.intents
            .iter()
            .enumerate()
            .map(|(i, intent)| {
                // Replica oscillation, once violated in Kivi's meaning (the verdict both engines
                // decide), is shown as a cycle, the stronger evidence, where one exists. A
                // cycle alone does not violate it: the symbolic engine asks no such question.
                let cycle = if matches!(intent, Intent::NoReplicaOscillation { .. }) && first_bad[i].is_some() {
                    cycles::find(m, &reg, &g, intent)
                } else {
                    None
                };
                let verdict = if let Some((ids, steps, loop_start)) = cycle {
                    let mut t = trace_of(m, &reg, &g, &ids, steps, Some(loop_start))?;
                    t.violation = Some("the replica count keeps changing along this cycle".into());
                    Verdict::Violated(t)
                } else if let Some(v) = first_bad[i] {
                    let (ids, steps) = path_to(&g, v);
                    let mut t = trace_of(m, &reg, &g, &ids, steps, None)?;
                    let last = t.states.last().expect("a trace has states");
                    t.violation = Some(intents::explain(m, intent, last));
                    Verdict::Violated(t)
                } else if intent.is_cycle() {
                    // A cycle of the explored part is a real one, even when the search stopped early.
                    match cycles::find(m, &reg, &g, intent) {
                        Some((ids, steps, loop_start)) => {
                            Verdict::Violated(trace_of(m, &reg, &g, &ids, steps, Some(loop_start))?)
                        }
                        None => match stopped_at {
                            Some(d) => not_decided(d, false),
                            None => cycle_unknown.clone().unwrap_or_else(|| holds.clone()),
                        },
                    }
                } else {
                    match stopped_at {
                        Some(d) => not_decided(d, true),
                        None => holds.clone(),
                    }
                };
                Some(IntentResult { name: m.ir.intent_label(intent), kivi_name: intent.kivi_name(), verdict })
            })
            .collect::<Option<Vec<_>>>()?;
    Some(CheckResult {
        certificates: Vec::new(),
        model: m.ir.name.clone(),
        results,
        effort: Effort {
            engine: "explicit",
            states: g.states.len(),
            transitions: g.transitions,
            depth: max_depth,
            seconds: start.elapsed().as_secs_f64(),
            ..Effort::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expanding a search's states again, as the explicit bench's expansion floor does, asks
    /// the same guards with the same twins: on every bundled case (with and without symmetry,
    /// and cut short by a state limit) it enables, state by state, the steps [`enabled_ids`]
    /// does, and where no limit cut the search short, as many steps as the search took from
    /// the states within the depth bound.
    #[test]
    fn expanding_again_enables_what_the_search_did() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
        let mut dirs: Vec<_> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).collect();
        dirs.sort();
        let reg = registry::<Concrete>();
        for dir in &dirs {
            let (ir, _) = crate::load_model(std::slice::from_ref(dir), false).unwrap();
            let m = Model::new(&ir);
            let classes = symmetry_classes(&m);
            for (symmetry, max_states) in [(true, 3_000_000), (false, 3_000_000), (true, 40)] {
                let opts = Options { max_depth: m.ir.bounds.steps as usize, max_states, symmetry, all: true };
                let g = explore(&m, &opts, |_, _| true);
                let what = format!("{} symmetry {symmetry} limit {max_states}", dir.display());
                let (mut asked, mut took) = (0, 0);
                expand_again(&m, &opts, &g, |u, enabled| {
                    assert_eq!(u, asked, "{what}: states out of order");
                    asked += 1;
                    let st = g.states.get(u);
                    assert_eq!(enabled, enabled_ids(&m, &reg, &g.labels, &classes, symmetry, &st), "{what}: state {u}");
                    if (g.depth[u as usize] as usize) < opts.max_depth {
                        took += enabled.len();
                    }
                });
                assert_eq!(asked, g.expanded, "{what}");
                if g.state_limit_at.is_none() {
                    assert_eq!(g.expanded as usize, g.states.len(), "{what}");
                    assert_eq!(took, g.transitions, "{what}");
                } else {
                    // The limit stopped the search in its last state's steps.
                    assert!(took >= g.transitions && (g.expanded as usize) < g.states.len(), "{what}");
                }
            }
        }
    }

    /// The kubelet's one-pod steps are left out where no other step observes the intermediate
    /// count (kubelet.rs); with them everywhere, every bundled case and good fixture gets the
    /// same verdicts and the same counterexample lengths.
    #[test]
    fn kubelet_reduction_keeps_verdicts_and_lengths() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs: Vec<std::path::PathBuf> = ["cases", "tests/fixtures/good"]
            .iter()
            .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap().map(|e| e.unwrap().path()))
            .collect();
        dirs.sort();
        let outcome = |m: &Model| -> Vec<String> {
            let opts =
                Options { max_depth: m.ir.bounds.steps as usize, max_states: 3_000_000, symmetry: true, all: true };
            check(m, &opts)
                .results
                .iter()
                .map(|r| match &r.verdict {
                    Verdict::Violated(t) => format!("{} violated {} {:?}", r.name, t.steps.len(), t.loop_start),
                    v => format!("{} {v:?}", r.name),
                })
                .collect()
        };
        let mut checked = 0;
        for dir in dirs {
            let (ir, _) = crate::load_model(std::slice::from_ref(&dir), false)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let mut m = Model::new(&ir);
            let reduced = outcome(&m);
            m.reduce_kubelet = false;
            assert_eq!(reduced, outcome(&m), "{}", dir.display());
            checked += 1;
        }
        assert!(checked >= 20, "{checked}");
    }

    /// Replica oscillation is Kivi's: the HPA reached its maximum and replicas then dropped. A
    /// cycle along which desired replicas change does not violate it on its own (the symbolic
    /// engine asks no such question): here every descheduler eviction's replacement warms up,
    /// and the HPA scales up and back down to its minimum for ever, far from its maximum.
    #[test]
    fn a_replica_cycle_below_the_maximum_is_no_oscillation() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/hpa-below-maximum");
        let (ir, _) = crate::load_model(std::slice::from_ref(&dir), false).unwrap();
        let m = Model::new(&ir);
        let i = m.ir.intents.iter().position(|x| matches!(x, Intent::NoReplicaOscillation { .. })).unwrap();
        let opts = Options { max_depth: 100, max_states: 100_000, symmetry: true, all: true };
        // The cycle exists in the reachable graph...
        let g = explore(&m, &opts, |_, _| true);
        assert!(!g.truncated && g.state_limit_at.is_none());
        let reg = registry::<Concrete>();
        let (ids, _, loop_start) = cycles::find(&m, &reg, &g, &m.ir.intents[i]).expect("a cycle of desired replicas");
        let desired: Vec<i64> = ids[loop_start..].iter().map(|&u| g.states.get(u).desired[0]).collect();
        assert!(desired.iter().any(|&x| x != desired[0]), "{desired:?}");
        // ...but the maximum is never reached, so the intent holds.
        let r = check(&m, &opts);
        assert!(matches!(r.results[i].verdict, Verdict::Holds { exhaustive: true, .. }), "{:?}", r.results[i].verdict);
    }
}
