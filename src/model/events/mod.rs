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

/// Whether budgeted event `e` may fire once more in `st`: its own budget is not spent, and
/// under an event bound (`Model::events_bound`) the run has fired fewer events than the bound;
/// and the check lets it fire at all (`Model::events_allowed`).
/// Every budgeted event's guard asks this, so the bound is a property of the model: both
/// engines, `simulate` and the footprints of partial-order reduction see it alike.
pub fn may_fire<D: Domain>(d: &D, m: &super::Model, st: &super::ClusterState<D>, e: usize) -> D::Bool {
    if m.events_allowed.as_ref().is_some_and(|allowed| !allowed.events[e]) {
        return d.bool(false);
    }
    let own = d.gt(&st.budget[e], &d.int(0));
    match m.events_bound {
        Some(bound) => d.and(&own, &d.lt(&fired(d, m, st), &d.int(bound))),
        None => own,
    }
}

/// [`may_fire`] for an event that acts on node `n` (a node failure, a drain, a kernel panic):
/// and the check lets it act on that node (`Allowed::nodes`, set for [`picks_a_node`]'s).
pub fn may_fire_on<D: Domain>(d: &D, m: &super::Model, st: &super::ClusterState<D>, e: usize, n: usize) -> D::Bool {
    if m.events_allowed.as_ref().is_some_and(|allowed| !allowed.on(e, n)) {
        return d.bool(false);
    }
    may_fire(d, m, st, e)
}

/// What one part of a check lets fire (`crate::parts`): per event of the spec whether it may
/// fire, and for an event that acts on a node, on which nodes (`None`: any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowed {
    pub events: Vec<bool>,
    pub nodes: Vec<Option<Vec<bool>>>,
}

impl Allowed {
    /// Whether event `e` may act on node `n`.
    pub fn on(&self, e: usize, n: usize) -> bool {
        self.events[e] && self.nodes[e].as_ref().is_none_or(|mask| mask[n])
    }
}

/// Whether event `e` acts on a node it picks (its step's `b` is the node) and may be split into
/// a part per node (`crate::parts`): a node failure and a drain, whose runs after the event are
/// mostly that node's pods being replaced. A kernel panic picks a node too, but only once the
/// load has risen there: the runs before it, which each part would search again, are most of
/// its work.
pub fn picks_a_node(e: &Event) -> bool {
    matches!(e, Event::NodeFailure { .. } | Event::Maintenance { .. })
}

/// How many budgeted events the run that reached `st` has fired: each event's budget spent.
pub fn fired<D: Domain>(d: &D, m: &super::Model, st: &super::ClusterState<D>) -> D::Int {
    d.sum_of(
        m.ir.events
            .iter()
            .enumerate()
            .filter(|(_, ev)| initial_budget(ev) > 0)
            .map(|(e, ev)| d.sub(&d.int(initial_budget(ev)), &st.budget[e])),
    )
}

/// The events the spec's budgets allow in one run, all kinds together: the bound that
/// deepening ends at, where it means no more than each event's own budget.
pub fn total_budget(m: &super::Model) -> i64 {
    m.ir.events.iter().map(initial_budget).filter(|&b| b > 0).sum()
}

/// The index of every event of the spec, with the event.
pub fn indexed(m: &super::Model) -> impl Iterator<Item = (usize, &Event)> {
    m.ir.events.iter().enumerate()
}
