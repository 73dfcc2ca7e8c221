//! Descheduler: one run of every profile (all Deschedule plugins, then all Balance plugins)
//! per step, evicting pods that the scheduler will then place again. One file per plugin, as
//! upstream has one folder per plugin under `pkg/framework/plugins/`; `evictor.rs` holds what
//! every plugin shares (DefaultEvictor's filter and the eviction limits). This file owns the
//! run (profiles, plugin order, node orders) and the deferred per-pod evictions; it must not
//! hold a plugin's own rule.
//!
//! Follows kubernetes-sigs/descheduler `pkg/descheduler/descheduler.go`: the run considers
//! Ready nodes (cordoned ones included) and aborts with one or none.
//! Orders: where upstream's order is arbitrary (map iteration over nodes and domains, an
//! unstable sort of equal-sized domains or of equally used nodes), each node order is a step
//! label (`order_count`, `permutation`): the run visits nodes, ranks tied domains and walks a
//! domain's nodes in that order. LowNodeUtilization takes its overutilized nodes by
//! descending usage (sortNodesByUsage: cpu millicores + memory bytes + pods), an order that
//! breaks that sort being no run (the guard refuses it), and a node's pods by priority, lowest
//! first, then QoS class, BestEffort first (SortPodsBasedOnPriorityLowToHigh). Topology
//! spread counts with the descheduler's selector semantics (`labelSelector:
//! {}` matches every pod of the namespace) and merges constraints as hasIdenticalConstraints.
//! Evictions: the run decides from the state it starts in, as upstream's plugins decide from
//! their snapshot, and picks its evictions (`evicting`); each pick is then an Eviction API
//! call of its own (`Eviction`), a fast step the ReplicaSet, the scheduler and the kubelet
//! interleave with, as upstream's plugins call `EvictPod` (pkg/descheduler/evictions/
//! evictions.go) pod by pod. Each call asks the PodDisruptionBudget as the cluster then
//! stands (pkg/registry/core/pod/storage/eviction.go). A refused call evicts nothing and the
//! run goes on: `EvictPod` returns the 429 as an error, counts it towards no limit (its
//! node, namespace and total counters grow only on success; evictions_test.go
//! TestNewPodEvictor), and every plugin's loop moves on to its next pod (removeduplicates.go
//! `Balance` continues past any error but a limit's; nodeutilization.go `evictPods` lowers
//! the node's usage only on success and tries the next pod; pod_antiaffinity.go drops only
//! an evicted pod from its listing). So the run tries the pods the budget is foreseen to
//! refuse too (each a pick, with no limit, usage or listing counting it), and their calls
//! may succeed once the budget allows (a replacement Ready). Calls go in any order, each
//! evicting a pod of any usage kind, bound or running (upstream's lister order); where
//! something else may remove a picked pod before its call (`others_act_between`) any call
//! may find its pod gone. The next run starts once every call is made.
//! Abstracted: a pod marked by two spread constraints is counted once per (group, node) as the
//! larger of the two marks.
//! Under-approximations (runs upstream can take that kbmc does not explore):
//! - more than [`ORDER_NODES_MAX`] nodes: index order only (`order_count`);
//! - one node order serves the whole run: upstream's plugins, and its passes over several
//!   spread constraints, each break ties anew, so runs where two of them break ties
//!   differently (LowNodeUtilization's sort constraining the order that topology spread's
//!   ties then see, say) are missed;
//! - pods of tied groups are taken group by group, never interleaved pod by pod: every group
//!   order where it can change the outcome is a choice of the step (`group_choice_count`; the
//!   step's `a`; `group_order.rs` for the plugins that walk a node's pods), up to
//!   [`GROUP_CHOICES_MAX`] choices, index order beyond; topology spread takes one order of a
//!   constraint's tied groups for all its domains. Upstream's pod order is arbitrary pod by
//!   pod, so a different mix of groups can be evicted before LowNodeUtilization's node
//!   reaches its target or the headroom runs out, before a limit or a shared
//!   PodDisruptionBudget stops a plugin, or among a spread domain's moves;
//! - a call refused that the run foresaw allowed (a budget tightened by something else
//!   between them: `unforeseen_refusals_redirect`) leaves a limit, LowNodeUtilization's
//!   target or an anti-affinity listing where upstream's plugin then tries further pods,
//!   which no pick covers.

mod evictor;
mod group_order;

/// DefaultEvictor's Filter for the pods of group `g` (what other modules' tests ask of it).
#[cfg(test)]
pub(crate) fn evictor_admits<D: crate::domain::Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    p: &crate::ir::DeschedulerProfile,
    g: usize,
) -> D::Bool {
    evictor::filter(d, m, st, p, g)
}
mod inter_pod_anti_affinity;
mod low_node_utilization;
mod node_affinity;
mod node_taints;
mod remove_duplicates;
#[cfg(test)]
mod tests;
mod topology_spread;

use super::super::{disruption, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{DeschedulerPlugin, DeschedulerProfile};
use crate::model::node::ready;
use crate::model::state::Conditions;
use evictor::{node_fit, Limits};
use inter_pod_anti_affinity::inter_pod_anti_affinity;
use low_node_utilization::low_node_utilization;
use node_affinity::node_affinity;
use node_taints::node_taints;
use remove_duplicates::remove_duplicates;
use topology_spread::{balanced_constraints, topology_spread, SpreadArgs};

pub struct Descheduler;

/// Most nodes for which a descheduler step explores every node order (`n!` labels); beyond
/// it, only index order (an under-approximation the module documentation names).
pub const ORDER_NODES_MAX: usize = 6;

/// How many node orders a descheduler step explores: every permutation of the nodes where
/// the order can change a run's outcome (`uses_node_order`) and there are at most
/// [`ORDER_NODES_MAX`] nodes; index order alone elsewhere.
pub fn order_count(m: &Model) -> usize {
    let nn = m.nodes();
    if nn > ORDER_NODES_MAX || !order_matters(m) {
        1
    } else {
        (1..=nn).product()
    }
}

/// Most choices of pod group orders a descheduler step explores (owners in RemoveDuplicates,
/// groups on each node in RemovePodsViolatingInterPodAntiAffinity); beyond it, index order
/// only (an under-approximation the assumption `descheduler-order` names).
pub const GROUP_CHOICES_MAX: usize = 720;

/// The plugins of every profile in the order a run calls them: Deschedule plugins of every
/// profile, then Balance plugins.
fn plugins_in_run(m: &Model) -> Vec<(&DeschedulerProfile, &DeschedulerPlugin)> {
    let Some(ds) = &m.ir.descheduler else { return Vec::new() };
    let mut out = Vec::new();
    for deschedule in [true, false] {
        for p in &ds.profiles {
            for plugin in if deschedule { &p.deschedule } else { &p.balance } {
                out.push((p, plugin));
            }
        }
    }
    out
}

/// Choices of group orders plugin `plugin` adds to a step (1: its order does not matter).
fn plugin_choices(m: &Model, plugin: &DeschedulerPlugin) -> usize {
    match plugin {
        DeschedulerPlugin::RemoveDuplicates { .. } => remove_duplicates::choices(m, plugin),
        DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { .. } => {
            inter_pod_anti_affinity::choices(m, plugin)
        }
        DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint { .. } => topology_spread::choices(m, plugin),
        DeschedulerPlugin::LowNodeUtilization { .. } => low_node_utilization::choices(m, plugin),
        DeschedulerPlugin::RemovePodsViolatingNodeTaints { .. } => node_taints::choices(m, plugin),
        DeschedulerPlugin::RemovePodsViolatingNodeAffinity { .. } => node_affinity::choices(m, plugin),
    }
}

/// Choices of group orders over the whole run, before the cap.
fn all_group_choices(m: &Model) -> usize {
    plugins_in_run(m)
        .iter()
        .try_fold(1usize, |acc, (_, plugin)| acc.checked_mul(plugin_choices(m, plugin)))
        .unwrap_or(usize::MAX)
}

/// How many choices of pod group orders a descheduler step explores: each plugin's (where
/// upstream's order of owners or of a node's pods is arbitrary and can change its outcome),
/// combined; 1 (index order) where none matters or above [`GROUP_CHOICES_MAX`].
pub fn group_choice_count(m: &Model) -> usize {
    if !m.ir.controllers.descheduler {
        return 1;
    }
    let all = all_group_choices(m);
    if all > GROUP_CHOICES_MAX {
        1
    } else {
        all
    }
}

/// Some plugin's order of owners or of a node's groups matters: kbmc explores the orders
/// group by group (or, above [`GROUP_CHOICES_MAX`], index order only), never pods of two
/// groups interleaved one by one.
pub fn group_order_matters(m: &Model) -> bool {
    m.ir.controllers.descheduler && all_group_choices(m) > 1
}

/// Each plugin's share of choice `choice` (below [`group_choice_count`]), in run order.
fn split_choice(m: &Model, choice: usize) -> Vec<usize> {
    let mut rest = choice;
    plugins_in_run(m)
        .iter()
        .map(|(_, plugin)| {
            let k = plugin_choices(m, plugin);
            let mine = rest % k;
            rest /= k;
            mine
        })
        .collect()
}

/// The `k`-th permutation of `0..n` in lexicographic order (0: index order).
pub fn permutation(n: usize, k: usize) -> Vec<usize> {
    let mut left: Vec<usize> = (0..n).collect();
    let mut out = Vec::with_capacity(n);
    let mut k = k;
    for i in (0..n).rev() {
        let f: usize = (1..=i).product();
        out.push(left.remove(k / f));
        k %= f;
    }
    out
}

/// One descheduler run, visiting nodes in `order` wherever upstream's order is arbitrary:
/// the state its evictions lead to when nothing else acts in between (evicted pods
/// terminating), as the plugins decide it. Also returns whether `order` is one upstream can
/// take: LowNodeUtilization sorts its source nodes by usage, so only orders consistent with
/// that sort are runs. `choice` (below [`group_choice_count`]) names the order of owners and
/// of a node's groups where that is arbitrary upstream and matters (0: index order).
/// The descheduler's step does not take this state: it turns the evictions into picks
/// ([`Outcome`], [`Eviction`]).
pub fn run<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    order: &[usize],
    choice: usize,
) -> (ClusterState<D>, D::Bool) {
    let o = decide(d, m, st, order, choice);
    (o.evicted, o.possible)
}

/// What a run decides: the state after its evictions, whether its node order is one upstream
/// can take, and per group and node the running pods it tries that the Eviction API is
/// foreseen to refuse.
struct Outcome<D: Domain> {
    evicted: ClusterState<D>,
    possible: D::Bool,
    refused: Vec<Vec<D::Int>>,
}

fn decide<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, order: &[usize], choice: usize) -> Outcome<D> {
    let ng = m.ir.groups.len();
    let nn = m.nodes();
    if m.ir.descheduler.is_none() {
        return Outcome { evicted: st.clone(), possible: d.bool(true), refused: vec![vec![d.int(0); nn]; ng] };
    }
    let ready_nodes = d.sum_of((0..nn).map(|n| d.count(&ready(d, st, n))));
    let fit = (0..ng).map(|g| (0..nn).map(|t| node_fit(d, m, st, g, t)).collect()).collect();
    let mut lim = Limits {
        per_node: vec![d.int(0); nn],
        per_namespace: vec![d.int(0); m.ir.groups.len()],
        total: d.int(0),
        fit,
        refused: vec![vec![d.int(0); nn]; ng],
    };
    let mut nx = st.clone();
    let mut possible = d.bool(true);
    let choices = split_choice(m, choice);
    for ((p, plugin), choice) in plugins_in_run(m).into_iter().zip(choices) {
        nx = match plugin {
            DeschedulerPlugin::RemoveDuplicates { .. } => {
                remove_duplicates(d, m, nx, p, &mut lim, plugin, order, choice)
            }
            DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint {
                hard,
                soft,
                topology_balance_node_fit,
                namespaces,
            } => topology_spread(
                d,
                m,
                nx,
                p,
                &mut lim,
                SpreadArgs { hard: *hard, soft: *soft, node_fit_check: *topology_balance_node_fit, namespaces },
                order,
                choice,
            ),
            DeschedulerPlugin::LowNodeUtilization { .. } => {
                let (out, sorted) = low_node_utilization(d, m, nx, p, &mut lim, plugin, order, choice);
                possible = d.and(&possible, &sorted);
                out
            }
            DeschedulerPlugin::RemovePodsViolatingNodeTaints { .. } => {
                node_taints(d, m, nx, p, &mut lim, plugin, order, choice)
            }
            DeschedulerPlugin::RemovePodsViolatingNodeAffinity { .. } => {
                node_affinity(d, m, nx, p, &mut lim, plugin, order, choice)
            }
            DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { .. } => {
                inter_pod_anti_affinity(d, m, nx, p, &mut lim, plugin, order, choice)
            }
        };
    }
    // With one Ready node or none the descheduler aborts the run.
    let go = d.gt(&ready_nodes, &d.int(1));
    let evicted = select(d, &go, &nx, st);
    let refused = lim.refused.iter().map(|row| row.iter().map(|r| d.ite(&go, r, &d.int(0))).collect()).collect();
    Outcome { evicted, possible, refused }
}

/// The node order of descheduler step `s`.
fn order_of(m: &Model, s: &Step) -> Vec<usize> {
    permutation(m.nodes(), s.v as usize)
}

/// Whether, between a run and the Eviction API calls it makes, something other than the
/// run's own evictions and the pods' replacements can delete a picked pod or change a
/// PodDisruptionBudget's count: under interleaved timing anything can; under urgent timing
/// only fast actors step while picks are left (the run starts where none is enabled), and of
/// those a preemption, a drain's or the cluster autoscaler's queued evictions held up by a
/// budget, or a rollout's (a Deployment's or a DaemonSet's) deletions can. Taint eviction's
/// queue asks no budget, so it is empty where the run starts, and only a node failure (an
/// event) fills it. Without any of them the first call sees the state the run started from,
/// and each later one that state with the run's earlier calls and their replacements.
pub fn others_act_between(m: &Model) -> bool {
    let ir = &m.ir;
    ir.timing == crate::ir::Timing::Interleaved
        || m.preempts
        || ir.autoscaler.is_some()
        || ir.events.iter().any(|e| matches!(e, crate::ir::Event::Maintenance { .. }))
        || (ir.controllers.deployment && ir.deployments.iter().any(|d| d.revisions.len() > 1))
        || ir.daemon_sets.iter().any(|s| s.revisions.len() > 1)
}

/// Whether a call the run foresaw allowed may be refused where upstream's plugin would then
/// try pods past the run's picks: something else may tighten a PodDisruptionBudget between
/// the run and its calls ([`others_act_between`]), a budget selects pods the descheduler may
/// evict, and what the run evicts decides what else it tries (an eviction limit counts only
/// evictions, LowNodeUtilization's target and headroom fall only with them, and
/// RemovePodsViolatingInterPodAntiAffinity drops only an evicted pod from its listing).
/// kbmc's run decides from the budget as the run foresees it; the pods such a refusal would
/// send upstream's plugin on to are not picked (assumption `descheduler-order`).
pub fn unforeseen_refusals_redirect(m: &Model) -> bool {
    let Some(ds) = m.ir.descheduler.as_ref().filter(|_| m.ir.controllers.descheduler) else {
        return false;
    };
    let budgeted = m.ir.pdbs.iter().any(|p| (0..m.ir.groups.len()).any(|g| p.selects[g] && m.defers_evictions[g]));
    let feedback = ds.max_per_node.is_some()
        || ds.max_per_namespace.is_some()
        || ds.max_total.is_some()
        || plugins_in_run(m).iter().any(|(_, p)| {
            matches!(
                p,
                DeschedulerPlugin::LowNodeUtilization { .. }
                    | DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { .. }
            )
        });
    others_act_between(m) && budgeted && feedback
}

/// The state after a run's step from `st`: every pod the run evicts (bound or running) and
/// every running pod it tries that the Eviction API is foreseen to refuse becomes a pick
/// (`evicting`), at most the group's pods on the node; the pods stay as they are, and
/// [`Eviction`] steps make the API calls one at a time, each asking the budget as it then
/// stands. Upstream's plugins decide from the snapshot the run started with and then call
/// `EvictPod` pod by pod, while the ReplicaSet, the scheduler and the kubelet go on.
fn defer<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, o: &Outcome<D>) -> ClusterState<D> {
    let mut out = st.clone();
    for g in (0..m.ir.groups.len()).filter(|&g| m.defers_evictions[g]) {
        for n in 0..m.nodes() {
            let taken = d.sub(&o.evicted.terminating[g][n], &st.terminating[g][n]);
            let tried = d.add(&taken, &o.refused[g][n]);
            let pods = crate::model::node::active_on(d, m, st, g, n);
            out.evicting[g][n] = d.add(&st.evicting[g][n], &d.min(&tried, &pods));
        }
    }
    out
}

/// `c ? a : b` over whole states (only the pod arrays differ after a descheduler run).
fn select<D: Domain>(d: &D, c: &D::Bool, a: &ClusterState<D>, b: &ClusterState<D>) -> ClusterState<D> {
    let mut out = b.clone();
    let pick = |x: &Vec<Vec<D::Int>>, y: &Vec<Vec<D::Int>>| -> Vec<Vec<D::Int>> {
        x.iter().zip(y).map(|(r, s)| r.iter().zip(s).map(|(p, q)| d.ite(c, p, q)).collect()).collect()
    };
    out.bound = pick(&a.bound, &b.bound);
    out.running = pick(&a.running, &b.running);
    out.terminating = pick(&a.terminating, &b.terminating);
    out
}

/// Pods a run evicts (terminating pods added), when nothing else acts in between.
fn evicted_total<D: Domain>(d: &D, before: &ClusterState<D>, after: &ClusterState<D>) -> D::Int {
    let b = d.sum(before.terminating.iter().flatten());
    let a = d.sum(after.terminating.iter().flatten());
    d.sub(&a, &b)
}

/// Picks left in `st` (a run's Eviction API calls not made yet).
fn picks_left<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>) -> D::Int {
    d.sum((0..m.ir.groups.len()).filter(|&g| m.defers_evictions[g]).flat_map(|g| st.evicting[g].iter()))
}

/// Whether the order of Deployments' groups can change a run's outcome (see
/// `uses_deployment_order` above).
pub fn deployment_order_matters(m: &Model) -> bool {
    let Some(ds) = m.ir.descheduler.as_ref().filter(|_| m.ir.controllers.descheduler) else {
        return false;
    };
    // Some per-group vector selects groups of two Deployments or more.
    let spans = |selects: &[bool]| {
        let mut deps = (0..selects.len()).filter(|&g| selects[g]).map(|g| m.dep_of_group(g));
        deps.next().is_some_and(|first| deps.any(|d| d != first))
    };
    ds.max_per_node.is_some()
        || ds.max_per_namespace.is_some()
        || ds.max_total.is_some()
        || all_group_choices(m) > GROUP_CHOICES_MAX
        || plugins_in_run(m).iter().any(|(_, p)| {
            matches!(
                p,
                DeschedulerPlugin::LowNodeUtilization { .. }
                    | DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { .. }
            )
        })
        || m.ir.pdbs.iter().any(|p| spans(&p.selects))
        || m.ir.groups.iter().any(|g| {
            let a = &g.pod_affinity;
            g.spread.iter().any(|c| spans(&c.desched_selects))
                || a.required_anti
                    .iter()
                    .chain(&a.preferred_anti)
                    .chain(&a.required)
                    .chain(&a.preferred)
                    .any(|t| spans(&t.desched_selects))
        })
}

/// Whether the order in which a run visits nodes can change its outcome (see
/// `uses_node_order` below).
pub fn order_matters(m: &Model) -> bool {
    let Some(ds) = m.ir.descheduler.as_ref().filter(|_| m.ir.controllers.descheduler) else {
        return false;
    };
    ds.max_per_namespace.is_some()
        || ds.max_total.is_some()
        || ds.profiles.iter().flat_map(|p| p.deschedule.iter().chain(&p.balance)).any(|plugin| match plugin {
            DeschedulerPlugin::LowNodeUtilization { .. } => true,
            DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint { hard, soft, namespaces, .. } => {
                !balanced_constraints(m, *hard, *soft, namespaces).is_empty()
            }
            DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { .. } => {
                inter_pod_anti_affinity::order_matters(m)
            }
            _ => false,
        })
}

impl<D: Domain> Controller<D> for Descheduler {
    fn name(&self) -> &'static str {
        "descheduler"
    }
    fn class(&self) -> Class {
        Class::Periodic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    /// One label per node order the run can take (`order_count`) and choice of group orders
    /// (`group_choice_count`): `v` numbers the node order, `a` the group orders.
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if m.ir.controllers.descheduler && m.ir.descheduler.is_some() {
            for c in 0..group_choice_count(m) {
                for k in 0..order_count(m) {
                    out.push(Step::new(actor, 0, c, 0, k as i64));
                }
            }
        }
    }
    /// Nodes and domains are visited in the step's node order (where upstream's order is
    /// arbitrary). That decides the outcome, for two nodes alike but for their pods, where
    /// something is shared across nodes: the namespace and total eviction limits,
    /// LowNodeUtilization's running headroom, and the balancing of topology spread
    /// constraints (ties between domains, moves marked on a domain's nodes in order).
    /// RemoveDuplicates (which counts before it visits nodes), RemovePodsViolatingNodeTaints
    /// and RemovePodsViolatingNodeAffinity, the DefaultEvictor's minReplicas (its count of the
    /// owner's pods does not change within a run) and the per-node limit decide per node:
    /// with only those, twins stay interchangeable. Where it holds, every node order is a
    /// label (up to [`ORDER_NODES_MAX`] nodes), so the successors are closed under renaming
    /// nodes; it still says so, as no test shows the reduction sound with the orders.
    /// A choice of group orders names nodes too (each node's digit), so it counts here.
    fn uses_node_order(&self, m: &Model) -> bool {
        order_matters(m) || group_choice_count(m) > 1
    }
    /// A run takes groups in index order where upstream's pod order is arbitrary. That decides
    /// the outcome where groups of two Deployments share something within a run: an eviction
    /// limit, LowNodeUtilization's headroom, a PodDisruptionBudget, a spread constraint or an
    /// anti-affinity term counting both, or group orders beyond [`GROUP_CHOICES_MAX`] (index
    /// order only). Without any of those each group's evictions depend on its own pods and
    /// the state the run started from, and every group order a choice names is a label.
    fn uses_deployment_order(&self, m: &Model) -> bool {
        deployment_order_matters(m)
    }
    /// The run evicts nothing itself: its [`Eviction`] steps do.
    fn evicts(&self, _s: &Step) -> bool {
        false
    }
    /// A run starts once the previous run's Eviction API calls are made (upstream's loop runs
    /// the plugins and their calls, then waits for the next period). It is a step where it
    /// evicts something when nothing else acts; where something else may act before its
    /// calls ([`others_act_between`]), also where it only tries pods the budget now refuses.
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        // Calls of the previous run still to make (a pick is a count, never negative): no
        // run, without working one out (in a concrete state a run is the costly part of a
        // search). No term is made for the question where values are not known.
        let deferred = (0..m.ir.groups.len()).filter(|&g| m.defers_evictions[g]);
        if deferred.flat_map(|g| st.evicting[g].iter()).any(|x| d.known(x).is_some_and(|k| k > 0)) {
            return d.bool(false);
        }
        let o = decide(d, m, st, &order_of(m, s), s.a as usize);
        let mut acts = d.gt(&evicted_total(d, st, &o.evicted), &d.int(0));
        if others_act_between(m) {
            acts = d.or(&acts, &d.gt(&d.sum(o.refused.iter().flatten()), &d.int(0)));
        }
        d.all([o.possible, d.eq(&picks_left(d, m, st), &d.int(0)), acts].iter())
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        *nx = defer(d, m, st, &decide(d, m, st, &order_of(m, s), s.a as usize));
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let mut picks = Vec::new();
        let anti = plugins_in_run(m)
            .iter()
            .any(|(_, p)| matches!(p, DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { .. }));
        for g in (0..m.ir.groups.len()).filter(|&g| m.defers_evictions[g]) {
            for n in 0..m.nodes() {
                let k = after.evicting[g][n] - before.evicting[g][n];
                if k > 0 {
                    let why = if anti { inter_pod_anti_affinity::why(m, before, g, n) } else { None };
                    let why = why.map(|w| format!(", as {w}")).unwrap_or_default();
                    picks.push(format!("{k} pod(s) of {} on {}{why}", m.group_name(g), m.node_name(n)));
                }
            }
        }
        let plugins: Vec<&str> =
            m.ir.descheduler
                .iter()
                .flat_map(|ds| ds.profiles.iter().flat_map(|p| p.deschedule.iter().chain(&p.balance).map(|x| x.name())))
                .collect();
        let what = format!("picks to evict {}", picks.join(", "));
        let mut how = vec![plugins.join(", ")];
        if s.v != 0 {
            let order: Vec<&str> = order_of(m, s).iter().map(|&n| m.node_name(n)).collect();
            how.push(format!("nodes in the order {}", order.join(", ")));
        }
        for ((_, plugin), choice) in plugins_in_run(m).into_iter().zip(split_choice(m, s.a as usize)) {
            how.extend(remove_duplicates::describe_choice(m, plugin, choice));
            how.extend(inter_pod_anti_affinity::describe_choice(m, plugin, choice));
            how.extend(topology_spread::describe_choice(m, plugin, choice));
            how.extend(low_node_utilization::describe_choice(m, plugin, choice));
            how.extend(node_taints::describe_choice(m, plugin, choice));
            how.extend(node_affinity::describe_choice(m, plugin, choice));
        }
        format!("{what} ({})", how.join("; "))
    }
}

/// An [`Eviction`] step that evicts a running pod of the step's usage kind (`v`).
const RUNNING: u8 = 0;
/// An [`Eviction`] step that evicts a bound pod that has not started.
const BOUND: u8 = 1;
/// An [`Eviction`] step whose call evicts nothing: the budget refuses it, or the pod is gone.
const DROP: u8 = 2;

/// The Eviction API calls a descheduler run picked (`defer`), one per step, a fast step that
/// the other controllers interleave with (upstream's plugins call `EvictPod` pod by pod while
/// the ReplicaSet, the scheduler and the kubelet go on). A call evicts a running pod of the
/// picked group on the node, of any usage kind (upstream's pod order is the lister's,
/// arbitrary among pods of one ReplicaSet), where the PodDisruptionBudget allows it as it
/// stands now (`disruption::allows`), or a bound pod that has not started (phase Pending:
/// the API asks no budget). A call the budget refuses evicts nothing (evictions.go `EvictPod`
/// returns the 429 and the plugin goes on to its next pod, which is a pick of its own), and
/// so does a call whose pod is gone. Calls go in any order, groups and nodes alike. Where
/// something else may delete a picked pod first ([`others_act_between`]) any call may find
/// its pod gone; elsewhere only a call that finds no pod of the group left on the node.
pub struct Eviction;

impl<D: Domain> Controller<D> for Eviction {
    fn name(&self) -> &'static str {
        "descheduler"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for g in (0..m.ir.groups.len()).filter(|&g| m.defers_evictions[g]) {
            for n in 0..m.nodes() {
                for &k in &m.kinds_of_group[g] {
                    out.push(Step::new(actor, RUNNING, g, n, k as i64));
                }
                out.push(Step::new(actor, BOUND, g, n, 0));
                out.push(Step::new(actor, DROP, g, n, 0));
            }
        }
    }
    /// A call that evicts a pod is a voluntary eviction (a drop raises no count).
    fn evicts(&self, s: &Step) -> bool {
        s.op != DROP
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (g, n) = (s.a as usize, s.b as usize);
        let picked = d.gt(&st.evicting[g][n], &d.int(0));
        let can = match s.op {
            RUNNING => d.and(&d.gt(&st.running[s.v as usize][n], &d.int(0)), &disruption::allows(d, m, st, g, n)),
            BOUND => d.gt(&st.bound[g][n], &d.int(0)),
            _ if others_act_between(m) => d.bool(true),
            _ => {
                let running = crate::model::node::running_of_group(d, m, st, g, n);
                let gone = d.eq(&d.add(&running, &st.bound[g][n]), &d.int(0));
                let refused = d.and(&d.gt(&running, &d.int(0)), &d.not(&disruption::allows(d, m, st, g, n)));
                d.or(&gone, &refused)
            }
        };
        d.and(&picked, &can)
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (g, n) = (s.a as usize, s.b as usize);
        let one = d.int(1);
        nx.evicting[g][n] = d.sub(&st.evicting[g][n], &one);
        match s.op {
            RUNNING => {
                let k = s.v as usize;
                nx.running[k][n] = d.sub(&st.running[k][n], &one);
            }
            BOUND => nx.bound[g][n] = d.sub(&st.bound[g][n], &one),
            _ => return,
        }
        nx.terminating[g][n] = d.add(&st.terminating[g][n], &one);
        disruption::note_breach(d, m, &d.bool(true), st, nx);
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (g, n) = (s.a as usize, s.b as usize);
        match s.op {
            RUNNING => {
                format!("evicts a pod of {} {} from {}", m.group_name(g), m.usage_words(s.v as usize), m.node_name(n))
            }
            BOUND => format!("evicts a pod of {} from {}, not started yet", m.group_name(g), m.node_name(n)),
            _ => match disruption::refusal(m, before, g, n) {
                Some(why) if crate::model::node::running_of_group(&Concrete, m, before, g, n) > 0 => {
                    format!("cannot evict a picked pod of {} from {}: {why}", m.group_name(g), m.node_name(n))
                }
                _ => format!("finds a picked pod of {} on {} gone", m.group_name(g), m.node_name(n)),
            },
        }
    }
}
