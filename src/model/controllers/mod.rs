//! The cluster's controllers, one file each, in the fixed registry order below. A controller
//! disabled in the spec contributes no steps; the scheduler's plugins are no controller's
//! (`model::framework`). The disruption controller's catching up with a failed node
//! (`model::disruption::StatusSync`) is registered last, beside them.

pub mod cluster_autoscaler;
pub mod daemonset;
pub mod deployment;
pub mod descheduler;
pub mod hpa;
pub mod kubelet;
pub mod node_lifecycle;
pub mod preemption;
pub mod scheduler;
pub mod statefulset;
pub mod taint_eviction;
pub mod vpa;

use super::Controller;
use crate::domain::Domain;

pub fn all<D: Domain>() -> Vec<Box<dyn Controller<D>>> {
    vec![
        Box::new(deployment::DeploymentController),
        Box::new(scheduler::Scheduler),
        Box::new(kubelet::Kubelet),
        Box::new(node_lifecycle::NodeLifecycle),
        Box::new(taint_eviction::TaintEviction),
        Box::new(hpa::Hpa),
        Box::new(descheduler::Descheduler),
        Box::new(descheduler::Eviction),
        Box::new(deployment::Victims),
        Box::new(taint_eviction::QueuedEviction),
        Box::new(statefulset::StatefulSetController),
        Box::new(preemption::Preemption),
        Box::new(daemonset::DaemonSetController),
        Box::new(cluster_autoscaler::ClusterAutoscaler),
        Box::new(vpa::Recommender),
        Box::new(vpa::Updater),
        Box::new(super::disruption::StatusSync),
    ]
}
