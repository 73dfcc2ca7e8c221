//! cpuChange: one running pod's CPU usage moves by a delta from a range (a load change).
//! Usage is what metrics-server reports and what the HPA and kernel panics read; requests,
//! which the scheduler reads, do not change. The delta moves in steps of gcd(min, max).

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;

pub struct CpuChange;

impl<D: Domain> Controller<D> for CpuChange {
    fn name(&self) -> &'static str {
        "cpu-change"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            let Event::CpuChange { deployment, .. } = ev else { continue };
            for &g in &m.groups_of[deployment.index()] {
                for &k in &m.kinds_of_group[g] {
                    for &k2 in &m.kinds_of_group[g] {
                        if k2 == k {
                            continue;
                        }
                        for n in 0..m.nodes() {
                            // `b` packs the node and the target kind.
                            out.push(Step {
                                actor: actor as u8,
                                op: 0,
                                a: e as u32,
                                b: (n * 65536 + k2) as u32,
                                v: k as i64,
                            });
                        }
                    }
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize / 65536)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (e, n, k, k2) = (s.a as usize, s.b as usize / 65536, s.v as usize, s.b as usize % 65536);
        let Event::CpuChange { delta_milli, .. } = &m.ir.events[e] else { return d.bool(false) };
        let delta = m.kinds[k2].cpu_usage - m.kinds[k].cpu_usage;
        let step = gcd(delta_milli.min, delta_milli.max).max(1);
        let allowed =
            delta != 0 && delta >= delta_milli.min && delta <= delta_milli.max && (delta - delta_milli.min) % step == 0;
        if !allowed {
            return d.bool(false);
        }
        d.and(&d.gt(&st.budget[e], &d.int(0)), &d.gt(&st.running[k][n], &d.int(0)))
    }
    fn update(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>) -> ClusterState<D> {
        let (e, n, k, k2) = (s.a as usize, s.b as usize / 65536, s.v as usize, s.b as usize % 65536);
        let mut nx = st.clone();
        nx.running[k][n] = d.sub(&st.running[k][n], &d.int(1));
        nx.running[k2][n] = d.add(&st.running[k2][n], &d.int(1));
        nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
        nx
    }
    fn describe(&self, m: &Model, s: &Step, _b: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        let (n, k, k2) = (s.b as usize / 65536, s.v as usize, s.b as usize % 65536);
        let (from, to) = (m.kinds[k].cpu_usage, m.kinds[k2].cpu_usage);
        format!(
            "CPU usage of a pod of {} on {} changes from {from}m to {to}m ({:+}m)",
            m.group_name(m.kinds[k].group.index()),
            m.node_name(n),
            to - from
        )
    }
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}
