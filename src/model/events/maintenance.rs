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
//! Any registered node may be drained, Ready or not, as kubectl cordons and evicts through the
//! API server whatever the node's kubelet does. On a NotReady node an evicted pod stays
//! terminating until its kubelet is back (`controllers::kubelet`), and the drain waits for it,
//! as kubectl's `waitForDelete` does; if the node's toleration of the unreachable taint runs
//! out meanwhile, taint eviction deletes its pods without asking their budgets.

use super::super::{disruption, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;
use crate::model::node::{clear_queue_into, pods_on, queue_into, queued_on, running_of_group};
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
                        super::may_fire_on(d, m, st, e, n),
                        st.present[n].clone(),
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

    /// kubectl drain cordons and evicts through the API server whatever the node's state: a
    /// NotReady node is drained too. Its evicted pods stay terminating while its kubelet is
    /// down, so the drain completes only once the node is back and the pods are gone.
    #[test]
    fn a_not_ready_node_is_drained_too() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 1}]}]\n  events: [{type: maintenance, budget: 1}, {type: nodeFailure, budget: 1, recovery: true}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 1, "1", "1Gi", "")));
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let a0 = node(&m, "a-0");
        let enabled = |name: &str, st: &ClusterState<Concrete>| -> Vec<Step> {
            labels
                .iter()
                .filter(|s| reg[s.actor as usize].name() == name && s.b as usize == a0)
                .filter(|s| reg[s.actor as usize].guard(&Concrete, &m, s, st))
                .copied()
                .collect()
        };
        let take = |s: &Step, st: &ClusterState<Concrete>| reg[s.actor as usize].update(&Concrete, &m, s, st);
        let st = m.initial_states().remove(0);
        let fail =
            labels.iter().find(|s| reg[s.actor as usize].name() == "node-failure" && s.op == 0 && s.b as usize == a0);
        let st = take(fail.unwrap(), &st);
        let drain: Vec<Step> = enabled("maintenance", &st).into_iter().filter(|s| s.op == DRAIN).collect();
        assert_eq!(drain.len(), 1, "a NotReady node may be drained");
        let st = take(&drain[0], &st);
        let evict = enabled("eviction", &st);
        assert_eq!(evict.len(), 1);
        let st = take(&evict[0], &st);
        assert_eq!(st.terminating[0][a0], 1);
        assert!(enabled("kubelet", &st).is_empty(), "the kubelet is down: the pod stays terminating");
        assert!(enabled("maintenance", &st).is_empty(), "the drain waits for its pod");
        let recover =
            labels.iter().find(|s| reg[s.actor as usize].name() == "node-failure" && s.op == 1 && s.b as usize == a0);
        let st = take(recover.unwrap(), &st);
        let stop = enabled("kubelet", &st);
        assert!(!stop.is_empty());
        let st = take(&stop[0], &st);
        assert!(enabled("maintenance", &st).iter().any(|s| s.op == DONE));
    }
}
