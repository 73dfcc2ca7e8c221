//! kube-scheduler's NodeUnschedulable plugin: a cordoned node (`spec.unschedulable`) takes
//! only pods that tolerate its `node.kubernetes.io/unschedulable:NoSchedule` taint. It reads
//! `spec.unschedulable` alone: the cluster autoscaler's `ToBeDeletedByClusterAutoscaler`
//! taint, which kbmc keeps in the same `cordoned` row, is TaintToleration's, with its own
//! toleration (`taint_toleration.rs`). It owns no step and must not write the state.
//!
//! Follows kubernetes `pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go`
//! `Filter`.

use super::super::{ClusterState, Model};
use crate::domain::Domain;

/// What a node that fails [`filter`] is told.
pub const REJECTION: &str = "cordoned (spec.unschedulable)";

/// NodeUnschedulable's filter for a pod of group `g` on node `n`.
pub fn filter<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Bool {
    if m.ir.groups[g].tolerates_unschedulable {
        return d.bool(true);
    }
    d.not(&crate::model::node::spec_unschedulable(d, m, st, n))
}
