//! Symmetry over identical nodes: which nodes no static fact tells apart (their classes), and,
//! per state, which nodes are twins of a lower-index one in the same state (canonical choice
//! lets only the lowest take a step). Storing states up to a renaming of identical nodes is the
//! state's own business (`ClusterState::canonicalize`); this module decides over which nodes it
//! may happen. It must not search, and must not call nodes identical that an actor's outcome
//! can tell apart ([`Controller::uses_node_order`](crate::model::Controller::uses_node_order)).

use crate::domain::Concrete;
use crate::model::state::Scratch;
use crate::model::{registry, Model};

/// Nodes that no static fact tells apart: same pool and same per-group placement facts. Each
/// node is its own class while some actor's outcome depends on node order
/// ([`Controller::uses_node_order`](crate::model::Controller::uses_node_order)): a step on a
/// node and the same step on its twin then lead to states whose futures are not renamings of
/// each other, so neither canonical choice nor storing states up to renaming is sound.
pub fn symmetry_classes(m: &Model) -> Vec<usize> {
    if registry::<Concrete>().iter().any(|c| c.uses_node_order(m)) {
        return (0..m.nodes()).collect();
    }
    static_classes(m)
}

/// Nodes that no static fact tells apart (same pool and zone, by a multi-zone group's slot or
/// a node's zone label; same per-group placement facts, same `addedAffinity` facts, the same
/// events allowed on them in a part of a check, the same fixed load of a snapshot's pods and
/// spread counts of it), each
/// node's class being its lowest-index member, whether or not some actor's outcome depends on
/// node order: what an actor that treats such nodes alike may rename them by (see
/// [`ExplicitHints::guard_key`](crate::model::hints::ExplicitHints::guard_key)).
pub fn static_classes(m: &Model) -> Vec<usize> {
    let nn = m.nodes();
    // A multi-zone node group's nodes of different zones differ in where the cloud puts the
    // next one (`ZoneDistribution::BalancedOnly` counts nodes per zone); a pool of Node manifests
    // spread over zones has nodes of different zone labels (spread and affinity domains, a
    // zone-scoped nodeFailure).
    let zone = |n: usize| (m.ir.zone_of_node(n), m.ir.zone_label(n));
    (0..nn)
        .map(|n| {
            (0..n)
                .find(|&j| {
                    let s = &m.ir.scheduler;
                    m.ir.nodes[j].pool == m.ir.nodes[n].pool
                        && zone(j) == zone(n)
                        && m.ir.nodes[j].fixed == m.ir.nodes[n].fixed
                        && m.ir.nodes[j].fixed_score == m.ir.nodes[n].fixed_score
                        && m.ir.groups.iter().all(|g| g.spread.iter().all(|c| c.fixed[j] == c.fixed[n]))
                        && m.ir.groups.iter().all(|g| {
                            let a = &g.pod_affinity;
                            a.required_fixed.get(j) == a.required_fixed.get(n)
                                && [&a.required, &a.required_anti, &a.preferred, &a.preferred_anti]
                                    .iter()
                                    .all(|ts| ts.iter().all(|t| t.fixed[j] == t.fixed[n]))
                        })
                        && s.added_affinity_ok[j] == s.added_affinity_ok[n]
                        && m.events_allowed.as_ref().is_none_or(|a| a.nodes.iter().flatten().all(|on| on[j] == on[n]))
                        && s.added_preferred_weight[j] == s.added_preferred_weight[n]
                        && m.ir.groups.iter().all(|g| {
                            let (a, b) = (&g.per_node[j], &g.per_node[n]);
                            a.node_name_ok == b.node_name_ok
                                && a.affinity_ok == b.affinity_ok
                                && a.volume_zone_ok == b.volume_zone_ok
                                && a.preferred_weight == b.preferred_weight
                                && a.untolerated_no_schedule == b.untolerated_no_schedule
                                && a.untolerated_no_execute == b.untolerated_no_execute
                                && a.evicted_no_execute == b.evicted_no_execute
                                && a.untolerated_prefer_no_schedule == b.untolerated_prefer_no_schedule
                        })
                })
                .unwrap_or(n)
        })
        .collect()
}

/// Classes of two or more identical nodes (see [`symmetry_classes`]), split into chunks of at
/// most 64 (any subset of a class is itself interchangeable).
pub fn node_classes(m: &Model) -> Vec<Vec<usize>> {
    let classes = symmetry_classes(m);
    let mut out = Vec::new();
    for rep in 0..classes.len() {
        let members: Vec<usize> = (0..classes.len()).filter(|&n| classes[n] == rep).collect();
        out.extend(members.chunks(64).filter(|c| c.len() > 1).map(|c| c.to_vec()));
    }
    out
}

/// Per node: a lower-index node of the same class is in the same state (a twin), from the
/// state's [`ClusterState::node_rows`].
pub fn twins(classes: &[usize], rows: &Scratch) -> Vec<bool> {
    let nn = classes.len();
    let mut twin = vec![false; nn];
    if nn == 0 {
        return twin;
    }
    // Sorted by (class, per-node state, index), a node is a twin when it follows an equal
    // one: O(n log n) slice comparisons instead of comparing every pair.
    let (keys, stride) = (&rows.keys, rows.rows.len() / nn);
    let row = |n: usize| &rows.rows[n * stride..(n + 1) * stride];
    let mut by_state: Vec<usize> = (0..nn).collect();
    by_state.sort_unstable_by(|&a, &b| {
        (classes[a], keys[a]).cmp(&(classes[b], keys[b])).then_with(|| row(a).cmp(row(b))).then(a.cmp(&b))
    });
    for w in by_state.windows(2) {
        if classes[w[0]] == classes[w[1]] && row(w[0]) == row(w[1]) {
            twin[w[1]] = true;
        }
    }
    twin
}
