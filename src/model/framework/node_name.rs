//! kube-scheduler's NodeName plugin: a pod whose `spec.nodeName` names a node fits no other,
//! as the IR resolves it per pod group and node (`ir::Placement::node_name_ok`). It owns no
//! step and must not read the state.
//!
//! Follows kubernetes `pkg/scheduler/framework/plugins/nodename/node_name.go` `Filter`
//! (`Fits`).

use super::super::Model;

/// What a node that fails [`filter`] is told.
pub const REJECTION: &str = "spec.nodeName names another node";

/// NodeName's filter for a pod of group `g` on node `n`.
pub fn filter(m: &Model, g: usize, n: usize) -> bool {
    m.ir.groups[g].per_node[n].node_name_ok
}
