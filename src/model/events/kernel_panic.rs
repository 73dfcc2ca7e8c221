//! kernelPanic: a Ready node whose CPU usage reaches `thresholdPercent` of its capacity may
//! panic and become NotReady (node lifecycle then evicts the pods that do not tolerate the
//! NoExecute taint, after their toleration); with `recovery` it reboots and comes back Ready
//! at any time, and the kubelet restarts the pods still bound to it: a cpuPattern's pods warm
//! up again, other pods keep their load (a load is traffic, not process state), so a node
//! that comes back before its pods are evicted may panic again. Kivi's C4 recovers only once
//! the usage is below the threshold, i.e. after the pods left; upstream a reboot does not
//! wait for that (docs/modeling/events.md).

use super::super::{state::PANICKED, state::READY, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;
use crate::model::node::{clear_queue_into, cpu_usage, disruption_into, panicked, ready};
use crate::model::state::Conditions;

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
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::STATUS.with(Conditions::PANICS)
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
            PANIC => d.all([super::may_fire_on(d, m, st, e, n), ready(d, st, n), h].iter()),
            _ => panicked(d, st, n),
        }
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (e, n) = (s.a as usize, s.b as usize);
        match s.op {
            PANIC => {
                nx.status[n] = d.int(PANICKED);
                crate::model::disruption::note_failure_into(d, m, n, nx);
                nx.panics[n] = d.add(&st.panics[n], &d.int(1));
                nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
                // The last Ready node gone: node lifecycle's master disruption mode.
                disruption_into(d, m, nx);
            }
            _ => {
                nx.status[n] = d.int(READY);
                crate::model::disruption::note_recovery_into(d, m, n, nx);
                // As after a node failure: taint eviction cancels its queued work items.
                clear_queue_into(d, m, n, &d.not(&st.draining[n]), nx);
                // The reboot restarted the node's pods: those of a cpuPattern start warming up
                // again (their group's start kind is the warming one).
                for (g, kinds) in m.kinds_of_group.iter().enumerate() {
                    let start = m.start_kind[g];
                    if !m.kinds[start].warming {
                        continue;
                    }
                    let all = d.sum(kinds.iter().map(|&k| &st.running[k][n]));
                    for &k in kinds {
                        nx.running[k][n] = if k == start { all.clone() } else { d.int(0) };
                    }
                }
            }
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
            _ => format!("{} reboots after its kernel panic and is Ready again", m.node_name(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model, node};
    use crate::model::{all_steps, registry};

    /// A panicked node reboots at any time, its pods still bound to it (here they tolerate
    /// the NoExecute taints for ever, so nothing evicts them): the kubelet restarts them, a
    /// cpuPattern's pods at their bootstrap level, and the node may panic again. A node that
    /// recovered only once its usage fell below the threshold would stay down for good here,
    /// and the reboot loop would never be explored.
    #[test]
    fn a_panicked_node_reboots_with_its_pods() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 1, capacity: {cpu: \"10\", memory: 64Gi}}]\n  workloads: [{deployment: web, usage: {cpu: \"3\"}, placement: [{node: a-0, count: 3}]}]\n  events:\n    - {type: cpuPattern, deployment: web, bootstrap: \"4\", steady: \"3\"}\n    - {type: kernelPanic, thresholdPercent: 90, budget: 3, recovery: true}\n";
        let tolerate = "tolerations: [{operator: Exists, effect: NoExecute}]";
        let m = model(&format!("{}{spec}", deployment("web", 3, "1", "1Gi", tolerate)));
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let a0 = node(&m, "a-0");
        let step =
            |op: u8| *labels.iter().find(|s| reg[s.actor as usize].name() == "kernel-panic" && s.op == op).unwrap();
        let (panic, recover) = (step(PANIC), step(RECOVER));
        let d = Concrete;
        // Three pods settled at 3 cores (placed pods run at the workload's usage).
        let st = m.initial_states().remove(0);
        let warming = m.start_kind[0];
        let steady = m.kinds_of_group[0].iter().copied().find(|&k| k != warming).unwrap();
        assert_eq!((st.running[warming][a0], st.running[steady][a0]), (0, 3));
        // Settled at 3 cores: 9 of 10, exactly 90 %: hot.
        assert!(KernelPanic.guard(&d, &m, &panic, &st));
        let down = KernelPanic.update(&d, &m, &panic, &st);
        // Still as hot (its pods are still bound to it), and yet it may reboot.
        assert!(KernelPanic.guard(&d, &m, &recover, &down));
        let up = KernelPanic.update(&d, &m, &recover, &down);
        assert_eq!(up.status[a0], READY);
        assert_eq!((up.running[warming][a0], up.running[steady][a0]), (3, 0), "restarted pods warm up again");
        // And panics again.
        assert!(KernelPanic.guard(&d, &m, &panic, &up));
    }
}
