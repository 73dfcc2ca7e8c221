//! Node facts no controller owns: what makes a node schedulable for a pod (its Ready
//! condition, the cordon, the cluster autoscaler's `ToBeDeletedByClusterAutoscaler` taint and
//! the pods' tolerations of them), the pods on a node and their requests, whether its DaemonSet
//! pods are settled, a pool's slots, the
//! taint-eviction queue, and whether every zone is fully disrupted. Controllers and events read
//! and change node facts through this module, never through another controller. Must not take
//! a step, decide what a controller decides (when a node is cordoned, tainted, drained or
//! removed, which pods are queued), or import a controller or an event.

mod conditions;
mod daemon;
mod eviction_queue;
mod pods;
mod pools;
mod schedulability;
mod zone_disruption;

pub use conditions::{not_ready, panicked, ready, upcoming};
pub use daemon::{daemon_eligible, daemon_pods_settled};
pub use eviction_queue::{clear_queue_into, queue_into, queued_on, voluntary};
pub use pods::{active_on, cpu_usage, pods_on, requested, running_of_group, running_per_node};
pub use pools::{pool_size, pool_size_of, slots};
pub use schedulability::{scaling_down, spec_unschedulable, state_taints_tolerated, to_be_deleted_tolerated};
pub use zone_disruption::{all_disrupted, disruption_into};
