//! The environment: events with budgets, one file per kind, in the fixed registry order
//! below. Each actor handles every event of its kind in the spec (the step's `a` is the
//! event's index).

pub mod apply;
pub mod cpu_change;
pub mod cpu_pattern;
pub mod daemon_rollout;
pub mod force_delete;
pub mod kernel_panic;
pub mod maintenance;
pub mod node_failure;
pub mod node_provisioning;
pub mod scale;

use super::Controller;
use crate::domain::Domain;
use crate::ir::Event;

pub fn all<D: Domain>() -> Vec<Box<dyn Controller<D>>> {
    vec![
        Box::new(cpu_change::CpuChange),
        Box::new(cpu_pattern::CpuPattern),
        Box::new(kernel_panic::KernelPanic),
        Box::new(node_failure::NodeFailure),
        Box::new(apply::ApplyDeployment),
        Box::new(scale::ScaleDeployment),
        Box::new(maintenance::Maintenance),
        Box::new(force_delete::ForceDeletePods),
        Box::new(daemon_rollout::RolloutDaemonSet),
        Box::new(node_provisioning::NodeProvisioning),
    ]
}

/// How many times an event may fire in one run (0 for lifecycles without a budget).
pub fn initial_budget(e: &Event) -> i64 {
    match e {
        Event::CpuChange { budget, .. }
        | Event::KernelPanic { budget, .. }
        | Event::NodeFailure { budget, .. }
        | Event::ApplyDeployment { budget, .. }
        | Event::ScaleDeployment { budget, .. }
        | Event::Maintenance { budget, .. }
        | Event::RolloutDaemonSet { budget, .. }
        | Event::ForceDeletePods { budget, .. } => *budget,
        Event::CpuPattern { .. } => 0,
    }
}

/// The index of every event of the spec, with the event.
pub fn indexed(m: &super::Model) -> impl Iterator<Item = (usize, &Event)> {
    m.ir.events.iter().enumerate()
}
