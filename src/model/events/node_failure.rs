//! nodeFailure: a Ready node (of the named pool, or any) becomes NotReady; with `recovery` it
//! may come back Ready later. A node whose manifest declares it NotReady stays so: a recovery
//! undoes the event's own failure only. With `scope: zone` a node fails only while every node
//! NotReady by a failure is of its zone (its `topology.kubernetes.io/zone` label): a zone
//! outage, whichever zone goes first, its nodes one step each (a run may take them all before
//! any controller acts, which is the outage at once).

use super::super::{state::NOT_READY, state::READY, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;
use crate::model::node::{clear_queue_into, disruption_into, ready};
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
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (e, n) = (s.a as usize, s.b as usize);
        match s.op {
            FAIL => {
                let ok = d.and(&super::may_fire_on(d, m, st, e, n), &ready(d, st, n));
                let Some(Event::NodeFailure { one_zone: true, .. }) = m.ir.events.get(e) else { return ok };
                // No node of another zone is down by a failure (NOT_READY: a node declared
                // NotReady by its manifest is DECLARED_NOT_READY and was down before).
                let zone = m.ir.zone_label(n);
                let others = (0..m.nodes())
                    .filter(|&j| m.ir.zone_label(j) != zone)
                    .map(|j| d.not(&d.eq(&st.status[j], &d.int(NOT_READY))));
                d.and(&ok, &d.all_of(others))
            }
            _ => d.and(&st.present[n], &d.eq(&st.status[n], &d.int(NOT_READY))),
        }
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (e, n) = (s.a as usize, s.b as usize);
        match s.op {
            FAIL => {
                nx.status[n] = d.int(NOT_READY);
                nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
                // Its pods stay Ready for node lifecycle's grace period: the Eviction API may
                // still count them healthy.
                crate::model::disruption::note_failure_into(d, m, n, nx);
                // The last Ready node gone: node lifecycle's master disruption mode.
                disruption_into(d, m, nx);
            }
            _ => {
                nx.status[n] = d.int(READY);
                crate::model::disruption::note_recovery_into(d, m, n, nx);
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

    /// `scope: zone`: once a node of zone a is down, another node of zone a may fail and no
    /// node of zone b may; once zone a is back, zone b may fail.
    #[test]
    fn a_zone_scoped_failure_stays_in_one_zone() {
        let zoned = |name: &str, zone: &str| {
            node_yaml(name, "True").replace(
                &format!("metadata: {{name: {name}}}"),
                &format!("metadata: {{name: {name}, labels: {{topology.kubernetes.io/zone: {zone}}}}}"),
            )
        };
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  events: [{type: nodeFailure, budget: 3, scope: zone}]\n";
        let m = model(&format!(
            "{}{}{}{}{}{spec}",
            zoned("a1", "a"),
            zoned("a2", "a"),
            zoned("b1", "b"),
            zoned("b2", "b"),
            deployment("web", 1, "1", "1Gi", "")
        ));
        let reg = registry::<Concrete>();
        let mine: Vec<Step> =
            all_steps(&m, &reg).into_iter().filter(|s| reg[s.actor as usize].name() == "node-failure").collect();
        let step = |op: u8, name: &str| *mine.iter().find(|s| s.op == op && s.b as usize == node(&m, name)).unwrap();
        let d = Concrete;
        let st = m.initial_states().remove(0);
        assert!(["a1", "a2", "b1", "b2"].iter().all(|n| NodeFailure.guard(&d, &m, &step(FAIL, n), &st)));
        let a1 = NodeFailure.update(&d, &m, &step(FAIL, "a1"), &st);
        assert!(NodeFailure.guard(&d, &m, &step(FAIL, "a2"), &a1), "a node of the same zone");
        assert!(!NodeFailure.guard(&d, &m, &step(FAIL, "b1"), &a1), "a node of another zone");
        let a2 = NodeFailure.update(&d, &m, &step(FAIL, "a2"), &a1);
        assert!(!NodeFailure.guard(&d, &m, &step(FAIL, "b2"), &a2));
        let back =
            NodeFailure.update(&d, &m, &step(RECOVER, "a2"), &NodeFailure.update(&d, &m, &step(RECOVER, "a1"), &a2));
        assert!(NodeFailure.guard(&d, &m, &step(FAIL, "b1"), &back), "zone a is back: zone b may fail");
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
