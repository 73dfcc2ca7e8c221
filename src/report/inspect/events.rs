//! `inspect`'s events (`ir::Event`): each event of the spec with its range and budget.

use std::fmt::Write;

use super::{cpu, group_name, strategy};
use crate::ir::*;

/// Each event of the spec.
pub(super) fn events(w: &mut String, m: &Model) {
    let _ = writeln!(w, "\nevents ({}):", m.events.len());
    for e in &m.events {
        let d = |id: &DeploymentId| m.deployment(*id).name.clone();
        let line = match e {
            Event::CpuChange { deployment, delta_milli, budget } => format!(
                "cpuChange of a pod of {}: usage moves by {}..{} millicores, budget {budget}",
                d(deployment),
                delta_milli.min,
                delta_milli.max
            ),
            Event::CpuPattern { deployment, bootstrap_milli, steady_milli } => format!(
                "cpuPattern of {}: usage {} after start, then {}",
                d(deployment),
                cpu(*bootstrap_milli),
                cpu(*steady_milli)
            ),
            Event::KernelPanic { threshold_percent, budget, recovery } => {
                format!("kernelPanic at {threshold_percent}% CPU usage, budget {budget}, recovery {recovery}")
            }
            Event::NodeFailure { pool, budget, recovery, one_zone } => format!(
                "nodeFailure of {}{}, budget {budget}, recovery {recovery}",
                pool.map(|p| format!("a node of pool {}", m.pools[p.index()].name))
                    .unwrap_or_else(|| "any node".into()),
                if *one_zone { ", nodes of one zone at a time" } else { "" }
            ),
            Event::ApplyDeployment { deployment, revision, replicas: ApplyReplicas::Kept, strategy: st, budget } => {
                format!(
                    "rolloutRestart of {} -> {} ({}, replicas kept), budget {budget}",
                    d(deployment),
                    group_name(m, *revision),
                    strategy(st)
                )
            }
            Event::ApplyDeployment { deployment, revision, replicas, strategy: st, budget } => format!(
                "applyDeployment of {} -> {} ({}, replicas {}), budget {budget}",
                d(deployment),
                group_name(m, *revision),
                strategy(st),
                match replicas {
                    ApplyReplicas::Set(n) => n.to_string(),
                    ApplyReplicas::Omitted if m.deployments[deployment.index()].revision_sets_replicas[0] => {
                        "reset to 1 where the last applied version sets spec.replicas (the initial manifest does), else kept".into()
                    }
                    ApplyReplicas::Kept | ApplyReplicas::Omitted => {
                        "kept where the last applied version does not set spec.replicas (the initial manifest does not), else reset to 1".into()
                    }
                }
            ),
            Event::ScaleDeployment { deployment, delta, budget } => {
                format!("scaleDeployment of {} by {}..{}, budget {budget}", d(deployment), delta.min, delta.max)
            }
            Event::Maintenance { max_unavailable, budget } => {
                format!("maintenance: drain up to {max_unavailable} node(s) at a time, {budget} in all")
            }
            Event::ForceDeletePods { statefulset, budget } => {
                format!("forceDeletePods of {}'s pods on a NotReady node, {budget} node(s) in all", d(statefulset))
            }
            Event::RolloutDaemonSet { daemon_set, budget } => {
                format!(
                    "rolloutRestart of DaemonSet {} (revision 1), budget {budget}",
                    m.daemon_sets[daemon_set.index()].name
                )
            }
        };
        let _ = writeln!(w, "  {line}");
    }
}
