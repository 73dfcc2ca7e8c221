//! kube-scheduler's DefaultPreemption post-filter, the nominated node it leaves on the
//! preemptor, and the deletion of its victims. Owns what happens to a pending pod that fits no
//! node while pods of lower priority run (or wait) somewhere: which pods are victims, which
//! node is the candidate, and the binding of nominated pods as a step; must not score or
//! filter nodes itself (it asks `model::framework`, and `model::nominations` for the filters
//! with the nominated pods counted) nor decide which pending pod a ReplicaSet deletes.
//!
//! Follows kubernetes:
//! - `pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go`:
//!   `PodEligibleToPreemptOthers` (a pod with `preemptionPolicy: Never` never preempts; a pod
//!   whose nominated node holds a terminating pod of lower priority that a preemption deleted,
//!   `podTerminatingByPreemption`, does not preempt again, unless its nominated node is
//!   UnschedulableAndUnresolvable for it); `SelectVictimsOnNode`
//!   (every pod of lower priority on the node, terminating ones included, is a potential
//!   victim and removed; the node is no candidate unless the pod then passes the filters with
//!   the nominated pods counted, nor without a potential victim; the victims sorted by
//!   `MoreImportantPod`, split by `filterPodsWithPDBViolation` — per PodDisruptionBudget, in
//!   that order, the first `disruptionsAllowed` of its pods do not violate it, the others do —
//!   and reprieved as many as fit, violating ones first, each list from the most important
//!   pod); `isPreemptionAllowed` (lower priority only).
//! - `pkg/scheduler/framework/preemption/preemption.go`: `Preempt`, `findCandidates` (nodes
//!   whose failure is Unschedulable, not UnschedulableAndUnresolvable; with at most 100 nodes
//!   every one is dry-run), `SelectCandidate` and `pickOneNodeForPreemption` (fewest PDB
//!   violations, then the lowest highest-priority victim, then the smallest sum of victim
//!   priorities each plus 2^31, then the fewest victims, then the latest start time of the
//!   highest-priority victims, then the first candidate), `prepareCandidate` (victims not
//!   already being deleted are deleted gracefully; lower-priority pods nominated to the node
//!   lose their nomination; `PreemptPod` marks a victim's DisruptionTarget condition
//!   PreemptionByScheduler before deleting it: `ClusterState::preempted` counts those among
//!   the terminating pods), the preemptor nominated to the node; with no candidate the
//!   preemptor's nomination is cleared (`NewPostFilterResultWithNominatedNode("")`), and when it
//!   is not eligible the nomination stays.
//! - `pkg/scheduler/schedule_one.go` `evaluateNominatedNode` and
//!   `pkg/scheduler/framework/runtime/framework.go` `RunFilterPluginsWithNominatedPods`: how
//!   a nominated pod is bound and how nominated pods are counted are `model::nominations`'.
//! - A DaemonSet's pod carries a required node affinity on its node's name
//!   (`pkg/controller/daemon/util/daemonset_util.go` `ReplaceDaemonSetPodNodeNameNodeAffinity`),
//!   which every other node fails as UnschedulableAndUnresolvable (nodeaffinity plugin
//!   `Filter`), so `findCandidates` (`nodesWherePreemptionMightHelp`) dry-runs its own node
//!   only: a pending daemon pod (`ClusterState::unscheduled`) preempts there or nowhere, is
//!   nominated there, and is bound there. Daemon pods are victims like any pod.
//!
//! kbmc counts pods, so a node's victims are counts per pod group, and the filters that can
//! fail on a node where preemption is possible are node-local (the build refuses hard
//! topology spread and required inter-pod affinity there), so that reprieving a group's
//! identical pods one by one reprieves as many as fit. Where upstream's choice goes by what
//! kbmc does not keep, every choice is a successor: the order of victim groups of one priority
//! (start times; every order of the groups, [`orders`], each node its own), the candidate nodes
//! tied on the four criteria (start times, then list order), which pending pod of a group goes
//! first, and which of a victim group's pods on the node are the victims (a terminating one, a
//! bound one, a running one of any usage: start times decide upstream). Pods of two groups of
//! one priority interleaved one by one in that order are not explored, nor more than
//! [`ORDERS_MAX`] orders (flagged `preemption-victim-order`).
//! Each victim is deleted in a fast step of its own (upstream deletes them in parallel, with
//! asynchronous preemption while other pods are scheduled). Which of a node's terminating pods
//! stops first, one a preemption deleted or another, goes by grace periods upstream: the
//! kubelet's one-pod stops offer both (kubelet.rs). A ReplicaSet or the VPA updater deleting a
//! pending pod may take a nominated one or not, the others keeping their nominations
//! (`nominations::forget_deleted`).

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::model::disruption;
use crate::model::framework::{self, node_resources};
use crate::model::node::active_on;
use crate::model::nominations;
use crate::model::state::Conditions;
use rustc_hash::FxHashMap as HashMap;

/// The actor: preemptions, nominated pods' binds, cleared nominations, victims' deletions.
pub struct Preemption;

/// A pod of group `a` that fits nowhere preempts on node `b`; `v` is `from * K + o`: `from`
/// its nomination before (0: none, `m + 1`: node m), `o` the importance order of the victim
/// groups on `b` among the `K` of [`orders`].
const PREEMPT: u8 = 0;
/// A pod of group `a` nominated to node `v` is bound to node `b`.
const BIND_NOMINATED: u8 = 1;
/// A pod of group `a` nominated to node `b` fits nowhere and no node is a candidate: its
/// nomination is cleared.
const CLEAR: u8 = 2;
/// A chosen victim of group `a` on node `b` is deleted: a bound one.
const DELETE_BOUND: u8 = 3;
/// ... a running one of usage kind `a`.
const DELETE_RUNNING: u8 = 4;
/// ... one that is already terminating, or gone: no call is made.
const DELETE_NONE: u8 = 5;

/// `2^31`, what `pickOneNodeForPreemption` adds to every victim's priority in its sum.
const PRIORITY_OFFSET: i64 = 1 << 31;

/// The pods of a group on node `n` that a preemptor sees there: bound, running, terminating.
fn on_node<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, h: usize, n: usize) -> D::Int {
    d.add(&active_on(d, m, st, h, n), &st.terminating[h][n])
}

/// Whether a pod of `g` (nominated to `own`; for a DaemonSet's pod, created for node `n`)
/// fits no node. A DaemonSet's pod carries a required node affinity on its node's name
/// (`ReplaceDaemonSetPodNodeNameNodeAffinity`), so every other node fails NodeAffinity, which
/// is UnschedulableAndUnresolvable: only its own node counts, for scheduling and as a
/// preemption candidate (`findCandidates` dry-runs only the nodes where preemption might
/// help). Given the pod's feasibility per node (`nominations::feasible_with`).
fn nowhere_given<D: Domain>(d: &D, m: &Model, g: usize, n: usize, feas: &[D::Bool]) -> D::Bool {
    match m.daemon_row[g] {
        Some(_) => d.not(&feas[n]),
        None => d.not(&d.any(feas.iter())),
    }
}

/// The filters a pod of `g` fails only for what no preemption changes (node Ready,
/// NodeUnschedulable, NodeName, NodeAffinity, TaintToleration): UnschedulableAndUnresolvable
/// upstream. Per node.
fn resolvable<D: Domain>(filters: &[[D::Bool; 6]], d: &D) -> Vec<D::Bool> {
    filters.iter().map(|f| d.all(f[..3].iter())).collect()
}

/// What `SelectVictimsOnNode` finds on one node for one preemptor.
pub struct NodeVictims<D: Domain> {
    /// The node is a candidate.
    pub ok: D::Bool,
    /// Per pod group: its victims there (0 for groups not of lower priority).
    pub victims: Vec<D::Int>,
    pub violations: D::Int,
    /// The highest victim priority (meaningful with a victim).
    pub highest: D::Int,
    /// The victims' priorities, each plus 2^31, summed.
    pub sum: D::Int,
    pub count: D::Int,
}

/// The groups whose pods a pod of group `g` may preempt, highest priority first, groups of
/// one priority in index order.
fn lower(m: &Model, g: usize) -> &[usize] {
    &m.victim_orders.lower[g]
}

fn lower_of(ir: &crate::ir::Model, g: usize) -> Vec<usize> {
    let p = ir.groups[g].priority;
    let mut v: Vec<usize> = (0..ir.groups.len()).filter(|&h| ir.groups[h].priority < p).collect();
    v.sort_by_key(|&h| std::cmp::Reverse(ir.groups[h].priority));
    v
}

/// Per pod group, worked out once from the IR ([`lower`] and [`orders`]; the guards ask for
/// them for every label in every state): the groups it may preempt and their importance
/// orders, both empty for a group whose pods never preempt.
#[derive(Clone, Debug, Default)]
pub struct VictimOrders {
    lower: Vec<Vec<usize>>,
    orders: Vec<Vec<Vec<usize>>>,
}

impl VictimOrders {
    pub fn of(ir: &crate::ir::Model) -> VictimOrders {
        let groups = 0..ir.groups.len();
        let lower: Vec<Vec<usize>> =
            groups.clone().map(|g| if ir.groups[g].preempts { lower_of(ir, g) } else { Vec::new() }).collect();
        let orders = groups.map(|g| if ir.groups[g].preempts { orders_of(ir, g) } else { vec![Vec::new()] }).collect();
        VictimOrders { lower, orders }
    }
}

/// The most importance orders of one preemptor's victim groups kbmc explores; past it, index
/// order within a priority only (flagged `preemption-victim-order`).
pub const ORDERS_MAX: usize = 24;

/// [`lower`] cut into runs of one priority.
fn levels(ir: &crate::ir::Model, g: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for h in lower_of(ir, g) {
        match out.last_mut() {
            Some(l) if ir.groups[l[0]].priority == ir.groups[h].priority => l.push(h),
            _ => out.push(vec![h]),
        }
    }
    out
}

/// How many importance orders of `g`'s victim groups there are: the product over priorities
/// of the factorial of the groups of that priority.
fn order_total(ir: &crate::ir::Model, g: usize) -> usize {
    // Saturating: 21 groups of one priority (a live cluster's Deployments, two revisions each
    // with a rollout) overflow a factorial in usize; past ORDERS_MAX the count only compares.
    let factorial = |k: usize| (1..=k).fold(1usize, |a, b| a.saturating_mul(b));
    levels(ir, g).iter().map(|l| factorial(l.len())).fold(1usize, |a, b| a.saturating_mul(b))
}

/// Every order `MoreImportantPod` can put the victim groups of a pod of `g` in on a node:
/// priority first, highest first; among groups of one priority start times decide upstream,
/// which kbmc does not keep, so every order of them (pods of one group taken together), up to
/// [`ORDERS_MAX`] orders; index order beyond.
pub fn orders(m: &Model, g: usize) -> &[Vec<usize>] {
    &m.victim_orders.orders[g]
}

fn orders_of(ir: &crate::ir::Model, g: usize) -> Vec<Vec<usize>> {
    let levels = levels(ir, g);
    if order_total(ir, g) > ORDERS_MAX {
        return vec![levels.concat()];
    }
    let mut out: Vec<Vec<usize>> = vec![Vec::new()];
    for l in &levels {
        let perms = permutations(l);
        out = out.iter().flat_map(|prefix| perms.iter().map(move |p| [prefix.as_slice(), p].concat())).collect();
    }
    out
}

/// Every permutation of `xs`, the identity first.
fn permutations(xs: &[usize]) -> Vec<Vec<usize>> {
    if xs.len() <= 1 {
        return vec![xs.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..xs.len() {
        let mut rest = xs.to_vec();
        let x = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, x);
            out.push(p);
        }
    }
    out
}

/// Whether a preemptor of the model has victim groups of one priority: their pods' order
/// pod by pod is not explored (only group by group, and past [`ORDERS_MAX`] index order).
pub fn victim_order_matters(m: &Model) -> bool {
    m.preempts
        && (0..m.ir.groups.len()).any(|g| m.ir.groups[g].preempts && levels(&m.ir, g).iter().any(|l| l.len() > 1))
}

/// How many of `k` pods of group `h` can be added back to a node with load `x` while a pod of
/// `g` still fits there (`x` fits it): the largest count for which each resource the filter
/// checks stays within allocatable.
fn reprieved<D: Domain>(d: &D, m: &Model, g: usize, h: usize, n: usize, x: &[D::Int; 3], k: &D::Int) -> D::Int {
    if !framework::filter_on(m, "NodeResourcesFit") {
        return k.clone();
    }
    let a = m.ir.nodes[n].allocatable;
    let (rg, rh) = (m.ir.groups[g].requests, m.ir.groups[h].requests);
    let room = |alloc: i64, need: i64, used: &D::Int, each: i64| -> D::Int {
        d.div_const(&d.max(&d.sub(&d.int(alloc - need), used), &d.int(0)), each)
    };
    let mut r = d.min(k, &room(a.pods, 1, &x[2], 1));
    if rg.cpu_milli > 0 && rh.cpu_milli > 0 {
        r = d.min(&r, &room(a.cpu_milli, rg.cpu_milli, &x[0], rh.cpu_milli));
    }
    if rg.memory > 0 && rh.memory > 0 {
        r = d.min(&r, &room(a.memory, rg.memory, &x[1], rh.memory));
    }
    d.max(&r, &d.int(0))
}

/// `SelectVictimsOnNode` for a pod of group `g` (nominated to `own`) on every node, its victim
/// groups in importance order `order` (one of [`orders`]).
pub fn select_victims<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    g: usize,
    own: Option<usize>,
    order: &[usize],
) -> Vec<NodeVictims<D>> {
    let ng = m.ir.groups.len();
    let lower = order;
    let filters = framework::filters(d, m, st, g);
    let resolvable = resolvable(&filters, d);
    let loads = nominations::loads(d, m, st, g, own);
    // filterPodsWithPDBViolation's budgets: disruptionsAllowed per PDB, from the state.
    let allowed: Vec<D::Int> =
        (0..m.ir.pdbs.len()).map(|p| disruption::allowed(d, &disruption::status(d, m, st, p))).collect();
    (0..m.nodes())
        .map(|n| {
            let count: Vec<D::Int> = (0..ng).map(|h| on_node(d, m, st, h, n)).collect();
            let mut x = loads[n].clone();
            for &h in lower {
                let r = m.ir.groups[h].requests;
                x[0] = d.sub(&x[0], &d.mul_const(&count[h], r.cpu_milli));
                x[1] = d.sub(&x[1], &d.mul_const(&count[h], r.memory));
                x[2] = d.sub(&x[2], &count[h]);
            }
            let any = d.gt(&d.sum(lower.iter().map(|&h| &count[h])), &d.int(0));
            // (Whether the node is a candidate does not depend on the order.)
            // The other filters (spread, inter-pod affinity) are not changed by the victims'
            // removal where the model preempts (the build refuses the ones that would be).
            let others = d.all(filters[n][4..].iter());
            let ok =
                d.all([resolvable[n].clone(), others, any, node_resources::filter(d, m, g, n, x.each_ref())].iter());
            // The PDB split, in MoreImportantPod order (priority, highest first).
            let mut violating = vec![d.int(0); ng];
            for (p, pdb) in m.ir.pdbs.iter().enumerate() {
                let mut left = d.max(&allowed[p], &d.int(0));
                for &h in lower.iter().filter(|&&h| pdb.selects[h]) {
                    let fine = d.min(&count[h], &left);
                    violating[h] = d.sub(&count[h], &fine);
                    left = d.sub(&left, &fine);
                }
            }
            let mut victims = vec![d.int(0); ng];
            let mut violations = d.int(0);
            for pass in [true, false] {
                for &h in lower {
                    let k = if pass { violating[h].clone() } else { d.sub(&count[h], &violating[h]) };
                    if d.known(&k) == Some(0) {
                        continue;
                    }
                    let r = reprieved(d, m, g, h, n, &x, &k);
                    let req = m.ir.groups[h].requests;
                    x[0] = d.add(&x[0], &d.mul_const(&r, req.cpu_milli));
                    x[1] = d.add(&x[1], &d.mul_const(&r, req.memory));
                    x[2] = d.add(&x[2], &r);
                    let gone = d.sub(&k, &r);
                    victims[h] = d.add(&victims[h], &gone);
                    if pass {
                        violations = d.add(&violations, &gone);
                    }
                }
            }
            // The highest victim priority: `order` goes down the priorities.
            let mut highest = d.int(0);
            for &h in lower.iter().rev() {
                highest = d.ite(&d.gt(&victims[h], &d.int(0)), &d.int(m.ir.groups[h].priority), &highest);
            }
            let sum =
                d.sum_of(lower.iter().map(|&h| d.mul_const(&victims[h], m.ir.groups[h].priority + PRIORITY_OFFSET)));
            let count = d.sum(lower.iter().map(|&h| &victims[h]));
            // A candidate has a victim (upstream's dry run keeps only those).
            let ok = d.and(&ok, &d.gt(&count, &d.int(0)));
            NodeVictims { ok, victims, violations, highest, sum, count }
        })
        .collect()
}

/// `a`'s criteria are no worse than `b`'s, in `pickOneNodeForPreemption`'s order.
fn no_worse<D: Domain>(d: &D, a: &NodeVictims<D>, b: &NodeVictims<D>) -> D::Bool {
    let keys = [(&a.violations, &b.violations), (&a.highest, &b.highest), (&a.sum, &b.sum)];
    let mut r = d.le(&a.count, &b.count);
    for (x, y) in keys.into_iter().rev() {
        r = d.or(&d.lt(x, y), &d.and(&d.eq(x, y), &r));
    }
    r
}

/// Whether a pod of `g` nominated to `own` may preempt (`PodEligibleToPreemptOthers`), given
/// the filters' verdicts on its nominated node: not while a pod of lower priority that a
/// preemption deleted terminates there (`podTerminatingByPreemption`: its DisruptionTarget
/// condition says PreemptionByScheduler; `ClusterState::preempted`), unless the node is
/// UnschedulableAndUnresolvable for it. Pods terminating for any other reason do not hold it.
fn eligible<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, own: Option<usize>) -> D::Bool {
    if !m.ir.groups[g].preempts {
        return d.bool(false);
    }
    let Some(node) = own else { return d.bool(true) };
    let preempted = d.any_of(lower(m, g).iter().map(|&h| d.gt(&st.preempted[h][node], &d.int(0))));
    if d.known_bool(&preempted) == Some(false) {
        return d.bool(true);
    }
    let unresolvable = d.not(&resolvable(&framework::filters(d, m, st, g), d)[node]);
    d.or(&unresolvable, &d.not(&preempted))
}

/// A pending pod of `g` nominated to `own` (none: `None`; a DaemonSet's pod created for node
/// `n`) exists and is tried: not while its own preemption is still deleting victims
/// ([`waiting`]).
fn exists<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, own: Option<usize>, n: usize) -> D::Bool {
    match own {
        None => d.gt(&nominations::unnominated_for(d, m, st, g, n), &d.int(0)),
        Some(o) => {
            let here = d.gt(&st.nominated[g][o], &d.int(0));
            if d.known_bool(&here) == Some(false) {
                return here;
            }
            d.and(&here, &d.not(&waiting(d, m, st, g, o)))
        }
    }
}

/// The pod of `g` nominated to `n` is the only pod nominated there and victims of lower
/// priority chosen on `n` are still to be deleted: they are its own preemption's, and upstream
/// does not try the pod again until that preemption has deleted them (synchronous preemption:
/// `prepareCandidate` deletes every victim before the post-filter returns; asynchronous:
/// DefaultPreemption's `PreEnqueue` keeps the pod out of the active queue while
/// `IsPodRunningPreemption`). With more pods nominated to `n` kbmc cannot tell whose victims
/// they are and lets each be tried (more runs than upstream's, never fewer).
fn waiting<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Bool {
    let nominated = d.sum_of((0..m.ir.groups.len()).map(|h| st.nominated[h][n].clone()));
    let victims = d.any_of(lower(m, g).iter().map(|&h| d.gt(&st.preempting[h][n], &d.int(0))));
    d.and(&d.eq(&nominated, &d.int(1)), &victims)
}

/// In a concrete state most of this actor's labels are off for want of a pod to try: the
/// guards of a batch ask first, once per pod group and nomination, whether such a pod exists,
/// may preempt and fits no node (the conjuncts `PREEMPT` and `CLEAR` share, the first one
/// `BIND_NOMINATED` has), a victim's deletion whether any victim is chosen, and evaluate a
/// label's whole guard only where that holds.
impl crate::model::hints::ExplicitHints for Preemption {
    fn batch_guard(&self, m: &Model, labels: &[Step], st: &ClusterState<Concrete>) -> Option<Vec<bool>> {
        let d = Concrete;
        let nn = m.nodes();
        // Per (group, nomination: 0 none, o + 1 node o): whether a pod is there to try, and
        // whether it is eligible and fits nowhere. A DaemonSet's pod (whose `exists` and
        // `nowhere_given` depend on the label's node) is always asked in full.
        let mut tried: Vec<Option<bool>> = vec![None; m.ir.groups.len() * (nn + 1)];
        let mut fails: Vec<Option<bool>> = vec![None; m.ir.groups.len() * (nn + 1)];
        let mut victims: Option<bool> = None;
        // The state's loads, summed once for every group's "fits nowhere".
        let mut loads = None;
        let mut out = Vec::with_capacity(labels.len());
        for s in labels {
            let (g, n) = (s.a as usize, s.b as usize);
            let own = match s.op {
                PREEMPT => preempt_params(m, s).0,
                BIND_NOMINATED => Some(s.v as usize),
                CLEAR => Some(n),
                // A victim's deletion needs a victim chosen on its node.
                _ => {
                    let chosen = *victims.get_or_insert_with(|| st.preempting.iter().flatten().any(|&x| x > 0));
                    out.push(chosen && <Self as Controller<Concrete>>::guard(self, &d, m, s, st));
                    continue;
                }
            };
            if m.daemon_row[g].is_some() && !exists(&d, m, st, g, own, n) {
                out.push(false);
                continue;
            }
            if m.daemon_row[g].is_none() {
                let slot = g * (nn + 1) + own.map_or(0, |o| o + 1);
                let here = *tried[slot].get_or_insert_with(|| exists(&d, m, st, g, own, n));
                let open = here
                    && (s.op == BIND_NOMINATED
                        || *fails[slot].get_or_insert_with(|| {
                            eligible(&d, m, st, g, own) && {
                                let nl = loads.get_or_insert_with(|| framework::NodeLoads::of(&d, m, st));
                                nowhere_given(&d, m, g, n, &nominations::feasible_with(&d, m, st, nl, g, own))
                            }
                        }));
                if !open {
                    out.push(false);
                    continue;
                }
            }
            out.push(<Self as Controller<Concrete>>::guard(self, &d, m, s, st));
        }
        Some(out)
    }
}

/// The nomination a `PREEMPT` label's `v` names, and its order of the victim groups.
fn preempt_params<'m>(m: &'m Model, s: &Step) -> (Option<usize>, &'m [usize]) {
    let (own, k) = preempt_choice(m, s);
    (own, &orders(m, s.a as usize)[k])
}

/// [`preempt_params`] with the order as its index into [`orders`].
fn preempt_choice(m: &Model, s: &Step) -> (Option<usize>, usize) {
    let k = orders(m, s.a as usize).len() as i64;
    let from = s.v / k;
    ((from > 0).then(|| (from - 1) as usize), (s.v % k) as usize)
}

/// Whether node `n`, its victims as `cands` has them (one order), may be the one
/// `pickOneNodeForPreemption` picks: no candidate is better under any order of its own
/// victims (each node's pods have their own start times).
fn best<D: Domain>(d: &D, m: &Model, all: &[&[NodeVictims<D>]], cands: &[NodeVictims<D>], n: usize) -> D::Bool {
    d.all_of(
        (0..m.nodes()).map(|j| d.implies(&cands[j].ok, &d.any_of(all.iter().map(|c| no_worse(d, &cands[n], &c[j]))))),
    )
}

/// What the guards of one state's labels share: each group's eligibility and feasibility per
/// nomination, and its victims per nomination and order (a `PREEMPT` label's `best` compares
/// its node's victims under every order with every other node's), and the binds of nominated
/// pods (`nominations::Binds`). One label's guard builds what it needs of them; a batch of
/// labels (the symbolic engine's frame) builds each once, where label by label a frame of a
/// large cluster summed the same loads and chose the same victims thousands of times.
struct Shared<'a, D: Domain> {
    m: &'a Model,
    st: &'a ClusterState<D>,
    /// The binds of nominated pods, and every group's feasibility per nomination.
    binds: nominations::Binds<'a, D>,
    eligible: HashMap<(usize, Option<usize>), D::Bool>,
    victims: HashMap<Choice, Vec<NodeVictims<D>>>,
}

/// A preemptor's group, its nomination and the order of its victims' groups: an index into
/// [`orders`], or `None` for [`lower`].
type Choice = (usize, Option<usize>, Option<usize>);

/// The order of victims' groups a [`Choice`] names.
fn order_of(m: &Model, g: usize, which: Option<usize>) -> &[usize] {
    match which {
        Some(k) => &orders(m, g)[k],
        None => lower(m, g),
    }
}

impl<'a, D: Domain> Shared<'a, D> {
    fn new(m: &'a Model, st: &'a ClusterState<D>) -> Self {
        Shared {
            m,
            st,
            binds: nominations::Binds::new(m, st),
            eligible: HashMap::default(),
            victims: HashMap::default(),
        }
    }

    /// [`eligible`] of a pod of `g` nominated to `own`.
    fn eligible(&mut self, d: &D, g: usize, own: Option<usize>) -> D::Bool {
        let (m, st) = (self.m, self.st);
        self.eligible.entry((g, own)).or_insert_with(|| eligible(d, m, st, g, own)).clone()
    }

    /// [`nowhere_given`] of a pod of `g` nominated to `own`, for a label on `n`.
    fn nowhere(&mut self, d: &D, g: usize, own: Option<usize>, n: usize) -> D::Bool {
        let m = self.m;
        nowhere_given(d, m, g, n, self.binds.feasible(d, g, own))
    }

    /// Makes sure [`select_victims`] of the choice `c` is kept.
    fn choose(&mut self, d: &D, c: Choice) {
        let (m, st) = (self.m, self.st);
        self.victims.entry(c).or_insert_with(|| select_victims(d, m, st, c.0, c.1, order_of(m, c.0, c.2)));
    }

    fn victims(&self, c: Choice) -> &[NodeVictims<D>] {
        &self.victims[&c]
    }
}

impl Preemption {
    /// `Controller::guard`, with what other labels of the same state built (`shared`).
    fn guard_with<D: Domain>(
        &self,
        d: &D,
        m: &Model,
        s: &Step,
        st: &ClusterState<D>,
        shared: &mut Shared<D>,
    ) -> D::Bool {
        let (a, n) = (s.a as usize, s.b as usize);
        match s.op {
            PREEMPT => {
                let (own, k) = preempt_choice(m, s);
                let pre = d.and(&exists(d, m, st, a, own, n), &shared.eligible(d, a, own));
                if d.known_bool(&pre) == Some(false) {
                    return pre;
                }
                let nowhere = shared.nowhere(d, a, own, n);
                // A pod that fits somewhere does not preempt: no victims to choose.
                if d.known_bool(&nowhere) == Some(false) {
                    return nowhere;
                }
                // A DaemonSet's pod has its own node as the only candidate.
                let daemon = m.daemon_row[a].is_some();
                shared.choose(d, (a, own, Some(k)));
                let every = 0..if daemon { 0 } else { orders(m, a).len() };
                for o in every.clone() {
                    shared.choose(d, (a, own, Some(o)));
                }
                let cands = shared.victims((a, own, Some(k)));
                let best = if daemon {
                    d.bool(true)
                } else {
                    let all: Vec<&[NodeVictims<D>]> = every.map(|o| shared.victims((a, own, Some(o)))).collect();
                    best(d, m, &all, cands, n)
                };
                d.all([pre, nowhere, cands[n].ok.clone(), best].iter())
            }
            BIND_NOMINATED => {
                let o = Some(s.v as usize);
                shared.binds.bind(d, a, o, n, exists(d, m, st, a, o, n))
            }
            CLEAR => {
                let pre = d.and(&exists(d, m, st, a, Some(n), n), &shared.eligible(d, a, Some(n)));
                if d.known_bool(&pre) == Some(false) {
                    return pre;
                }
                let nowhere = shared.nowhere(d, a, Some(n), n);
                if d.known_bool(&nowhere) == Some(false) {
                    return nowhere;
                }
                shared.choose(d, (a, Some(n), None));
                let cands = shared.victims((a, Some(n), None));
                let none = match m.daemon_row[a] {
                    Some(_) => d.not(&cands[n].ok),
                    None => d.not(&d.any_of(cands.iter().map(|c| c.ok.clone()))),
                };
                d.all([pre, nowhere, none].iter())
            }
            DELETE_BOUND => d.and(&d.gt(&st.preempting[a][n], &d.int(0)), &d.gt(&st.bound[a][n], &d.int(0))),
            DELETE_RUNNING => {
                let h = m.kinds[a].group.index();
                d.and(&d.gt(&st.preempting[h][n], &d.int(0)), &d.gt(&st.running[a][n], &d.int(0)))
            }
            _ => {
                let gone = d.or(&d.gt(&st.terminating[a][n], &d.int(0)), &d.eq(&active_on(d, m, st, a, n), &d.int(0)));
                d.and(&d.gt(&st.preempting[a][n], &d.int(0)), &gone)
            }
        }
    }
}

/// The guards of a frame's labels built at once, sharing what they read (`Shared`).
impl<D: Domain> crate::model::hints::SymbolicHints<D> for Preemption {
    fn batch_guard(&self, d: &D, m: &Model, labels: &[Step], st: &ClusterState<D>) -> Option<Vec<D::Bool>> {
        let mut shared = Shared::new(m, st);
        Some(labels.iter().map(|s| self.guard_with(d, m, s, st, &mut shared)).collect())
    }
}

impl<D: Domain> Controller<D> for Preemption {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn symbolic_hints(&self) -> Option<&dyn crate::model::hints::SymbolicHints<D>> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "preemption"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    // Victim groups of one priority are tried in every order up to `ORDERS_MAX`, in index
    // order beyond: renaming Deployments could change the outcome.
    fn uses_deployment_order(&self, m: &Model) -> bool {
        m.preempts
    }
    // Not whether a step is enabled: a preemption is enabled where an eligible pending pod
    // fits no node and some node is a candidate (neither asks the order, only which candidate
    // and which victims do), and its other steps need a nomination or a victim, which only a
    // preemption makes (no initial state has either).
    fn deployment_order_once_enabled(&self, _m: &Model) -> bool {
        true
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.preempts {
            return;
        }
        let nn = m.nodes();
        for (g, grp) in m.ir.groups.iter().enumerate() {
            if !framework::scheduled(m, g) {
                continue;
            }
            let preempts = grp.preempts && !lower(m, g).is_empty();
            if preempts {
                let k = orders(m, g).len() as i64;
                // A DaemonSet's pod is nominated, and bound, only to the node it was created
                // for: from no nomination or from that node.
                let daemon = m.daemon_row[g].is_some();
                for n in 0..nn {
                    for from in 0..=nn as i64 {
                        if daemon && from != 0 && from != n as i64 + 1 {
                            continue;
                        }
                        for o in 0..k {
                            out.push(Step::new(actor, PREEMPT, g, n, from * k + o));
                        }
                    }
                }
                for o in 0..nn {
                    for n in (0..nn).filter(|&n| !daemon || n == o) {
                        out.push(Step::new(actor, BIND_NOMINATED, g, n, o as i64));
                    }
                    out.push(Step::new(actor, CLEAR, g, o, 0));
                }
            }
        }
        for (h, _) in m.ir.groups.iter().enumerate() {
            if !m.ir.groups.iter().any(|g| g.preempts && g.priority > m.ir.groups[h].priority) {
                continue;
            }
            for n in 0..nn {
                out.push(Step::new(actor, DELETE_BOUND, h, n, 0));
                for &k in &m.kinds_of_group[h] {
                    out.push(Step::new(actor, DELETE_RUNNING, k, n, 0));
                }
                out.push(Step::new(actor, DELETE_NONE, h, n, 0));
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn preempts(&self, s: &Step) -> bool {
        matches!(s.op, DELETE_BOUND | DELETE_RUNNING)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        self.guard_with(d, m, s, st, &mut Shared::new(m, st))
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (a, n) = (s.a as usize, s.b as usize);
        let one = d.int(1);
        match s.op {
            PREEMPT => {
                let (own, order) = preempt_params(m, s);
                let cands = select_victims(d, m, st, a, own, order);
                let p = m.ir.groups[a].priority;
                // prepareCandidate: lower-priority pods nominated here lose their nomination.
                for h in (0..m.ir.groups.len()).filter(|&h| m.ir.groups[h].priority < p) {
                    nx.nominated[h][n] = d.int(0);
                    let chosen = d.add(&st.preempting[h][n], &cands[n].victims[h]);
                    nx.preempting[h][n] = d.min(&chosen, &on_node(d, m, st, h, n));
                }
                if let Some(o) = own {
                    nx.nominated[a][o] = d.sub(&st.nominated[a][o], &one);
                }
                nx.nominated[a][n] = d.add(&nx.nominated[a][n], &one);
            }
            BIND_NOMINATED => {
                let o = s.v as usize;
                nx.nominated[a][o] = d.sub(&st.nominated[a][o], &one);
                match m.daemon_row[a] {
                    Some(r) => nx.unscheduled[r][n] = d.sub(&st.unscheduled[r][n], &one),
                    None => nx.pending[a] = d.sub(&st.pending[a], &one),
                }
                nx.bound[a][n] = d.add(&st.bound[a][n], &one);
            }
            CLEAR => nx.nominated[a][n] = d.sub(&st.nominated[a][n], &one),
            // `PreemptPod` sets the victim's DisruptionTarget condition (PreemptionByScheduler)
            // before it deletes the pod: a terminating pod a preemption deleted.
            DELETE_BOUND => {
                nx.preempting[a][n] = d.sub(&st.preempting[a][n], &one);
                nx.bound[a][n] = d.sub(&st.bound[a][n], &one);
                nx.terminating[a][n] = d.add(&st.terminating[a][n], &one);
                nx.preempted[a][n] = d.add(&st.preempted[a][n], &one);
            }
            DELETE_RUNNING => {
                let h = m.kinds[a].group.index();
                nx.preempting[h][n] = d.sub(&st.preempting[h][n], &one);
                nx.running[a][n] = d.sub(&st.running[a][n], &one);
                nx.terminating[h][n] = d.add(&st.terminating[h][n], &one);
                nx.preempted[h][n] = d.add(&st.preempted[h][n], &one);
            }
            _ => nx.preempting[a][n] = d.sub(&st.preempting[a][n], &one),
        }
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (a, n) = (s.a as usize, s.b as usize);
        let node = m.node_name(n);
        match s.op {
            PREEMPT => {
                let (own, order) = preempt_params(m, s);
                let cands = select_victims(&Concrete, m, before, a, own, order);
                let c = &cands[n];
                let victims: Vec<String> = (0..m.ir.groups.len())
                    .filter(|&h| c.victims[h] > 0)
                    .map(|h| format!("{} of {} (priority {})", c.victims[h], m.group_name(h), m.ir.groups[h].priority))
                    .collect();
                if m.daemon_row[a].is_some() {
                    return format!(
                        "a pending pod of {} (priority {}) does not fit {node}, the node it was created for: preempts {} there, nominated there ({} PDB violation(s))",
                        m.group_name(a),
                        m.ir.groups[a].priority,
                        victims.join(", "),
                        c.violations,
                    );
                }
                let others = cands.iter().enumerate().filter(|(j, c)| c.ok && *j != n).count();
                format!(
                    "a pending pod of {} (priority {}) fits no node: preempts {} on {node}, nominated there ({} PDB violation(s); {})",
                    m.group_name(a),
                    m.ir.groups[a].priority,
                    victims.join(", "),
                    c.violations,
                    if others == 0 { "the only candidate".to_string() } else { format!("{others} other candidate(s) no better") }
                )
            }
            BIND_NOMINATED => {
                let o = s.v as usize;
                if o == n {
                    format!("binds the pod of {} nominated to {node} there", m.group_name(a))
                } else {
                    format!(
                        "binds the pod of {} nominated to {} to {node} (its nominated node no longer fits it)",
                        m.group_name(a),
                        m.node_name(o)
                    )
                }
            }
            CLEAR if m.daemon_row[a].is_some() => format!(
                "the pod of {} nominated to {node}, the node it was created for, does not fit there and no preemption there makes room: its nomination is cleared",
                m.group_name(a)
            ),
            CLEAR => format!(
                "the pod of {} nominated to {node} fits no node and no node is a preemption candidate: its nomination is cleared",
                m.group_name(a)
            ),
            DELETE_BOUND => format!("deletes a preemption victim of {} on {node} (bound, not started)", m.group_name(a)),
            DELETE_RUNNING => {
                let h = m.kinds[a].group.index();
                format!("deletes a preemption victim of {} on {node} (running)", m.group_name(h))
            }
            _ => format!("a preemption victim of {} on {node} is already being deleted", m.group_name(a)),
        }
    }
}

#[cfg(test)]
mod tests;
