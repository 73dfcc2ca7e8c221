//! `inspect`'s descheduler (`ir::Descheduler`): eviction limits, and per profile its
//! plugins with their arguments and the default evictor's settings.

use std::fmt::Write;

use crate::ir::*;

/// A descheduler plugin with its arguments, in the policy's own words.
fn plugin(p: &DeschedulerPlugin) -> String {
    let on =
        |flags: &[(bool, &str)]| flags.iter().filter(|(b, _)| *b).map(|(_, n)| *n).collect::<Vec<_>>().join(" and ");
    let thresholds = |t: &crate::ir::Thresholds| {
        let parts: Vec<String> = [("cpu", t.cpu), ("memory", t.memory), ("pods", t.pods)]
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| format!("{n} {v}%")))
            .collect();
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    };
    let args = match p {
        DeschedulerPlugin::RemoveDuplicates { .. } => String::new(),
        DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint {
            hard,
            soft,
            topology_balance_node_fit,
            ..
        } => {
            format!(
                " (constraints {}, topologyBalanceNodeFit {topology_balance_node_fit})",
                on(&[(*hard, "DoNotSchedule"), (*soft, "ScheduleAnyway")])
            )
        }
        DeschedulerPlugin::LowNodeUtilization { thresholds: t, target_thresholds: tt, number_of_nodes, .. } => format!(
            " (thresholds {}; targetThresholds {}; numberOfNodes {number_of_nodes})",
            thresholds(t),
            thresholds(tt)
        ),
        DeschedulerPlugin::RemovePodsViolatingNodeTaints {
            include_prefer_no_schedule,
            excluded_taints,
            included_taints,
            ..
        } => format!(
            " (includePreferNoSchedule {include_prefer_no_schedule}, excludedTaints [{}], includedTaints {})",
            excluded_taints.join(", "),
            included_taints.as_ref().map_or("every taint".to_string(), |v| format!("[{}]", v.join(", ")))
        ),
        DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { .. } => String::new(),
        DeschedulerPlugin::RemovePodsViolatingNodeAffinity { required, preferred, .. } => format!(
            " (nodeAffinityType {})",
            on(&[
                (*required, "requiredDuringSchedulingIgnoredDuringExecution"),
                (*preferred, "preferredDuringSchedulingIgnoredDuringExecution")
            ])
        ),
    };
    // The namespace filter, when it leaves some namespace out.
    let ns = p.namespaces();
    let filter = match (ns.include.is_empty(), ns.exclude.is_empty()) {
        (true, true) => None,
        (false, _) => Some(format!("namespaces only [{}]", ns.include.join(", "))),
        (true, false) => Some(format!("namespaces all but [{}]", ns.exclude.join(", "))),
    };
    match filter {
        None => format!("{}{args}", p.name()),
        Some(f) if args.is_empty() => format!("{} ({f})", p.name()),
        Some(f) => format!("{}{}; {f})", p.name(), args.trim_end_matches(')')),
    }
}

/// The descheduler, or `none`.
pub(super) fn descheduler(w: &mut String, m: &Model) {
    let _ = writeln!(w, "\ndescheduler:");
    match &m.descheduler {
        None => {
            let _ = writeln!(w, "  none");
        }
        Some(d) => {
            let lim = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "unlimited".into());
            let _ = writeln!(
                w,
                "  eviction limits: per node {}, per namespace {}, total {}",
                lim(d.max_per_node),
                lim(d.max_per_namespace),
                lim(d.max_total)
            );
            for p in &d.profiles {
                let names = |v: &[DeschedulerPlugin]| v.iter().map(plugin).collect::<Vec<_>>().join("; ");
                let _ = writeln!(w, "  profile {}:", p.name);
                let _ = writeln!(w, "    deschedule: [{}]", names(&p.deschedule));
                let _ = writeln!(w, "    balance: [{}]", names(&p.balance));
                let e = &p.evictor;
                let _ = writeln!(
                    w,
                    "    evictor: nodeFit {}, evictLocalStoragePods {}, ignorePvcPods {}, minReplicas {}",
                    e.node_fit, e.evict_local_storage_pods, e.ignore_pvc_pods, e.min_replicas
                );
            }
        }
    }
}
