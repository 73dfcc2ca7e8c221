//! A check's parts: under an event bound `b` below what the events' budgets allow, every run
//! fires events at most `b` times, each firing one unit's (an event, or an event that picks a
//! node on that node: [`units`]), so the runs of the check are the union of the runs of its
//! parts, one per set of `b` units, each part letting only its own units fire
//! (`Model::events_allowed`). The parts are independent checks: they run on as many threads
//! as asked (`--threads`), split into shards that run as separate processes (`--shard`,
//! `kbmc merge`), and their verdicts combine into the check's (`combine`), in the parts' order
//! whatever ran them, so that the report never depends on how the work was spread.
//!
//! Why the union is the check: a run of the model under bound `b` is a run of the part that
//! holds its units (its steps are all allowed there); a lasso that ends stuck in the model is
//! stuck in the part too (a part has fewer enabled steps). So an intent that holds in every
//! part holds in the check. A part's violation is a run of the model (a part's states are the
//! model's); one that ends stuck only because the part leaves some unit out is caught by the
//! same replay on the model without the bound that `event_bound` applies to any level.
//!
//! It owns which parts a check has, their cost estimate and shard assignment, running them and
//! combining their verdicts; it must not know an engine (the caller's `run` checks a part) nor
//! word a verdict beyond naming a part's events.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::error::Error;
use crate::ir::Event;
use crate::model::{events, Model};
use crate::verdict::{CheckResult, Effort, IntentResult, Proof, Verdict};

/// Most parts one level is split into: past it (sets of two among hundreds of events) the
/// level is one part, all events together, as a check without parts is.
pub const MAX_PARTS: usize = 4096;

/// What a part lets fire: a budgeted event, on one node where the event picks one and the
/// check splits it by node (`node`), else wherever it may act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub event: usize,
    pub node: Option<usize>,
}

/// One part: the units it lets fire (events without a budget, lifecycles such as a CPU
/// pattern, act in every part). `all`: every event everywhere, the model itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub units: Vec<Unit>,
    pub all: bool,
}

/// The units of `m`, in spec order: each budgeted event, and an event that acts on a node it
/// picks (a node failure, a drain: `events::picks_a_node`) once per node it may act on, where every
/// node is there from the start (no pool's size varies: a node that may come later would be
/// in no unit). Each firing of an event is then one unit's, so a run with at most `b` firings
/// is a run of a part of `b` units.
fn units(m: &Model) -> Vec<Unit> {
    let fixed = m.ir.pools.iter().all(|p| p.count.min == p.count.max && p.autoscaling.is_none());
    let mut out = Vec::new();
    for (e, ev) in m.ir.events.iter().enumerate() {
        if events::initial_budget(ev) == 0 {
            continue;
        }
        if !(fixed && events::picks_a_node(ev)) {
            out.push(Unit { event: e, node: None });
            continue;
        }
        for n in 0..m.nodes() {
            // A node failure acts on the Ready nodes of its pool only.
            let skip = match ev {
                Event::NodeFailure { pool, .. } => {
                    pool.is_some_and(|p| p != m.ir.nodes[n].pool) || !m.ir.nodes[n].ready
                }
                _ => false,
            };
            if !skip {
                out.push(Unit { event: e, node: Some(n) });
            }
        }
    }
    out
}

/// The parts of a check of `m` under event bound `bound` (`None`: no bound): every set of
/// `bound` units, in lexicographic order of their positions in [`units`]; one part holding
/// every event where the bound is no smaller than the budgets' sum, where there is no bound,
/// or where the sets would be more than [`MAX_PARTS`].
pub fn of(m: &Model, bound: Option<i64>) -> Vec<Part> {
    let whole = || vec![Part { units: Vec::new(), all: true }];
    let Some(b) = bound.map(|b| b.max(0) as usize) else { return whole() };
    if b as i64 >= events::total_budget(m) {
        return whole();
    }
    let all = units(m);
    if b >= all.len() || choose(all.len(), b) > MAX_PARTS as u128 {
        return whole();
    }
    sets(all.len(), b)
        .into_iter()
        .map(|set| Part { units: set.iter().map(|&i| all[i]).collect(), all: false })
        .collect()
}

/// Per part of `parts`, the first part it is a renaming of (itself where it is the first of
/// its kind): the same units once nodes that nothing tells apart are renamed. Such nodes are
/// those of one symmetry class (`relation::symmetry_classes`: the same static facts, no actor
/// that goes by node order) that every initial state leaves alike, so that a swap of them maps
/// the set of initial states onto itself.
/// A renaming of them maps the model, its intents (none names a node) and its initial states
/// onto themselves, and one part's model onto the other's, so their runs correspond step for
/// step and their verdicts are the same: the caller checks the first and gives its verdicts
/// to the others (`event_bound::run_parts`). Its counterexamples name the first part's nodes.
/// A single part is its own first, without a look at the model's classes.
pub fn renamings(m: &Model, parts: &[Part]) -> Vec<usize> {
    if parts.len() <= 1 {
        return (0..parts.len()).collect();
    }
    let classes = interchangeable(m);
    let mut first: std::collections::HashMap<PartKind, usize> = std::collections::HashMap::new();
    parts.iter().enumerate().map(|(i, p)| *first.entry(kind(p, &classes)).or_insert(i)).collect()
}

/// A part up to renamings within `classes`: whether it is every event, its units that pick no
/// node, and per node it lets an event act on, that node's class and those events, sorted.
type PartKind = (bool, Vec<usize>, Vec<(usize, Vec<usize>)>);

fn kind(p: &Part, classes: &[usize]) -> PartKind {
    let mut anywhere: Vec<usize> = p.units.iter().filter(|u| u.node.is_none()).map(|u| u.event).collect();
    anywhere.sort_unstable();
    let mut on: std::collections::BTreeMap<usize, Vec<usize>> = std::collections::BTreeMap::new();
    for u in &p.units {
        if let Some(n) = u.node {
            on.entry(n).or_default().push(u.event);
        }
    }
    let mut nodes: Vec<(usize, Vec<usize>)> = on
        .into_iter()
        .map(|(n, mut events)| {
            events.sort_unstable();
            (classes[n], events)
        })
        .collect();
    nodes.sort_unstable();
    (p.all, anywhere, nodes)
}

/// Per node, the lowest-index node it may be renamed to and from: the same symmetry class,
/// and in every initial state the same per-node state (its row, `ClusterState::node_rows`),
/// so that a swap of the two leaves each initial state as it is. Such swaps compose to any
/// renaming within a class ((a c) = (a b)(b c)(a b)), so this is a partition. (A swap that
/// maps one initial state onto another would do too; it is not looked for.)
fn interchangeable(m: &Model) -> Vec<usize> {
    let classes = crate::model::relation::symmetry_classes(m);
    let mut scratch = crate::model::state::Scratch::default();
    let rows: Vec<(Vec<i16>, usize)> = m
        .initial_states()
        .iter()
        .map(|st| {
            let stride = st.node_rows(&mut scratch);
            (scratch.rows.clone(), stride)
        })
        .collect();
    let same = |a: usize, b: usize| rows.iter().all(|(r, s)| r[a * s..(a + 1) * s] == r[b * s..(b + 1) * s]);
    let mut out: Vec<usize> = (0..m.nodes()).collect();
    for n in 0..m.nodes() {
        if let Some(j) = (0..n).find(|&j| out[j] == j && classes[j] == classes[n] && same(j, n)) {
            out[n] = out[j];
        }
    }
    out
}

/// Every set of `b` among `0..n`, each ascending, in lexicographic order.
fn sets(n: usize, b: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut pick: Vec<usize> = (0..b).collect();
    loop {
        out.push(pick.clone());
        // The next set: the last position that can move, moved, and the ones after it right
        // behind.
        let Some(i) = (0..b).rev().find(|&i| pick[i] < n - b + i) else { return out };
        pick[i] += 1;
        for j in i + 1..b {
            pick[j] = pick[j - 1] + 1;
        }
    }
}

/// `n` choose `k`, saturating.
fn choose(n: usize, k: usize) -> u128 {
    (0..k as u128).fold(1u128, |acc, i| acc.saturating_mul(n as u128 - i) / (i + 1))
}

impl Part {
    /// The model of this part: `m` letting only the part's units fire.
    pub fn model(&self, m: &Model) -> Model {
        let mut p = m.clone();
        if !self.all {
            let ne = m.ir.events.len();
            let mut allowed = events::Allowed {
                events: m.ir.events.iter().map(|e| events::initial_budget(e) == 0).collect(),
                nodes: vec![None; ne],
            };
            for u in &self.units {
                allowed.events[u.event] = true;
                if let Some(n) = u.node {
                    allowed.nodes[u.event].get_or_insert_with(|| vec![false; m.nodes()])[n] = true;
                }
            }
            p.events_allowed = Some(allowed.into());
        }
        p
    }

    /// The part's units in words (`nodeFailure(node-1) + rolloutRestart(web)`), for a reason
    /// that concerns one part.
    pub fn describe(&self, m: &Model) -> String {
        let names: Vec<String> = self
            .units
            .iter()
            .map(|u| {
                let e = &m.ir.events[u.event];
                match (u.node, e.deployment()) {
                    (Some(n), _) => format!("{}({})", e.name(), m.node_name(n)),
                    (None, Some(d)) => format!("{}({})", e.name(), m.ir.deployments[d.index()].name),
                    (None, None) => e.name().to_string(),
                }
            })
            .collect();
        if self.all {
            "every event".into()
        } else if names.is_empty() {
            "no event".into()
        } else {
            names.join(" + ")
        }
    }
}

/// The intents a part's check left unknown.
fn open(r: &CheckResult) -> usize {
    r.results.iter().filter(|x| matches!(x.verdict, Verdict::Unknown { .. })).count()
}

/// Calls `each` on the parts `order` lists, taken in that order by up to `threads` threads,
/// each under its share of the time the run's limit leaves (see [`run`]).
fn pass(order: &[usize], threads: usize, each: &(dyn Fn(usize) + Sync)) -> Result<(), Error> {
    let n = order.len();
    // The test clock counts the work of every thread together: one part at a time keeps a
    // test's cut at the same state on every machine.
    let threads = if crate::limits::test_clock() { 1 } else { threads.clamp(1, n.max(1)) };
    let next = AtomicUsize::new(0);
    // Each thread takes the next part in `order` until none is left.
    let work = || loop {
        let k = next.fetch_add(1, Ordering::SeqCst);
        let Some(&i) = order.get(k) else { return };
        let ahead = n - k;
        let _share = (ahead > threads)
            .then(crate::limits::left)
            .flatten()
            .and_then(|left| crate::limits::part(left.mul_f64(threads as f64 / ahead as f64)));
        each(i);
    };
    if threads == 1 {
        work();
        return Ok(());
    }
    std::thread::scope(|scope| -> Result<(), Error> {
        for t in 0..threads {
            // The explicit search's cycle detection and Z3 recurse deeply on large models:
            // each thread gets the stack the main thread has and more.
            std::thread::Builder::new()
                .name(format!("kbmc-part-{t}"))
                .stack_size(64 << 20)
                .spawn_scoped(scope, work)
                .map_err(|e| Error::Internal(format!("could not start a thread: {e}")))?;
        }
        Ok(())
    })
}

/// A rough measure of each part's work, for ordering parts and balancing shards: each unit
/// weighs one more than the pods it may move (an event on one node: the pods on it at the
/// start; on any node: every pod; a Deployment's event: its replicas), and a part's units
/// multiply (their consequences interleave).
pub fn costs(m: &Model, parts: &[Part]) -> Vec<u128> {
    let all: i64 = m.ir.deployments.iter().map(|d| d.replicas.max).sum();
    let on: Vec<i64> = match m.initial_states().first() {
        Some(st) => (0..m.nodes()).map(|n| st.bound.iter().chain(&st.running).map(|row| row[n]).sum()).collect(),
        None => vec![all; m.nodes()],
    };
    parts
        .iter()
        .map(|p| {
            p.units
                .iter()
                .map(|u| {
                    let moved = match (u.node, m.ir.events[u.event].deployment()) {
                        (Some(n), _) => on[n],
                        (None, Some(d)) => m.ir.deployments[d.index()].replicas.max,
                        (None, None) => all,
                    };
                    (1 + moved.max(0)) as u128
                })
                .fold(1u128, |acc, w| acc.saturating_mul(w))
        })
        .collect()
}

/// The items of `costs` (parts' [`costs`]) that shard `index` of `count` runs: the items taken from the costliest
/// down (ties in item order), each to the shard with the least cost so far (ties to the lowest
/// index), so that shards are balanced by the estimate rather than by count. Deterministic:
/// every shard computes the same assignment. In item order.
pub fn deal(costs: &[u128], index: usize, count: usize) -> Vec<usize> {
    let mut order: Vec<(u128, usize)> = costs.iter().copied().enumerate().map(|(i, c)| (c, i)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut load = vec![0u128; count.max(1)];
    let mut mine = Vec::new();
    for (cost, i) in order {
        let to = (0..load.len()).min_by_key(|&s| (load[s], s)).unwrap_or(0);
        load[to] = load[to].saturating_add(cost);
        if to == index {
            mine.push(i);
        }
    }
    mine.sort_unstable();
    mine
}

/// Runs `run` on the parts `order` lists (indices `0..n`, each once), taken in that order by
/// up to `threads` threads, and returns the results in index order. The caller orders the
/// cheapest first, so that the costliest start last, with what the cheap ones left.
/// Each part is given a share of the time the run's limit leaves when it starts
/// (`limits::part`): what is left, over the parts not yet started per thread, so that a costly
/// part cannot take the time of every other; where no more parts are ahead than threads, the
/// run's own limit is the part's. Parts that finish early leave time that the last ones may
/// not need: where the run's limit still leaves some once every part ran, the parts whose share
/// cut them short (an intent left unknown) run again, in the same order, sharing what is left.
pub fn run(
    order: &[usize],
    threads: usize,
    run: impl Fn(usize) -> Result<CheckResult, Error> + Sync,
) -> Result<Vec<CheckResult>, Error> {
    let n = order.len();
    let results: Vec<Mutex<Option<Result<CheckResult, Error>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let cut: Vec<AtomicBool> = (0..n).map(|_| AtomicBool::new(false)).collect();
    pass(order, threads, &|i| {
        let r = run(i);
        // Asked while the part's share is still this thread's.
        let by_share = matches!(crate::limits::stopped(), Some(crate::limits::Stop::Part { .. }));
        cut[i].store(by_share && r.as_ref().is_ok_and(|r| open(r) > 0), Ordering::SeqCst);
        *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
    })?;
    let again: Vec<usize> = order.iter().copied().filter(|&i| cut[i].load(Ordering::SeqCst)).collect();
    if !again.is_empty() && crate::limits::stopped().is_none() {
        log::debug!("{} part(s) cut by their share run again with the time left", again.len());
        pass(&again, threads, &|i| {
            let mut slot = results[i].lock().unwrap_or_else(|e| e.into_inner());
            let Some(Ok(first)) = slot.take() else { unreachable!("only a part that ran is cut") };
            drop(slot);
            let r = run(i).map(|r| {
                // The run that left fewer intents open stands; the work of both is the part's.
                let (mut r, other) = if open(&r) <= open(&first) { (r, first) } else { (first, r) };
                r.effort.add(&other.effort);
                r
            });
            *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        })?;
    }
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err(Error::Internal(format!("part {i} was not run"))))
        })
        .collect()
}

/// The check's result from its parts' results (`parts[i]` gave `results[i]`), per intent:
/// a violation where any part found one (the shortest run, the first part's among equals);
/// else unknown where any part left it so (a limit's reason first, so that the deepening sees
/// a limit, then the first part's, with the part's events and how many others are open); else
/// it holds, as weakly as its
/// weakest part says (a bounded "holds" within the fewest steps any part covered; "proved" by
/// one method where every part used it; else proved part by part). The effort adds the parts'
/// up, their seconds too: a caller that ran them sets the wall time.
pub fn combine(m: &Model, parts: &[Part], results: Vec<CheckResult>) -> CheckResult {
    if results.len() == 1 {
        return results.into_iter().next().unwrap_or_else(|| unreachable!());
    }
    let named = |i: usize, reason: &str, others: usize| {
        let more = match others {
            0 => String::new(),
            n => format!("; {} other part(s) left it undecided too", n),
        };
        format!("{reason} (in the part of the check where the events are {}{more})", parts[i].describe(m))
    };
    let ni = results.first().map_or(0, |r| r.results.len());
    let intents: Vec<IntentResult> = (0..ni)
        .map(|k| {
            let each: Vec<&IntentResult> = results.iter().map(|r| &r.results[k]).collect();
            let verdict = one_verdict(&each, &named);
            IntentResult { verdict, ..each[0].clone() }
        })
        .collect();
    let mut effort = Effort::default();
    let mut certificates = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let e = &r.effort;
        if effort.engine.is_empty() || e.engine == "symbolic" {
            effort.engine = e.engine;
        }
        effort.add(e);
        certificates.extend(r.certificates.iter().map(|(name, smt)| (format!("part{i}-{name}"), smt.clone())));
    }
    CheckResult { model: results[0].model.clone(), results: intents, effort, certificates, events: None }
}

/// One intent's verdict from each part's (see [`combine`]).
fn one_verdict(each: &[&IntentResult], named: &impl Fn(usize, &str, usize) -> String) -> Verdict {
    let shortest = each
        .iter()
        .filter_map(|r| match &r.verdict {
            Verdict::Violated(t) => Some(t),
            _ => None,
        })
        .min_by_key(|t| t.steps.len());
    if let Some(t) = shortest {
        return Verdict::Violated(t.clone());
    }
    let unknown = |limit: bool| {
        each.iter().enumerate().find_map(|(i, r)| match &r.verdict {
            Verdict::Unknown { reason } if !limit || crate::event_bound::is_limit(reason) => Some((i, reason)),
            _ => None,
        })
    };
    // Parts that stopped at their first violation: the earliest such stop says it of the
    // check (every other part stopped later, or decided the intent, or was cut by a limit,
    // whose reason comes first), in the words the report groups such intents by.
    if unknown(true).is_none() {
        let earliest = each
            .iter()
            .filter_map(|r| crate::verdict::stopped_early(&r.verdict).map(|(step, _)| (step, &r.verdict)))
            .min_by_key(|(step, _)| *step);
        if let Some((_, v)) = earliest {
            return v.clone();
        }
    }
    if let Some((i, reason)) = unknown(true).or_else(|| unknown(false)) {
        let open = each.iter().filter(|r| matches!(r.verdict, Verdict::Unknown { .. })).count();
        return Verdict::Unknown { reason: named(i, reason, open - 1) };
    }
    let bounded = each
        .iter()
        .filter_map(|r| match r.verdict {
            Verdict::Holds { steps, exhaustive: false } => Some(steps),
            _ => None,
        })
        .min();
    if let Some(steps) = bounded {
        return Verdict::Holds { steps, exhaustive: false };
    }
    // Every part holds for every run length: by an exhaustive search, or a proof.
    let k = each
        .iter()
        .map(|r| match r.verdict {
            Verdict::Holds { steps, .. } => steps,
            Verdict::Proved { k, .. } => k,
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    let by: Vec<Option<Proof>> = each
        .iter()
        .map(|r| match r.verdict {
            Verdict::Proved { by, .. } => Some(by),
            _ => None,
        })
        .collect();
    match by[0] {
        _ if by.iter().any(|b| *b != by[0]) => Verdict::Proved { k, by: Proof::Parts },
        None => Verdict::Holds { steps: k, exhaustive: true },
        Some(by) => Verdict::Proved { k, by },
    }
}

/// The result of a part not begun because a limit had passed: every intent unknown under
/// `bound`, saying so.
pub fn not_begun(m: &Model, bound: Option<i64>, why: crate::limits::Stop) -> CheckResult {
    unknown(m, bound, &format!("{why} was reached before this part was begun"))
}

/// A result with every intent of `m` unknown under `bound`, for `reason`, and no work done.
pub fn unknown(m: &Model, bound: Option<i64>, reason: &str) -> CheckResult {
    CheckResult {
        model: m.ir.name.clone(),
        results: m
            .ir
            .intents
            .iter()
            .map(|i| IntentResult {
                name: m.ir.intent_label(i),
                kivi_name: i.kivi_name(),
                verdict: Verdict::Unknown { reason: reason.to_string() },
                events_bound: bound,
            })
            .collect(),
        effort: Effort { engine: "explicit", ..Effort::default() },
        certificates: Vec::new(),
        events: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(input: &str) -> Model {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        Model::new(&crate::load_model(&[root.join(input)], false).expect("loads").0)
    }

    /// On four nodes that are all there from the start, a node failure and a drain are a unit
    /// per node, each rollout restart one: at one event, sixteen parts, the node failures first
    /// (spec order), named by their node; the cheapest parts are the rollouts of one replica.
    #[test]
    fn events_that_pick_a_node_are_a_part_per_node() {
        let m = load("tests/fixtures/live/bookinfo-4n2z");
        assert_eq!(m.ir.events.len(), 10);
        let parts = of(&m, Some(1));
        assert_eq!(parts.len(), 4 + 4 + 8, "{parts:?}");
        assert_eq!(parts[0].describe(&m), format!("nodeFailure({})", m.node_name(0)));
        assert_eq!(parts[4].describe(&m), format!("maintenance({})", m.node_name(0)));
        assert!(parts[8].describe(&m).starts_with("rolloutRestart("), "{}", parts[8].describe(&m));
        let costs = costs(&m, &parts);
        assert!(costs[8..].iter().all(|&c| c < costs[0]), "{costs:?}");
        // Sets of two: every pair of the sixteen units; at the budgets' sum, the model itself.
        assert_eq!(of(&m, Some(2)).len(), 120);
        assert_eq!(of(&m, Some(10)), vec![Part { units: Vec::new(), all: true }]);
        assert_eq!(of(&m, None), vec![Part { units: Vec::new(), all: true }]);
        // A part's model lets its node event act on its node only, and leaves symmetry apart.
        let p = parts[1].model(&m);
        let allowed = p.events_allowed.as_ref().expect("a mask");
        assert!(allowed.on(0, 1) && !allowed.on(0, 0) && !allowed.on(1, 1), "{allowed:?}");
        let classes = crate::model::relation::static_classes(&p);
        assert!(classes.iter().enumerate().all(|(n, &c)| n == 1 || c != 1), "{classes:?}");
    }

    /// Where a pool's size varies (a node may come later), an event that picks a node is one
    /// unit: no part would hold a node that is not there from the start.
    #[test]
    fn a_pool_that_grows_keeps_node_events_whole() {
        use crate::model::testkit::{deployment, model};
        let spec = |count: &str| {
            format!(
                "{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: {count}, capacity: {{cpu: \"4\", memory: 8Gi}}}}]\n  workloads: [{{deployment: web, placement: [{{node: n-0, count: 1}}]}}]\n  events:\n    - {{type: nodeFailure, budget: 1}}\n    - {{type: maintenance, maxUnavailable: 1, budget: 1}}\n",
                deployment("web", 1, "1", "1Gi", "")
            )
        };
        let fixed = units(&model(&spec("2")));
        assert_eq!(fixed.iter().filter(|u| u.node.is_some()).count(), 4, "{fixed:?}");
        let grows = units(&model(&spec("{min: 1, max: 2}")));
        assert_eq!(grows, vec![Unit { event: 0, node: None }, Unit { event: 1, node: None }]);
    }

    /// Three nodes of one pool, a pod on each: a node failure on any of them is the same check
    /// up to renaming, and so is a drain; at two events, four kinds of pair (two failures, two
    /// drains, a failure and a drain of one node or of two). With both pods on the first
    /// node, the other two are still interchangeable, but not with it.
    #[test]
    fn parts_on_interchangeable_nodes_are_renamings() {
        use crate::model::testkit::{deployment, model};
        let spec = |placement: &str| {
            format!(
                "{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 3, capacity: {{cpu: \"4\", memory: 8Gi}}}}]\n  workloads: [{{deployment: web, placement: [{placement}]}}]\n  events:\n    - {{type: nodeFailure, budget: 3}}\n    - {{type: maintenance, maxUnavailable: 1, budget: 3}}\n",
                deployment("web", 3, "1", "1Gi", "")
            )
        };
        let spread = model(&spec("{node: n-0, count: 1}, {node: n-1, count: 1}, {node: n-2, count: 1}"));
        assert_eq!(renamings(&spread, &of(&spread, Some(1))), [0, 0, 0, 3, 3, 3]);
        let pairs = of(&spread, Some(2));
        let first = renamings(&spread, &pairs);
        let kinds: std::collections::BTreeSet<usize> = first.iter().copied().collect();
        assert_eq!((pairs.len(), kinds.len()), (15, 4), "{first:?}");
        for (i, &f) in first.iter().enumerate() {
            assert!(f <= i && first[f] == f, "{first:?}");
        }
        let piled = model(&spec("{node: n-0, count: 3}"));
        assert_eq!(renamings(&piled, &of(&piled, Some(1))), [0, 1, 1, 3, 4, 4]);
    }

    /// A part and the first part it is a renaming of decide every intent alike, a violation
    /// as short, by a search of each on its own: on every bundled case whose events pick a
    /// node, at one and two events. Some parts are renamings there, so this compares some.
    #[test]
    fn renamed_parts_decide_what_their_first_does() {
        use crate::engine::explicit;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let said = |v: &Verdict| match v {
            Verdict::Violated(t) => format!("violated in {}", t.steps.len()),
            Verdict::Holds { exhaustive, .. } => format!("holds ({exhaustive})"),
            Verdict::Proved { .. } => "proved".into(),
            Verdict::Unknown { reason } => format!("unknown: {reason}"),
        };
        let mut compared = 0;
        let mut dirs: Vec<_> =
            std::fs::read_dir(root.join("cases")).expect("cases").map(|e| e.expect("an entry").path()).collect();
        dirs.sort();
        for dir in dirs {
            let (ir, _) = crate::load_model(std::slice::from_ref(&dir), false).expect("loads");
            let m = Model::new(&ir);
            let opts = explicit::Options {
                max_depth: ir.bounds.steps as usize,
                max_states: 2_000_000,
                symmetry: true,
                reduction: false,
                all: true,
            };
            for b in 1..=2 {
                let parts = of(&m, Some(b));
                let first = renamings(&m, &parts);
                let check = |i: usize| {
                    let mut p = parts[i].model(&m);
                    p.events_bound = Some(b);
                    explicit::check(&p, &opts)
                };
                for (i, &f) in first.iter().enumerate().filter(|&(i, &f)| f != i) {
                    let (a, c) = (check(f), check(i));
                    for (x, y) in a.results.iter().zip(&c.results) {
                        assert_eq!(
                            said(&y.verdict),
                            said(&x.verdict),
                            "{}, {b} event(s), part {i} against {f}: {}",
                            dir.display(),
                            x.name
                        );
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared >= 6, "{compared} renamed parts compared");
    }

    #[test]
    fn sets_of_events_in_lexicographic_order() {
        assert_eq!(choose(16, 2), 120);
        assert_eq!(choose(5, 0), 1);
        assert_eq!(sets(4, 2), vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]);
        assert_eq!(sets(3, 1), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(sets(3, 0), vec![Vec::<usize>::new()]);
        assert_eq!(sets(5, 3).len() as u128, choose(5, 3));
    }
}
