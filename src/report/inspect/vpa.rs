//! `inspect`'s VerticalPodAutoscalers (`ir::Vpa`): target, mode, the updater's minReplicas,
//! what is controlled and capped, and each recommendation with the revision that carries it.

use std::fmt::Write;

use super::{cpu, mem};
use crate::ir::*;

/// Each VPA; nothing when the model has none.
pub(super) fn vpas(w: &mut String, m: &Model) {
    if m.vpas.is_empty() {
        return;
    }
    let _ = writeln!(w, "\nvertical pod autoscalers ({}):", m.vpas.len());
    for v in &m.vpas {
        let controls: Vec<&str> =
            [(v.controls_cpu, "cpu"), (v.controls_memory, "memory")].iter().filter(|x| x.0).map(|x| x.1).collect();
        let bound = |c: Option<i64>, mm: Option<i64>| match (c, mm) {
            (None, None) => "-".to_string(),
            _ => format!("cpu {}, memory {}", c.map_or("-".into(), cpu), mm.map_or("-".into(), mem)),
        };
        let _ = writeln!(
            w,
            "  {} -> {}: mode {}, minReplicas {}, controls [{}] ({}), minAllowed {}, maxAllowed {}",
            v.name,
            m.deployment(v.target).name,
            v.mode.name(),
            v.min_replicas,
            controls.join(", "),
            if v.requests_only { "RequestsOnly" } else { "RequestsAndLimits" },
            bound(v.min_allowed.0, v.min_allowed.1),
            bound(v.max_allowed.0, v.max_allowed.1),
        );
        for l in &v.levels {
            let _ = writeln!(
                w,
                "    usage {} -> target cpu {}, memory {}: pods of revision {}",
                cpu(l.usage_cpu_milli),
                cpu(l.target_cpu_milli),
                mem(l.target_memory),
                l.revision
            );
        }
    }
}
