//! The cluster autoscaler against upstream's own unit tests (kubernetes/autoscaler
//! `cluster-autoscaler/`): each test names the file and case it translates. Upstream builds
//! nodes and pods with `BuildTestNode(name, millicpu, mem)` and `BuildTestPod(name, millicpu,
//! mem)`; here they are a pool of alike nodes and Deployments placed on them.

use super::*;
use crate::engine::explicit::{check, Options};
use crate::model::node::spec_unschedulable;
use crate::model::testkit::{deployment, model, node};
use crate::model::{all_steps, registry};
use crate::verdict::Verdict;

fn labels_of(m: &Model, op: u8) -> Vec<Step> {
    let reg = registry::<Concrete>();
    all_steps(m, &reg)
        .into_iter()
        .filter(|s| reg[s.actor as usize].name() == "cluster-autoscaler" && s.op == op)
        .collect()
}

/// `st` after the autoscaler's check of unneeded nodes (`MARK`; no change if the set is
/// already up to date).
fn checked(m: &Model, st: &ClusterState<Concrete>) -> ClusterState<Concrete> {
    let mark = labels_of(m, MARK).remove(0);
    ClusterAutoscaler.update(&Concrete, m, &mark, st)
}

/// The nodes whose scale-down starts in `st` once a check has found them unneeded (the
/// unneeded time then has passed).
fn removable_nodes(m: &Model, st: &ClusterState<Concrete>) -> Vec<String> {
    let st = checked(m, st);
    labels_of(m, SCALE_DOWN)
        .iter()
        .filter(|s| ClusterAutoscaler.guard(&Concrete, m, s, &st))
        .map(|s| m.node_name(s.b as usize).to_string())
        .collect()
}

/// The pools a scale-up may grow in `st`.
fn growing(m: &Model, st: &ClusterState<Concrete>) -> Vec<String> {
    labels_of(m, SCALE_UP)
        .iter()
        .filter(|s| ClusterAutoscaler.guard(&Concrete, m, s, st))
        .map(|s| m.ir.pools[s.a as usize].name.clone())
        .collect()
}

fn spec(pools: &str, workloads: &str, extra: &str) -> String {
    format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n{pools}  workloads:\n{workloads}{extra}")
}

/// eligibility_test.go `getTestCases`: a node of 1000m CPU and 10 bytes of memory.
/// "highly utilized node is filtered out" (a 600m pod: 60 % is not below 50 %),
/// "underutilized node stays" (a 100m pod: 10 %), "regular node stays" (no pod).
#[test]
fn eligibility_utilization_cases() {
    let pools = "    - {name: ng1, count: 2, autoscaling: {min: 1, max: 10}, capacity: {cpu: \"1\", memory: \"10\"}}\n";
    let case = |cpu: &str| {
        let m = model(&format!(
            "{}{}",
            deployment("pod", 1, cpu, "0", ""),
            spec(pools, "    - {deployment: pod, placement: [{node: ng1-0, count: 1}]}\n", "")
        ));
        let st = m.initial_state(&[2]);
        (underutilized(&Concrete, &m, &st, 0), underutilized(&Concrete, &m, &st, 1))
    };
    assert_eq!(case("600m"), (false, true), "bigPod: ng1-0 at 60 % is not underutilized; the empty ng1-1 is");
    assert_eq!(case("100m"), (true, true), "smallPod: ng1-0 at 10 % is underutilized");
    // At the threshold exactly (`utilInfo.Utilization >= threshold`): not underutilized.
    assert_eq!(case("500m"), (false, true));
}

/// eligibility_test.go "unready node stays" (with scale-down of unready nodes enabled,
/// upstream's default): an unready node is a candidate like any other, by the same
/// utilization rule (unneeded/nodes.go `RemovableAt` only waits `scaleDownUnreadyTime` for it
/// instead of `scaleDownUnneededTime`, both timing). A node the autoscaler asked for that has
/// not been Ready yet is not one.
#[test]
fn unready_nodes_are_removed_too() {
    let pools = "    - {name: ng1, count: 2, autoscaling: {min: 1, max: 10}, capacity: {cpu: \"1\", memory: \"10\"}}\n";
    let m =
        model(&format!("{}{}", deployment("pod", 1, "100m", "0", ""), spec(pools, "    - {deployment: pod}\n", "")));
    let mut st = m.initial_state(&[2]);
    assert_eq!(removable_nodes(&m, &st), ["ng1-0", "ng1-1"], "either may go (both empty)");
    for status in
        [crate::model::state::NOT_READY, crate::model::state::PANICKED, crate::model::state::DECLARED_NOT_READY]
    {
        st.status[0] = status;
        assert_eq!(removable_nodes(&m, &st), ["ng1-0", "ng1-1"], "status {status}");
    }
    st.status[0] = JOINING;
    assert_eq!(removable_nodes(&m, &st), ["ng1-1"], "a registered upcoming node is no candidate");
    // eligibility_test.go "highly utilized node is filtered out", on an unready node: the
    // utilization rule holds for it as well.
    let m = model(&format!(
        "{}{}",
        deployment("pod", 1, "600m", "0", ""),
        spec(pools, "    - {deployment: pod, placement: [{node: ng1-0, count: 1}]}\n", "")
    ));
    let mut st = m.initial_state(&[2]);
    st.status[0] = crate::model::state::NOT_READY;
    assert_eq!(removable_nodes(&m, &st), ["ng1-1"]);
    let ids: Vec<&str> = crate::model::assumptions::of(&m).iter().map(|a| a.id).collect();
    assert!(!ids.contains(&"autoscaler-ready-nodes"), "{ids:?}");
}

/// actuation of an unready node: its pods are evicted through the Eviction API and stay
/// terminating (its kubelet does not finish them). The drain may give up
/// (`waitPodsToDisappear` times out), or the node goes with them once the planner skips them
/// as long terminating (`drain.IsPodLongTerminating`); the pod garbage collector then removes
/// them with the node. A Ready node's terminating pods still hold its deletion.
#[test]
fn an_unready_node_goes_with_its_terminating_pods() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let workloads = "    - {deployment: web, placement: [{node: n-0, count: 1}, {node: n-1, count: 1}]}\n";
    let m = model(&format!("{}{}", deployment("web", 2, "1", "1Gi", ""), spec(pools, workloads, "")));
    let mut st = m.initial_state(&[2]);
    st.status[0] = crate::model::state::NOT_READY;
    let st = checked(&m, &st);
    let down = labels_of(&m, SCALE_DOWN).into_iter().find(|s| s.b == 0).unwrap();
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &down, &st));
    let said = <ClusterAutoscaler as Controller<Concrete>>::describe(&ClusterAutoscaler, &m, &down, &st, &st);
    assert!(said.contains("scale-down-unready-time"), "{said}");
    let mut st = ClusterAutoscaler.update(&Concrete, &m, &down, &st);
    assert_eq!(st.queued[0][0], 1);
    let (delete, abort) = (
        labels_of(&m, DELETE).into_iter().find(|s| s.b == 0).unwrap(),
        labels_of(&m, ABORT).into_iter().find(|s| s.b == 0).unwrap(),
    );
    assert!(!ClusterAutoscaler.guard(&Concrete, &m, &delete, &st), "the eviction is still to come");
    // The eviction: the pod is terminating on the NotReady node.
    st.queued[0][0] = 0;
    st.running[0][0] = 0;
    st.terminating[0][0] = 1;
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &abort, &st), "the drain's wait may run out");
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &delete, &st), "or the node goes with it");
    let gone = ClusterAutoscaler.update(&Concrete, &m, &delete, &st);
    assert!(!gone.present[0] && gone.terminating[0][0] == 0, "the pod goes with its node");
    let said = <ClusterAutoscaler as Controller<Concrete>>::describe(&ClusterAutoscaler, &m, &delete, &st, &gone);
    assert!(said.contains("terminating on the NotReady node"), "{said}");
    // On a Ready node the terminating pod holds the deletion, and the drain waits.
    st.status[0] = READY;
    assert!(!ClusterAutoscaler.guard(&Concrete, &m, &delete, &st));
    assert!(!ClusterAutoscaler.guard(&Concrete, &m, &abort, &st));
}

/// simulator/cluster_test.go `TestFindNodesToRemove`: nodes of 1000m CPU and 2000000 bytes;
/// n1 empty, n2 with two 100m pods of a ReplicaSet, n3 with one 100m pod that cannot move (a
/// bare pod upstream; here one annotated `safe-to-evict: "false"`, which blocks the same way),
/// n4 with one 1000m pod.
#[test]
fn find_nodes_to_remove_cases() {
    let pools =
        "    - {name: n, count: 4, autoscaling: {min: 0, max: 4}, capacity: {cpu: \"1\", memory: \"2000000\"}}\n";
    let workloads = "    - {deployment: rs, placement: [{node: n-1, count: 2}]}\n    - {deployment: bare, placement: [{node: n-2, count: 1}]}\n    - {deployment: full, placement: [{node: n-3, count: 1}]}\n";
    let bare = deployment("bare", 1, "100m", "100000", "").replace(
        "    metadata: {labels: {app: bare}}",
        "    metadata: {labels: {app: bare}, annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: \"false\"}}",
    );
    let m = model(&format!(
        "{}{bare}{}{}",
        deployment("rs", 2, "100m", "100000", ""),
        deployment("full", 1, "1", "100000", ""),
        spec(pools, workloads, "")
    ));
    assert_eq!(m.ir.groups[1].safe_to_evict, Some(false));
    let all = m.initial_state(&[4]);
    // Only the named nodes exist (the others are absent slots, with their pods taken away).
    let with = |names: &[&str]| {
        let mut st = all.clone();
        for n in 0..4 {
            if !names.contains(&m.node_name(n)) {
                st.present[n] = false;
                for row in st.running.iter_mut() {
                    row[n] = 0;
                }
            }
        }
        st
    };
    assert_eq!(removable_nodes(&m, &with(&["n-0"])), ["n-0"], "just an empty node, should be removed");
    assert!(removable_nodes(&m, &with(&["n-1"])).is_empty(), "just a drainable node, but nowhere for pods to go to");
    assert_eq!(
        removable_nodes(&m, &with(&["n-1", "n-2"])),
        ["n-1"],
        "drainable node, and a mostly empty node that can take its pods"
    );
    assert!(
        removable_nodes(&m, &with(&["n-1", "n-3"])).is_empty(),
        "drainable node, and a full node that cannot fit anymore pods"
    );
    assert_eq!(
        removable_nodes(&m, &with(&["n-0", "n-1", "n-2", "n-3"])),
        ["n-0", "n-1"],
        "4 nodes, 1 empty, 1 drainable"
    );
}

/// The drainability rules (simulator/drainability/rules): `system` (a kube-system pod without
/// a PodDisruptionBudget blocks, with skipNodesWithSystemPods), `localstorage` (emptyDir
/// blocks, with skipNodesWithLocalStorage), `safetoevict` (`"true"` overrides both), and `pdb`
/// (a budget allowing fewer disruptions than the node's pods it covers blocks).
#[test]
fn drainability_rules() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let workloads = "    - {deployment: web, placement: [{node: n-0, count: 1}, {node: n-1, count: 1}]}\n";
    let build =
        |dep: String, extra_docs: &str, ca: &str| model(&format!("{dep}{extra_docs}{}", spec(pools, workloads, ca)));
    let plain = || deployment("web", 2, "1", "1Gi", "");
    let system = || plain().replace("metadata: {name: web}", "metadata: {name: web, namespace: kube-system}");
    let local = || deployment("web", 2, "1", "1Gi", "volumes: [{name: scratch, emptyDir: {}}]");
    let safe = |d: String| {
        d.replace(
            "    metadata: {labels: {app: web}}",
            "    metadata: {labels: {app: web}, annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: \"true\"}}",
        )
    };
    let goes = |m: &Model| !removable_nodes(m, &m.initial_state(&[2])).is_empty();
    assert!(goes(&build(plain(), "", "")));
    assert!(!goes(&build(system(), "", "")), "a kube-system pod without a budget blocks");
    assert!(goes(&build(system(), "", "  clusterAutoscaler: {skipNodesWithSystemPods: false}\n")));
    let pdb = |ns: &str, min: i64| {
        format!("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  minAvailable: {min}\n  selector: {{matchLabels: {{app: web}}}}\n---\n")
    };
    assert!(goes(&build(system(), &pdb("kube-system", 1), "")), "a kube-system pod with a budget that allows it");
    assert!(!goes(&build(plain(), &pdb("default", 2), "")), "the budget allows no disruption");
    assert!(!goes(&build(local(), "", "")), "an emptyDir pod blocks");
    assert!(goes(&build(local(), "", "  clusterAutoscaler: {skipNodesWithLocalStorage: false}\n")));
    assert!(goes(&build(safe(local()), "", "")), "safe-to-evict \"true\" overrides local storage");
    assert!(goes(&build(safe(system()), "", "")), "and the system rule");
}

/// core/scaledown eligibility: a node group at its minimum keeps its nodes
/// (`NodeGroupMinSizeReached`), counting a node being deleted as gone.
#[test]
fn min_size_is_kept() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let m = model(&format!("{}{}", deployment("web", 1, "1", "1Gi", ""), spec(pools, "    - {deployment: web}\n", "")));
    let mut st = m.initial_state(&[2]);
    assert_eq!(removable_nodes(&m, &st), ["n-0", "n-1"]);
    let down = labels_of(&m, SCALE_DOWN).into_iter().find(|s| s.b == 0).unwrap();
    st = ClusterAutoscaler.update(&Concrete, &m, &down, &st);
    assert!(st.cordoned[0], "tainted ToBeDeletedByClusterAutoscaler");
    assert!(removable_nodes(&m, &st).is_empty(), "n-1 is the last node once n-0 is gone");
    let delete = labels_of(&m, DELETE).into_iter().find(|s| s.b == 0).unwrap();
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &delete, &st), "nothing to drain");
    let st = ClusterAutoscaler.update(&Concrete, &m, &delete, &st);
    assert!(!st.present[0] && !st.cordoned[0] && st.scaling_down[0][0] == 0);
}

fn two_groups(extra_pools: &str, pod_spec: &str, ca: &str) -> Model {
    let pools = format!("    - {{name: full, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}\n    - {{name: ng1, count: 1, autoscaling: {{min: 0, max: 2}}, capacity: {{cpu: \"2\", memory: 2Gi}}}}\n{extra_pools}");
    model(&format!(
        "{}{}{}",
        deployment("base", 1, "1", "1Gi", ""),
        deployment("web", 1, "500m", "500Mi", pod_spec),
        spec(&pools, "    - {deployment: base, placement: [{node: full-0, count: 1}]}\n    - {deployment: web}\n", ca)
    ))
}

/// The pending pod of `m` ("web"), fitting no node: ng1-0 is made full by a second `base` pod.
fn pending_web(m: &Model, sizes: &[i64]) -> ClusterState<Concrete> {
    let mut st = m.initial_state(sizes);
    let web = m.ir.deployments.iter().position(|d| d.name == "web").unwrap();
    st.pending[web] = 1;
    let ng1 = node(m, "ng1-0");
    st.running[0][ng1] = 2;
    st
}

/// orchestrator.go `ScaleUp` (orchestrator_test.go `TestScaleUpOK`: a pod that fits no node
/// and fits a new node of a group grows it; `expander/random`: every option is a choice): two
/// groups that can take the pod, each a successor. A group at its maximum is skipped ("max
/// size reached"), and a group whose template the pod does not fit is no option ("pod didn't
/// trigger scale-up").
#[test]
fn scale_up_options() {
    let ng2 = "    - {name: ng2, count: 0, autoscaling: {min: 0, max: 1}, capacity: {cpu: \"2\", memory: 2Gi}, labels: {tier: batch}}\n";
    let m = two_groups(ng2, "", "");
    let st = pending_web(&m, &[1, 1, 0]);
    assert_eq!(growing(&m, &st), ["ng1", "ng2"], "random expander: either group");
    let mut at_max = st.clone();
    at_max.status[node(&m, "ng2-0")] = JOINING;
    // static_autoscaler.go `addUpcomingNodesToClusterSnapshot`: the node on its way takes the
    // pending pod in the autoscaler's snapshot, so nothing triggers a scale-up.
    assert!(growing(&m, &at_max).is_empty(), "the upcoming ng2-0 takes the pending pod");
    let web = m.ir.deployments.iter().position(|d| d.name == "web").unwrap();
    at_max.pending[web] = 5;
    assert_eq!(growing(&m, &at_max), ["ng1"], "five pods: four fit ng2-0; ng2 is at its maximum");
    // A pending pod of another group could take the upcoming node's room first (upstream packs
    // pods in an order kbmc does not track): a scale-up stays possible.
    at_max.pending[web] = 1;
    at_max.pending[0] = 1;
    assert_eq!(growing(&m, &at_max), ["ng1"], "base's pending pod rivals web's for ng2-0");
    // The pod selects tier=batch: only ng2's template takes it.
    let m = two_groups(ng2, "nodeSelector: {tier: batch}", "");
    let st = pending_web(&m, &[1, 1, 0]);
    assert_eq!(growing(&m, &st), ["ng2"]);
    let m = two_groups("", "nodeSelector: {tier: batch}", "");
    assert!(growing(&m, &pending_web(&m, &[1, 1])).is_empty(), "pod didn't trigger scale-up");
    // most-pods and least-waste rank by estimates kbmc does not make: every option stays.
    let m = two_groups(ng2, "", "  clusterAutoscaler: {expander: \"least-waste,most-pods\"}\n");
    assert_eq!(growing(&m, &pending_web(&m, &[1, 1, 0])), ["ng1", "ng2"]);
    // No pending pod: no scale-up.
    let mut idle = pending_web(&m, &[1, 1, 0]);
    idle.pending = vec![0; idle.pending.len()];
    assert!(growing(&m, &idle).is_empty());
}

/// processors/nodegroupset `BalanceScaleUpBetweenGroups` (balancing_processor_test.go
/// `TestBalanceSplitEvenly`: the new nodes go to the smallest similar groups first): with
/// balanceSimilarNodeGroups, of two alike groups of 1 and 0 nodes the smaller one grows.
#[test]
fn balance_similar_node_groups() {
    let ng2 = "    - {name: ng2, count: 0, autoscaling: {min: 0, max: 2}, capacity: {cpu: \"2\", memory: 2Gi}}\n";
    let m = two_groups(ng2, "", "  clusterAutoscaler: {balanceSimilarNodeGroups: true}\n");
    let st = pending_web(&m, &[1, 1, 0]);
    assert_eq!(growing(&m, &st), ["ng2"]);
    let m = two_groups(ng2, "", "");
    assert_eq!(growing(&m, &pending_web(&m, &[1, 1, 0])), ["ng1", "ng2"], "without balancing, either");
}

/// A scale-up, the node's arrival and the pod's binding, end to end: the pending pod runs, the
/// pool stays within its range, and nothing churns.
#[test]
fn a_scale_up_lets_the_pending_pod_run() {
    let pools = "    - {name: n, count: 1, autoscaling: {min: 1, max: 3}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let intents = "  intents:\n    - {type: allPodsEventuallyRun}\n    - {type: noNodeChurn}\n    - {type: nodeCountWithin, pool: n, min: 1, max: 2}\n";
    let m = model(&format!(
        "{}{}",
        deployment("web", 2, "3", "1Gi", ""),
        spec(pools, "    - {deployment: web}\n", intents)
    ));
    let r = check(&m, &Options { max_depth: 30, max_states: 100_000, symmetry: true, reduction: false, all: true });
    assert!(matches!(r.results[0].verdict, Verdict::Holds { exhaustive: true, .. }), "{:?}", r.results[0].verdict);
    assert!(matches!(r.results[1].verdict, Verdict::Holds { exhaustive: true, .. }), "{:?}", r.results[1].verdict);
    // The node on its way is room for the pending pod: no second node is asked for.
    assert!(matches!(r.results[2].verdict, Verdict::Holds { exhaustive: true, .. }), "{:?}", r.results[2].verdict);
}

/// actuation: the drain goes through the Eviction API; a budget that refuses an eviction
/// makes the drain fail, the taint goes and the node stays.
#[test]
fn a_refused_eviction_fails_the_drain() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let workloads = "    - {deployment: web, placement: [{node: n-0, count: 1}, {node: n-1, count: 1}]}\n";
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n---\n";
    let m = model(&format!("{}{pdb}{}", deployment("web", 2, "1", "1Gi", ""), spec(pools, workloads, "")));
    let st = checked(&m, &m.initial_state(&[2]));
    let down = labels_of(&m, SCALE_DOWN).into_iter().find(|s| s.b == 0).unwrap();
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &down, &st));
    let mut st = ClusterAutoscaler.update(&Concrete, &m, &down, &st);
    assert_eq!(st.queued[0][0], 1, "n-0's pod is to be evicted");
    let abort = labels_of(&m, ABORT).into_iter().find(|s| s.b == 0).unwrap();
    assert!(!ClusterAutoscaler.guard(&Concrete, &m, &abort, &st), "the budget allows one disruption");
    // n-1's pod is not Ready (its node failed): the budget allows none now.
    st.status[1] = crate::model::state::NOT_READY;
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &abort, &st));
    let st = ClusterAutoscaler.update(&Concrete, &m, &abort, &st);
    assert!(st.present[0] && !st.cordoned[0] && st.queued[0][0] == 0 && st.scaling_down[0][0] == 0);
    let why = <ClusterAutoscaler as Controller<Concrete>>::describe(
        &ClusterAutoscaler,
        &m,
        &abort,
        &{
            let mut b = ClusterAutoscaler.update(&Concrete, &m, &down, &checked(&m, &m.initial_state(&[2])));
            b.status[1] = crate::model::state::NOT_READY;
            b
        },
        &st,
    );
    assert!(why.contains("PodDisruptionBudget web"), "{why}");
}

/// actuation: `CleanToBeDeleted` removes only the autoscaler's own taint, so a node a
/// `kubectl drain` had cordoned stays cordoned when the autoscaler gives up removing it; and
/// once the autoscaler deletes a node, the drain of it is over (it holds none of the drain's
/// `maxUnavailable` places any more).
#[test]
fn the_autoscaler_leaves_a_drains_cordon_alone() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let workloads = "    - {deployment: web, placement: [{node: n-0, count: 1}, {node: n-1, count: 1}]}\n";
    let m = model(&format!("{}{}", deployment("web", 2, "1", "1Gi", ""), spec(pools, workloads, "")));
    let st = checked(&m, &m.initial_state(&[2]));
    let down = labels_of(&m, SCALE_DOWN).into_iter().find(|s| s.b == 0).unwrap();
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &down, &st));
    let mut st = ClusterAutoscaler.update(&Concrete, &m, &down, &st);
    // A drain of n-0 runs too (it cordoned the node).
    st.draining[0] = true;
    assert!(spec_unschedulable(&Concrete, &m, &st, 0));
    let abort = labels_of(&m, ABORT).into_iter().find(|s| s.b == 0).unwrap();
    let aborted = ClusterAutoscaler.update(&Concrete, &m, &abort, &st);
    assert!(aborted.cordoned[0] && aborted.scaling_down[0][0] == 0, "the drain's cordon stays");
    st.draining[0] = false;
    assert!(!spec_unschedulable(&Concrete, &m, &st, 0), "the autoscaler's taint is no cordon");
    let aborted = ClusterAutoscaler.update(&Concrete, &m, &abort, &st);
    assert!(!aborted.cordoned[0], "with no drain, the node is schedulable again");
    st.draining[0] = true;
    st.queued[0][0] = 0;
    st.running[0][0] = 0;
    let delete = labels_of(&m, DELETE).into_iter().find(|s| s.b == 0).unwrap();
    let gone = ClusterAutoscaler.update(&Concrete, &m, &delete, &st);
    assert!(!gone.present[0] && !gone.draining[0], "the drain ends with the node");
}

/// core/podlistprocessor/filter_out_schedulable.go places only pods the scheduler marked
/// unschedulable (`isUnschedulable`), with its filters. Under the urgent timing a pending pod
/// that fits a node is bound before the autoscaler acts, so the simulation leaves pending
/// pods out; a run with them neither strands a pod nor churns. Under the interleaved timing
/// (kbmc does not keep which pods are marked) they count, as many as the nodes have room for:
/// n-0 has room for one of the two.
#[test]
fn pending_pods_in_the_removal_simulation() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 3}, capacity: {cpu: \"4\", memory: 16Gi}}\n";
    let yaml = |rest: &str| {
        format!(
            "{}{}",
            deployment("web", 3, "1500m", "1Gi", ""),
            spec(pools, "    - {deployment: web, placement: [{node: n-0, count: 1}]}\n", rest)
        )
    };
    let m = model(&yaml(""));
    let mut st = m.initial_state(&[2]);
    st.pending[0] = 2;
    assert!(
        removable_nodes(&m, &st).contains(&"n-1".to_string()),
        "urgent: no pending pod fits when the autoscaler acts"
    );
    let m = model(&yaml("  intents:\n    - {type: allPodsEventuallyRun}\n    - {type: noNodeChurn}\n"));
    let opts = Options { max_depth: 30, max_states: 100_000, symmetry: true, reduction: false, all: true };
    let r = check(&m, &opts);
    for res in &r.results {
        assert!(matches!(res.verdict, Verdict::Holds { exhaustive: true, .. }), "{:?}", res.verdict);
    }
    let m = model(&yaml("  timing: interleaved\n"));
    let mut st = m.initial_state(&[2]);
    st.pending[0] = 2;
    assert!(!removable_nodes(&m, &st).contains(&"n-1".to_string()), "n-0 has room for one of the two pending pods");
    st.pending[0] = 1;
    assert!(removable_nodes(&m, &st).contains(&"n-1".to_string()), "n-0 takes the one pending pod");
}

/// The cluster autoscaler beside preemption is refused, naming both Deployments; without a
/// class that may preempt a lower one the same inputs build.
#[test]
fn autoscaler_beside_preemption_is_refused() {
    let pools = "    - {name: ng1, count: 1, autoscaling: {min: 1, max: 3}, capacity: {cpu: \"1\", memory: 1Gi}}\n";
    let classes = |policy: &str| {
        format!(
            "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {{name: high}}\nvalue: 1000\npreemptionPolicy: {policy}\n---\n"
        )
    };
    let yaml = |policy: &str| {
        format!(
            "{}{}{}{}",
            classes(policy),
            deployment("urgent", 1, "500m", "0", "priorityClassName: high"),
            deployment("batch", 1, "500m", "0", ""),
            spec(pools, "    - {deployment: urgent}\n    - {deployment: batch}\n", "")
        )
    };
    let mut inputs = crate::manifest::Inputs::default();
    let mut errors = Vec::new();
    crate::manifest::load_text(
        std::path::Path::new("test.yaml"),
        &yaml("PreemptLowerPriority"),
        crate::manifest::LoadOptions::default(),
        &mut inputs,
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let err = match crate::ir::build(&inputs, crate::ir::BuildOptions::default()) {
        Ok(_) => panic!("the autoscaler beside preemption was not refused"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("spec.nodePools[0].autoscaling"), "{err}");
    assert!(err.contains("cluster autoscaler beside preemption (urgent's pods"), "{err}");
    assert!(err.contains("batch's"), "{err}");
    let m = model(&yaml("Never"));
    assert!(m.ir.autoscaler.is_some());
}

/// unneeded/nodes_test.go `TestUpdate` and `RemovableAt` (`NotUnneededLongEnough`): a node is
/// removed only once a check has found it unneeded and it still is; "added then deleted": a
/// check that finds it needed drops it (its unneeded time starts over); "single one
/// remaining": a node still unneeded keeps its place in the set.
#[test]
fn unneeded_time_needs_an_earlier_check() {
    let pools = "    - {name: ng1, count: 2, autoscaling: {min: 1, max: 10}, capacity: {cpu: \"1\", memory: \"10\"}}\n";
    let m = model(&format!(
        "{}{}",
        deployment("pod", 2, "100m", "0", ""),
        spec(pools, "    - {deployment: pod, placement: [{node: ng1-0, count: 1}, {node: ng1-1, count: 1}]}\n", "")
    ));
    let st = m.initial_state(&[2]);
    let down = |st: &ClusterState<Concrete>| -> Vec<String> {
        labels_of(&m, SCALE_DOWN)
            .iter()
            .filter(|s| ClusterAutoscaler.guard(&Concrete, &m, s, st))
            .map(|s| m.node_name(s.b as usize).to_string())
            .collect()
    };
    assert!(down(&st).is_empty(), "no check has found a node unneeded yet");
    let mark = labels_of(&m, MARK).remove(0);
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &mark, &st), "the check changes the set");
    let st = checked(&m, &st);
    assert_eq!(st.scaling_down[1][..2], [1, 1], "added in last call: both are unneeded");
    assert!(!ClusterAutoscaler.guard(&Concrete, &m, &mark, &st), "a second check changes nothing");
    assert_eq!(down(&st), ["ng1-0", "ng1-1"]);
    // ng1-1's pod grows past the threshold (a third pod lands there): the next check drops it.
    let mut busy = st.clone();
    busy.running[0][1] = 5;
    assert_eq!(down(&busy), ["ng1-0"], "ng1-1 is needed now, whatever the set says");
    let busy = checked(&m, &busy);
    assert_eq!(busy.scaling_down[1][..2], [1, 0], "single one remaining");
    // Needed, then unneeded again before any check: still dropped until a check finds it again.
    let mut idle = busy.clone();
    idle.running[0][1] = 1;
    assert_eq!(down(&idle), ["ng1-0"]);
    assert_eq!(down(&checked(&m, &idle)), ["ng1-0", "ng1-1"]);
}

/// static_autoscaler.go `RunOnce` and `isScaleDownInCooldown`: a successful scale-up ends the
/// loop and holds scale-down for `scale-down-delay-after-add`; the unneeded set is still
/// checked meanwhile, and the hold ends at some later loop (any one: kbmc has no clock).
#[test]
fn scale_down_is_held_after_a_scale_up() {
    let ng2 = "    - {name: ng2, count: 1, autoscaling: {min: 0, max: 2}, capacity: {cpu: \"2\", memory: 2Gi}, labels: {tier: batch}}\n";
    let m = two_groups(ng2, "nodeSelector: {tier: batch}", "");
    // web's pending pod selects tier=batch, and ng2-0 is full (two base pods): it needs a new
    // ng2 node.
    let mut st = pending_web(&m, &[1, 1, 1]);
    st.running[0][node(&m, "ng2-0")] = 2;
    let up = labels_of(&m, SCALE_UP)
        .into_iter()
        .find(|s| ClusterAutoscaler.guard(&Concrete, &m, s, &st))
        .expect("a scale-up of ng2");
    assert_eq!(m.ir.pools[up.a as usize].name, "ng2");
    let st = ClusterAutoscaler.update(&Concrete, &m, &up, &st);
    assert_eq!(st.scale_up_hold, [1]);
    // ng1-0's two base pods go away: ng1-0 is empty, and a check finds it unneeded.
    let mut st = st;
    st.running[0][node(&m, "ng1-0")] = 0;
    let st = checked(&m, &st);
    assert_eq!(st.scaling_down[1][node(&m, "ng1-0")], 1, "the unneeded set is checked during the hold");
    let down = labels_of(&m, SCALE_DOWN).into_iter().find(|s| s.b as usize == node(&m, "ng1-0")).unwrap();
    assert!(!ClusterAutoscaler.guard(&Concrete, &m, &down, &st), "held: scale-down-delay-after-add");
    let release = labels_of(&m, RELEASE).remove(0);
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &release, &st));
    let st = ClusterAutoscaler.update(&Concrete, &m, &release, &st);
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &down, &st), "the delay is over");
    assert!(!ClusterAutoscaler.guard(&Concrete, &m, &release, &st), "nothing to release");
}

/// A DaemonSet beside the cluster autoscaler is refused, naming both.
#[test]
fn autoscaler_beside_a_daemon_set_is_refused() {
    let pools = "    - {name: ng1, count: 1, autoscaling: {min: 1, max: 3}, capacity: {cpu: \"1\", memory: 1Gi}}\n";
    let ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: c, image: agent:1, resources: {requests: {cpu: 100m, memory: 64Mi}}}]\n---\n";
    let yaml = format!("{ds}{}{}", deployment("web", 1, "500m", "0", ""), spec(pools, "    - {deployment: web}\n", ""));
    let mut inputs = crate::manifest::Inputs::default();
    let mut errors = Vec::new();
    crate::manifest::load_text(
        std::path::Path::new("test.yaml"),
        &yaml,
        crate::manifest::LoadOptions::default(),
        &mut inputs,
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let err = match crate::ir::build(&inputs, crate::ir::BuildOptions::default()) {
        Ok(_) => panic!("a DaemonSet beside the autoscaler was not refused"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("DaemonSet agent beside the cluster autoscaler (node group ng1)"), "{err}");
}

/// mixed_nodeinfos_processor_test.go `TestGetNodeInfosForGroups` (a group without a node
/// Ready for a minute gets its node info from the cloud provider's template): a group's
/// `autoscaling.template`
/// that takes the pending pod makes a scale-up an option even where the nodes the group
/// registers would not take it; without the template, or with one that does not take the pod,
/// there is none.
#[test]
fn the_cloud_template_plans_the_scale_up() {
    let pools = |template: &str| {
        format!("    - {{name: ng2, count: 0, labels: {{tier: web}}, capacity: {{cpu: \"2\", memory: 2Gi}}, autoscaling: {{min: 0, max: 1{template}}}}}\n")
    };
    let m = two_groups(&pools(", template: {labels: {tier: batch}}"), "nodeSelector: {tier: batch}", "");
    assert_eq!(growing(&m, &pending_web(&m, &[1, 1, 0])), ["ng2"], "the template says tier=batch");
    let m = two_groups(&pools(""), "nodeSelector: {tier: batch}", "");
    assert!(growing(&m, &pending_web(&m, &[1, 1, 0])).is_empty(), "the nodes register tier=web");
    let m = two_groups(&pools(", template: {labels: {tier: gpu}}"), "nodeSelector: {tier: batch}", "");
    assert!(growing(&m, &pending_web(&m, &[1, 1, 0])).is_empty(), "neither takes the pod");
}

/// Under the interleaved timing (any controller may lag), the autoscaler alone does not churn:
/// the node on its way is room for the pending pod (no second node), and the node that came
/// for it is not unneeded while the pod, pending, fits only there (`filterOutSchedulable`).
#[test]
fn no_churn_from_the_autoscaler_alone_under_interleaved_timing() {
    let pools = "    - {name: n, count: 1, autoscaling: {min: 1, max: 3}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let intents = "  timing: interleaved\n  intents:\n    - {type: noNodeChurn}\n    - {type: nodeCountWithin, pool: n, min: 1, max: 2}\n";
    let m = model(&format!(
        "{}{}",
        deployment("web", 2, "3", "1Gi", ""),
        spec(pools, "    - {deployment: web}\n", intents)
    ));
    let r = check(&m, &Options { max_depth: 40, max_states: 100_000, symmetry: true, reduction: false, all: true });
    for res in &r.results {
        assert!(matches!(res.verdict, Verdict::Holds { exhaustive: true, .. }), "{:?}", res.verdict);
    }
}

/// The inputs' and the build's errors for `yaml`, as one text ("" when it builds).
fn build_errors(yaml: &str) -> String {
    let mut inputs = crate::manifest::Inputs::default();
    let mut errors = Vec::new();
    crate::manifest::load_text(
        std::path::Path::new("test.yaml"),
        yaml,
        crate::manifest::LoadOptions::default(),
        &mut inputs,
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
    match crate::ir::build(&inputs, crate::ir::BuildOptions::default()) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

/// The cluster-autoscaler Deployment's flags (upstream `main.go`): `--nodes` must match the
/// autoscaled pools, the options are read, timer and logging flags pass, others are refused.
#[test]
fn the_autoscaler_deployment_flags_are_read() {
    let pools = "    - {name: ng1, count: 1, autoscaling: {min: 1, max: 3}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let ca = |flags: &str| {
        let args: String = flags.split(' ').map(|f| format!("            - {f}\n")).collect();
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: cluster-autoscaler, namespace: kube-system}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: ca}}}}\n  template:\n    metadata: {{labels: {{app: ca}}}}\n    spec:\n      containers:\n        - name: ca\n          image: registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.0\n          resources: {{requests: {{cpu: 100m, memory: 300Mi}}}}\n          command:\n            - ./cluster-autoscaler\n{args}---\n")
    };
    let yaml = |flags: &str| {
        format!("{}{}{}", ca(flags), deployment("web", 1, "1", "1Gi", ""), spec(pools, "    - {deployment: web}\n", ""))
    };
    let m = model(&yaml("--v=4 --cloud-provider=aws --nodes=1:3:ng1 --scale-down-utilization-threshold=0.7 --expander=least-waste --balance-similar-node-groups --skip-nodes-with-local-storage=false --scale-down-delay-after-add=5m"));
    let a = m.ir.autoscaler.as_ref().expect("the autoscaler runs");
    assert_eq!(a.threshold, (7, 10));
    assert_eq!(a.expander, [crate::ir::Expander::LeastWaste]);
    assert!(a.balance_similar_node_groups && !a.skip_nodes_with_local_storage && a.skip_nodes_with_system_pods);
    let err = build_errors(&yaml("--nodes=1:5:ng1"));
    assert!(err.contains("spec.nodePools[0].autoscaling says 1..3, the flag 1..5"), "{err}");
    let err = build_errors(&yaml("--nodes=1:3:ng2"));
    assert!(err.contains("node group ng2 is not a pool of spec.nodePools"), "{err}");
    assert!(err.contains("has no --nodes for the autoscaled pool ng1"), "{err}");
    let err =
        build_errors(&yaml("--nodes=1:3:ng1 --node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled"));
    assert!(
        err.contains(
            "--node-group-auto-discovery of the cluster-autoscaler Deployment cluster-autoscaler is not modelled"
        ),
        "{err}"
    );
    let err = build_errors(&yaml("--nodes=1:3:ng1 --skip-nodes-with-system-pods=maybe"));
    assert!(err.contains("expected true or false"), "{err}");
}

/// A node group of no slots (max 0) with a cloud template builds (no template node to plan
/// with: it never grows).
#[test]
fn a_template_on_a_group_of_no_slots_builds() {
    let ng2 = "    - {name: ng2, count: 0, capacity: {cpu: \"2\", memory: 2Gi}, autoscaling: {min: 0, max: 0, template: {labels: {tier: batch}}}}\n";
    let m = two_groups(ng2, "nodeSelector: {tier: batch}", "");
    assert!(m.ir.pools[2].template.is_none());
    assert!(growing(&m, &pending_web(&m, &[1, 1, 0])).is_empty());
}

/// A multi-zone group `w` (one 4-core node at start, in zone a, full with `base`) and a
/// pending `web` pod (`pod_spec` may pin it to a zone).
fn zonal(max: i64, distribution: &str, pod_spec: &str) -> (Model, ClusterState<Concrete>) {
    let pools = format!("    - {{name: w, count: 1, capacity: {{cpu: \"4\", memory: 8Gi}}, autoscaling: {{min: 1, max: {max}, zones: [a, b]{distribution}}}}}\n");
    let m = model(&format!(
        "{}{}{}",
        deployment("base", 1, "4", "1Gi", ""),
        deployment("web", 1, "3", "1Gi", pod_spec),
        spec(&pools, "    - {deployment: base, placement: [{node: w-0, count: 1}]}\n    - {deployment: web}\n", "")
    ));
    let mut st = m.initial_state(&[1]);
    let web = m.ir.deployments.iter().position(|d| d.name == "web").unwrap();
    st.pending[web] = 1;
    (m, st)
}

/// The nodes a scale-up may bring in `st` (the slot the cloud's choice of zone fills).
fn landing(m: &Model, st: &ClusterState<Concrete>) -> Vec<String> {
    labels_of(m, SCALE_UP)
        .iter()
        .filter(|s| ClusterAutoscaler.guard(&Concrete, m, s, st))
        .map(|s| m.node_name(s.b as usize).to_string())
        .collect()
}

/// A multi-zone group has `max` slots per zone, slot i in zone i % K and labelled with it; its
/// first `count` nodes are spread round-robin.
#[test]
fn a_multi_zone_group_has_slots_in_every_zone() {
    let (m, st) = zonal(2, "", "");
    let zone_label = |n: usize| {
        m.ir.nodes[n]
            .labels
            .iter()
            .find(|(k, _)| m.ir.labels.key_name(*k) == "topology.kubernetes.io/zone")
            .map(|(_, v)| m.ir.labels.value_name(*v).to_string())
    };
    assert_eq!(m.nodes(), 4);
    let zones: Vec<Option<String>> = (0..4).map(zone_label).collect();
    assert_eq!(zones, [Some("a"), Some("b"), Some("a"), Some("b")].map(|z| z.map(str::to_string)));
    assert_eq!((0..4).map(|n| m.ir.zone_of_node(n)).collect::<Vec<_>>(), [Some(0), Some(1), Some(0), Some(1)]);
    assert_eq!(st.present, [true, false, false, false]);
    // Pools without zones: no zone, as before.
    let m = two_groups("", "", "");
    assert!((0..m.nodes()).all(|n| m.ir.zone_of_node(n).is_none()));
}

/// EC2 Auto Scaling's Availability Zone balancing: under `balancedOnly` (`balanced-only`)
/// the new node goes to the zone with the fewest nodes of the group, every tied zone a
/// choice; under `balanced` (`balanced-best-effort`) a launch that fails there goes to
/// another zone, so every zone is a choice, as under `any` (the default), each in its lowest
/// free slot. The autoscaler decides the scale-up, the cloud the zone: the pod fits the
/// template (a copy of w-0, zone a) whichever zone the node lands in.
#[test]
fn the_cloud_picks_the_zone() {
    let (m, st) = zonal(2, ", zoneDistribution: balancedOnly", "");
    assert_eq!(landing(&m, &st), ["w-1"], "zone b has no node, zone a has w-0");
    let (m, st) = zonal(2, ", zoneDistribution: balanced", "");
    assert_eq!(landing(&m, &st), ["w-1", "w-2"], "zone b's w-1, or zone a's w-2 after a failed launch in b");
    let (m, st) = zonal(2, "", "");
    assert_eq!(landing(&m, &st), ["w-1", "w-2"], "any: zone b's w-1 or zone a's w-2");
    // Zones tied (w-0 in a, w-1 on its way in b): both are choices under balancedOnly.
    let (m, mut st) = zonal(3, ", zoneDistribution: balancedOnly", "");
    st.status[node(&m, "w-1")] = JOINING;
    let web = m.ir.deployments.iter().position(|d| d.name == "web").unwrap();
    st.pending[web] = 2;
    assert_eq!(landing(&m, &st), ["w-2", "w-3"], "a and b tied at one node each");
    // At the group's maximum over all zones: no scale-up.
    let (m, mut st) = zonal(2, ", zoneDistribution: balanced", "");
    st.status[node(&m, "w-1")] = JOINING;
    st.pending[web] = 2;
    assert!(landing(&m, &st).is_empty(), "w-0 and the upcoming w-1: the group is at max 2");
}

/// The autoscaler's template of a multi-zone group is a copy of one of its nodes, in a zone
/// kbmc does not track (`MixedTemplateNodeInfoProvider.Process`): a pod pinned to either zone
/// is an option; to a zone outside the group, none (the FAQ's "pod didn't trigger scale-up").
/// An upcoming node is room for the pods its own zone takes.
#[test]
fn a_template_in_any_zone_plans_the_scale_up() {
    let pinned = |z: &str| format!("nodeSelector: {{topology.kubernetes.io/zone: {z}}}");
    let (m, st) = zonal(2, ", zoneDistribution: balancedOnly", &pinned("a"));
    assert_eq!(landing(&m, &st), ["w-1"], "the template in zone a takes the pod; the node lands in zone b");
    let (m, st) = zonal(2, ", zoneDistribution: balancedOnly", &pinned("b"));
    assert_eq!(landing(&m, &st), ["w-1"], "a template in zone b (the group's other zone) takes the pod");
    let (m, st) = zonal(2, "", &pinned("c"));
    assert!(landing(&m, &st).is_empty(), "no zone of the group takes the pod");
    // w-1 on its way in zone b: room for a pod pinned to b, none for one pinned to a.
    let (m, mut st) = zonal(3, ", zoneDistribution: balancedOnly", &pinned("b"));
    st.status[node(&m, "w-1")] = JOINING;
    assert!(landing(&m, &st).is_empty(), "the upcoming w-1 takes the zone-b pod");
    let (m, mut st) = zonal(3, ", zoneDistribution: balancedOnly", &pinned("a"));
    st.status[node(&m, "w-1")] = JOINING;
    assert_eq!(landing(&m, &st), ["w-2", "w-3"], "the upcoming w-1 (zone b) is no room for the zone-a pod");
}

/// The wrong-zone loop end to end: a pod pinned to the zone of the group's full node, the new
/// node launched in the other zone (balanced), found unneeded and removed, again and again.
/// A pod pinned to the zone the balanced launch goes to runs under `balancedOnly`; under
/// `balanced` (best effort) a failed launch there puts the node in the pod's other zone, and
/// the loop is back.
#[test]
fn a_balanced_launch_in_the_other_zone_churns() {
    let intents = "  intents:\n    - {type: allPodsEventuallyRun}\n    - {type: noNodeChurn}\n";
    let build = |distribution: &str, zone: &str| {
        let pools = format!("    - {{name: w, count: 1, capacity: {{cpu: \"4\", memory: 8Gi}}, autoscaling: {{min: 1, max: 2, zones: [a, b], zoneDistribution: {distribution}}}}}\n");
        model(&format!(
            "{}{}{}",
            deployment("base", 1, "4", "1Gi", ""),
            deployment("web", 1, "3", "1Gi", &format!("nodeSelector: {{topology.kubernetes.io/zone: {zone}}}")),
            spec(
                &pools,
                "    - {deployment: base, placement: [{node: w-0, count: 1}]}\n    - {deployment: web}\n",
                intents
            )
        ))
    };
    let opts = Options { max_depth: 30, max_states: 100_000, symmetry: true, reduction: false, all: true };
    for distribution in ["balancedOnly", "balanced"] {
        let r = check(&build(distribution, "a"), &opts);
        assert!(matches!(r.results[0].verdict, Verdict::Violated { .. }), "{distribution}: {:?}", r.results[0].verdict);
        assert!(matches!(r.results[1].verdict, Verdict::Violated { .. }), "{distribution}: {:?}", r.results[1].verdict);
    }
    // Pinned to zone b, where the balanced launch goes: the pod runs and the node stays.
    let r = check(&build("balancedOnly", "b"), &opts);
    for res in &r.results {
        assert!(matches!(res.verdict, Verdict::Holds { exhaustive: true, .. }), "{:?}", res.verdict);
    }
    // Best effort: the launch in b may fail and land in a, where the pod cannot go.
    let r = check(&build("balanced", "b"), &opts);
    for res in &r.results {
        assert!(matches!(res.verdict, Verdict::Violated { .. }), "{:?}", res.verdict);
    }
}

/// `autoscaling.zones` and `zoneDistribution` refused with their field paths.
#[test]
fn bad_zones_are_refused() {
    let errors = |pool: &str| {
        build_errors(&format!(
            "{}{}",
            deployment("web", 1, "1", "1Gi", ""),
            spec(
                &format!("    - {{name: w, count: 1, capacity: {{cpu: \"4\", memory: 8Gi}}{pool}}}\n"),
                "    - {deployment: web}\n",
                ""
            )
        ))
    };
    let e = errors(", autoscaling: {min: 1, max: 2, zones: [a, b, a]}");
    assert!(e.contains("spec.nodePools[0].autoscaling.zones[2]") && e.contains("zone \"a\" is also zones[0]"), "{e}");
    let e = errors(", autoscaling: {min: 1, max: 2, zones: [a]}");
    assert!(e.contains("spec.nodePools[0].autoscaling.zones") && e.contains("needs at least two"), "{e}");
    let e = errors(", autoscaling: {min: 1, max: 2, zones: [a, \"\"]}");
    assert!(e.contains("spec.nodePools[0].autoscaling.zones[1]") && e.contains("empty"), "{e}");
    let e = errors(", labels: {topology.kubernetes.io/zone: a}, autoscaling: {min: 1, max: 2, zones: [a, b]}");
    assert!(e.contains("spec.nodePools[0].labels") && e.contains("drop the label"), "{e}");
    let e = errors(", autoscaling: {min: 1, max: 2, zones: [a, b], zoneDistribution: random}");
    assert!(e.contains("spec.nodePools[0].autoscaling.zoneDistribution") && e.contains("expected balanced"), "{e}");
    let e = errors(", autoscaling: {min: 1, max: 2, zoneDistribution: balanced}");
    assert!(e.contains("spec.nodePools[0].autoscaling.zoneDistribution") && e.contains("without `zones`"), "{e}");
    let e = errors(", autoscaling: {min: 1, max: 2, zones: [a, b], template: {labels: {tier: web}}}");
    assert!(e.contains("spec.nodePools[0].autoscaling.template") && e.contains("not modelled"), "{e}");
    assert_eq!(errors(", autoscaling: {min: 1, max: 2, zones: [a, b], zoneDistribution: balanced}"), "");
    assert_eq!(errors(", autoscaling: {min: 1, max: 2, zones: [a, b], zoneDistribution: balancedOnly}"), "");
}

/// actuation/drain.go: the drain evicts the pods the node had when it began (`DrainNode`
/// takes them from the node's snapshot) and waits for those to disappear
/// (`waitPodsToDisappear`), not for a pod that reaches the node after the taint (here one
/// tolerating it): the node is deleted with that pod, which the pod garbage collector removes
/// (`gcOrphaned`) and its ReplicaSet replaces. A terminating pod on the Ready node still holds
/// the deletion.
#[test]
fn a_pod_that_comes_after_the_taint_goes_with_the_node() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let workloads = "    - {deployment: web, placement: [{node: n-0, count: 1}, {node: n-1, count: 1}]}\n";
    let tol = "tolerations: [{key: ToBeDeletedByClusterAutoscaler, operator: Exists, effect: NoSchedule}]";
    let m = model(&format!("{}{}", deployment("web", 2, "1", "1Gi", tol), spec(pools, workloads, "")));
    assert!(m.ir.groups[0].tolerates_to_be_deleted);
    let st = checked(&m, &m.initial_state(&[2]));
    let down = labels_of(&m, SCALE_DOWN).into_iter().find(|s| s.b == 0).unwrap();
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &down, &st));
    let st = ClusterAutoscaler.update(&Concrete, &m, &down, &st);
    assert!(framework::feasible(&Concrete, &m, &st, 0)[0], "web may still be placed on the tainted n-0");
    let delete = labels_of(&m, DELETE).into_iter().find(|s| s.b == 0).unwrap();
    assert!(!ClusterAutoscaler.guard(&Concrete, &m, &delete, &st), "the drain's pod is still to be evicted");
    // The drain's pod evicted and gone; a new pod of web lands on the tainted node and runs.
    let k = m.start_kind[0];
    let mut late = st.clone();
    late.queued[0][0] = 0;
    late.terminating[0][0] = 1;
    late.running[k][0] = 0;
    assert!(!ClusterAutoscaler.guard(&Concrete, &m, &delete, &late), "the evicted pod is still terminating");
    late.terminating[0][0] = 0;
    late.running[k][0] = 1;
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &delete, &late), "the late pod does not hold the deletion");
    let gone = ClusterAutoscaler.update(&Concrete, &m, &delete, &late);
    assert!(!gone.present[0] && gone.running[k][0] == 0 && gone.bound[0][0] == 0);
    let said = <ClusterAutoscaler as Controller<Concrete>>::describe(&ClusterAutoscaler, &m, &delete, &late, &gone);
    assert!(said.contains("the 1 pod that came after the taint goes with it"), "{said}");
}

/// Two nodes of an autoscaled pool: n-0 marked by the autoscaler (its
/// `ToBeDeletedByClusterAutoscaler:NoSchedule` taint, no cordon), n-1 cordoned
/// (`spec.unschedulable`); four Deployments, tolerating neither, only the unschedulable taint,
/// only the autoscaler's, and every taint (empty key, `Exists`).
fn marked_and_cordoned() -> (Model, ClusterState<Concrete>) {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let workloads =
        "    - {deployment: none}\n    - {deployment: cordon}\n    - {deployment: taint}\n    - {deployment: every}\n";
    let yaml = [
        deployment("none", 1, "1", "1Gi", ""),
        deployment(
            "cordon",
            1,
            "1",
            "1Gi",
            "tolerations: [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]",
        ),
        deployment(
            "taint",
            1,
            "1",
            "1Gi",
            "tolerations: [{key: ToBeDeletedByClusterAutoscaler, operator: Exists, effect: NoSchedule}]",
        ),
        deployment("every", 1, "1", "1Gi", "tolerations: [{operator: Exists}]"),
        spec(pools, workloads, ""),
    ]
    .concat();
    let m = model(&yaml);
    let mut st = m.initial_state(&[2]);
    st.cordoned[0] = true;
    st.scaling_down[0][0] = 1;
    st.cordoned[1] = true;
    (m, st)
}

/// The group of Deployment `name`.
fn group(m: &Model, name: &str) -> usize {
    (0..m.ir.groups.len()).find(|&g| m.group_name(g).starts_with(name)).unwrap_or_else(|| panic!("no group {name}"))
}

/// utils/taints/taints.go `MarkToBeDeleted` puts `ToBeDeletedByClusterAutoscaler:NoSchedule`
/// on the node and does not cordon it (`--cordon-node-before-terminating` is false by
/// default): the scheduler's TaintToleration filter keeps off it the pods that do not
/// tolerate that key, whatever they tolerate of the cordon, and NodeUnschedulable keeps off a
/// cordoned node the pods that do not tolerate `node.kubernetes.io/unschedulable`, whatever
/// they tolerate of the autoscaler's taint. (TaintToleration's test `TestTaintTolerationFilter`
/// "A pod which can be scheduled on a dedicated node assigned to user1 with effect
/// NoSchedule" / "A pod which can't be scheduled on a dedicated node assigned to user2 with
/// effect NoSchedule"; nodeunschedulable's `TestNodeUnschedulable`.)
#[test]
fn the_autoscalers_taint_and_the_cordon_are_tolerated_apart() {
    let (m, st) = marked_and_cordoned();
    let feasible = |name: &str| framework::feasible(&Concrete, &m, &st, group(&m, name));
    assert_eq!(feasible("none"), vec![false, false]);
    assert_eq!(feasible("cordon"), vec![false, true], "the cordon's toleration is not the autoscaler's");
    assert_eq!(feasible("taint"), vec![true, false], "the autoscaler's toleration is not the cordon's");
    assert_eq!(feasible("every"), vec![true, true]);
    // What a trace says of the rejections.
    let why = framework::rejections(&m, &st, group(&m, "cordon"));
    assert_eq!(why[0].1, vec!["untolerated taint ToBeDeletedByClusterAutoscaler:NoSchedule"]);
    let why = framework::rejections(&m, &st, group(&m, "taint"));
    assert_eq!(why[1].1, vec!["cordoned (spec.unschedulable)"]);
    // A `kubectl drain` that cordoned n-0 before the autoscaler marked it: both apply.
    let mut drained = st.clone();
    drained.draining[0] = true;
    assert_eq!(framework::feasible(&Concrete, &m, &drained, group(&m, "taint")), vec![false, false]);
    assert_eq!(framework::feasible(&Concrete, &m, &drained, group(&m, "every")), vec![true, true]);
}

/// taints_test.go `TestMarkNodes` and `TestCleanNodes` (cordonNode false): marking adds the
/// taint and leaves `spec.unschedulable` false, and `CleanToBeDeleted` removes the taint. Here
/// through the autoscaler's own steps: a scale-down of n-0, then its drain given up.
#[test]
fn marking_taints_without_cordoning_and_cleaning_removes_the_taint() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let workloads = "    - {deployment: web, placement: [{node: n-0, count: 1}, {node: n-1, count: 1}]}\n";
    let tol = "tolerations: [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]";
    let m = model(&format!("{}{}", deployment("web", 2, "1", "1Gi", tol), spec(pools, workloads, "")));
    let st = checked(&m, &m.initial_state(&[2]));
    let down = labels_of(&m, SCALE_DOWN).into_iter().find(|s| s.b == 0).unwrap();
    assert!(ClusterAutoscaler.guard(&Concrete, &m, &down, &st));
    let marked = ClusterAutoscaler.update(&Concrete, &m, &down, &st);
    assert!(scaling_down(&Concrete, &marked, 0), "HasToBeDeletedTaint");
    assert!(!spec_unschedulable(&Concrete, &m, &marked, 0), "not cordoned");
    assert_eq!(framework::feasible(&Concrete, &m, &marked, 0), vec![false, true], "web tolerates the cordon only");
    let abort = labels_of(&m, ABORT).into_iter().find(|s| s.b == 0).unwrap();
    let cleaned = ClusterAutoscaler.update(&Concrete, &m, &abort, &marked);
    assert!(!scaling_down(&Concrete, &cleaned, 0) && !spec_unschedulable(&Concrete, &m, &cleaned, 0));
    assert_eq!(framework::feasible(&Concrete, &m, &cleaned, 0), vec![true, true]);
}

/// NodeUnschedulable reads `spec.unschedulable` only: with TaintToleration disabled in the
/// scheduler's profile, a pod that does not tolerate the autoscaler's taint may go to the node
/// it is removing, but still not to a cordoned one; with NodeUnschedulable disabled instead,
/// the cordon stops no pod and the autoscaler's taint still does.
#[test]
fn node_unschedulable_does_not_read_the_autoscalers_taint() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let with_disabled = |filter: &str| {
        let config = format!("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - schedulerName: default-scheduler\n    plugins: {{filter: {{disabled: [{{name: {filter}}}]}}}}\n---\n");
        let m = model(&format!(
            "{}{config}{}",
            deployment("none", 1, "1", "1Gi", ""),
            spec(pools, "    - {deployment: none}\n", "")
        ));
        let mut st = m.initial_state(&[2]);
        st.cordoned[0] = true;
        st.scaling_down[0][0] = 1;
        st.cordoned[1] = true;
        framework::feasible(&Concrete, &m, &st, 0)
    };
    assert_eq!(with_disabled("TaintToleration"), vec![true, false]);
    assert_eq!(with_disabled("NodeUnschedulable"), vec![false, true]);
}

/// PodTopologySpread's `nodeTaintsPolicy: Honor` leaves out of the domains a node whose
/// taints the pod does not tolerate (podtopologyspread `filter.go`, `nodeInclusionPolicy`),
/// the autoscaler's taint by its own toleration: with n-0 being removed and empty and one pod
/// on n-1, a pod tolerating only the cordon counts n-1 alone (skew 1 there: fits), and one
/// tolerating the autoscaler's taint counts n-0 too (skew 2 on n-1: only n-0 fits).
#[test]
fn spread_honouring_taints_reads_the_autoscalers_taint() {
    let pools = "    - {name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let spread = |tol: &str| {
        let extra = format!("tolerations: [{{key: {tol}, operator: Exists, effect: NoSchedule}}]\ntopologySpreadConstraints: [{{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: Honor, labelSelector: {{matchLabels: {{app: web}}}}}}]");
        let workloads = "    - {deployment: web, placement: [{node: n-1, count: 1}]}\n";
        let m = model(&format!("{}{}", deployment("web", 1, "1", "1Gi", &extra), spec(pools, workloads, "")));
        let mut st = m.initial_state(&[2]);
        st.cordoned[0] = true;
        st.scaling_down[0][0] = 1;
        framework::feasible(&Concrete, &m, &st, 0)
    };
    assert_eq!(spread("node.kubernetes.io/unschedulable"), vec![false, true]);
    assert_eq!(spread("ToBeDeletedByClusterAutoscaler"), vec![true, false]);
}
