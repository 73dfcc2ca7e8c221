//! Candidate invariants of the model, for an engine that proves intents by induction: each
//! field's declared range (read off the state's declaration), and the facts about what the
//! controllers keep that a state off the reachable ones may break (live pods within the pod
//! bound, picked, chosen and preempted pods among those there, no pods on absent nodes,
//! requests within allocatable, replicas within each HPA's range). Written once over the
//! value domain. A candidate is only a guess: the engine keeps those that hold initially and
//! prunes them until they are inductive together. Must not decide which candidates are kept,
//! nor import an engine.

use crate::domain::{Concrete, Domain};
use crate::model::state::{SlotMut, FIELDS};
use crate::model::{controllers, ClusterState, Model};

/// The declared range of every integer value, as a lowest and a highest state shaped as
/// `shape` (booleans are left as `shape` has them).
pub fn ranges(m: &Model, shape: &ClusterState<Concrete>) -> (ClusterState<Concrete>, ClusterState<Concrete>) {
    let (mut lo, mut hi) = (shape.clone(), shape.clone());
    for (f, (l, h)) in FIELDS.iter().zip(lo.slots_mut().into_iter().zip(hi.slots_mut())) {
        let Some(range) = f.range else { continue };
        match (l, h) {
            (SlotMut::Ints(l), SlotMut::Ints(h)) => {
                for (i, (l, h)) in l.iter_mut().zip(h.iter_mut()).enumerate() {
                    (*l, *h) = range(m, i);
                }
            }
            (SlotMut::Grid(l), SlotMut::Grid(h)) => {
                for (i, (l, h)) in l.iter_mut().zip(h.iter_mut()).enumerate() {
                    let (a, b) = range(m, i);
                    l.iter_mut().for_each(|x| *x = a);
                    h.iter_mut().for_each(|x| *x = b);
                }
            }
            _ => panic!("model bug: field {} has a range but no integer values", f.name),
        }
    }
    (lo, hi)
}

/// The candidates about what the controllers keep, over state `st`, in a fixed order (an
/// engine keeps them by position).
pub fn kept_by_controllers<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>) -> Vec<D::Bool> {
    let mut out = Vec::new();
    // Per Deployment: its live pods (pending, bound and running, over all its pod groups) at
    // most the model's per-Deployment pod bound.
    for dep in 0..m.ir.deployments.len() {
        let live = crate::model::live_replicas(d, m, st, dep);
        out.push(d.le(&live, &d.int(m.ir.bounds.max_pods_per_deployment)));
    }
    // Per picked cell, where nothing but the run's own calls removes a picked pod
    // (`descheduler::others_act_between`): the picks are pods of the group there, bound or
    // running (the run picks no more, a pod that starts stays one, and each call removes a
    // pod and a pick, or a pick alone). Without it the step case may start from picks with
    // nothing left to evict.
    if !controllers::descheduler::others_act_between(m) {
        for (g, row) in st.evicting.iter().enumerate() {
            for (n, picked) in row.iter().enumerate() {
                out.push(d.le(picked, &crate::model::node::active_on(d, m, st, g, n)));
            }
        }
    }
    // A ReplicaSet sync chooses no more pods than its surplus: without it the step case
    // may start mid-deletion from choices no sync made.
    for g in 0..m.ir.groups.len() {
        let chosen = controllers::deployment::chosen_total(d, m, st, g);
        let surplus = controllers::deployment::surplus(d, m, st, g);
        out.push(d.or(&d.eq(&chosen, &d.int(0)), &d.le(&chosen, &surplus)));
        // Where nothing ever scales a Deployment down, no ReplicaSet has a surplus.
        out.push(d.le(&surplus, &d.int(0)));
    }
    // Likewise a ReplicaSet sync's chosen victims: bound or running pods of their row.
    let ng = m.ir.groups.len();
    for (r, row) in st.deleting.iter().enumerate() {
        for (n, chosen) in row.iter().enumerate() {
            let of = if r < ng { st.bound[r][n].clone() } else { st.running[r - ng][n].clone() };
            out.push(d.le(chosen, &of));
        }
    }
    // Per cell: the terminating pods a preemption deleted are among the terminating pods
    // there. Without it the step case may start from a nominated pod held by a victim that is
    // no longer there.
    for (g, row) in st.preempted.iter().enumerate() {
        for (n, preempted) in row.iter().enumerate() {
            out.push(d.le(preempted, &st.terminating[g][n]));
        }
    }
    // Per node: no pods while it is absent (outside the topology). Where initial states
    // differ in which nodes exist (a scaling query), pods do land on a node slot in some
    // topologies, so "its pod counts never change" fails there; without this candidate
    // the step case starts from pods on absent nodes and finds "violations" no run
    // reaches. (Pods of a group on a node it never reaches are covered by "never
    // changes": those counts stay 0.)
    let zero = d.int(0);
    for n in 0..m.nodes() {
        let counts = st.pod_rows().map(|row| d.eq(&row[n], &zero));
        let empty = counts.fold(d.bool(true), |acc, c| d.and(&acc, &c));
        out.push(d.or(&st.present[n], &empty));
    }
    // Per node: what its pods request fits its allocatable, as the scheduler keeps it (pods
    // leave a node only through terminating, which still counts). Without it the step case
    // starts on an overfull node and stops its terminating pods one by one for as many
    // steps as the overfill allows, before the "violation" no run reaches.
    for (n, (cpu, mem, pods)) in crate::model::node::requested(d, m, st).into_iter().enumerate() {
        let a = m.ir.nodes[n].allocatable;
        out.push(
            d.all([d.le(&cpu, &d.int(a.cpu_milli)), d.le(&mem, &d.int(a.memory)), d.le(&pods, &d.int(a.pods))].iter()),
        );
    }
    // Per HPA: the target's replicas within [minReplicas, maxReplicas].
    for h in &m.ir.hpas {
        let r = &st.desired[h.target.index()];
        out.push(d.and(&d.ge(r, &d.int(h.min_replicas)), &d.le(r, &d.int(h.max_replicas))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::Slot;
    use crate::model::testkit::{deployment, model};

    /// Every initial state of a model is within the declared ranges, and satisfies every
    /// candidate about what the controllers keep.
    #[test]
    fn initial_states_are_within_ranges_and_candidates() {
        let m = model(&format!(
            "{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: a, count: 2, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n  events: [{{type: nodeFailure, budget: 1}}]\n",
            deployment("web", 3, "1", "1Gi", "")
        ));
        for st in m.initial_states() {
            let (lo, hi) = ranges(&m, &st);
            let flat = |s: Slot<'_, Concrete>| -> Vec<i64> {
                match s {
                    Slot::Ints(v) => v.clone(),
                    Slot::Bools(_) => Vec::new(),
                    Slot::Grid(rows) => rows.iter().flatten().copied().collect(),
                }
            };
            let mut checked = 0;
            for ((x, l), h) in st.slots().into_iter().zip(lo.slots()).zip(hi.slots()) {
                for ((x, l), h) in flat(x).into_iter().zip(flat(l)).zip(flat(h)) {
                    assert!(l <= x && x <= h, "{l} <= {x} <= {h}");
                    checked += 1;
                }
            }
            assert!(checked > 0);
            // The node failure's budget of 1: its own range, and the panics' (all events' budgets).
            assert_eq!((lo.budget.as_slice(), hi.budget.as_slice()), (&[0][..], &[1][..]));
            assert!(hi.panics.iter().all(|&p| p == 1));
            assert!(kept_by_controllers(&Concrete, &m, &st).into_iter().all(|c| c));
        }
    }
}
