//! A StatefulSet's pods by ordinal: the pod groups that hold an ordinal's pod (one per
//! revision and zone of the ordinal's volume, at most one pod among them), and whether some
//! are stranded on a NotReady node. Read by the StatefulSet controller and the force-delete
//! event. Must not create, delete or move a pod (the StatefulSet controller and the events do).

use crate::domain::Domain;
use crate::ir::StatefulSet;
use crate::model::node::{not_ready, running_of_group};
use crate::model::{ClusterState, Model};

/// The StatefulSet of Deployment `dep` (a StatefulSet is a Deployment of the model with a
/// `stateful` part).
pub fn stateful_set(m: &Model, dep: usize) -> &StatefulSet {
    m.ir.deployments[dep].stateful.as_ref().expect("model bug: a StatefulSet step of a Deployment")
}

/// Every pod group of ordinal `o` of StatefulSet `dep` (every revision and volume zone).
pub fn groups_of_ordinal(m: &Model, dep: usize, o: usize) -> impl Iterator<Item = usize> + '_ {
    stateful_set(m, dep).groups.iter().flat_map(move |rev| rev[o].iter().map(|g| g.index()))
}

/// Whether a pod of StatefulSet `dep` is on NotReady node `n` (what `forceDeletePods`
/// removes).
pub fn stranded<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize, n: usize) -> D::Bool {
    let mut c = d.int(0);
    for o in 0..stateful_set(m, dep).ordinals as usize {
        for g in groups_of_ordinal(m, dep, o) {
            c = d.add(&c, &d.add(&st.bound[g][n], &d.add(&st.terminating[g][n], &running_of_group(d, m, st, g, n))));
        }
    }
    d.and(&not_ready(d, st, n), &d.gt(&c, &d.int(0)))
}
