//! nodeFailure: a Ready node (of the named pool, or any) becomes NotReady; with `recovery` it
//! may come back Ready later. A node whose manifest declares it NotReady stays so: a recovery
//! undoes the event's own failure only.

use super::super::controllers::taint_eviction::clear_queue_into;
use super::super::{ready, state::NOT_READY, state::READY, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;
use crate::model::state::Conditions;

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
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::STATUS
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            let Event::NodeFailure { pool, recovery, .. } = ev else { continue };
            for n in 0..m.nodes() {
                // A node NotReady from the start is not this event's to fail or to bring back.
                if pool.is_some_and(|p| p != m.ir.nodes[n].pool) || !m.ir.nodes[n].ready {
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
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (e, n) = (s.a as usize, s.b as usize);
        match s.op {
            FAIL => {
                nx.status[n] = d.int(NOT_READY);
                nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
            }
            _ => {
                nx.status[n] = d.int(READY);
                // The unreachable taint goes, and taint eviction cancels the work items it
                // queued for it; a drain's evictions stay requested.
                clear_queue_into(d, m, n, &d.not(&st.draining[n]), nx);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::DECLARED_NOT_READY;
    use crate::model::testkit::{deployment, model, node};
    use crate::model::{all_steps, registry};

    fn node_yaml(name: &str, ready: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nstatus:\n  allocatable: {{cpu: \"4\", memory: 8Gi, pods: \"110\"}}\n  conditions: [{{type: Ready, status: \"{ready}\"}}]\n---\n"
        )
    }

    /// A node the manifests declare NotReady stays NotReady: the event fails and brings back
    /// only the Ready one, never a node that was down before verification started.
    #[test]
    fn recovery_does_not_revive_a_node_declared_not_ready() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  events: [{type: nodeFailure, budget: 1, recovery: true}]\n";
        let m = model(&format!(
            "{}{}{}{spec}",
            node_yaml("up", "True"),
            node_yaml("down", "False"),
            deployment("web", 1, "1", "1Gi", "")
        ));
        let (up, down) = (node(&m, "up"), node(&m, "down"));
        let st = m.initial_states().remove(0);
        assert_eq!((st.status[up], st.status[down]), (READY, DECLARED_NOT_READY));
        let reg = registry::<Concrete>();
        let mine: Vec<Step> =
            all_steps(&m, &reg).into_iter().filter(|s| reg[s.actor as usize].name() == "node-failure").collect();
        assert_eq!(mine.len(), 2, "fail and recover, for the Ready node only: {mine:?}");
        assert!(mine.iter().all(|s| s.b as usize == up));
        // Failed and recovered, the Ready node is Ready again; the other never changes.
        let d = Concrete;
        let fail = mine.iter().find(|s| s.op == FAIL).unwrap();
        let recover = mine.iter().find(|s| s.op == RECOVER).unwrap();
        assert!(NodeFailure.guard(&d, &m, fail, &st));
        let failed = NodeFailure.update(&d, &m, fail, &st);
        assert!(NodeFailure.guard(&d, &m, recover, &failed));
        let back = NodeFailure.update(&d, &m, recover, &failed);
        assert_eq!((back.status[up], back.status[down]), (READY, DECLARED_NOT_READY));
    }
}
