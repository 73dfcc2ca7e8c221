//! cpuPattern: a pod's CPU usage follows its lifecycle — the bootstrap level right after it
//! starts (JIT warm-up, cache filling), the steady level later. The moment each pod settles
//! is chosen by the checker; there is no budget, every new pod bootstraps again. This is the
//! cause of Kivi's C1. Warming-up pods are a kind of their own (`Kind::warming`), so a pod a
//! cpuChange brought to the bootstrap level does not settle.
//! Each pod warms up on its own clock, so a step settles either one warming pod of a group on
//! a node, or all of them at once. The second is a shortcut through the first's
//! intermediate states (it keeps counterexamples short, and is offered only where it settles
//! more than one pod); the first makes every split between warming and settled pods
//! reachable, which the HPA's average and a kernel panic's node usage can tell apart.

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Event;
use crate::model::state::Conditions;

pub struct CpuPattern;

/// The step's `op`: every warming pod of the group on the node settles, or exactly one.
const ALL: u8 = 0;
const ONE: u8 = 1;

/// (bootstrap kind, steady kind) of group `g` under event `e`.
fn kinds(m: &Model, e: usize, g: usize) -> Option<(usize, usize)> {
    let Event::CpuPattern { deployment, bootstrap_milli, steady_milli } = &m.ir.events[e] else { return None };
    if m.ir.groups[g].deployment() != Some(*deployment) || bootstrap_milli == steady_milli {
        return None;
    }
    let find = |u: i64, warming: bool| {
        m.kinds_of_group[g].iter().copied().find(|&k| m.kinds[k].cpu_usage == u && m.kinds[k].warming == warming)
    };
    Some((find(*bootstrap_milli, true)?, find(*steady_milli, false)?))
}

impl<D: Domain> Controller<D> for CpuPattern {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "cpu-pattern"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, _) in super::indexed(m) {
            for g in 0..m.ir.groups.len() {
                if kinds(m, e, g).is_some() {
                    for n in 0..m.nodes() {
                        for op in [ALL, ONE] {
                            out.push(Step::new(actor, op, e, n, g as i64));
                        }
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
        // With one warming pod, settling all is settling one: that step is the one-pod step's.
        let fewest = if s.op == ALL { 2 } else { 1 };
        d.ge(&st.running[boot][s.b as usize], &d.int(fewest))
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (boot, steady) = kinds(m, s.a as usize, s.v as usize).expect("labels come from steps()");
        let n = s.b as usize;
        let settled = if s.op == ONE { d.int(1) } else { st.running[boot][n].clone() };
        nx.running[steady][n] = d.add(&st.running[steady][n], &settled);
        nx.running[boot][n] = d.sub(&st.running[boot][n], &settled);
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        let (boot, steady) = kinds(m, s.a as usize, s.v as usize).expect("labels come from steps()");
        let n = s.b as usize;
        let settled = if s.op == ONE { 1 } else { before.running[boot][n] };
        format!(
            "{settled} warmed-up pod(s) of {} on {} settle from {}m to {}m CPU",
            m.group_name(s.v as usize),
            m.node_name(n),
            m.kinds[boot].cpu_usage,
            m.kinds[steady].cpu_usage
        )
    }
}

impl crate::model::hints::ExplicitHints for CpuPattern {
    /// A bind, start, deletion, eviction or usage change on a node changes that node's pods
    /// (and pending pods or budgets, which are not per node).
    fn changes_only_its_node(&self) -> bool {
        true
    }
    /// A pod's usage changes, not its requests or its node.
    fn keeps_pod_placement(&self, _s: &Step) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model, node};
    use crate::model::{all_steps, registry};

    /// Warming up is a phase of a pod's life, not a usage value: a settled pod a cpuChange
    /// brings back to the bootstrap level does not settle again, and a warming pod's usage
    /// follows its pattern, not load changes.
    #[test]
    fn only_pods_warming_up_settle() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, usage: {cpu: \"3\"}, placement: [{node: a-0, count: 1}]}]\n  events:\n    - {type: cpuPattern, deployment: web, bootstrap: \"8\", steady: \"3\"}\n    - {type: cpuChange, deployment: web, delta: {min: \"5\", max: \"5\"}, budget: 1}\n";
        let m = model(&format!("{}{spec}", deployment("web", 1, "8", "1Gi", "")));
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let a0 = node(&m, "a-0");
        let by = |name: &str| -> Vec<Step> {
            labels.iter().filter(|s| reg[s.actor as usize].name() == name).cloned().collect()
        };
        let enabled = |name: &str, st: &ClusterState<Concrete>| -> Vec<Step> {
            by(name).into_iter().filter(|s| reg[s.actor as usize].guard(&Concrete, &m, s, st)).collect()
        };
        // The placed pod runs settled at 3 cores: a cpuChange brings it to 8.
        let st = m.initial_states().remove(0);
        assert!(enabled("cpu-pattern", &st).is_empty());
        let change = enabled("cpu-change", &st);
        assert_eq!(change.len(), 1, "{change:?}");
        let st = reg[change[0].actor as usize].update(&Concrete, &m, &change[0], &st);
        let hot = m.kinds_of_group[0].iter().copied().find(|&k| st.running[k][a0] == 1).expect("a running pod");
        assert_eq!((m.kinds[hot].cpu_usage, m.kinds[hot].warming), (8000, false));
        assert!(enabled("cpu-pattern", &st).is_empty(), "a pod at 8 cores by a load change settled");

        // A pod that just started warms up at 8 cores, settles to 3, and no load change
        // touches it meanwhile.
        let mut st = m.initial_states().remove(0);
        let warming = m.start_kind[0];
        assert!(m.kinds[warming].warming);
        st.running[warming][a0] = 1;
        for k in m.kinds_of_group[0].iter().copied().filter(|&k| k != warming) {
            st.running[k][a0] = 0;
        }
        assert!(enabled("cpu-change", &st).is_empty());
        let settle = enabled("cpu-pattern", &st);
        assert_eq!(settle.len(), 1);
        let st = reg[settle[0].actor as usize].update(&Concrete, &m, &settle[0], &st);
        let k = m.kinds_of_group[0].iter().copied().find(|&k| st.running[k][a0] == 1).expect("a running pod");
        assert_eq!((m.kinds[k].cpu_usage, m.kinds[k].warming), (3000, false));
    }

    /// Three pods warming up on one node settle one at a time (every split between warming
    /// and settled pods is a state: the pods started at different times), or all at once; a
    /// node with one warming pod has the one-pod step alone.
    #[test]
    fn warming_pods_settle_one_at_a_time_or_together() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 3}]}]\n  events:\n    - {type: cpuPattern, deployment: web, bootstrap: \"8\", steady: \"3\"}\n";
        let m = model(&format!("{}{spec}", deployment("web", 3, "8", "1Gi", "")));
        let reg = registry::<Concrete>();
        let labels: Vec<Step> =
            all_steps(&m, &reg).into_iter().filter(|s| reg[s.actor as usize].name() == "cpu-pattern").collect();
        let enabled = |st: &ClusterState<Concrete>| -> Vec<Step> {
            labels.iter().filter(|s| reg[s.actor as usize].guard(&Concrete, &m, s, st)).cloned().collect()
        };
        let a0 = node(&m, "a-0");
        let (boot, steady) = kinds(&m, 0, 0).expect("web has a pattern");
        let mut st = m.initial_states().remove(0);
        assert_eq!((st.running[boot][a0], st.running[steady][a0]), (3, 0), "placed pods warm up like new ones");
        // Settle one pod per step: (2, 1), (1, 2), (0, 3), each a state of its own.
        for left in (0..3).rev() {
            let steps = enabled(&st);
            let one = steps.iter().find(|s| s.op == ONE).expect("a one-pod step");
            assert_eq!(steps.len(), if left >= 1 { 2 } else { 1 }, "{steps:?}");
            st = reg[one.actor as usize].update(&Concrete, &m, one, &st);
            assert_eq!((st.running[boot][a0], st.running[steady][a0]), (left, 3 - left));
        }
        assert!(enabled(&st).is_empty());
        // All at once from the start.
        let st = m.initial_states().remove(0);
        let all = enabled(&st).into_iter().find(|s| s.op == ALL).expect("an all-pods step");
        let after = reg[all.actor as usize].update(&Concrete, &m, &all, &st);
        assert_eq!((after.running[boot][a0], after.running[steady][a0]), (0, 3));
        assert!(reg[all.actor as usize].describe(&m, &all, &st, &after).starts_with("3 warmed-up pod(s)"));
    }
}
