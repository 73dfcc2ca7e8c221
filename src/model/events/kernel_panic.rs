//! kernelPanic: a Ready node whose CPU usage reaches `thresholdPercent` of its capacity may
//! panic and become NotReady (its pods are then evicted by the node lifecycle controller);
//! with `recovery` it comes back once its usage is below the threshold again. Kivi's C4.

use super::super::{
    cpu_usage, panicked, ready, state::PANICKED, state::READY, Class, ClusterState, Controller, Model, Step,
};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;

pub struct KernelPanic;

const PANIC: u8 = 0;
const RECOVER: u8 = 1;

fn hot<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, threshold: i64, n: usize) -> D::Bool {
    let cap = m.ir.nodes[n].capacity.cpu_milli;
    d.ge(&d.mul_const(&cpu_usage(d, m, st, n), 100), &d.int(threshold * cap))
}

impl<D: Domain> Controller<D> for KernelPanic {
    fn name(&self) -> &'static str {
        "kernel-panic"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            let Event::KernelPanic { recovery, .. } = ev else { continue };
            for n in 0..m.nodes() {
                out.push(Step::new(actor, PANIC, e, n, 0));
                if *recovery {
                    out.push(Step::new(actor, RECOVER, e, n, 0));
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (e, n) = (s.a as usize, s.b as usize);
        let Event::KernelPanic { threshold_percent, .. } = &m.ir.events[e] else { return d.bool(false) };
        let h = hot(d, m, st, *threshold_percent, n);
        match s.op {
            PANIC => d.all([d.gt(&st.budget[e], &d.int(0)), ready(d, st, n), h].iter()),
            _ => d.and(&panicked(d, st, n), &d.not(&h)),
        }
    }
    fn update_into(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (e, n) = (s.a as usize, s.b as usize);
        match s.op {
            PANIC => {
                nx.status[n] = d.int(PANICKED);
                nx.panics[n] = d.add(&st.panics[n], &d.int(1));
                nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
            }
            _ => nx.status[n] = d.int(READY),
        }
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let n = s.b as usize;
        let cap = m.ir.nodes[n].capacity.cpu_milli;
        let u = cpu_usage(&Concrete, m, before, n);
        match s.op {
            PANIC => format!(
                "kernel panic on {} at {}% CPU usage ({}m of {}m): NotReady (panic #{})",
                m.node_name(n),
                u * 100 / cap.max(1),
                u,
                cap,
                after.panics[n]
            ),
            _ => format!("{} recovers from its kernel panic and is Ready again", m.node_name(n)),
        }
    }
}
