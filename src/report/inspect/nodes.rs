//! `inspect`'s node pools and node slots (`ir::Pool`, `ir::Node`): each pool's size and
//! autoscaling range, each node slot's resources, labels, taints, status and fixed load.

use std::fmt::Write;

use super::{cpu, mem, res};
use crate::ir::*;

/// The node pools: size at start, and the node group's range where autoscaled.
pub(super) fn pools(w: &mut String, m: &Model) {
    let _ = writeln!(w, "\nnode pools ({}):", m.pools.len());
    for p in &m.pools {
        let kind = if p.concrete { "Node manifest" } else { "pool" };
        match p.autoscaling {
            Some(a) => {
                let zones = p.zones.as_ref().map_or(String::new(), |z| {
                    let how = match z.distribution {
                        ZoneDistribution::Balanced => {
                            "a zone with the fewest nodes of the group, or another after a failed launch"
                        }
                        ZoneDistribution::BalancedOnly => "a zone with the fewest nodes of the group",
                        ZoneDistribution::Any => "any zone",
                    };
                    format!(" over zones {} (the cloud launches a new node in {how})", z.names.join(", "))
                });
                let _ = writeln!(
                    w,
                    "  {} ({kind}): {} node(s) at start, node group {}..{}{zones}",
                    p.name, p.count, a.min, a.max
                );
            }
            None => {
                let _ = writeln!(w, "  {} ({kind}): {} node(s)", p.name, p.count);
            }
        }
    }
}

/// Every node slot, with when it is present and the load no workload of the model owns.
pub(super) fn slots(w: &mut String, m: &Model) {
    let _ = writeln!(w, "\nnode slots ({}):", m.nodes.len());
    for n in &m.nodes {
        let pool = &m.pools[n.pool.index()];
        let presence = if pool.autoscaling.is_some() {
            if (n.index_in_pool as i64) < pool.count.min {
                "present at start, the cluster autoscaler may remove it"
            } else {
                "added by the cluster autoscaler"
            }
        } else if (n.index_in_pool as i64) < pool.count.min {
            "always present"
        } else {
            "present when the pool is larger"
        };
        let labels: Vec<String> =
            n.labels.iter().map(|(k, v)| format!("{}={}", m.labels.key_name(*k), m.labels.value_name(*v))).collect();
        let _ = writeln!(w, "  {} [pool {}, {presence}]", n.name, pool.name);
        if n.capacity != n.allocatable {
            let _ = writeln!(w, "    capacity: {}", res(&n.capacity));
        }
        let _ = writeln!(w, "    allocatable: {}", res(&n.allocatable));
        let _ = writeln!(w, "    labels: {}", labels.join(", "));
        if !n.taints.is_empty() {
            let ts: Vec<String> = n.taints.iter().map(|t| t.to_string()).collect();
            let _ = writeln!(w, "    taints: {}", ts.join(", "));
        }
        let mut state = vec![if n.ready { "Ready" } else { "NotReady" }];
        if n.unschedulable {
            state.push("cordoned");
        }
        let _ = writeln!(w, "    status: {}", state.join(", "));
        let fixed: Vec<String> = m
            .fixed_pods
            .iter()
            .filter(|f| m.node(f.node).name == n.name)
            .map(|f| {
                format!(
                    "{} x{} (namespace {}, cpu {}, memory {} each)",
                    f.owner,
                    f.count,
                    f.namespace,
                    cpu(f.requests.cpu_milli),
                    mem(f.requests.memory)
                )
            })
            .collect();
        if !fixed.is_empty() {
            let _ = writeln!(
                w,
                "    fixed load: {}; requests cpu {}, memory {}, {} pod(s) in all",
                fixed.join(", "),
                cpu(n.fixed.cpu_milli),
                mem(n.fixed.memory),
                n.fixed.pods
            );
        }
    }
}
