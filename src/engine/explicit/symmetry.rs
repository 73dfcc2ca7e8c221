//! The search's bookkeeping of identical nodes: per expanded state, its node rows and which
//! nodes are twins of a lower-index one (the classes and the twin relation are the model's,
//! `model::relation`). The tests check that states renamed over identical nodes are stored
//! once and that canonical choice misses nothing. It must not decide which nodes are
//! identical.

use super::Options;
use crate::domain::Concrete;
use crate::model::relation::twins;
use crate::model::state::Scratch;
use crate::model::{ClusterState, Model};

/// What a search works out of a state it expands before asking any guard: its node rows
/// (which its successors' canonical forms start from) and its twins (nodes whose steps a
/// lower-index twin takes instead).
pub(super) struct Twins<'a> {
    classes: &'a [usize],
    /// Per node: a lower-index node of its class is in the same state.
    pub(super) twin: Vec<bool>,
    /// Symmetry is on and some class has two nodes (else there are neither twins nor rows).
    on: bool,
    /// Every class of identical nodes is one of the classes states are canonical over (none
    /// has more than 64 nodes): an expanded state's twins are then neighbours in its classes.
    whole_classes: bool,
}

impl<'a> Twins<'a> {
    pub(super) fn new(m: &Model, opts: &Options, classes: &'a [usize]) -> Self {
        Twins {
            classes,
            twin: vec![false; m.nodes()],
            on: opts.symmetry && classes.iter().enumerate().any(|(n, &c)| c != n),
            whole_classes: (0..classes.len()).all(|r| classes.iter().filter(|&&c| c == r).count() <= 64),
        }
    }

    /// Builds `st`'s node rows into `rows` (with their runs of equal rows where states are
    /// stored in `canonical` forms) and its twins; `false` where symmetry leaves nothing to
    /// build (rows and twins are then as they were).
    pub(super) fn prepare(
        &mut self,
        st: &ClusterState<Concrete>,
        canonical: Option<&[Vec<usize>]>,
        rows: &mut Scratch,
    ) -> bool {
        if !self.on {
            return false;
        }
        st.node_rows(rows);
        if let Some(c) = canonical {
            rows.mark_runs(c);
        }
        if canonical.is_some() && self.whole_classes {
            // Each class is in (row, index) order: a node is a twin when its row equals the
            // one before it in its class; no sort.
            self.twin.copy_from_slice(rows.runs());
            debug_assert_eq!(self.twin, twins(self.classes, rows), "search bug: twins of a canonical state");
        } else {
            self.twin = twins(self.classes, rows);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::explicit::explore;
    use crate::model::relation::{node_classes, symmetry_classes};
    use crate::model::state::Fields;
    use crate::model::testkit::{deployment, model};

    const POOLS: &str = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 3, capacity: {cpu: \"8\", memory: 8Gi}}, {name: b, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]\n";

    /// States that differ only by a renaming of identical nodes (same pool) are stored once;
    /// nodes of different pools are never renamed.
    #[test]
    fn renamed_states_are_one_state() {
        let m = model(&format!("{}{POOLS}", deployment("web", 4, "1", "1Gi", "")));
        let classes = node_classes(&m);
        assert_eq!(classes, vec![vec![0, 1, 2]]);
        let base = m.initial_state(&[3, 1]);
        let (mut x, mut y, mut z) = (base.clone(), base.clone(), base.clone());
        x.bound[0][0] = 2;
        x.cordoned[1] = true;
        y.bound[0][2] = 2;
        y.cordoned[0] = true;
        z.bound[0][3] = 2; // the other pool's node
        z.cordoned[0] = true;
        let mut scratch = Scratch::default();
        for s in [&mut x, &mut y, &mut z] {
            s.canonicalize(&classes, &mut scratch);
        }
        assert_eq!(x.pack(), y.pack());
        assert_ne!(x.pack(), z.pack());
        assert_eq!(z.bound[0][3], 2, "a node alone in its class stays where it is");
    }

    /// The search's shortcut (the key of the renamed state, node rows reused from the state a
    /// step came from and only changed nodes placed anew, the state renamed only when kept)
    /// gives what `canonicalize` gives.
    #[test]
    fn renamed_key_is_the_canonical_key() {
        let m = model(&format!("{}{POOLS}", deployment("web", 4, "1", "1Gi", "")));
        let classes = node_classes(&m);
        let mut parent = m.initial_state(&[3, 1]);
        parent.bound[0][1] = 1;
        parent.canonicalize(&classes, &mut Scratch::default());
        // The parent's rows without and with its runs of equal rows marked: the search marks
        // them; without them every position a renaming shifts is rewritten.
        let (mut parent_rows, mut parent_runs) = (Scratch::default(), Scratch::default());
        parent.node_rows(&mut parent_rows);
        parent.node_rows(&mut parent_runs);
        parent_runs.mark_runs(&classes);
        let parent_key = parent.pack();
        // One node changed, or two (a step may change several: a descheduler run's evictions).
        let changes = (0..4).flat_map(|n| [None, Some(0), Some(1), Some(2), Some(3)].map(|also| (n, n % 2 == 1, also)));
        // A node alone changed moves to an earlier place in its class, or a later one, or
        // stays, depending on its new row: several new rows for each, so that all three happen.
        let (mut earlier, mut later) = (false, false);
        let changes = changes.flat_map(|(n, cordon, also)| (1..=6).map(move |more| (n, cordon, also, more)));
        for (n, cordon, also, more) in changes.filter(|&(n, _, also, _)| also != Some(n)) {
            let mut next = parent.clone();
            next.bound[0][n] += more;
            next.cordoned[n] = cordon;
            if let Some(j) = also {
                next.terminating[0][j] += 1;
            }
            let mut expected = next.clone();
            expected.canonicalize(&classes, &mut Scratch::default());
            let original = next.clone();
            let mut scratch = Scratch::default();
            let mut key = Vec::new();
            if next.canonical_order_after(&parent, &parent_rows, &classes, None, &mut scratch) {
                next.pack_renamed_into(&scratch.perm, &mut key);
                next.apply_order(&scratch);
            } else {
                next.pack_into(&mut key);
            }
            assert_eq!(key, expected.pack(), "step on node {n}");
            // The key patched from the parent's where the step or the renaming changed it.
            // Also told the one node the step changed, where it changed one.
            let one = also.is_none().then_some(n);
            for (rows, only) in [(&parent_rows, None), (&parent_runs, None), (&parent_runs, one), (&parent_rows, one)] {
                let mut scratch = Scratch::default();
                let renamed = original.canonical_order_after(&parent, rows, &classes, only, &mut scratch);
                let mut patched = parent_key.clone();
                let perm = renamed.then_some(scratch.perm.as_slice());
                original.pack_dirty_into(perm, &scratch.dirty, Fields::ALL, &mut patched);
                assert_eq!(patched, expected.pack(), "step on node {n}, runs marked: {}", !rows.runs().is_empty());
            }
            assert_eq!(next.pack(), expected.pack(), "step on node {n}");
            if also.is_none() {
                let at = scratch.perm.iter().position(|&p| p == n).expect("perm is a permutation");
                (earlier, later) = (earlier || at < n, later || at > n);
            }
        }
        assert!(earlier && later, "the changes move a node both ways (earlier {earlier}, later {later})");
    }

    /// A successor's key patched from its parent's at the positions `canonical_order_after`
    /// calls dirty is the key of its canonical renaming: for a step on any node of a class
    /// whose nodes are in runs of equal rows, to any new row (so that it moves across runs
    /// both ways), with the parent's runs marked (few positions rewritten) or not (every
    /// shifted one).
    #[test]
    fn patched_key_is_the_renamed_key() {
        let pools = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 7, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{pools}", deployment("web", 12, "1", "1Gi", "")));
        let classes = node_classes(&m);
        assert_eq!(classes, vec![(0..7).collect::<Vec<_>>()]);
        let mut parent = m.initial_state(&[7]);
        // Rows in runs: two nodes with no pod, two with one, two with two, one with three.
        for (n, pods) in [0, 0, 1, 1, 2, 2, 3].into_iter().enumerate() {
            parent.bound[0][n] = pods;
        }
        parent.canonicalize(&classes, &mut Scratch::default());
        let (mut parent_rows, mut parent_runs) = (Scratch::default(), Scratch::default());
        parent.node_rows(&mut parent_rows);
        parent.node_rows(&mut parent_runs);
        parent_runs.mark_runs(&classes);
        assert_eq!(parent_runs.runs().iter().filter(|&&r| r).count(), 3, "three runs of two equal rows");
        let parent_key = parent.pack();
        let mut fewer = false;
        for n in 0..7 {
            for pods in 0..5 {
                let mut next = parent.clone();
                next.bound[0][n] = pods;
                let mut expected = next.clone();
                expected.canonicalize(&classes, &mut Scratch::default());
                let mut written = [0, 0];
                for (i, rows) in [&parent_rows, &parent_runs].into_iter().enumerate() {
                    let mut scratch = Scratch::default();
                    let renamed = next.canonical_order_after(&parent, rows, &classes, None, &mut scratch);
                    let mut patched = parent_key.clone();
                    let perm = renamed.then_some(scratch.perm.as_slice());
                    next.pack_dirty_into(perm, &scratch.dirty, Fields::ALL, &mut patched);
                    assert_eq!(patched, expected.pack(), "node {n} to {pods} pods, runs marked: {}", i == 1);
                    scratch.dirty.sort();
                    scratch.dirty.dedup();
                    written[i] = scratch.dirty.len();
                }
                fewer |= written[1] < written[0];
            }
        }
        assert!(fewer, "marked runs spare some shifted positions");
    }

    /// Renaming and canonical choice are used unless an actor's outcome depends on node order:
    /// a descheduler with RemoveDuplicates alone decides per node, one with a total eviction
    /// limit spends it in node order.
    #[test]
    fn symmetry_is_off_when_node_order_matters() {
        let opts = Options { max_depth: 3, max_states: 1000, symmetry: true, reduction: false, all: true };
        let plain = model(&format!("{}{POOLS}", deployment("web", 4, "1", "1Gi", "")));
        assert!(explore(&plain, &opts, |_, _| true).canonical.is_some());
        assert!(explore(&plain, &Options { symmetry: false, ..opts.clone() }, |_, _| true).canonical.is_none());
        let policy = |limit: &str| {
            format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\n{limit}profiles:\n  - name: p\n    pluginConfig: [{{name: RemoveDuplicates}}]\n    plugins: {{balance: {{enabled: [RemoveDuplicates]}}}}\n---\n")
        };
        let per_node = model(&format!("{}{}{POOLS}", deployment("web", 4, "1", "1Gi", ""), policy("")));
        assert!(explore(&per_node, &opts, |_, _| true).canonical.is_some());
        assert!(node_classes(&per_node).iter().any(|c| c.len() > 1));
        let limited = model(&format!(
            "{}{}{POOLS}",
            deployment("web", 4, "1", "1Gi", ""),
            policy("maxNoOfPodsToEvictTotal: 1\n")
        ));
        assert!(explore(&limited, &opts, |_, _| true).canonical.is_none());
        let classes = symmetry_classes(&limited);
        assert_eq!(classes, (0..limited.nodes()).collect::<Vec<_>>(), "no twins: canonical choice is off too");
    }

    /// A descheduler balancing a zone constraint marks moves on a zone's nodes in the step's
    /// node order, so under one label a bind on one of two identical nodes is not
    /// interchangeable with a bind on the other. With canonical choice on and index order
    /// only, this model (found by an audit) reached 22 states instead of 41 and missed 6 of 25
    /// classes of reachable states; with every node order a label (24 here) and each of a
    /// run's Eviction API calls a step of its own it reaches 114; symmetry must change nothing
    /// here.
    #[test]
    fn canonical_choice_misses_nothing_when_node_order_matters() {
        let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}";
        let policy = "apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig:\n      - {name: RemovePodsViolatingTopologySpreadConstraint, args: {constraints: [DoNotSchedule, ScheduleAnyway], topologyBalanceNodeFit: false}}\n    plugins: {balance: {enabled: [RemovePodsViolatingTopologySpreadConstraint]}}\n---\n";
        let pools = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 3, labels: {zone: a}, capacity: {cpu: \"64\", memory: 64Gi}}, {name: b, count: 1, labels: {zone: b}, taints: [{key: k, value: v, effect: NoSchedule}], capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 1}]}]\n";
        let m = model(&format!("{}{policy}{pools}", deployment("web", 3, "1", "1Gi", spread)));
        let opts = Options { max_depth: 30, max_states: 100_000, symmetry: true, reduction: false, all: true };
        let with = explore(&m, &opts, |_, _| true);
        let without = explore(&m, &Options { symmetry: false, ..opts }, |_, _| true);
        assert_eq!(without.states.len(), 114);
        assert_eq!(with.states.len(), without.states.len());
    }
}
