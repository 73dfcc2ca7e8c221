//! cpuPattern: a pod's CPU usage follows its lifecycle — the bootstrap level right after it
//! starts (JIT warm-up, cache filling), the steady level later. The moment each node's
//! starting pods settle is chosen by the checker; there is no budget, every new pod
//! bootstraps again. This is the cause of Kivi's C1.

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;

pub struct CpuPattern;

/// (bootstrap kind, steady kind) of group `g` under event `e`.
fn kinds(m: &Model, e: usize, g: usize) -> Option<(usize, usize)> {
    let Event::CpuPattern { deployment, bootstrap_milli, steady_milli } = &m.ir.events[e] else { return None };
    if m.dep_of_group(g) != deployment.index() || bootstrap_milli == steady_milli {
        return None;
    }
    let find = |u: i64| m.kinds_of_group[g].iter().copied().find(|&k| m.kinds[k].cpu_usage == u);
    Some((find(*bootstrap_milli)?, find(*steady_milli)?))
}

impl<D: Domain> Controller<D> for CpuPattern {
    fn name(&self) -> &'static str {
        "cpu-pattern"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, _) in super::indexed(m) {
            for g in 0..m.ir.groups.len() {
                if kinds(m, e, g).is_some() {
                    for n in 0..m.nodes() {
                        out.push(Step::new(actor, 0, e, n, g as i64));
                    }
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (boot, _) = kinds(m, s.a as usize, s.v as usize).expect("labels come from steps()");
        d.gt(&st.running[boot][s.b as usize], &d.int(0))
    }
    fn update(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> ClusterState<D> {
        let (boot, steady) = kinds(m, s.a as usize, s.v as usize).expect("labels come from steps()");
        let n = s.b as usize;
        let mut nx = st.clone();
        nx.running[steady][n] = d.add(&st.running[steady][n], &st.running[boot][n]);
        nx.running[boot][n] = d.int(0);
        nx
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        let (boot, steady) = kinds(m, s.a as usize, s.v as usize).expect("labels come from steps()");
        let n = s.b as usize;
        format!(
            "{} warmed-up pod(s) of {} on {} settle from {}m to {}m CPU",
            before.running[boot][n],
            m.group_name(s.v as usize),
            m.node_name(n),
            m.kinds[boot].cpu_usage,
            m.kinds[steady].cpu_usage
        )
    }
}
