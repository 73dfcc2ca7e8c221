//! Model capacity: the range checks that keep every number of the input within what the model
//! can hold, run while the IR is built. Owns the documented limits (docs/spec.md, "Limits")
//! and their exit-2 errors, each naming the file, the field, the limit and why. It must not
//! change a value: input within the limits is built exactly as before, input beyond them is
//! rejected, never truncated. Sizes within the limits that are too big for an exhaustive
//! search are the engines' business: they stop at their own limits with "unknown".
//!
//! Why these numbers:
//! - every pod, replica, budget and window counter of a search state is packed into 16 bits
//!   (`model::state`), so a count the model may reach must stay within [`MAX_COUNT`];
//! - the node slots of every pool are allocated when the IR is built, one table row per pod
//!   group each, so their total is bounded by [`MAX_NODE_SLOTS`] before any is allocated;
//! - a `scaleDeployment` step is one transition label per delta value, and a `cpuChange`
//!   event one usage level per reachable usage: both are bounded so that the labels and
//!   levels a model enumerates stay within [`MAX_LABEL_VALUES`].

use k8s_openapi::api::apps::v1::Deployment as K8sDeployment;

use super::{Event, Hpa, IntOrPercent, MetricTarget, Range, Strategy};
use crate::error::{InputClass, InputError, Origin};
use crate::manifest::{Inputs, Object};
use crate::spec;

/// The largest count the model holds: pods of one Deployment (desired replicas plus surge
/// and scale-ups), replicas, event budgets and per-node counters all fit a signed 16-bit field.
pub const MAX_COUNT: i64 = i16::MAX as i64;

/// The most node slots (every pool at its maximum count, plus one per Node manifest).
pub const MAX_NODE_SLOTS: i64 = 10_000;

/// The most values one `scaleDeployment` delta range or one Deployment's `cpuChange` usage
/// levels may enumerate.
pub const MAX_LABEL_VALUES: i64 = 4_096;

fn over(origin: &Origin, field: impl Into<String>, what: String) -> InputError {
    InputError::at(origin, InputClass::Invalid, field, what)
}

/// A count read from the input, checked against [`MAX_COUNT`].
fn count(errors: &mut Vec<InputError>, origin: &Origin, field: String, value: i64, why: &str) {
    if value > MAX_COUNT {
        errors.push(over(origin, field, format!("{value} is above {MAX_COUNT}, the largest {why} kbmc's model holds (its search states pack every count into 16 bits)")));
    }
}

fn deployment_replicas(errors: &mut Vec<InputError>, obj: &Object<K8sDeployment>, applied: bool) {
    let Some(r) = obj.value.spec.replicas else { return };
    let why = if applied { "replica count an applied Deployment sets" } else { "replica count" };
    count(errors, &obj.origin, "spec.replicas".into(), r as i64, why);
}

/// Checks the raw numbers of the input before anything is allocated from them: replicas of
/// every Deployment (also those applied later), HPA replica bounds, the spec's pool counts,
/// workload replica ranges and placements, event budgets and scale deltas. Returns the errors.
pub fn check_inputs(inputs: &Inputs, verification: &Object<spec::Verification>) -> Vec<InputError> {
    let mut errors = Vec::new();
    for d in &inputs.deployments {
        deployment_replicas(&mut errors, d, false);
    }
    for (_, d) in &inputs.applied {
        deployment_replicas(&mut errors, d, true);
    }
    for h in &inputs.hpas {
        let spec = &h.value.spec;
        count(&mut errors, &h.origin, "spec.maxReplicas".into(), spec.max_replicas as i64, "replica count");
        if let Some(min) = spec.min_replicas {
            count(&mut errors, &h.origin, "spec.minReplicas".into(), min as i64, "replica count");
        }
    }
    let origin = &verification.origin;
    let spec = &verification.value.spec;
    let mut slots: i64 = inputs.nodes.len() as i64;
    for (pi, p) in spec.node_pools.iter().enumerate() {
        // A pool of Node manifests (`nodes:`, no count) adds no slots: its Nodes are counted.
        let Some(count) = p.count.as_ref() else { continue };
        slots = slots.saturating_add(count.max as i64);
        if count.max as i64 > MAX_NODE_SLOTS {
            errors.push(over(
                origin,
                format!("spec.nodePools[{pi}].count"),
                format!(
                    "{} nodes is above {MAX_NODE_SLOTS}, the most node slots kbmc builds (every slot gets a row of static facts per pod group)",
                    count.max
                ),
            ));
        }
    }
    if slots > MAX_NODE_SLOTS && errors.iter().all(|e| !e.field.ends_with(".count")) {
        errors.push(over(
            origin,
            "spec.nodePools",
            format!(
                "{slots} node slots in all ({} Node manifests and the pools at their maximum counts) is above {MAX_NODE_SLOTS}, the most kbmc builds",
                inputs.nodes.len()
            ),
        ));
    }
    for (wi, w) in spec.workloads.iter().enumerate() {
        if let Some(r) = w.replicas {
            count(&mut errors, origin, format!("spec.workloads[{wi}].replicas"), r.max as i64, "replica count");
        }
        let placed: i64 = w.placement.iter().map(|p| p.count as i64).sum();
        count(
            &mut errors,
            origin,
            format!("spec.workloads[{wi}].placement"),
            placed,
            "number of pods of one Deployment",
        );
    }
    for (ei, e) in spec.events.iter().enumerate() {
        let f = format!("spec.events[{ei}]");
        let budget = match e {
            spec::Event::CpuChange { budget, .. }
            | spec::Event::KernelPanic { budget, .. }
            | spec::Event::NodeFailure { budget, .. }
            | spec::Event::ApplyDeployment { budget, .. }
            | spec::Event::ScaleDeployment { budget, .. }
            | spec::Event::RolloutRestart { budget, .. }
            | spec::Event::ForceDeletePods { budget, .. } => Some(*budget),
            spec::Event::Maintenance { budget, .. } => *budget,
            spec::Event::CpuPattern { .. } => None,
        };
        if let Some(b) = budget {
            count(&mut errors, origin, format!("{f}.budget"), b as i64, "event budget");
        }
        if let spec::Event::ScaleDeployment { delta, .. } = e {
            for (end, v) in [("min", delta.min), ("max", delta.max)] {
                if v.unsigned_abs() > MAX_COUNT as u64 {
                    errors.push(over(
                        origin,
                        format!("{f}.delta.{end}"),
                        format!("{v} is outside -{MAX_COUNT}..{MAX_COUNT}, the largest change of replicas kbmc's model holds"),
                    ));
                }
            }
            let width = (delta.max as i128 - delta.min as i128 + 1).max(0);
            if delta.min.unsigned_abs() <= MAX_COUNT as u64
                && delta.max.unsigned_abs() <= MAX_COUNT as u64
                && width > MAX_LABEL_VALUES as i128
            {
                errors.push(over(
                    origin,
                    format!("{f}.delta"),
                    format!("{width} delta values is above {MAX_LABEL_VALUES}, the most one scaleDeployment event may choose from (each value is a transition of the model)"),
                ));
            }
        }
    }
    errors
}

/// The pods one Deployment may have at once: the largest desired count any source sets
/// (replicas, placement, HPA maximum, an apply), scale-ups on top, and the largest surge of
/// its strategies. Saturating: a sum beyond i64 is "too many" for the check, never a wrap.
pub fn pods_bound(
    replicas: &Range,
    placed: i64,
    hpa: Option<&Hpa>,
    applied: impl Iterator<Item = i64>,
    scale_ups: impl Iterator<Item = (i64, i64)>,
    strategies: impl Iterator<Item = Strategy>,
) -> i64 {
    let mut m = replicas.max.max(placed);
    if let Some(h) = hpa {
        m = m.max(h.max_replicas);
    }
    for r in applied {
        m = m.max(r);
    }
    for (delta_max, budget) in scale_ups {
        m = m.saturating_add(delta_max.max(0).saturating_mul(budget));
    }
    let surge = |s: Strategy| match s {
        Strategy::RollingUpdate { max_surge: IntOrPercent::Int(i), .. } => i,
        Strategy::RollingUpdate { max_surge: IntOrPercent::Percent(p), .. } => {
            ((m as i128 * p as i128 + 99) / 100).min(i64::MAX as i128) as i64
        }
        Strategy::Recreate => 0,
    };
    let s = strategies.map(surge).max().unwrap_or(0);
    m.saturating_add(s)
}

/// The derived bound of every Deployment's pods (see [`pods_bound`]) against [`MAX_COUNT`],
/// and the model values with no input of their own: an HPA AverageValue target must be
/// positive (as the API server validates it), and a Deployment's `cpuChange` events must not
/// reach more usage levels than [`MAX_LABEL_VALUES`].
pub fn check_model(
    deployments: &[super::Deployment],
    per_deployment: &[i64],
    hpas: &[Hpa],
    events: &[Event],
    spec_origin: &Origin,
) -> Vec<InputError> {
    let mut errors = Vec::new();
    for (d, &pods) in deployments.iter().zip(per_deployment) {
        if pods > MAX_COUNT {
            errors.push(over(
                &d.origin,
                "spec.replicas",
                format!(
                    "Deployment {:?} may have {} pods at once (its largest replica count from the manifest, spec.workloads, its HPA's maxReplicas or an apply, plus scaleDeployment deltas times their budgets, plus the rolling update's surge); kbmc's model holds at most {MAX_COUNT} pods per Deployment (its search states pack every count into 16 bits)",
                    d.name,
                    if pods == i64::MAX { "more than 9223372036854775807".to_string() } else { pods.to_string() }
                ),
            ));
        }
    }
    for h in hpas {
        for (mi, m) in h.metrics.iter().enumerate() {
            if let MetricTarget::AverageValue(t) = m.target {
                if t <= 0 {
                    errors.push(over(
                        &h.origin,
                        format!("spec.metrics[{mi}].resource.target.averageValue"),
                        "must be positive, as the API server requires (a target of 0 has no ratio to scale by)".into(),
                    ));
                }
            }
        }
    }
    for (di, d) in deployments.iter().enumerate() {
        // Every usage a chain of changes reaches lies in [initial + Σ budget × min, initial +
        // Σ budget × max] on the grid of the deltas' gcd, from each starting level.
        let (mut lo, mut hi, mut g, mut starts) = (0i128, 0i128, 0i128, 1i128);
        for e in events {
            match e {
                Event::CpuChange { deployment, delta_milli, budget } if deployment.index() == di => {
                    lo += (delta_milli.min as i128).min(0) * *budget as i128;
                    hi += (delta_milli.max as i128).max(0) * *budget as i128;
                    g = gcd(gcd(g, delta_milli.min.unsigned_abs() as i128), delta_milli.max.unsigned_abs() as i128);
                }
                Event::CpuPattern { deployment, .. } if deployment.index() == di => starts += 1,
                _ => {}
            }
        }
        if g == 0 {
            continue;
        }
        let levels = starts * ((hi - lo) / g + 1);
        if levels > MAX_LABEL_VALUES as i128 {
            errors.push(over(
                spec_origin,
                "spec.events",
                format!(
                    "the cpuChange events of Deployment {:?} reach up to {levels} CPU usage levels (budget × delta range over the deltas' common step); kbmc's model holds at most {MAX_LABEL_VALUES}: use coarser deltas (e.g. whole cores) or smaller budgets",
                    d.name
                ),
            ));
        }
    }
    errors
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
