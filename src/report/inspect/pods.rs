//! `inspect`'s priority classes and pod groups (`ir::PriorityClass`, `ir::PodGroup`): each
//! group's requests, priority, tolerations, volumes, its static facts per node and its
//! topology spread constraints.

use std::fmt::Write;

use super::{cpu, group_name, mem};
use crate::ir::*;

/// Up to this many node slots, inspect lists each pod group's facts node by node.
const PER_NODE_LINES: usize = 64;

/// A pod's or a PriorityClass's `preemptionPolicy`.
fn preemption_policy(preempts: bool) -> &'static str {
    if preempts {
        "PreemptLowerPriority"
    } else {
        "Never"
    }
}

/// One pod group's static facts on one node, as inspect prints them.
fn placement_facts(p: &Placement) -> String {
    let mut why = Vec::new();
    if !p.node_name_ok {
        why.push("nodeName");
    }
    if !p.affinity_ok {
        why.push("affinity");
    }
    if !p.volume_zone_ok {
        why.push("volume zone");
    }
    if p.untolerated_no_schedule {
        why.push("NoSchedule taint");
    }
    if p.untolerated_no_execute {
        why.push("NoExecute taint");
    }
    if p.evicted_no_execute && !p.untolerated_no_execute {
        why.push("evicted: NoExecute taint tolerated only for tolerationSeconds");
    }
    let feas = if why.is_empty() { "yes".to_string() } else { format!("no ({})", why.join(", ")) };
    let pns = if p.untolerated_prefer_no_schedule > 0 {
        format!(" | {} PreferNoSchedule", p.untolerated_prefer_no_schedule)
    } else {
        String::new()
    };
    format!("{feas} | {}{pns}", p.preferred_weight)
}

/// Priorities, where the inputs have any: a PriorityClass of their own, or a pod group
/// with a priority or policy other than admission's defaults (0, PreemptLowerPriority),
/// such as a template naming a built-in system class.
fn shows_priorities(m: &Model) -> bool {
    m.priority_classes.iter().any(|c| !c.builtin) || m.groups.iter().any(|g| g.priority != 0 || !g.preempts)
}

/// The PriorityClasses, where the inputs have priorities ([`shows_priorities`]).
pub(super) fn priority_classes(w: &mut String, m: &Model) {
    if !shows_priorities(m) {
        return;
    }
    let _ = writeln!(w, "\npriority classes ({}):", m.priority_classes.len());
    for c in &m.priority_classes {
        let _ = writeln!(
            w,
            "  {}: value {}, preemptionPolicy {}{}{}",
            c.name,
            c.value,
            preemption_policy(c.preempts),
            if c.global_default { ", globalDefault (pods naming no class get it)" } else { "" },
            if c.builtin { " (built in)" } else { "" }
        );
    }
}

/// Each pod group: what it requests, where it may go and how it spreads.
pub(super) fn groups(w: &mut String, m: &Model) {
    let priorities = shows_priorities(m);
    let _ = writeln!(w, "\npod groups ({}):", m.groups.len());
    for (gi, g) in m.groups.iter().enumerate() {
        let _ = writeln!(w, "  {}", group_name(m, GroupId(gi as u32)));
        let labels: Vec<String> = g.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(w, "    labels: {}", labels.join(", "));
        let _ = writeln!(w, "    requests: cpu {}, memory {}", cpu(g.requests.cpu_milli), mem(g.requests.memory));
        if priorities {
            let _ = writeln!(w, "    priority: {}, preemptionPolicy {}", g.priority, preemption_policy(g.preempts));
        }
        if let Some(n) = &g.node_name {
            let _ = writeln!(w, "    nodeName: {n} (bypasses the scheduler)");
        }
        // How node lifecycle reads the group's tolerations of the unreachable taint.
        let _ = match g.unreachable_eviction_after {
            Some(s) => {
                writeln!(w, "    on a NotReady node: evicted after its {s} s toleration of the unreachable taint")
            }
            None => writeln!(w, "    on a NotReady node: stays (tolerates the unreachable taint for ever)"),
        };
        if g.local_storage || g.pvc {
            let _ = writeln!(
                w,
                "    volumes: {}{}",
                if g.local_storage { "local storage " } else { "" },
                if g.pvc { "persistentVolumeClaim" } else { "" }
            );
        }
        let _ = writeln!(w, "    per node: feasible by labels and taints | preferred affinity weight [| untolerated PreferNoSchedule taints]");
        // Each node's facts; past PER_NODE_LINES nodes, one line per distinct fact with the
        // nodes that share it, so that a cluster dump's inspect grows with its distinct facts
        // per group, not with groups times nodes.
        if g.per_node.len() <= PER_NODE_LINES {
            for (ni, p) in g.per_node.iter().enumerate() {
                let _ = writeln!(w, "      {}: {}", m.nodes[ni].name, placement_facts(p));
            }
        } else {
            let mut distinct: Vec<(&Placement, Vec<usize>)> = Vec::new();
            let mut index: rustc_hash::FxHashMap<&Placement, usize> = Default::default();
            for (ni, p) in g.per_node.iter().enumerate() {
                let i = *index.entry(p).or_insert_with(|| {
                    distinct.push((p, Vec::new()));
                    distinct.len() - 1
                });
                distinct[i].1.push(ni);
            }
            for (p, nodes) in distinct {
                let mut names: Vec<&str> = nodes.iter().take(3).map(|&n| m.nodes[n].name.as_str()).collect();
                if nodes.len() > 3 {
                    names.push("...");
                }
                let _ = writeln!(w, "      {} node(s) ({}): {}", nodes.len(), names.join(", "), placement_facts(p));
            }
        }
        for c in &g.spread {
            let sel: Vec<String> = c
                .selects
                .iter()
                .enumerate()
                .filter(|(_, s)| **s)
                .map(|(h, _)| group_name(m, GroupId(h as u32)))
                .collect();
            let on: Vec<String> = c
                .fixed
                .iter()
                .enumerate()
                .filter(|(_, &k)| k > 0)
                .map(|(n, k)| format!("{} x{k}", m.nodes[n].name))
                .collect();
            let fixed = if on.is_empty() { String::new() } else { format!(" and fixed pods on {}", on.join(", ")) };
            let _ = writeln!(
                w,
                "    spread: {} maxSkew {} {}{}{}, nodeAffinityPolicy {}, nodeTaintsPolicy {}, counts pods of [{}]{}",
                m.labels.key_name(c.topology_key),
                c.max_skew,
                if c.hard { "DoNotSchedule" } else { "ScheduleAnyway" },
                c.min_domains.map(|d| format!(" minDomains {d}")).unwrap_or_default(),
                if c.system_default { " (system default)" } else { "" },
                if c.honor_node_affinity { "Honor" } else { "Ignore" },
                if c.honor_node_taints { "Honor" } else { "Ignore" },
                sel.join(", "),
                fixed,
            );
        }
    }
}
