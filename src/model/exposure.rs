//! Single points of failure that need no search: the Deployments a single node failure takes
//! to zero running replicas, read off the initial states and the spec's node-failure events.
//! It owns that Kubernetes fact for reports (`report/` renders it before the model-checked
//! intents); it must not search, step the model or decide an intent's verdict.

use super::{ClusterState, Model};
use crate::domain::Concrete;
use crate::ir::Event;

/// A Deployment whose running replicas a single node failure can take to zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleNodeLoss {
    pub deployment: usize,
    /// Its desired replicas at start (the largest over the initial states).
    pub replicas: i64,
    /// The node that holds every pod of it at start, in every initial state; `None` when its
    /// one replica is not yet on a node at start (it is wherever the scheduler puts it).
    pub node: Option<usize>,
}

/// Whether some nodeFailure event of the spec may fail node `n` (its pool, or any pool).
fn can_fail(m: &Model, n: usize) -> bool {
    let pool = m.ir.nodes[n].pool;
    m.ir.events
        .iter()
        .any(|e| matches!(e, Event::NodeFailure { pool: p, budget, .. } if *budget > 0 && p.is_none_or(|p| p == pool)))
}

/// Per node, the Deployment's pods bound or running there (terminating ones are on their way
/// out and serve no one).
fn pods_per_node(m: &Model, st: &ClusterState<Concrete>, dep: usize) -> Vec<i64> {
    (0..m.nodes())
        .map(|n| {
            m.groups_of[dep]
                .iter()
                .map(|&g| st.bound[g][n] + m.kinds_of_group[g].iter().map(|&k| st.running[k][n]).sum::<i64>())
                .sum()
        })
        .collect()
}

/// The Deployments (StatefulSets aside) a single node failure takes to zero running
/// replicas, in the inputs' Deployment order. Sound without search: in every initial state
/// either it desires one replica (that pod is on one node wherever it lands, and the spec may
/// fail every node it can land on), or every pod it has sits on one node the spec may fail
/// and none is pending. A failed node is NotReady at once, and only pods on Ready nodes run
/// (`running_replicas`), so the failure's own step leaves none. Empty without a nodeFailure
/// event: kbmc then claims nothing about losing a node.
pub fn single_node_losses(m: &Model) -> Vec<SingleNodeLoss> {
    if !m.ir.events.iter().any(|e| matches!(e, Event::NodeFailure { budget, .. } if *budget > 0)) {
        return Vec::new();
    }
    let inits = m.initial_states();
    let mut out = Vec::new();
    for (dep, d) in m.ir.deployments.iter().enumerate() {
        if d.stateful.is_some() || inits.is_empty() {
            continue;
        }
        let mut node: Option<Option<usize>> = None;
        let mut replicas = 0;
        let lost_everywhere = inits.iter().all(|st| {
            let on = pods_per_node(m, st, dep);
            let holding: Vec<usize> = (0..m.nodes()).filter(|&n| on[n] > 0 && st.present[n]).collect();
            let pending: i64 = m.groups_of[dep].iter().map(|&g| st.pending[g]).sum();
            replicas = replicas.max(st.desired[dep]);
            let here = match holding.as_slice() {
                [n] if pending == 0 && can_fail(m, *n) => Some(*n),
                // One replica not placed yet: whichever node takes it, the spec may fail it.
                [] if st.desired[dep] == 1 && pending == 1 => {
                    if !(0..m.nodes()).all(|n| can_fail(m, n)) {
                        return false;
                    }
                    None
                }
                _ => return false,
            };
            // One node across the initial states, or none named when they differ.
            node = Some(match node {
                None => here,
                Some(prev) if prev == here => here,
                Some(_) => None,
            });
            true
        });
        if lost_everywhere && replicas > 0 {
            out.push(SingleNodeLoss { deployment: dep, replicas, node: node.flatten() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    fn dep(name: &str, replicas: i64) -> String {
        deployment(name, replicas, "100m", "64Mi", "")
    }

    const SPEC: &str = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: n, count: 3, capacity: {cpu: \"4\", memory: 8Gi}}\n  workloads:\n    - deployment: one\n      placement: [{node: n-1, count: 1}]\n    - deployment: packed\n      placement: [{node: n-0, count: 2}]\n    - deployment: spread\n      placement: [{node: n-0, count: 1}, {node: n-2, count: 1}]\n";

    fn cluster(events: &str) -> Model {
        model(&format!("{}{}{}{SPEC}{events}", dep("one", 1), dep("packed", 2), dep("spread", 2)))
    }

    /// One replica, and two replicas on one node, are lost with their node; two replicas on
    /// two nodes are not.
    #[test]
    fn one_node_holding_every_pod_is_a_single_point_of_failure() {
        let m = cluster("  events:\n    - {type: nodeFailure, budget: 1}\n");
        let found = single_node_losses(&m);
        assert_eq!(
            found,
            vec![
                SingleNodeLoss { deployment: 0, replicas: 1, node: Some(1) },
                SingleNodeLoss { deployment: 1, replicas: 2, node: Some(0) },
            ]
        );
    }

    /// Without a nodeFailure event the spec does not let a node fail: nothing is claimed.
    #[test]
    fn no_node_failure_no_finding() {
        assert!(single_node_losses(&cluster("")).is_empty());
    }
}
