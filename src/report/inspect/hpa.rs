//! `inspect`'s HorizontalPodAutoscalers (`ir::Hpa`): target, replica range, metrics and
//! scaling behavior.

use std::fmt::Write;

use super::{cpu, milli_mem};
use crate::ir::*;

fn rules(r: &ScalingRules) -> String {
    let ps: Vec<String> = r
        .policies
        .iter()
        .map(|p| {
            format!(
                "{} {}{} per {}s",
                if p.kind == PolicyKind::Pods { "Pods" } else { "Percent" },
                p.value,
                if p.kind == PolicyKind::Percent { "%" } else { "" },
                p.period_seconds
            )
        })
        .collect();
    format!("window {}s, select {:?}, policies [{}]", r.stabilization_window_seconds, r.select_policy, ps.join(", "))
}

/// Each HPA, with its behavior or the defaults that stand for it.
pub(super) fn hpas(w: &mut String, m: &Model) {
    let _ = writeln!(w, "\nhorizontal pod autoscalers ({}):", m.hpas.len());
    for h in &m.hpas {
        let ms: Vec<String> = h
            .metrics
            .iter()
            .map(|x| {
                let r = if x.resource == ResourceName::Cpu { "cpu" } else { "memory" };
                match x.target {
                    MetricTarget::Utilization(u) => format!("{r} Utilization {u}%"),
                    MetricTarget::AverageValue(v) if x.resource == ResourceName::Cpu => {
                        format!("{r} AverageValue {}", cpu(v))
                    }
                    MetricTarget::AverageValue(v) => format!("{r} AverageValue {}", milli_mem(v)),
                }
            })
            .collect();
        let _ = writeln!(
            w,
            "  {} -> {}: replicas {}..{}, metrics {}",
            h.name,
            m.deployment(h.target).name,
            h.min_replicas,
            h.max_replicas,
            ms.join(", ")
        );
        match &h.behavior {
            None => {
                let _ = writeln!(
                    w,
                    "    behavior: none (scale-up limit max(2x, 4) per step, 300s scale-down stabilization)"
                );
            }
            Some((up, down)) => {
                let _ = writeln!(w, "    scaleUp: {}", rules(up));
                let _ = writeln!(w, "    scaleDown: {}", rules(down));
            }
        }
    }
}
