//! What every descheduler plugin shares: the evictor (DefaultEvictor's filter: pods with
//! local storage or PVCs as configured, system-critical pods and pods at or above
//! `priorityThreshold` unless `evictSystemCriticalPods` (`IsCriticalPriorityPod`,
//! `IsPodEvictableBasedOnPriority`) and, with nodeFit, pods that fit on no other Ready node
//! — unschedulable, selector/affinity, NoSchedule/NoExecute taints, the resources the pod's
//! requests name against the requests of all non-terminal pods, terminating ones included,
//! and pod count), the per-node,
//! per-namespace and total eviction limits, the Eviction API's PodDisruptionBudget check
//! (`model::disruption`) on every running pod evicted, and the plugins' namespace filter.
//! A DaemonSet's pods are never evicted (defaultevictor.go: `IsDaemonsetPod` fails the
//! filter unless `evictDaemonSetPods`, which kbmc refuses beside a DaemonSet). Upstream:
//! `pkg/framework/plugins/defaultevictor/`, `pkg/descheduler/evictions/evictions.go` and
//! `pkg/descheduler/pod/pods.go` (`BuildFilterFunc`: `WithNamespaces`, `WithoutNamespaces`).
//! No plugin's own rule lives here.

use super::super::super::{disruption, ClusterState, Model};
use crate::domain::Domain;
use crate::ir::{DeschedulerProfile, Namespaces};
use crate::model::node::{active_on, ready, spec_unschedulable, state_taints_tolerated, to_be_deleted_tolerated};

/// The plugin's namespace filter admits the pods of group `g` (pods.go `BuildFilterFunc`:
/// a namespace among `include` when that is set, none among `exclude`). Every pod of a group
/// is in its owner's namespace, so the filter keeps or drops a group whole.
pub(super) fn in_namespaces(m: &Model, namespaces: &Namespaces, g: usize) -> bool {
    namespaces.admits(m.ir.group_namespace(g))
}

/// Evicts up to `count` pods of group `g` from node `n` (bound first, then running, most
/// loaded usage first, as many of those as their PodDisruptionBudget lets go); returns the new
/// state, how many were evicted and how many running pods were tried and foreseen refused.
pub(super) fn evict<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    g: usize,
    n: usize,
    count: &D::Int,
) -> (ClusterState<D>, D::Int, D::Int) {
    // Nothing to evict: the state as it is (counts are never negative, so every `min` below
    // would be 0; a solver's simplifier cannot see that without the invariant).
    if d.known(count).is_some_and(|c| c <= 0) {
        return (st.clone(), d.int(0), d.int(0));
    }
    let mut nx = st.clone();
    let mut left = d.max(count, &d.int(0));
    let take = d.min(&left, &st.bound[g][n]);
    nx.bound[g][n] = d.sub(&st.bound[g][n], &take);
    left = d.sub(&left, &take);
    let mut total = take;
    // Running pods go through the Eviction API, which lets as many go one after another as
    // their PodDisruptionBudget allows and refuses the rest (the evictor skips a refused pod:
    // evictions.go `EvictPod` returns the error and the plugin moves on). Bound pods that
    // have not started are phase Pending: the API deletes them without asking.
    let tried = d.min(&left, &crate::model::node::running_of_group(d, m, st, g, n));
    if let Some(cap) = disruption::running_cap(d, m, st, g, n) {
        left = d.min(&left, &d.max(&cap, &d.int(0)));
    }
    let mut taken = d.int(0);
    for &k in m.kinds_of_group[g].iter().rev() {
        let take = d.min(&left, &st.running[k][n]);
        nx.running[k][n] = d.sub(&st.running[k][n], &take);
        left = d.sub(&left, &take);
        taken = d.add(&taken, &take);
    }
    total = d.add(&total, &taken);
    nx.terminating[g][n] = d.add(&st.terminating[g][n], &total);
    (nx, total, d.sub(&tried, &taken))
}

/// Requests of the non-terminal pods on node `n`, terminating ones included, and of the
/// snapshot's fixed pods there (what NodeFit and LowNodeUtilization count).
pub(super) fn used<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> (D::Int, D::Int, D::Int) {
    let f = m.ir.nodes[n].fixed;
    let (mut cpu, mut mem, mut pods) = (d.int(f.cpu_milli), d.int(f.memory), d.int(f.pods));
    for (g, grp) in m.ir.groups.iter().enumerate() {
        let c = d.add(&active_on(d, m, st, g, n), &st.terminating[g][n]);
        cpu = d.add(&cpu, &d.mul_const(&c, grp.requests.cpu_milli));
        mem = d.add(&mem, &d.mul_const(&c, grp.requests.memory));
        pods = d.add(&pods, &c);
    }
    (cpu, mem, pods)
}

/// NodeFit without its resource check (what it asks of the node a pod already runs on):
/// node affinity, NoSchedule and NoExecute taints (the cluster autoscaler's
/// `ToBeDeletedByClusterAutoscaler` among them, by its own toleration), Ready and not cordoned
/// (`IsNodeUnschedulable`: `spec.unschedulable`, whatever the pod tolerates).
pub(super) fn node_fit_placement<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, t: usize) -> D::Bool {
    let p = &m.ir.groups[g].per_node[t];
    if !p.affinity_ok || p.untolerated_no_schedule || p.untolerated_no_execute {
        return d.bool(false);
    }
    let mut ok = d.and(&ready(d, st, t), &d.not(&spec_unschedulable(d, m, st, t)));
    if let Some(tolerated) = to_be_deleted_tolerated(d, m, st, g, t) {
        ok = d.and(&ok, &tolerated);
    }
    ok
}

/// NodeFit: a pod of group `g` would fit on node `t`. Its resource check (node.go
/// `fitsRequest`) asks for room in the pod count and in each resource the pod's requests
/// name (`RequestNames`), so a pod that names no memory fits a node whose memory is
/// over-committed.
pub(super) fn node_fit<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, t: usize) -> D::Bool {
    let grp = &m.ir.groups[g];
    let p = &grp.per_node[t];
    if !p.affinity_ok || p.untolerated_no_schedule || p.untolerated_no_execute {
        return d.bool(false);
    }
    let a = m.ir.nodes[t].allocatable;
    let (cpu, mem, pods) = used(d, m, st, t);
    let mut checks = vec![node_fit_placement(d, m, st, g, t), d.le(&d.add(&pods, &d.int(1)), &d.int(a.pods))];
    if grp.request_names.cpu {
        checks.push(d.le(&d.add(&cpu, &d.int(grp.requests.cpu_milli)), &d.int(a.cpu_milli)));
    }
    if grp.request_names.memory {
        checks.push(d.le(&d.add(&mem, &d.int(grp.requests.memory)), &d.int(a.memory)));
    }
    d.all(checks.iter())
}

/// Pods of `g` tolerate the NoSchedule taints node `n` has by the state: the taint a cordoned
/// node carries (node.kubernetes.io/unschedulable) and the cluster autoscaler's
/// (ToBeDeletedByClusterAutoscaler), each by its own toleration.
pub(super) fn cordon_tolerated<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Bool {
    state_taints_tolerated(d, m, st, g, n)
}

/// A pod of `g` now on node `n` fits some other node (NodeFit), from the run's fit matrix.
pub(super) fn fits_elsewhere<D: Domain>(d: &D, lim: &Limits<D>, g: usize, n: usize) -> D::Bool {
    d.any(lim.fit[g].iter().enumerate().filter(|(t, _)| *t != n).map(|(_, f)| f))
}

/// DefaultEvictor Filter: the pods of `g` may be evicted at all.
pub(super) fn filter<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: &DeschedulerProfile, g: usize) -> D::Bool {
    let grp = &m.ir.groups[g];
    if (grp.local_storage && !p.evictor.evict_local_storage_pods)
        || (grp.pvc && p.evictor.ignore_pvc_pods)
        || grp.daemon_set().is_some()
    {
        return d.bool(false);
    }
    // System-critical pods and those at or above priorityThreshold.
    if p.evictor.protect_from_priority.is_some_and(|t| grp.priority >= t) {
        return d.bool(false);
    }
    if p.evictor.min_replicas > 1 {
        // Every pod the informer lists with the ReplicaSet as owner: pending and terminating
        // ones too. A run's evictions leave the count as it was (the evicted pods are
        // terminating), so node order does not matter here.
        let owned = d.add(
            &st.pending[g],
            &d.sum_of((0..m.nodes()).map(|j| d.add(&active_on(d, m, st, g, j), &st.terminating[g][j]))),
        );
        return d.ge(&owned, &d.int(p.evictor.min_replicas));
    }
    d.bool(true)
}

/// DefaultEvictor Filter and PreEvictionFilter (nodeFit) for the pods of `g` on node `n`.
pub(super) fn evictable<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &Limits<D>,
    g: usize,
    n: usize,
) -> D::Bool {
    let ok = filter(d, m, st, p, g);
    if p.evictor.node_fit {
        d.and(&ok, &fits_elsewhere(d, lim, g, n))
    } else {
        ok
    }
}

/// Per-run eviction limits: evicted so far per node, per namespace and in total.
pub(super) struct Limits<D: Domain> {
    pub(super) per_node: Vec<D::Int>,
    pub(super) per_namespace: Vec<D::Int>,
    pub(super) total: D::Int,
    /// NodeFit of each group on each node. Invariant during a run: evicted pods still count
    /// (terminating) and no node changes readiness, so it is computed once.
    pub(super) fit: Vec<Vec<D::Bool>>,
    /// Per group and node: running pods tried that the Eviction API is foreseen to refuse
    /// (from the run's start and its own evictions). They are tried all the same, each a pick
    /// of its own (`super::defer`) asked again when its Eviction step comes, by which time the
    /// budget may have changed (a replacement pod Ready, say); they count towards no limit,
    /// as upstream's refused evictions (evictions.go `EvictPod` counts successes only).
    pub(super) refused: Vec<Vec<D::Int>>,
}

/// Group `g`'s namespace as an index into `Limits::per_namespace`: the first group of that
/// namespace. A plugin may ask it of a group it evicts none of (a DaemonSet's, whose
/// namespace may hold no Deployment), so every group's namespace has one.
pub(super) fn namespace_of(m: &Model, g: usize) -> usize {
    let ns = m.ir.group_namespace(g);
    (0..g).find(|&h| m.ir.group_namespace(h) == ns).unwrap_or(g)
}

/// Evicts up to `want` pods of `g` from `n` within the limits; returns the state and how many.
pub(super) fn evict_limited<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    lim: &mut Limits<D>,
    g: usize,
    n: usize,
    want: &D::Int,
) -> (ClusterState<D>, D::Int) {
    let ds = m.ir.descheduler.as_ref().expect("descheduler steps exist only with a policy");
    let ns = namespace_of(m, g);
    let mut allowed = d.max(want, &d.int(0));
    if let Some(cap) = ds.max_per_node {
        allowed = d.min(&allowed, &d.max(&d.int(0), &d.sub(&d.int(cap), &lim.per_node[n])));
    }
    if let Some(cap) = ds.max_per_namespace {
        allowed = d.min(&allowed, &d.max(&d.int(0), &d.sub(&d.int(cap), &lim.per_namespace[ns])));
    }
    if let Some(cap) = ds.max_total {
        allowed = d.min(&allowed, &d.max(&d.int(0), &d.sub(&d.int(cap), &lim.total)));
    }
    let (nx, done, refused) = evict(d, m, st, g, n, &allowed);
    lim.refused[g][n] = d.add(&lim.refused[g][n], &refused);
    lim.per_node[n] = d.add(&lim.per_node[n], &done);
    lim.per_namespace[ns] = d.add(&lim.per_namespace[ns], &done);
    lim.total = d.add(&lim.total, &done);
    (nx, done)
}
