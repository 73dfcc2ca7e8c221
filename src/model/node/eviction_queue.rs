//! The taint-eviction queue (`queued`): the evictions of a node's pods that node lifecycle
//! (a NotReady node's pods whose toleration ran out) and a drain (kubectl's, or the cluster
//! autoscaler's) have requested and `taint_eviction::QueuedEviction` carries out, one pod per
//! step. Owns how the queue is read, filled and emptied. Must not decide when a node's pods are
//! queued or the queue cancelled (the controllers and events that call it do), nor evict.

use super::{active_on, scaling_down};
use crate::domain::Domain;
use crate::model::{ClusterState, Model};

/// The queued evictions on node `n` are voluntary (asked of the Eviction API): a drain's, by
/// kubectl or by the cluster autoscaler removing the node.
pub fn voluntary<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    d.or(&st.draining[n], &scaling_down(d, st, n))
}

/// Pods of group `g` on node `n` whose eviction is queued and still to do: the queue as
/// recorded, less what other controllers deleted meanwhile.
pub fn queued_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Int {
    if !m.queues_evictions {
        return d.int(0);
    }
    d.min(&st.queued[g][n], &active_on(d, m, st, g, n))
}

/// Queues the eviction of every pod on node `n` of the groups `which` picks, in `nx`.
pub fn queue_into<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    n: usize,
    which: impl Fn(usize) -> bool,
    nx: &mut ClusterState<D>,
) {
    for g in (0..m.ir.groups.len()).filter(|&g| which(g)) {
        nx.queued[g][n] = active_on(d, m, st, g, n);
    }
}

/// Empties node `n`'s eviction queue where `when` holds, in `nx`.
pub fn clear_queue_into<D: Domain>(d: &D, m: &Model, n: usize, when: &D::Bool, nx: &mut ClusterState<D>) {
    if !m.queues_evictions {
        return;
    }
    for g in 0..m.ir.groups.len() {
        nx.queued[g][n] = d.ite(when, &d.int(0), &nx.queued[g][n]);
    }
}
