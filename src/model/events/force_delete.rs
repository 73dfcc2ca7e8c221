//! forceDeletePods: an operator force-deletes a StatefulSet's pods stranded on a NotReady node
//! (`kubectl delete pod --grace-period=0 --force`, or the node's
//! `node.kubernetes.io/out-of-service` taint, on which the pod garbage collector's
//! `gcTerminating` (kubernetes `pkg/controller/podgc/gc_controller.go`) does the same): the
//! pod objects are gone at once, though their kubelet never confirmed, so the StatefulSet
//! controller may create their ordinals again. One step per NotReady node holding such pods,
//! `budget` nodes in all. Upstream the containers may still run on the unreachable machine
//! (the risk the force delete takes); kbmc, like the API server, forgets them.

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;
use crate::model::ordinals::{groups_of_ordinal, stranded};
use crate::model::state::Conditions;

pub struct ForceDeletePods;

impl<D: Domain> Controller<D> for ForceDeletePods {
    fn name(&self) -> &'static str {
        "force-delete"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            if matches!(ev, Event::ForceDeletePods { .. }) {
                for n in 0..m.nodes() {
                    out.push(Step::new(actor, 0, e, n, 0));
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (e, n) = (s.a as usize, s.b as usize);
        let Event::ForceDeletePods { statefulset, .. } = &m.ir.events[e] else { return d.bool(false) };
        d.and(&super::may_fire(d, m, st, e), &stranded(d, m, st, statefulset.index(), n))
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (e, n) = (s.a as usize, s.b as usize);
        let Event::ForceDeletePods { statefulset, .. } = &m.ir.events[e] else { return };
        let dep = statefulset.index();
        let zero = d.int(0);
        let ordinals = m.ir.deployments[dep].stateful.as_ref().map_or(0, |s| s.ordinals as usize);
        for o in 0..ordinals {
            for g in groups_of_ordinal(m, dep, o) {
                nx.bound[g][n] = zero.clone();
                nx.terminating[g][n] = zero.clone();
                if m.preempts {
                    nx.preempted[g][n] = zero.clone();
                }
                for &k in &m.kinds_of_group[g] {
                    nx.running[k][n] = zero.clone();
                }
            }
        }
        nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (e, n) = (s.a as usize, s.b as usize);
        let Event::ForceDeletePods { statefulset, .. } = &m.ir.events[e] else { return String::new() };
        let dep = statefulset.index();
        let ordinals = m.ir.deployments[dep].stateful.as_ref().map_or(0, |s| s.ordinals as usize);
        let pods: Vec<String> = (0..ordinals)
            .flat_map(|o| groups_of_ordinal(m, dep, o))
            .filter(|&g| {
                before.bound[g][n]
                    + before.terminating[g][n]
                    + crate::model::node::running_of_group(&Concrete, m, before, g, n)
                    > 0
            })
            .map(|g| m.group_name(g))
            .collect();
        format!(
            "an operator force-deletes pod(s) {} stranded on NotReady node {} (their kubelet never confirmed)",
            pods.join(", "),
            m.node_name(n)
        )
    }
}
