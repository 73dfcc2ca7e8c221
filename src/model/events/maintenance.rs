//! maintenance: `kubectl drain` of up to `maxUnavailable` nodes at a time — cordon the node
//! and request the eviction of its pods, which `taint_eviction::QueuedEviction` carries out one
//! pod per step — then, once the evicted pods are gone, maintain it and uncordon it.
//! Each node is maintained at most once, `budget` nodes in all. kubectl drain waits only for
//! the pods it evicted: a pod placed on the cordoned node afterwards (by `nodeName`, or
//! tolerating `unschedulable`) does not hold the maintenance back.
//! Follows kubectl drain (staging/src/k8s.io/kubectl/pkg/drain/drain.go, `evictPods`): each
//! eviction goes through the Eviction API, whose PodDisruptionBudget check
//! (`model::disruption`) may refuse a running pod with 429 Too Many Requests; kubectl then
//! retries it (every 5 s) until its timeout, which is unset by default: kbmc's drain retries
//! for ever, so a budget that never allows the eviction blocks the drain for ever (what
//! `drainCompletes` asks about). A pod two budgets select is refused with another error, on
//! which kubectl gives up; the node stays cordoned and undrained, which kbmc models the same
//! way (the eviction is never done, the drain never finishes). A DaemonSet's pods are left
//! where they are, as `kubectl drain --ignore-daemonsets` leaves them (without the flag kubectl
//! refuses to drain a node that has one).

use super::super::controllers::node_lifecycle::pods_on;
use super::super::controllers::taint_eviction::{clear_queue_into, queue_into, queued_on};
use super::super::{disruption, ready, running_of_group, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;
use crate::model::state::Conditions;

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
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::CORDONED.with(Conditions::DRAINING).with(Conditions::MAINTAINED)
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
                        super::may_fire(d, m, st, e),
                        ready(d, st, n),
                        d.not(&st.cordoned[n]),
                        d.not(&st.maintained[n]),
                        d.lt(&draining, &d.int(*max_unavailable)),
                    ]
                    .iter(),
                )
            }
            _ => {
                // The evicted pods are the node's terminating ones (a later eviction there adds
                // to them, and waiting for it too is what a drain run again would do).
                // A DaemonSet's pods are left alone (`--ignore-daemonsets`), so a daemon pod
                // stopping for a rollout is no eviction of the drain's.
                let drained = |g: &usize| m.ir.groups[*g].daemon_set().is_none();
                let terminating = d.sum((0..m.ir.groups.len()).filter(drained).map(|g| &st.terminating[g][n]));
                let queued = d.sum_of((0..m.ir.groups.len()).map(|g| queued_on(d, m, st, g, n)));
                d.all([st.draining[n].clone(), d.eq(&terminating, &d.int(0)), d.eq(&queued, &d.int(0))].iter())
            }
        }
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (e, n) = (s.a as usize, s.b as usize);
        match s.op {
            DRAIN => {
                // kubectl drain requests every pod's eviction; they happen one step each
                // (`taint_eviction::QueuedEviction`), with other controllers acting in between.
                // `kubectl drain --ignore-daemonsets`: a DaemonSet's pods stay (the controller
                // would recreate them, and they tolerate the unschedulable taint).
                queue_into(d, m, st, n, |g| m.ir.groups[g].daemon_set().is_none(), nx);
                nx.cordoned[n] = d.bool(true);
                nx.draining[n] = d.bool(true);
                nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
            }
            _ => {
                nx.cordoned[n] = d.bool(false);
                nx.draining[n] = d.bool(false);
                nx.maintained[n] = d.bool(true);
                clear_queue_into(d, m, n, &d.bool(true), nx);
            }
        }
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        let n = s.b as usize;
        match s.op {
            DRAIN => {
                // The budgets that refuse an eviction the drain asks for, as the drain starts.
                let refused: Vec<String> = (0..m.ir.groups.len())
                    .filter(|&g| running_of_group(&Concrete, m, before, g, n) > 0)
                    .filter_map(|g| {
                        disruption::refusal(m, before, g, n).map(|why| format!("{}: {why}", m.group_name(g)))
                    })
                    .collect();
                let refused = if refused.is_empty() {
                    String::new()
                } else {
                    format!("; refused for now: {}", refused.join("; "))
                };
                format!(
                    "kubectl drain {}: cordoned, eviction of {} pod(s) requested{refused}",
                    m.node_name(n),
                    pods_on(&Concrete, m, before, n)
                )
            }
            _ => format!("maintenance of {} done: uncordoned", m.node_name(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model, node};
    use crate::model::{all_steps, registry};

    /// kubectl drain waits for the pods it evicted, not for pods placed on the cordoned node
    /// afterwards (a `nodeName` pod skips the cordon): those do not hold the node back.
    #[test]
    fn drain_completes_once_the_evicted_pods_are_gone() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n  events: [{type: maintenance, budget: 1}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", "")));
        let d = Concrete;
        let reg = registry::<Concrete>();
        let a0 = node(&m, "a-0");
        let steps: Vec<Step> =
            all_steps(&m, &reg).into_iter().filter(|s| reg[s.actor as usize].name() == "maintenance").collect();
        let (drain, done) = (
            steps.iter().find(|s| s.op == DRAIN && s.b as usize == a0).expect("a drain of a-0"),
            steps.iter().find(|s| s.op == DONE && s.b as usize == a0).expect("its completion"),
        );
        let st = m.initial_states().remove(0);
        assert!(Maintenance.guard(&d, &m, drain, &st));
        let mut st = Maintenance.update(&d, &m, drain, &st);
        assert_eq!(st.queued[0][a0], 2);
        assert!(!Maintenance.guard(&d, &m, done, &st), "done before the evictions");
        st.queued[0][a0] = 0;
        st.running[0][a0] = 0;
        st.terminating[0][a0] = 2;
        assert!(!Maintenance.guard(&d, &m, done, &st), "done before the evicted pods are gone");
        st.terminating[0][a0] = 0;
        // A pod that reached the cordoned node after the drain began.
        st.bound[0][a0] = 1;
        assert!(Maintenance.guard(&d, &m, done, &st), "a pod placed after the drain held it back");
    }
}
