//! cpuChange: one running pod's CPU usage moves by a delta from a range (a load change).
//! Usage is what metrics-server reports and what the HPA and kernel panics read; requests,
//! which the scheduler reads, do not change. The delta moves in steps of gcd(min, max).
//! Usage cannot go below 0: a delta that would take it lower leaves it at 0 (as
//! `usage_levels` counts the levels a pod can reach).

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{Event, Range};
use crate::model::state::Conditions;

pub struct CpuChange;

impl<D: Domain> Controller<D> for CpuChange {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "cpu-change"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            let Event::CpuChange { deployment, .. } = ev else { continue };
            for &g in &m.groups_of[deployment.index()] {
                let (needed, budget) = changes_needed(m, g);
                // Warming-up pods follow their cpuPattern, not load changes.
                let levels: Vec<usize> = m.kinds_of_group[g].iter().copied().filter(|&k| !m.kinds[k].warming).collect();
                for &k in &levels {
                    // A pod at kind k used `needed[k]` changes, so a change from k needs one
                    // more than that left: with less budget in all the label is never enabled
                    // (and the symbolic engine would carry its guard in every frame).
                    if needed[k] >= budget {
                        continue;
                    }
                    for &k2 in &levels {
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
        if !changes_to(delta_milli, m.kinds[k].cpu_usage, m.kinds[k2].cpu_usage) {
            return d.bool(false);
        }
        d.and(&super::may_fire(d, m, st, e), &d.gt(&st.running[k][n], &d.int(0)))
    }
    fn update_into(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (e, n, k, k2) = (s.a as usize, s.b as usize / 65536, s.v as usize, s.b as usize % 65536);
        nx.running[k][n] = d.sub(&st.running[k][n], &d.int(1));
        nx.running[k2][n] = d.add(&st.running[k2][n], &d.int(1));
        nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
    }
    fn describe(&self, m: &Model, s: &Step, _b: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        let (e, n, k, k2) = (s.a as usize, s.b as usize / 65536, s.v as usize, s.b as usize % 65536);
        let (from, to) = (m.kinds[k].cpu_usage, m.kinds[k2].cpu_usage);
        let floored = match &m.ir.events[e] {
            Event::CpuChange { delta_milli, .. } => !in_range(delta_milli, to - from),
            _ => false,
        };
        format!(
            "CPU usage of a pod of {} on {} changes from {from}m to {to}m ({:+}m{})",
            m.group_name(m.kinds[k].group.index()),
            m.node_name(n),
            to - from,
            if floored { ", a larger drop stopped at 0" } else { "" }
        )
    }
}

impl crate::model::hints::ExplicitHints for CpuChange {
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

/// Per kind (indexed like `m.kinds`; only group `g`'s entries are meaningful): the fewest
/// cpuChange events that bring a pod of group `g` to it (`u32::MAX` if none does), and the
/// budget of every cpuChange event of `g`'s Deployment together.
fn changes_needed(m: &Model, g: usize) -> (Vec<u32>, u32) {
    let (levels, budget) = usage_levels(&m.ir, m.dep_of_group(g));
    let mut needed = vec![u32::MAX; m.kinds.len()];
    for &k in m.kinds_of_group[g].iter().filter(|&&k| !m.kinds[k].warming) {
        if let Some(&(_, n)) = levels.iter().find(|(l, _)| *l == m.kinds[k].cpu_usage) {
            needed[k] = n;
        }
    }
    (needed, budget)
}

/// The CPU usages a pod of Deployment `dep` can have, each with the fewest cpuChange events
/// that bring it there (0 for the usages a pod has without one: the workload's, and a
/// cpuPattern's steady level; its bootstrap level is a kind of its own, see `Kind::warming`);
/// and the budget of every cpuChange event of `dep`
/// together. Breadth-first over a usage and the changes each event has made so far, so a
/// usage that combines the changes of several events is found, and none that would take more
/// changes of one event than its own budget.
pub(crate) fn usage_levels(ir: &crate::ir::Model, dep: usize) -> (Vec<(i64, u32)>, u32) {
    let mut levels: Vec<(i64, u32)> = vec![(ir.deployments[dep].initial_usage.cpu_milli, 0)];
    // Per cpuChange event of `dep`: its moves and its budget.
    let mut events: Vec<(Vec<i64>, u32)> = Vec::new();
    for ev in &ir.events {
        match ev {
            Event::CpuPattern { deployment, steady_milli, .. }
                if deployment.index() == dep && !levels.iter().any(|(x, _)| *x == *steady_milli) =>
            {
                levels.push((*steady_milli, 0));
            }
            Event::CpuChange { deployment, delta_milli, budget } if deployment.index() == dep && *budget > 0 => {
                events.push((moves(delta_milli).collect(), (*budget).min(u32::MAX as i64) as u32));
            }
            _ => {}
        }
    }
    let budget = events.iter().fold(0u32, |a, (_, b)| a.saturating_add(*b));
    // Each round is one more change; a node of the search is a usage and the changes each
    // event has made to reach it. A node is expanded only if no node of the same usage has made
    // at most as many changes of every event (it could do everything this one can), so with a
    // single event each usage is expanded once.
    let mut frontier: Vec<(i64, Vec<u32>)> = levels.iter().map(|(l, _)| (*l, vec![0; events.len()])).collect();
    let mut seen: std::collections::HashMap<i64, Vec<Vec<u32>>> =
        frontier.iter().map(|(l, u)| (*l, vec![u.clone()])).collect();
    let mut round = 0;
    while !frontier.is_empty() {
        round += 1;
        let mut next = Vec::new();
        for (l, used) in &frontier {
            for (e, (deltas, b)) in events.iter().enumerate() {
                if used[e] >= *b {
                    continue;
                }
                let mut after = used.clone();
                after[e] += 1;
                for d in deltas {
                    let to = (l + d).max(0);
                    let known = seen.entry(to).or_default();
                    if known.is_empty() {
                        levels.push((to, round));
                    }
                    if !known.iter().any(|u| u.iter().zip(&after).all(|(a, b)| a <= b)) {
                        known.push(after.clone());
                        next.push((to, after.clone()));
                    }
                }
            }
        }
        frontier = next;
    }
    (levels, budget)
}

/// Whether a cpuChange with range `r` can move a pod's usage from `from` to `to`: by one of
/// its deltas, or to 0 by a delta that would take it below 0 (usage stops at 0).
fn changes_to(r: &Range, from: i64, to: i64) -> bool {
    from != to && (in_range(r, to - from) || (to == 0 && r.min < 0 && from + r.min <= 0))
}

/// Whether `delta` is one of the deltas of a cpuChange with range `r`.
fn in_range(r: &Range, delta: i64) -> bool {
    let step = gcd(r.min, r.max).max(1);
    delta != 0 && delta >= r.min && delta <= r.max && (delta - r.min) % step == 0
}

/// The usage deltas a cpuChange with range `r` can make: from min to max in steps of
/// gcd(min, max), without 0.
pub(crate) fn moves(r: &Range) -> impl Iterator<Item = i64> {
    let (min, max) = (r.min, r.max);
    let step = gcd(min, max).max(1);
    (0..).map(move |i| min + i * step).take_while(move |d| *d <= max).filter(|d| *d != 0)
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    /// Two nodes, one pod each, and a cpuChange of +1 or +2 cores with `budget`.
    fn cluster(budget: i64) -> Model {
        let spec = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {{name: a, count: 2, capacity: {{cpu: \"64\", memory: 64Gi}}}}\n  workloads:\n    - deployment: web\n      placement: [{{node: a-0, count: 1}}, {{node: a-1, count: 1}}]\n  events:\n    - {{type: cpuChange, deployment: web, delta: {{min: \"1\", max: \"2\"}}, budget: {budget}}}\n");
        model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", "")))
    }

    fn labels(m: &Model) -> Vec<Step> {
        let mut out = Vec::new();
        <CpuChange as Controller<Concrete>>::steps(&CpuChange, m, 0, &mut out);
        out
    }

    /// A change from a usage that took every unit of budget to reach is never enabled, so it
    /// gets no label: with budget 1 only the pods' own usage can change (3 usage levels, 2
    /// targets each, per node), with budget 2 also the levels one change away (5 levels).
    #[test]
    fn no_label_for_a_change_the_budget_cannot_afford() {
        let m = cluster(1);
        assert_eq!(m.kinds.len(), 3);
        let l = labels(&m);
        assert_eq!(l.len(), 2 * 2, "{l:?}");
        assert!(l.iter().all(|s| m.kinds[s.v as usize].cpu_usage == 1000));
        let m = cluster(2);
        assert_eq!(m.kinds.len(), 5);
        assert_eq!(labels(&m).len(), 2 * 3 * 4);
        // The pruned labels are exactly those never enabled: the state space is the same as
        // with every label (checked by the exact state counts of the cases with cpuChange).
    }

    /// Usage cannot go below 0: a pod at 500m under a change of -1 core drops to 0 (the
    /// change once did not happen at all, and the level 0 the usage closure lists was never
    /// reached). The guard is the same over the solver's domain; a change of -1 core from 0
    /// leaves usage where it is, so it is no step.
    #[test]
    fn a_drop_below_zero_stops_at_zero() {
        use crate::domain::Symbolic;
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}\n  workloads:\n    - deployment: web\n      usage: {cpu: 500m}\n      placement: [{node: a-0, count: 1}]\n  events:\n    - {type: cpuChange, deployment: web, delta: {min: \"-1\", max: \"-1\"}, budget: 2}\n";
        let m = model(&format!("{}{spec}", deployment("web", 1, "1", "1Gi", "")));
        let usages: Vec<i64> = m.kinds.iter().map(|k| k.cpu_usage).collect();
        assert_eq!(usages, vec![0, 500]);
        let st = m.initial_states().remove(0);
        let enabled: Vec<Step> = labels(&m).into_iter().filter(|s| CpuChange.guard(&Concrete, &m, s, &st)).collect();
        assert_eq!(enabled.len(), 1, "{enabled:?}");
        let s = enabled[0];
        assert_eq!((m.kinds[s.v as usize].cpu_usage, m.kinds[s.b as usize % 65536].cpu_usage), (500, 0));
        let lifted = st.map::<Symbolic>(&|v| Symbolic.int(*v), &|b| Symbolic.bool(*b));
        for l in labels(&m) {
            let sym = <CpuChange as Controller<Symbolic>>::guard(&CpuChange, &Symbolic, &m, &l, &lifted);
            assert_eq!(Symbolic.known(&Symbolic.count(&sym)), Some((l == s) as i64), "{l:?}");
        }
        let after = CpuChange.update(&Concrete, &m, &s, &st);
        assert_eq!(after.running[s.b as usize % 65536][0], 1);
        assert!(labels(&m).iter().all(|l| !CpuChange.guard(&Concrete, &m, l, &after)), "0 minus 1 core is no change");
        assert!(<CpuChange as Controller<Concrete>>::describe(&CpuChange, &m, &s, &st, &after)
            .contains("from 500m to 0m (-500m, a larger drop stopped at 0)"));
    }

    /// Two cpuChange events on one Deployment, each with its own budget of one: a pod can take
    /// one change of each, so 1000m + 1000m + 2000m = 4000m is a usage it can reach, and some
    /// label must lead there (the closure once compared the changes used on the way with each
    /// event's own budget and missed it).
    #[test]
    fn usage_levels_combine_the_changes_of_every_event() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}\n  workloads:\n    - deployment: web\n      placement: [{node: a-0, count: 1}]\n  events:\n    - {type: cpuChange, deployment: web, delta: {min: \"1\", max: \"1\"}, budget: 1}\n    - {type: cpuChange, deployment: web, delta: {min: \"2\", max: \"2\"}, budget: 1}\n";
        let m = model(&format!("{}{spec}", deployment("web", 1, "1", "1Gi", "")));
        let usages: Vec<i64> = m.kinds.iter().map(|k| k.cpu_usage).collect();
        assert_eq!(usages, vec![1000, 2000, 3000, 4000]);
        let to = |u: i64| labels(&m).into_iter().filter(|s| m.kinds[s.b as usize % 65536].cpu_usage == u).count();
        assert!(to(4000) > 0, "no label reaches 4000m");
        // And the explicit engine gets there: +1 then +2, or +2 then +1.
        let d = Concrete;
        let mut st = m.initial_states().remove(0);
        for (from, to) in [(1000, 2000), (2000, 4000)] {
            let s = labels(&m)
                .into_iter()
                .find(|s| {
                    m.kinds[s.v as usize].cpu_usage == from
                        && m.kinds[s.b as usize % 65536].cpu_usage == to
                        && CpuChange.guard(&d, &m, s, &st)
                })
                .unwrap_or_else(|| panic!("no enabled change from {from}m to {to}m"));
            st = CpuChange.update(&d, &m, &s, &st);
        }
    }
}
