//! Zone disruption as node lifecycle's `handleDisruption` sees it: whether every zone is fully
//! disrupted ("master disruption mode", in which node lifecycle taints no node and has removed
//! the NoExecute taints), and what entering that mode does to the taint-eviction queue. Read by
//! node lifecycle and taint eviction, applied by every step that may take the last Ready node
//! away (a failure, a kernel panic, the autoscaler deleting a node). Must not taint, queue or
//! evict on its own.

use super::{clear_queue_into, ready, voluntary};
use crate::domain::Domain;
use crate::model::{ClusterState, Model};

/// The label that leaves a node out of the zone states (`labelNodeDisruptionExclusion`).
const EXCLUDE_DISRUPTION: &str = "node.kubernetes.io/exclude-disruption";

/// Node slots the zone states count: those without the exclusion label
/// (`isNodeExcludedFromDisruptionChecks`).
fn counted(m: &Model) -> impl Iterator<Item = usize> + '_ {
    let key = m.ir.labels.find_key(EXCLUDE_DISRUPTION);
    (0..m.nodes()).filter(move |&n| key.is_none_or(|k| m.ir.nodes[n].label(k).is_none()))
}

/// Every zone is fully disrupted (`ComputeZoneState`: no Ready node and at least one that is
/// not), so node lifecycle is in its "master disruption mode": it has removed the NoExecute
/// taints of every node and taints none. Zones partition the counted nodes, so this is "some
/// counted node is registered and none is Ready", whatever the zone labels; a registered node
/// whose kubelet has not reported Ready yet counts as not Ready, as upstream. Never without
/// node lifecycle.
pub fn all_disrupted<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>) -> D::Bool {
    if !m.ir.controllers.node_lifecycle {
        return d.bool(false);
    }
    let some = d.any_of(counted(m).map(|n| st.present[n].clone()));
    let none_ready = d.all_of(counted(m).map(|n| d.not(&ready(d, st, n))));
    d.and(&some, &none_ready)
}

/// After a step that may have left no counted node Ready (a failure, a panic, a node's
/// removal): entering master disruption mode removes every node's NoExecute taints
/// (`markNodeAsReachable`), and taint eviction cancels the evictions they queued. A drain's
/// evictions (kubectl's, or the cluster autoscaler's) stay requested. `nx` is the state after
/// the step.
pub fn disruption_into<D: Domain>(d: &D, m: &Model, nx: &mut ClusterState<D>) {
    if !m.queues_evictions {
        return;
    }
    let all = all_disrupted(d, m, nx);
    for n in 0..m.nodes() {
        let cancel = d.and(&all, &d.not(&voluntary(d, nx, n)));
        clear_queue_into(d, m, n, &cancel, nx);
    }
}
