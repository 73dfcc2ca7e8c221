//! nodeFailure: a Ready node (of the named pool, or any) becomes NotReady; with `recovery` it
//! may come back Ready later.

use super::super::{ready, state::NOT_READY, state::READY, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;

pub struct NodeFailure;

const FAIL: u8 = 0;
const RECOVER: u8 = 1;

impl<D: Domain> Controller<D> for NodeFailure {
    fn name(&self) -> &'static str {
        "node-failure"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            let Event::NodeFailure { pool, recovery, .. } = ev else { continue };
            for n in 0..m.nodes() {
                if pool.is_some_and(|p| p != m.ir.nodes[n].pool) {
                    continue;
                }
                out.push(Step::new(actor, FAIL, e, n, 0));
                if *recovery {
                    out.push(Step::new(actor, RECOVER, e, n, 0));
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (e, n) = (s.a as usize, s.b as usize);
        match s.op {
            FAIL => d.and(&d.gt(&st.budget[e], &d.int(0)), &ready(d, st, n)),
            _ => d.and(&st.present[n], &d.eq(&st.status[n], &d.int(NOT_READY))),
        }
    }
    fn update_into(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (e, n) = (s.a as usize, s.b as usize);
        match s.op {
            FAIL => {
                nx.status[n] = d.int(NOT_READY);
                nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
            }
            _ => nx.status[n] = d.int(READY),
        }
    }
    fn describe(&self, m: &Model, s: &Step, _b: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        let n = s.b as usize;
        match s.op {
            FAIL => format!("node {} fails and becomes NotReady", m.node_name(n)),
            _ => format!("node {} recovers and is Ready again", m.node_name(n)),
        }
    }
}
