//! `inspect`'s controllers (`ir::Controllers`) and the cluster autoscaler's settings
//! (`ir::Autoscaler`).

use std::fmt::Write;

use crate::ir::*;

/// The controllers that run, and the cluster autoscaler's settings where it does.
pub(super) fn controllers(w: &mut String, m: &Model) {
    let c = &m.controllers;
    let on: Vec<&str> = [
        (c.deployment, "deployment"),
        (c.scheduler, "scheduler"),
        (c.kubelet, "kubelet"),
        (c.hpa, "hpa"),
        (c.descheduler, "descheduler"),
        (c.node_lifecycle, "node-lifecycle"),
        (c.taint_eviction, "taint-eviction"),
        (c.cluster_autoscaler && m.autoscaler.is_some(), "cluster-autoscaler"),
    ]
    .into_iter()
    .filter(|(b, _)| *b)
    .map(|(_, n)| n)
    .collect();
    let _ = writeln!(w, "\ncontrollers: {}", on.join(", "));
    if let Some(a) = &m.autoscaler {
        let expander: Vec<&str> = a.expander.iter().map(|e| e.name()).collect();
        let _ = writeln!(
            w,
            "cluster autoscaler: scale-down utilization threshold {}/{}, expander {}, balanceSimilarNodeGroups {}, skipNodesWithLocalStorage {}, skipNodesWithSystemPods {}",
            a.threshold.0,
            a.threshold.1,
            expander.join(","),
            a.balance_similar_node_groups,
            a.skip_nodes_with_local_storage,
            a.skip_nodes_with_system_pods
        );
    }
}
