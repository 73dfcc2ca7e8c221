//! kube-scheduler's VolumeZone plugin: a pod whose volume is bound in a zone fits only nodes
//! of that zone, as the IR resolves it per pod group and node (`ir::Placement::volume_zone_ok`,
//! for a StatefulSet's bound volume). It owns no step and must not read the state.
//!
//! Follows kubernetes `pkg/scheduler/framework/plugins/volumezone/volume_zone.go` `Filter`.

use super::super::Model;

/// What a node that fails [`filter`] is told.
pub const REJECTION: &str = "its volume is in another zone";

/// VolumeZone's filter for a pod of group `g` on node `n`.
pub fn filter(m: &Model, g: usize, n: usize) -> bool {
    m.ir.groups[g].per_node[n].volume_zone_ok
}
