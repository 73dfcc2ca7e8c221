//! Node facts no controller owns: a node's conditions (Ready, NotReady, a slot's node on its
//! way). Controllers and events read and change node facts through this module, never through
//! another controller's. Must not take a step, decide what a controller decides, or import a
//! controller or an event.

mod conditions;
mod eviction_queue;
mod pods;
mod pools;
mod schedulability;
mod zone_disruption;

pub use conditions::{not_ready, panicked, ready, upcoming};
pub use eviction_queue::{clear_queue_into, queue_into, queued_on, voluntary};
pub use pods::{active_on, cpu_usage, pods_on, requested, running_of_group, running_per_node};
pub use pools::{pool_size, pool_size_of, slots};
pub use schedulability::{scaling_down, spec_unschedulable, state_taints_tolerated, to_be_deleted_tolerated};
pub use zone_disruption::{all_disrupted, disruption_into};
