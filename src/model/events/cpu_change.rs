//! cpuChange: one running pod's CPU usage moves by a delta from a range (a load change).
//! Usage is what metrics-server reports and what the HPA and kernel panics read; requests,
//! which the scheduler reads, do not change. The delta moves in steps of gcd(min, max).

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{Event, Range};

pub struct CpuChange;

impl<D: Domain> Controller<D> for CpuChange {
    fn name(&self) -> &'static str {
        "cpu-change"
    }
    fn class(&self) -> Class {
        Class::Event
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (e, ev) in super::indexed(m) {
            let Event::CpuChange { deployment, .. } = ev else { continue };
            for &g in &m.groups_of[deployment.index()] {
                let (needed, budget) = changes_needed(m, g);
                for &k in &m.kinds_of_group[g] {
                    // A pod at kind k used `needed[k]` changes, so a change from k needs one
                    // more than that left: with less budget in all the label is never enabled
                    // (and the symbolic engine would carry its guard in every frame).
                    if needed[k] >= budget {
                        continue;
                    }
                    for &k2 in &m.kinds_of_group[g] {
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
        let delta = m.kinds[k2].cpu_usage - m.kinds[k].cpu_usage;
        let step = gcd(delta_milli.min, delta_milli.max).max(1);
        let allowed =
            delta != 0 && delta >= delta_milli.min && delta <= delta_milli.max && (delta - delta_milli.min) % step == 0;
        if !allowed {
            return d.bool(false);
        }
        d.and(&d.gt(&st.budget[e], &d.int(0)), &d.gt(&st.running[k][n], &d.int(0)))
    }
    fn update(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>) -> ClusterState<D> {
        let (e, n, k, k2) = (s.a as usize, s.b as usize / 65536, s.v as usize, s.b as usize % 65536);
        let mut nx = st.clone();
        nx.running[k][n] = d.sub(&st.running[k][n], &d.int(1));
        nx.running[k2][n] = d.add(&st.running[k2][n], &d.int(1));
        nx.budget[e] = d.sub(&st.budget[e], &d.int(1));
        nx
    }
    fn describe(&self, m: &Model, s: &Step, _b: &ClusterState<Concrete>, _a: &ClusterState<Concrete>) -> String {
        let (n, k, k2) = (s.b as usize / 65536, s.v as usize, s.b as usize % 65536);
        let (from, to) = (m.kinds[k].cpu_usage, m.kinds[k2].cpu_usage);
        format!(
            "CPU usage of a pod of {} on {} changes from {from}m to {to}m ({:+}m)",
            m.group_name(m.kinds[k].group.index()),
            m.node_name(n),
            to - from
        )
    }
}

/// Per kind (indexed like `m.kinds`; only group `g`'s entries are meaningful): the fewest
/// cpuChange events that bring a pod of group `g` to it (0 for the usages a pod has without
/// one: its start and, under a cpuPattern, its steady level; `u32::MAX` if none does), and the
/// budget of every cpuChange event of `g`'s Deployment together.
fn changes_needed(m: &Model, g: usize) -> (Vec<u32>, u32) {
    let dep = m.dep_of_group(g);
    let mut needed = vec![u32::MAX; m.kinds.len()];
    let mut free: Vec<i64> = vec![m.ir.deployments[dep].initial_usage.cpu_milli, m.kinds[m.start_kind[g]].cpu_usage];
    let mut deltas = Vec::new();
    let mut budget = 0u32;
    for ev in &m.ir.events {
        match ev {
            Event::CpuPattern { deployment, bootstrap_milli, steady_milli } if deployment.index() == dep => {
                free.extend([*bootstrap_milli, *steady_milli]);
            }
            Event::CpuChange { deployment, delta_milli, budget: b } if deployment.index() == dep => {
                budget = budget.saturating_add((*b).clamp(0, u32::MAX as i64) as u32);
                deltas.extend(moves(delta_milli));
            }
            _ => {}
        }
    }
    // Breadth-first over usage levels: each round is one more change.
    let mut frontier: Vec<usize> =
        m.kinds_of_group[g].iter().copied().filter(|&k| free.contains(&m.kinds[k].cpu_usage)).collect();
    for &k in &frontier {
        needed[k] = 0;
    }
    let mut round = 0;
    while !frontier.is_empty() {
        round += 1;
        let mut next = Vec::new();
        for &k in &frontier {
            for d in &deltas {
                let to = (m.kinds[k].cpu_usage + d).max(0);
                for &k2 in &m.kinds_of_group[g] {
                    if m.kinds[k2].cpu_usage == to && needed[k2] == u32::MAX {
                        needed[k2] = round;
                        next.push(k2);
                    }
                }
            }
        }
        frontier = next;
    }
    (needed, budget)
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
}
