//! What makes a node schedulable for a pod beyond its condition: the cordon
//! (`spec.unschedulable`), the cluster autoscaler's `ToBeDeletedByClusterAutoscaler` taint while
//! it removes the node, and the NoSchedule taints the state adds and the pod's tolerations of
//! them. Must not decide when a node is cordoned or tainted (a drain and the autoscaler do), nor
//! read the taints a node has by its pool (static per-(group, node) facts of the IR).

use crate::domain::Domain;
use crate::model::{ClusterState, Model};

/// Node `n` is of a pool the cluster autoscaler manages.
fn autoscaled(m: &Model, n: usize) -> bool {
    m.ir.pools[m.ir.nodes[n].pool.index()].autoscaling.is_some()
}

/// The autoscaler is removing node `n`.
pub fn scaling_down<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    match st.scaling_down.first() {
        Some(row) => d.eq(&row[n], &d.int(1)),
        None => d.bool(false),
    }
}

/// Node `n` has `spec.unschedulable` set (cordoned by a drain or from the start), as opposed
/// to only the autoscaler's `ToBeDeletedByClusterAutoscaler` taint, which kbmc also keeps in
/// `cordoned` (with the node in the `scaling_down` row). Every reader of the cordon (the
/// scheduler's NodeUnschedulable, the descheduler's `IsNodeUnschedulable` and the
/// unschedulable taint) must use this, and [`to_be_deleted_tolerated`] for the taint. A
/// `maintenance` drain cordons only nodes the autoscaler is not removing, and keeps them
/// cordoned while it runs (`draining`). On a node of a pool the autoscaler does not manage,
/// `cordoned` is the cordon alone.
pub fn spec_unschedulable<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Bool {
    if !autoscaled(m, n) {
        return st.cordoned[n].clone();
    }
    d.and(&st.cordoned[n], &d.or(&d.not(&scaling_down(d, st, n)), &st.draining[n]))
}

/// Pods of group `g` pass node `n`'s `ToBeDeletedByClusterAutoscaler:NoSchedule` taint: they
/// tolerate it, or the node does not carry it (the autoscaler is not removing it). Read by
/// TaintToleration-like checks (the scheduler's TaintToleration and PodTopologySpread's
/// nodeTaintsPolicy, the descheduler's NodeFit and taint checks), never by NodeUnschedulable,
/// which reads `spec.unschedulable` only. `None` where the taint cannot stop the group there
/// (tolerated, or a pool the autoscaler does not manage), so callers add no term.
pub fn to_be_deleted_tolerated<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    g: usize,
    n: usize,
) -> Option<D::Bool> {
    if m.ir.groups[g].tolerates_to_be_deleted || !autoscaled(m, n) {
        return None;
    }
    Some(d.not(&scaling_down(d, st, n)))
}

/// Pods of group `g` tolerate the NoSchedule taints node `n` has by the state rather than by
/// its pool: `node.kubernetes.io/unschedulable` where it is cordoned, and
/// `ToBeDeletedByClusterAutoscaler` where the autoscaler is removing it, each by its own
/// toleration. What a taint check over the node's taints (not NodeUnschedulable) reads.
pub fn state_taints_tolerated<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Bool {
    let cordon =
        if m.ir.groups[g].tolerates_unschedulable { d.bool(true) } else { d.not(&spec_unschedulable(d, m, st, n)) };
    match to_be_deleted_tolerated(d, m, st, g, n) {
        Some(t) => d.and(&cordon, &t),
        None => cordon,
    }
}
