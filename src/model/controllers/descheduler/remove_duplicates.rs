//! RemoveDuplicates (`pkg/framework/plugins/removeduplicates/`): owner = ReplicaSet, i.e. one
//! pod template revision; upperAvg = ceil(occurrences / target nodes), target nodes being the
//! Ready nodes the pod's selector, affinity and taints allow, at least two. Its `namespaces`
//! filter (removeduplicates.go `New`: `WithNamespaces`, `WithoutNamespaces`) keeps the pods
//! of other namespaces out of the listing, so they are neither counted nor evicted; an
//! owner's pods share one namespace (the owner key is namespace/kind/name), so a group is
//! considered whole or not at all.

use super::super::super::{active_on, ready, ClusterState, Model};
use super::evictor::*;
use crate::domain::Domain;
use crate::ir::{DeschedulerPlugin, DeschedulerProfile};

pub(super) fn remove_duplicates<D: Domain>(
    d: &D,
    m: &Model,
    st: ClusterState<D>,
    p: &DeschedulerProfile,
    lim: &mut Limits<D>,
    plugin: &DeschedulerPlugin,
    order: &[usize],
) -> ClusterState<D> {
    let DeschedulerPlugin::RemoveDuplicates { namespaces } = plugin else { return st };
    let nn = m.nodes();
    let mut st = st;
    for g in (0..m.ir.groups.len()).filter(|&g| in_namespaces(m, namespaces, g)) {
        let counted: Vec<D::Int> = (0..nn)
            .map(|n| {
                let ok = d.and(&ready(d, &st, n), &evictable(d, m, &st, p, lim, g, n));
                d.ite(&ok, &active_on(d, m, &st, g, n), &d.int(0))
            })
            .collect();
        let occurrence = d.sum(counted.iter());
        let per_node = &m.ir.groups[g].per_node;
        // getTargetNodes: Ready nodes whose NoSchedule and NoExecute taints the pod tolerates
        // (a cordoned node carries node.kubernetes.io/unschedulable:NoSchedule) and whose
        // labels match its node selector and required affinity.
        let targets = d.sum(
            (0..nn)
                .filter(|&n| {
                    per_node[n].affinity_ok
                        && !per_node[n].untolerated_no_schedule
                        && !per_node[n].untolerated_no_execute
                })
                .map(|n| d.count(&d.and(&ready(d, &st, n), &cordon_tolerated(d, m, &st, g, n))))
                .collect::<Vec<_>>()
                .iter(),
        );
        let enough = d.ge(&targets, &d.int(2));
        let t = d.max(&targets, &d.int(1));
        let upper_avg = d.div_bounded(&d.add(&occurrence, &d.sub(&t, &d.int(1))), &t, 1, nn.max(1) as i64);
        for &n in order {
            let excess = d.sub(&counted[n], &upper_avg);
            let want = d.ite(&d.and(&enough, &d.gt(&excess, &d.int(0))), &excess, &d.int(0));
            st = evict_limited(d, m, &st, lim, g, n, &want).0;
        }
    }
    st
}
