//! A StatefulSet's zonal volume claims: the zone a claim is bound in (the `stateful` value at
//! `Model::claim_at`), set when the scheduler binds the ordinal's first pod. Must not decide
//! where a pod goes (the scheduler does) nor which group the ordinal's next pod is created in
//! (the StatefulSet controller does).

use super::ordinals::stateful_set;
use crate::domain::Domain;
use crate::model::{ClusterState, Model};

/// VolumeBinding's PreBind, called by the scheduler's bind of a pod of group `g` to node `n`:
/// a StatefulSet pod whose zonal volume is not bound yet gets it provisioned in `n`'s zone.
pub fn bind_claim_into<D: Domain>(d: &D, m: &Model, g: usize, n: usize, nx: &mut ClusterState<D>) {
    let grp = &m.ir.groups[g];
    let (Some(ord), Some(dep)) = (grp.ordinal.filter(|o| o.claim_zone.is_none()), grp.deployment()) else { return };
    let dep = dep.index();
    let Some(at) = m.claim_at(dep, ord.ordinal as usize) else { return };
    let s = stateful_set(m, dep);
    let key = m.ir.labels.find_key("topology.kubernetes.io/zone").expect("zonal claims have zones");
    let zone = m.ir.nodes[n].label(key).and_then(|v| s.claim_zones.iter().position(|z| *z == v));
    let zone = zone.expect("every node has a zone where volumes are zonal (checked on input)");
    nx.stateful[at] = d.int(zone as i64);
}
