//! kubelet: starts the pods bound to its node and stops the ones being deleted.
//!
//! Follows kubernetes `pkg/kubelet` at the level of pod phases: a bound pod becomes Running
//! (at its start usage: the cpuPattern's bootstrap level, else the Deployment's usage), a
//! terminating pod disappears. Requests (what the scheduler counts) and usage (what metrics
//! and kernel panics see) are kept apart: a pod's usage lives in its usage kind.
//! Abstracted: start and stop are instantaneous (no image pulls, probes, grace periods), and
//! pods on a NotReady node are stopped as if force-deleted.

use super::super::{ready, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};

pub struct Kubelet;

const START: u8 = 0;
const STOP: u8 = 1;

impl<D: Domain> Controller<D> for Kubelet {
    fn name(&self) -> &'static str {
        "kubelet"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.ir.controllers.kubelet {
            return;
        }
        for g in 0..m.ir.groups.len() {
            for n in 0..m.nodes() {
                out.push(Step::new(actor, START, g, n, 0));
                out.push(Step::new(actor, STOP, g, n, 0));
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (g, n) = (s.a as usize, s.b as usize);
        match s.op {
            START => d.and(&ready(d, st, n), &d.gt(&st.bound[g][n], &d.int(0))),
            _ => d.gt(&st.terminating[g][n], &d.int(0)),
        }
    }
    fn update(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> ClusterState<D> {
        let (g, n) = (s.a as usize, s.b as usize);
        let mut nx = st.clone();
        match s.op {
            START => {
                let k = m.start_kind[g];
                nx.running[k][n] = d.add(&st.running[k][n], &st.bound[g][n]);
                nx.bound[g][n] = d.int(0);
            }
            _ => nx.terminating[g][n] = d.int(0),
        }
        nx
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (g, n) = (s.a as usize, s.b as usize);
        match s.op {
            START => format!("on {} starts {} pod(s) of {}", m.node_name(n), before.bound[g][n], m.group_name(g)),
            _ => format!(
                "on {} stops {} terminating pod(s) of {}",
                m.node_name(n),
                before.terminating[g][n],
                m.group_name(g)
            ),
        }
    }
}
