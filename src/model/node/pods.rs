//! The pods on a node, counted from the state's rows (`bound`, `running` per usage kind,
//! `terminating`), and what they request and use there. Must not place, start or remove a pod,
//! nor count a workload's replicas across nodes (`model`'s replica counts do).

use crate::domain::Domain;
use crate::ir::Resources;
use crate::model::{ClusterState, Model};

/// Per node: requested (cpu millicores, memory bytes, pod count) of all pods on it, terminating
/// ones included and the snapshot's fixed pods too, as the scheduler's NodeInfo counts them.
pub fn requested<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>) -> Vec<(D::Int, D::Int, D::Int)> {
    // Summed over whole per-node vectors, group by group then kind by kind: each node gets
    // the terms a node-by-node sum would give, in its order, for a fraction of the lookups.
    fn add<D: Domain>(
        d: &D,
        sums: &mut [(D::Int, D::Int, D::Int)],
        counts: impl Iterator<Item = D::Int>,
        r: Resources,
    ) {
        for ((cpu, mem, pods), c) in sums.iter_mut().zip(counts) {
            *cpu = d.add(cpu, &d.mul_const(&c, r.cpu_milli));
            *mem = d.add(mem, &d.mul_const(&c, r.memory));
            *pods = d.add(pods, &c);
        }
    }
    let mut sums: Vec<_> =
        m.ir.nodes.iter().map(|n| (d.int(n.fixed.cpu_milli), d.int(n.fixed.memory), d.int(n.fixed.pods))).collect();
    for (g, grp) in m.ir.groups.iter().enumerate() {
        add(d, &mut sums, st.bound[g].iter().zip(&st.terminating[g]).map(|(b, t)| d.add(b, t)), grp.requests);
    }
    for (k, kind) in m.kinds.iter().enumerate() {
        add(d, &mut sums, st.running[k].iter().cloned(), m.ir.groups[kind.group.index()].requests);
    }
    sums
}

/// CPU usage (millicores) of the running pods on node `n`, the snapshot's fixed pods there
/// using what they request.
pub fn cpu_usage<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Int {
    let mut u = d.int(m.ir.nodes[n].fixed.cpu_milli);
    for (k, kind) in m.kinds.iter().enumerate() {
        u = d.add(&u, &d.mul_const(&st.running[k][n], kind.cpu_usage));
    }
    u
}

/// Running pods of group `g` on node `n`.
#[inline]
pub fn running_of_group<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Int {
    d.sum(m.kinds_of_group[g].iter().map(|&k| &st.running[k][n]))
}

/// [`running_of_group`] on every node: the same terms, summed kind by kind over whole per-node
/// vectors rather than node by node (a fraction of the lookups).
pub fn running_per_node<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> Vec<D::Int> {
    let mut running = vec![d.int(0); m.nodes()];
    for &k in &m.kinds_of_group[g] {
        for (r, c) in running.iter_mut().zip(&st.running[k]) {
            *r = d.add(r, c);
        }
    }
    running
}

/// Pods of group `g` on node `n` that are not terminating (bound or running).
#[inline]
pub fn active_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Int {
    d.add(&st.bound[g][n], &running_of_group(d, m, st, g, n))
}

/// Pods (bound or running) on node `n`.
pub fn pods_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Int {
    d.sum_of((0..m.ir.groups.len()).map(|g| active_on(d, m, st, g, n)))
}
