//! maintenance: `kubectl drain` of up to `maxUnavailable` nodes at a time — cordon the node
//! and evict its pods — then, once its pods are gone, maintain it and uncordon it. Each node
//! is maintained at most once, `budget` nodes in all.
//! Follows kubectl drain's documented behaviour; PodDisruptionBudgets are not modelled (the
//! loader rejects them), so evictions are never refused.

use super::super::controllers::node_lifecycle::{evict_all, pods_on};
use super::super::{ready, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;

pub struct Maintenance;

const DRAIN: u8 = 0;
const DONE: u8 = 1;

impl<D: Domain> Controller<D> for Maintenance {
    fn name(&self) -> &'static str {
        "maintenance"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            if matches!(ev, Event::Maintenance { .. }) {
                for n in 0..m.nodes() {
                    out.push(Step::new(actor, DRAIN, e, n, 0));
                    out.push(Step::new(actor, DONE, e, n, 0));
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn evicts(&self, s: &Step) -> bool {
        s.op == DRAIN
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (e, n) = (s.a as usize, s.b as usize);
        let Event::Maintenance { max_unavailable, .. } = &m.ir.events[e] else { return d.bool(false) };
        match s.op {
            DRAIN => {
                let draining = d.sum_of(st.draining.iter().map(|x| d.count(x)));
                d.all(
                    [
                        d.gt(&st.budget[e], &d.int(0)),
                        ready(d, st, n),
                        d.not(&st.cordoned[n]),
                        d.not(&st.maintained[n]),
                        d.lt(&draining, &d.int(*max_unavailable)),
                    ]
                    .iter(),
                )
            }
            _ => {
                let terminating = d.sum((0..m.ir.groups.len()).map(|g| &st.terminating[g][n]));
                d.all(
                    [st.draining[n].clone(), d.eq(&pods_on(d, m, st, n), &d.int(0)), d.eq(&terminating, &d.int(0))]
                        .iter(),
                )
            }
        }
    }
    fn update(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> ClusterState<D> {
        let (e, n) = (s.a as usize, s.b as usize);
        match s.op {
            DRAIN => {
                let mut nx = evict_all(d, m, st, n, &d.bool(true));
                nx.cordoned[n] = d.bool(true);
                nx.draining[n] = d.bool(true);
                nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
                nx
            }
            _ => {
                let mut nx = st.clone();
                nx.cordoned[n] = d.bool(false);
                nx.draining[n] = d.bool(false);
                nx.maintained[n] = d.bool(true);
                nx
            }
        }
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        let n = s.b as usize;
        match s.op {
            DRAIN => format!(
                "kubectl drain {}: cordoned, {} pod(s) evicted",
                m.node_name(n),
                pods_on(&Concrete, m, before, n)
            ),
            _ => format!("maintenance of {} done: uncordoned", m.node_name(n)),
        }
    }
}
