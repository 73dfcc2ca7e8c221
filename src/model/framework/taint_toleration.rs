//! kube-scheduler's TaintToleration plugin, filter and score, from the taints the IR finds
//! untolerated per pod group and node (`ir::Placement`) and the one taint the state adds, the
//! cluster autoscaler's `ToBeDeletedByClusterAutoscaler` (its toleration is the pod's own,
//! apart from the cordon's, which NodeUnschedulable reads). It owns no step and must not
//! write the state.
//!
//! Follows kubernetes `pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go`:
//! `Filter` (a NoSchedule or NoExecute taint the pod does not tolerate), `Score` (the count
//! of untolerated PreferNoSchedule taints) and `NormalizeScore` (DefaultNormalizeScore,
//! reversed, over the feasible nodes).

use super::super::{ClusterState, Model};
use super::normalize_static;
use crate::domain::{Concrete, Domain};

/// TaintToleration's filter for a pod of group `g` on node `n`, over the node's own taints.
pub fn filter(m: &Model, g: usize, n: usize) -> bool {
    let p = &m.ir.groups[g].per_node[n];
    !(p.untolerated_no_schedule || p.untolerated_no_execute)
}

/// The node's taints that fail [`filter`] for a pod of group `g` on node `n`.
pub fn rejection(m: &Model, g: usize, n: usize) -> Option<String> {
    if filter(m, g, n) {
        return None;
    }
    let taints: Vec<String> = m.ir.groups[g].per_node[n]
        .untolerated
        .iter()
        .filter_map(|&i| m.ir.nodes[n].taints.get(i))
        .filter(|t| !matches!(t.effect, crate::ir::Effect::PreferNoSchedule))
        .map(|t| t.to_string())
        .collect();
    Some(format!("untolerated taint {}", taints.join(", ")))
}

/// The cluster autoscaler's taint on node `n` where a pod of group `g` does not tolerate it
/// (concrete states, for traces).
pub fn to_be_deleted_rejection(m: &Model, st: &ClusterState<Concrete>, g: usize, n: usize) -> Option<String> {
    (crate::model::node::to_be_deleted_tolerated(&Concrete, m, st, g, n) == Some(false))
        .then(|| format!("untolerated taint {}:NoSchedule", crate::ir::TO_BE_DELETED))
}

/// TaintToleration's normalized score per node for a pod of group `g`: fewer untolerated
/// PreferNoSchedule taints score higher.
pub fn score<D: Domain>(d: &D, m: &Model, g: usize, feas: &[D::Bool]) -> Vec<D::Int> {
    let raw: Vec<i64> = m.ir.groups[g].per_node.iter().map(|p| p.untolerated_prefer_no_schedule).collect();
    normalize_static(d, &raw, feas, true)
}
