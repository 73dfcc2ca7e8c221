//! `inspect`'s scheduler profile (`ir::Scheduler`): score weights, NodeResourcesFit
//! scoring, disabled filters and NodeAffinity's addedAffinity.

use std::fmt::Write;

use crate::ir::*;

/// The scheduler profile.
pub(super) fn scheduler(w: &mut String, m: &Model) {
    let s = &m.scheduler;
    let _ = writeln!(w, "\nscheduler:");
    let _ = writeln!(
        w,
        "  score weights: NodeResourcesFit {}, NodeResourcesBalancedAllocation {}, NodeAffinity {}, TaintToleration {}, PodTopologySpread {}",
        s.weight_node_resources_fit, s.weight_balanced_allocation, s.weight_node_affinity, s.weight_taint_toleration, s.weight_pod_topology_spread
    );
    let _ = writeln!(
        w,
        "  NodeResourcesFit scoring: {:?} (cpu weight {}, memory weight {})",
        s.scoring, s.scoring_cpu_weight, s.scoring_memory_weight
    );
    if !s.disabled_filters.is_empty() {
        let _ = writeln!(w, "  disabled filters: {}", s.disabled_filters.join(", "));
    }
    if s.added_affinity_ok.iter().any(|ok| !ok) || s.added_preferred_weight.iter().any(|w| *w != 0) {
        let excluded: Vec<&str> =
            m.nodes.iter().zip(&s.added_affinity_ok).filter(|(_, ok)| !**ok).map(|(n, _)| n.name.as_str()).collect();
        let preferred: Vec<String> = m
            .nodes
            .iter()
            .zip(&s.added_preferred_weight)
            .filter(|(_, w)| **w != 0)
            .map(|(n, w)| format!("{} {w}", n.name))
            .collect();
        let _ = writeln!(
            w,
            "  NodeAffinity addedAffinity: excludes [{}]; preferred weight [{}]",
            excluded.join(", "),
            preferred.join(", ")
        );
    }
}
