//! A node's DaemonSet pods as the scheduler may yet see them: whether a DaemonSet's node
//! facts let it run a pod there, and whether its pods there are settled. Read by the DaemonSet
//! controller and the kubelet's prompt stop. Must not create, delete or bind a pod.

use crate::domain::Domain;
use crate::ir::Placement;
use crate::model::{ClusterState, Model};

use super::{ready, running_of_group};

/// The static half of `NodeShouldRunDaemonPod`'s shouldRun: the template's node selector and
/// required affinity match and every NoSchedule and NoExecute taint of the node is tolerated.
pub fn daemon_eligible(p: &Placement) -> bool {
    p.node_name_ok && p.affinity_ok && !p.untolerated_no_schedule && !p.untolerated_no_execute
}

/// Whether every DaemonSet's pods on node `n` stay as they are until a rollout or a change of
/// the node's readiness (an event or a slow step): no pod of it for `n` pending or terminating,
/// none of an old revision, and the current revision's pod placed there or none due (`n` should
/// not run one). The DaemonSet controller's manage loop then creates nothing for `n` (a node
/// with a pod, or one that should not run it), its rolling update has no old pod there to
/// replace, and a deletion of the current pod (a node it should not continue on, which it then
/// should not run either) is followed by no creation. So no daemon pod asks the scheduler for
/// `n` meanwhile.
pub fn daemon_pods_settled<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Bool {
    let mut ok = Vec::new();
    for (s, ds) in m.ir.daemon_sets.iter().enumerate() {
        let current = &st.daemon_revision[s];
        let (mut new, mut old) = (d.int(0), d.int(0));
        for (r, g) in ds.revisions.iter().enumerate() {
            let g = g.index();
            let row = m.daemon_row[g].expect("a DaemonSet's group has a row");
            ok.push(d.eq(&st.unscheduled[row][n], &d.int(0)));
            ok.push(d.eq(&st.terminating[g][n], &d.int(0)));
            let placed = d.add(&st.bound[g][n], &running_of_group(d, m, st, g, n));
            let is_new = d.eq(current, &d.int(r as i64));
            new = d.add(&new, &d.ite(&is_new, &placed, &d.int(0)));
            old = d.add(&old, &d.ite(&is_new, &d.int(0), &placed));
        }
        ok.push(d.eq(&old, &d.int(0)));
        if daemon_eligible(&m.ir.groups[ds.revisions[0].index()].per_node[n]) {
            ok.push(d.or(&d.gt(&new, &d.int(0)), &d.not(&ready(d, st, n))));
        }
    }
    d.all(ok.iter())
}
