//! `inspect`'s workloads (`ir::Deployment`, StatefulSets among them): replicas, strategy,
//! revisions, the HPA that scales them, and their pods at start.

use std::fmt::Write;

use super::{cpu, group_name, mem, strategy};
use crate::ir::*;

/// Each Deployment or StatefulSet.
pub(super) fn deployments(w: &mut String, m: &Model) {
    let _ = writeln!(w, "\ndeployments ({}):", m.deployments.len());
    for (di, d) in m.deployments.iter().enumerate() {
        let _ = writeln!(w, "  {} (namespace {})", d.name, d.namespace);
        let src = if d.revision_sets_replicas[0] { "spec.replicas" } else { "spec.replicas absent, defaults to 1" };
        let _ = writeln!(w, "    replicas: {} ({src})", d.replicas);
        match &d.stateful {
            None => {
                let _ = writeln!(w, "    strategy: {}", strategy(&d.strategy));
            }
            Some(s) => {
                let update = match s.update {
                    crate::ir::StatefulUpdate::RollingUpdate { partition } => {
                        format!("RollingUpdate (partition {partition}, one pod at a time)")
                    }
                    crate::ir::StatefulUpdate::OnDelete => "OnDelete".to_string(),
                };
                let zones: Vec<&str> = s.claim_zones.iter().map(|z| m.labels.value_name(*z)).collect();
                let claims = if zones.is_empty() {
                    String::new()
                } else {
                    format!(", zonal volumes bound at first schedule in one of {}", zones.join(", "))
                };
                let _ = writeln!(
                    w,
                    "    StatefulSet: podManagementPolicy {:?}, updateStrategy {update}, ordinals 0..{}{claims}",
                    s.pod_management, s.ordinals
                );
            }
        }
        let revs: Vec<String> = d.revisions.iter().map(|g| group_name(m, *g)).collect();
        let _ = writeln!(w, "    revisions: {}", revs.join(", "));
        if let Some(h) = d.hpa {
            let _ = writeln!(w, "    autoscaled by: {}", m.hpas[h.index()].name);
        }
        let snapshot: Vec<&crate::ir::InitialPods> =
            m.initial_pods.iter().filter(|p| m.group(p.group).deployment().is_some_and(|x| x.index() == di)).collect();
        if !snapshot.is_empty() {
            let _ = writeln!(w, "    at start (snapshot):");
            for &g in &d.revisions {
                let of: Vec<String> = snapshot
                    .iter()
                    .filter(|p| p.group == g)
                    .map(|p| {
                        let phase = match p.phase {
                            PodPhase::Pending => "pending",
                            PodPhase::Bound => "bound",
                            PodPhase::Running => "running",
                            PodPhase::Terminating => "terminating",
                            PodPhase::Preempted => "terminating (preempted)",
                        };
                        match p.node {
                            Some(n) => format!("{phase} on {} x{}", m.node(n).name, p.count),
                            None => format!("{phase} x{}", p.count),
                        }
                    })
                    .collect();
                if !of.is_empty() {
                    let _ = writeln!(w, "      {}: {}", group_name(m, g), of.join(", "));
                }
            }
        } else if d.placement.is_empty() {
            let _ = writeln!(w, "    at start: no pods (the Deployment was just created)");
        } else {
            let ps: Vec<String> = d.placement.iter().map(|(n, c)| format!("{} x{c}", m.node(*n).name)).collect();
            let _ = writeln!(w, "    at start: running on {}", ps.join(", "));
        }
        let _ = writeln!(
            w,
            "    usage per pod at start: cpu {}, memory {}",
            cpu(d.initial_usage.cpu_milli),
            mem(d.initial_usage.memory)
        );
    }
}
