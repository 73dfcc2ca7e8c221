//! Descheduler plugins: kubernetes-sigs/descheduler pkg/framework/plugins/ (removeduplicates,
//! nodeutilization LowNodeUtilization, removepodsviolatingnodetaints,
//! removepodsviolatingnodeaffinity, removepodsviolatingtopologyspreadconstraint). Each case
//! builds the upstream test's nodes and pods (one Deployment per owner, or per distinct pod
//! spec where upstream's pods of one owner differ only in what the case does not read), runs
//! one descheduler run and checks the upstream test's expected eviction count.
//!
//! Units: upstream's test nodes and pods give CPU in millicores and memory in bytes; memory is
//! read as MiB here (kbmc counts MiB; the plugins compare sums and ratios only).
//!
//! Upstream calls the plugin directly, while a kbmc run (as descheduler.go's) aborts when
//! fewer than two nodes are Ready; cases with one node get an empty, untainted node `spare`,
//! which the plugin under test does not act on.

use super::*;

const DUPLICATES: &str = "kubernetes-sigs/descheduler pkg/framework/plugins/removeduplicates/removeduplicates_test.go";
const LOW: &str = "kubernetes-sigs/descheduler pkg/framework/plugins/nodeutilization/lownodeutilization_test.go";
const TAINTS: &str =
    "kubernetes-sigs/descheduler pkg/framework/plugins/removepodsviolatingnodetaints/node_taint_test.go";
const AFFINITY: &str =
    "kubernetes-sigs/descheduler pkg/framework/plugins/removepodsviolatingnodeaffinity/node_affinity_test.go";
const SPREAD: &str = "kubernetes-sigs/descheduler pkg/framework/plugins/removepodsviolatingtopologyspreadconstraint/topologyspreadconstraint_test.go";
const DUPLICATES_ARGS: &str = "kubernetes-sigs/descheduler pkg/framework/plugins/removeduplicates/validation_test.go";
const SPREAD_ARGS: &str =
    "kubernetes-sigs/descheduler pkg/framework/plugins/removepodsviolatingtopologyspreadconstraint/validation_test.go";
const TAINTS_ARGS: &str =
    "kubernetes-sigs/descheduler pkg/framework/plugins/removepodsviolatingnodetaints/validation_test.go";
const AFFINITY_ARGS: &str =
    "kubernetes-sigs/descheduler pkg/framework/plugins/removepodsviolatingnodeaffinity/validation_test.go";

fn check(file: &str, upstream: &str, got: i64, expected: i64) {
    assert_eq!(got, expected, "{file} \"{upstream}\": pods evicted");
}

/// The upstream tests' usual node: 2000m CPU, 3000 memory, 10 pods.
fn std_node(c: Cluster, name: &str, labels: &str, spec: &str) -> Cluster {
    c.node(name, "2000m 3000Mi 10", labels, spec)
}

/// The usual pod: 100m CPU and no memory.
const POD: &str = "100m 0";

// ---- RemoveDuplicates ----------------------------------------------------------------------

/// Duplicates of one ReplicaSet (`on`) over nodes `nodes` (plain, untainted), RemoveDuplicates
/// with the evictor's `evictor` args.
fn duplicates(nodes: &[&str], on: &str, evictor: &str) -> i64 {
    let mut c = Cluster::new();
    for n in nodes {
        c = std_node(c, n, "", "");
    }
    evicted_at_start(c.pods("dev/rs", "", POD, "", on).doc(&policy("RemoveDuplicates", "", evictor, "")))
}

/// upstream: TestFindDuplicatePods "Three pods in the `dev` Namespace, bound to same ReplicaSet. 1 should be evicted."
#[test]
fn duplicates_three_pods_dev() {
    let name = "Three pods in the `dev` Namespace, bound to same ReplicaSet. 1 should be evicted.";
    check(DUPLICATES, name, duplicates(&["n1", "n2"], "n1=3", ""), 1);
}

/// upstream: TestFindDuplicatePods "Three pods in the `dev` Namespace, bound to same
/// ReplicaSet, but ReplicaSet kind is excluded. 0 should be evicted."
#[test]
fn duplicates_owner_kind_excluded() {
    let name = "Three pods in the `dev` Namespace, bound to same ReplicaSet, but ReplicaSet kind is excluded. 0 should be evicted.";
    let c = std_node(std_node(Cluster::new(), "n1", "", ""), "n2", "", "")
        .pods("dev/rs", "", POD, "", "n1=3")
        .doc(&policy("RemoveDuplicates", "{excludeOwnerKinds: [ReplicaSet]}", "", ""));
    let got = match build(&c.yaml()) {
        Ok(m) => evicted(&m, &initial(&m)),
        Err(e) => panic!("{DUPLICATES} \"{name}\": kbmc rejects excludeOwnerKinds: {e}"),
    };
    check(DUPLICATES, name, got, 0);
}

/// upstream: TestFindDuplicatePods "Three Pods in the `test` Namespace, bound to same ReplicaSet. 1 should be evicted."
#[test]
fn duplicates_three_pods_test() {
    let name = "Three Pods in the `test` Namespace, bound to same ReplicaSet. 1 should be evicted.";
    let c = std_node(std_node(Cluster::new(), "n1", "", ""), "n2", "", "")
        .pods("test/rs", "", POD, "", "n1=3")
        .doc(&policy("RemoveDuplicates", "", "", ""));
    check(DUPLICATES, name, evicted_at_start(c), 1);
}

/// upstream: TestFindDuplicatePods "Three Pods in the `dev` Namespace, three Pods in the
/// `test` Namespace. Bound to ReplicaSet with same name. 4 should be evicted." (the case
/// expects 2: its name is older than its count): two ReplicaSets named replicaset-1, one per
/// namespace, are two owners (upstream's owner key is namespace/kind/name), each with three
/// pods on n1 of two nodes, so each loses one.
#[test]
fn duplicates_same_owner_name_in_two_namespaces() {
    let name = "Three Pods in the `dev` Namespace, three Pods in the `test` Namespace. Bound to ReplicaSet with same name. 4 should be evicted.";
    let c = std_node(std_node(Cluster::new(), "n1", "", ""), "n2", "", "")
        .pods("dev/replicaset-1", "", POD, "", "n1=3")
        .pods("test/replicaset-1", "", POD, "", "n1=3")
        .doc(&policy("RemoveDuplicates", "", "", ""));
    check(DUPLICATES, name, evicted_at_start(c), 2);
}

/// upstream: TestFindDuplicatePods "Three pods in the `dev` Namespace, bound to same ReplicaSet. Only node available has a taint, and nodeFit set to true. 0 should be evicted."
#[test]
fn duplicates_only_other_node_tainted() {
    let name = "Three pods in the `dev` Namespace, bound to same ReplicaSet. Only node available has a taint, and nodeFit set to true. 0 should be evicted.";
    let c = std_node(
        std_node(Cluster::new(), "n1", "", ""),
        "n3",
        "",
        "taints: [{key: hardware, value: gpu, effect: NoSchedule}]",
    )
    .pods("dev/rs", "", POD, "", "n1=3")
    .doc(&policy("RemoveDuplicates", "", "{nodeFit: true}", ""));
    check(DUPLICATES, name, evicted_at_start(c), 0);
}

/// upstream: TestFindDuplicatePods "Three pods in the `node-fit` Namespace, bound to same ReplicaSet. Only node available is not schedulable, and nodeFit set to true. 0 should be evicted."
#[test]
fn duplicates_only_other_node_unschedulable() {
    let name = "Three pods in the `node-fit` Namespace, bound to same ReplicaSet. Only node available is not schedulable, and nodeFit set to true. 0 should be evicted.";
    check(
        DUPLICATES,
        name,
        {
            let c = std_node(std_node(Cluster::new(), "n1", "", ""), "n5", "", "unschedulable: true")
                .pods("dev/rs", "", POD, "", "n1=3")
                .doc(&policy("RemoveDuplicates", "", "{nodeFit: true}", ""));
            evicted_at_start(c)
        },
        0,
    );
}

/// upstream: TestFindDuplicatePods "... Only node available does not have enough CPU, and
/// nodeFit set to true. 0 should be evicted." (n6: 200m CPU, 200 memory, running a
/// 150m/150 pod of another owner)
#[test]
fn duplicates_only_other_node_lacks_cpu() {
    let name = "Three pods in the `node-fit` Namespace, bound to same ReplicaSet. Only node available does not have enough CPU, and nodeFit set to true. 0 should be evicted.";
    let c = std_node(Cluster::new(), "n1", "", "")
        .node("n6", "200m 200Mi 10", "", "")
        .pods("dev/rs", "", POD, "", "n1=3")
        .pods("test/cpu-eater", "", "150m 150Mi", "", "n6=1")
        .doc(&policy("RemoveDuplicates", "", "{nodeFit: true}", ""));
    check(DUPLICATES, name, evicted_at_start(c), 0);
}

/// upstream: TestFindDuplicatePods "... Only node available has enough CPU, and nodeFit set
/// to true. 1 should be evicted." (n6 runs a 100m/150 pod)
#[test]
fn duplicates_only_other_node_has_cpu() {
    let name = "Three pods in the `node-fit` Namespace, bound to same ReplicaSet. Only node available has enough CPU, and nodeFit set to true. 1 should be evicted.";
    let c = std_node(Cluster::new(), "n1", "", "")
        .node("n6", "200m 200Mi 10", "", "")
        .pods("dev/rs", "", POD, "", "n1=3")
        .pods("test/cpu-saver", "", "100m 150Mi", "", "n6=1")
        .doc(&policy("RemoveDuplicates", "", "{nodeFit: true}", ""));
    check(DUPLICATES, name, evicted_at_start(c), 1);
}

/// upstream: TestRemoveDuplicatesUniformly "Evict pods uniformly" ((5,3,1) -> (3,3,3))
#[test]
fn duplicates_uniformly() {
    check(DUPLICATES, "Evict pods uniformly", duplicates(&["n1", "n2", "n3"], "n1=5 n2=3 n3=1", ""), 2);
}

/// upstream: TestRemoveDuplicatesUniformly "Evict pods uniformly with one node left out"
/// ((5,3) on n1 and n2; upstream's ninth pod is bound to n3, which is not among the nodes, and
/// no plugin sees it)
#[test]
fn duplicates_uniformly_one_node_left_out() {
    check(DUPLICATES, "Evict pods uniformly with one node left out", duplicates(&["n1", "n2"], "n1=5 n2=3", ""), 1);
}

/// upstream: TestRemoveDuplicatesUniformly "Evict pods uniformly with two owner references"
/// (two ReplicaSets, (5,3,1) and (1,3,5), each down to (3,3,3))
#[test]
fn duplicates_uniformly_two_owners() {
    let mut c = Cluster::new();
    for n in ["n1", "n2", "n3"] {
        c = std_node(c, n, "", "");
    }
    let c = c.pods("rs1", "", POD, "", "n1=5 n2=3 n3=1").pods("rs2", "", POD, "", "n1=1 n2=3 n3=5").doc(&policy(
        "RemoveDuplicates",
        "",
        "",
        "",
    ));
    check(DUPLICATES, "Evict pods uniformly with two owner references", evicted_at_start(c), 4);
}

/// upstream: TestRemoveDuplicatesUniformly "Evict pods with number of pods less than nodes"
#[test]
fn duplicates_fewer_pods_than_nodes() {
    check(DUPLICATES, "Evict pods with number of pods less than nodes", duplicates(&["n1", "n2", "n3"], "n1=2", ""), 1);
}

/// upstream: TestRemoveDuplicatesUniformly "Evict pods with a single pod with three nodes"
#[test]
fn duplicates_single_pod() {
    check(DUPLICATES, "Evict pods with a single pod with three nodes", duplicates(&["n1", "n2", "n3"], "n1=1", ""), 0);
}

/// upstream: TestRemoveDuplicatesUniformly "Evict pods uniformly respecting taints": three
/// control-plane nodes with a NoSchedule taint no pod tolerates are not target nodes, so the
/// average is over the three workers. Upstream's pods alternate tolerations of k1=v1 and
/// k2=v2; one template tolerates k1=v1 here (neither toleration matches the control-plane
/// taint, so the target nodes are the same).
#[test]
fn duplicates_uniformly_respecting_taints() {
    let mut c = Cluster::new();
    for n in ["worker1", "worker2", "worker3"] {
        c = std_node(c, n, "", "");
    }
    for n in ["master1", "master2", "master3"] {
        c = std_node(c, n, "", "taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]");
    }
    let c = c
        .pods(
            "rs",
            "",
            POD,
            "tolerations: [{key: k1, value: v1, operator: Equal, effect: NoSchedule}]",
            "worker1=5 worker2=3 worker3=1",
        )
        .doc(&policy("RemoveDuplicates", "", "", ""));
    check(DUPLICATES, "Evict pods uniformly respecting taints", evicted_at_start(c), 2);
}

/// upstream: TestRemoveDuplicatesUniformly "Evict pods uniformly respecting
/// RequiredDuringSchedulingIgnoredDuringExecution node affinity": the pods require that the
/// control-plane label and k1 (or k2: upstream's pods alternate; one template says k1 here,
/// which no node has either) do not exist.
#[test]
fn duplicates_uniformly_respecting_node_affinity() {
    let mut c = Cluster::new();
    for n in ["worker1", "worker2", "worker3"] {
        c = std_node(c, n, "", "");
    }
    for n in ["master1", "master2", "master3"] {
        c = std_node(c, n, "node-role.kubernetes.io/control-plane: \"\"", "");
    }
    let affinity = "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: DoesNotExist}, {key: k1, operator: DoesNotExist}]}]}}}";
    let c =
        c.pods("rs", "", POD, affinity, "worker1=5 worker2=3 worker3=1").doc(&policy("RemoveDuplicates", "", "", ""));
    let name = "Evict pods uniformly respecting RequiredDuringSchedulingIgnoredDuringExecution node affinity";
    check(DUPLICATES, name, evicted_at_start(c), 2);
}

// ---- LowNodeUtilization ----------------------------------------------------------------------

/// The LowNodeUtilization tests' policy: thresholds cpu 30 % and pods 30 %, targets 50 % and
/// 50 %, the evictor with nodeFit (as the test's framework handle sets it).
fn low_policy() -> String {
    policy(
        "LowNodeUtilization",
        "{thresholds: {cpu: 30, pods: 30}, targetThresholds: {cpu: 50, pods: 50}}",
        "{nodeFit: true}",
        "",
    )
}

/// Upstream's pods the evictor refuses (a DaemonSet's, a mirror pod with local storage, a
/// system-critical pod) stand here as pods with local storage, which the evictor refuses too
/// (evictLocalStoragePods is off): they load their node and are never evicted.
const PINNED: &str = "volumes: [{name: scratch, emptyDir: {}}]";

/// upstream: TestLowNodeUtilization "without priorities": n1 runs five evictable 400m pods and
/// three that cannot be evicted (80 % CPU, 8 of 9 pods), n2 one (10 %), n3 is cordoned.
#[test]
fn low_node_utilization_without_priorities() {
    let c = Cluster::new()
        .node("n1", "4000m 3000Mi 9", "", "")
        .node("n2", "4000m 3000Mi 10", "", "")
        .node("n3", "4000m 3000Mi 10", "", "unschedulable: true")
        .pods("rs", "", "400m 0", "", "n1=5 n2=1")
        .pods("pinned", "", "400m 0", PINNED, "n1=3")
        .doc(&low_policy());
    check(LOW, "without priorities", evicted_at_start(c), 4);
}

/// upstream: TestLowNodeUtilization "without priorities, but only other node is unschedulable"
#[test]
fn low_node_utilization_only_other_node_unschedulable() {
    let c = Cluster::new()
        .node("n1", "4000m 3000Mi 9", "", "")
        .node("n2", "4000m 3000Mi 10", "", "unschedulable: true")
        .pods("rs", "", "400m 0", "", "n1=5")
        .pods("pinned", "", "400m 0", PINNED, "n1=3")
        .doc(&low_policy());
    check(LOW, "without priorities, but only other node is unschedulable", evicted_at_start(c), 0);
}

/// upstream: TestLowNodeUtilization "no evictable pods": n1 runs six pods the evictor refuses.
#[test]
fn low_node_utilization_no_evictable_pods() {
    let c = Cluster::new()
        .node("n1", "4000m 3000Mi 9", "", "")
        .node("n2", "4000m 3000Mi 10", "", "")
        .node("n3", "4000m 3000Mi 10", "", "unschedulable: true")
        .pods("rs", "", "400m 0", "", "n2=1")
        .pods("pinned", "", "400m 0", PINNED, "n1=6")
        .doc(&low_policy());
    check(LOW, "no evictable pods", evicted_at_start(c), 0);
}

/// upstream: TestLowNodeUtilization "without priorities, but only other node doesn't match
/// pod node selector for p4 and p5": p4 and p5 select datacenter=west, n2 is east, and with
/// nodeFit they fit nowhere else: p1 to p3 go.
#[test]
fn low_node_utilization_node_selector() {
    let c = Cluster::new()
        .node("n1", "4000m 3000Mi 9", "", "")
        .node("n2", "4000m 3000Mi 10", "datacenter: east", "")
        .pods("rs", "", "400m 0", "", "n1=3")
        .pods("west", "", "400m 0", "nodeSelector: {datacenter: west}", "n1=2")
        .pods("pinned", "", "400m 0", PINNED, "n1=3")
        .doc(&low_policy());
    let name = "without priorities, but only other node doesn't match pod node selector for p4 and p5";
    check(LOW, name, evicted_at_start(c), 3);
}

/// upstream: TestLowNodeUtilization "without priorities, but excluding namespaces": the five
/// evictable pods of n1 are in namespace1, which `evictableNamespaces` excludes, so none goes
/// although n1 stays overutilized (its pods still count in its usage).
#[test]
fn low_node_utilization_excluding_namespaces() {
    let c = Cluster::new()
        .node("n1", "4000m 3000Mi 9", "", "")
        .node("n2", "4000m 3000Mi 10", "", "")
        .node("n3", "4000m 3000Mi 10", "", "unschedulable: true")
        .pods("namespace1/owned", "", "400m 0", "", "n1=5")
        .pods("rs", "", "400m 0", "", "n2=1")
        .pods("pinned", "", "400m 0", PINNED, "n1=3")
        .doc(&policy(
            "LowNodeUtilization",
            "{thresholds: {cpu: 30, pods: 30}, targetThresholds: {cpu: 50, pods: 50}, evictableNamespaces: {exclude: [namespace1]}}",
            "{nodeFit: true}",
            "",
        ));
    check(LOW, "without priorities, but excluding namespaces", evicted_at_start(c), 0);
}

// ---- RemovePodsViolatingNodeTaints -----------------------------------------------------------

/// The tests' toleration of node1's taint testTaint1=test1:NoSchedule.
const TOLERATES: &str = "tolerations: [{key: testTaint1, value: test1, effect: NoSchedule}]";
const TAINT1: &str = "taints: [{key: testTaint1, value: test1, effect: NoSchedule}]";

/// n1 tainted testTaint1=test1:NoSchedule and the spare node; `tolerating` pods tolerating the
/// taint, `plain` pods without tolerations, on n1; RemovePodsViolatingNodeTaints with `args`
/// and policy-level `top`.
fn on_tainted_node(tolerating: i64, plain: i64, args: &str, top: &str) -> i64 {
    let mut c = std_node(std_node(Cluster::new(), "n1", "", TAINT1), "spare", "", "");
    if tolerating > 0 {
        c = c.pods("tolerating", "", POD, TOLERATES, &format!("n1={tolerating}"));
    }
    if plain > 0 {
        c = c.pods("plain", "", POD, "", &format!("n1={plain}"));
    }
    evicted_at_start(c.doc(&policy("RemovePodsViolatingNodeTaints", args, "", top)))
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pods not tolerating node taint should be evicted"
#[test]
fn taints_untolerating_evicted() {
    check(TAINTS, "Pods not tolerating node taint should be evicted", on_tainted_node(2, 1, "", ""), 1);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pods with tolerations but not tolerating node taint should be evicted"
/// (p4 tolerates testTaintX1=testX1)
#[test]
fn taints_other_toleration_evicted() {
    let c = std_node(std_node(Cluster::new(), "n1", "", TAINT1), "spare", "", "")
        .pods("tolerating", "", POD, TOLERATES, "n1=2")
        .pods("other", "", POD, "tolerations: [{key: testTaintX1, value: testX1, effect: NoSchedule}]", "n1=1")
        .doc(&policy("RemovePodsViolatingNodeTaints", "", "", ""));
    check(TAINTS, "Pods with tolerations but not tolerating node taint should be evicted", evicted_at_start(c), 1);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Only <maxNoOfPodsToEvictTotal> number of Pods not tolerating node taint should be evicted"
#[test]
fn taints_max_total() {
    let got = on_tainted_node(1, 2, "", "maxNoOfPodsToEvictPerNode: 2\nmaxNoOfPodsToEvictTotal: 1");
    check(TAINTS, "Only <maxNoOfPodsToEvictTotal> number of Pods not tolerating node taint should be evicted", got, 1);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Only <maxPodsToEvictPerNode> number of Pods not tolerating node taint should be evicted"
#[test]
fn taints_max_per_node() {
    let got = on_tainted_node(1, 2, "", "maxNoOfPodsToEvictPerNode: 1");
    check(TAINTS, "Only <maxPodsToEvictPerNode> number of Pods not tolerating node taint should be evicted", got, 1);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Only <maxNoOfPodsToEvictPerNamespace> number of Pods not tolerating node taint should be evicted"
#[test]
fn taints_max_per_namespace() {
    let got = on_tainted_node(1, 2, "", "maxNoOfPodsToEvictPerNamespace: 1");
    check(
        TAINTS,
        "Only <maxNoOfPodsToEvictPerNamespace> number of Pods not tolerating node taint should be evicted",
        got,
        1,
    );
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pod p2 doesn't tolerate taint on it's node, but
/// also doesn't tolerate taints on other nodes" (n2's taint is the same testTaint1=test1, as
/// the test's helper builds it; nodeFit)
#[test]
fn taints_no_other_node_tolerated() {
    let c = std_node(std_node(Cluster::new(), "n1", "", TAINT1), "n2", "", TAINT1)
        .pods("tolerating", "", POD, TOLERATES, "n1=2")
        .pods("plain", "", POD, "", "n1=1")
        .doc(&policy("RemovePodsViolatingNodeTaints", "", "{nodeFit: true}", ""));
    let name = "Pod p2 doesn't tolerate taint on it's node, but also doesn't tolerate taints on other nodes";
    check(TAINTS, name, evicted_at_start(c), 0);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pod p2 doesn't tolerate taint on it's node, but other nodes are unschedulable"
#[test]
fn taints_other_node_unschedulable() {
    let c = std_node(std_node(Cluster::new(), "n1", "", TAINT1), "n4", "", "unschedulable: true")
        .pods("tolerating", "", POD, TOLERATES, "n1=2")
        .pods("plain", "", POD, "", "n1=1")
        .doc(&policy("RemovePodsViolatingNodeTaints", "", "{nodeFit: true}", ""));
    let name = "Pod p2 doesn't tolerate taint on it's node, but other nodes are unschedulable";
    check(TAINTS, name, evicted_at_start(c), 0);
}

/// n5 with testTaint1=test1:PreferNoSchedule, p13 tolerating testTaint0=test0 only.
fn prefer_no_schedule(args: &str) -> i64 {
    let c = std_node(
        std_node(Cluster::new(), "n5", "", "taints: [{key: testTaint1, value: test1, effect: PreferNoSchedule}]"),
        "spare",
        "",
        "",
    )
    .pods("p13", "", POD, "tolerations: [{key: testTaint0, value: test0, effect: PreferNoSchedule}]", "n5=1")
    .doc(&policy("RemovePodsViolatingNodeTaints", args, "", ""));
    evicted_at_start(c)
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pods not tolerating PreferNoSchedule node taint should not be evicted when not enabled"
#[test]
fn taints_prefer_no_schedule_off() {
    let name = "Pods not tolerating PreferNoSchedule node taint should not be evicted when not enabled";
    check(TAINTS, name, prefer_no_schedule(""), 0);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pods not tolerating PreferNoSchedule node taint should be evicted when enabled"
#[test]
fn taints_prefer_no_schedule_on() {
    let name = "Pods not tolerating PreferNoSchedule node taint should be evicted when enabled";
    check(TAINTS, name, prefer_no_schedule("{includePreferNoSchedule: true}"), 1);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pods not tolerating excluded node taints (by key) should not be evicted"
#[test]
fn taints_excluded_by_key() {
    let got = on_tainted_node(0, 1, "{excludedTaints: [excludedTaint1, testTaint1]}", "");
    check(TAINTS, "Pods not tolerating excluded node taints (by key) should not be evicted", got, 0);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pods not tolerating excluded node taints (by key and value) should not be evicted"
#[test]
fn taints_excluded_by_key_and_value() {
    let got = on_tainted_node(0, 1, "{excludedTaints: [testTaint1=test1]}", "");
    check(TAINTS, "Pods not tolerating excluded node taints (by key and value) should not be evicted", got, 0);
}

/// upstream: TestDeletePodsViolatingNodeTaints "The excluded taint matches the key of node1's taint, but does not match the value"
#[test]
fn taints_excluded_other_value() {
    let got = on_tainted_node(0, 1, "{excludedTaints: [testTaint1=test2]}", "");
    check(TAINTS, "The excluded taint matches the key of node1's taint, but does not match the value", got, 1);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pods not tolerating not included taints should
/// not get evicted" (p1 tolerates, p2 has no toleration, p4 tolerates testTaintX1)
#[test]
fn taints_not_included() {
    let c = std_node(std_node(Cluster::new(), "n1", "", TAINT1), "spare", "", "")
        .pods("tolerating", "", POD, TOLERATES, "n1=1")
        .pods("plain", "", POD, "", "n1=1")
        .pods("other", "", POD, "tolerations: [{key: testTaintX1, value: testX1, effect: NoSchedule}]", "n1=1")
        .doc(&policy("RemovePodsViolatingNodeTaints", "{includedTaints: [testTaint2=test2]}", "", ""));
    check(TAINTS, "Pods not tolerating not included taints should not get evicted", evicted_at_start(c), 0);
}

/// upstream: TestDeletePodsViolatingNodeTaints "Pods tolerating includedTaint should not get evicted. Pods not tolerating includedTaints should get evicted"
#[test]
fn taints_included() {
    let got = on_tainted_node(2, 1, "{includedTaints: [testTaint1=test1]}", "");
    let name =
        "Pods tolerating includedTaint should not get evicted. Pods not tolerating includedTaints should get evicted";
    check(TAINTS, name, got, 1);
}

// ---- RemovePodsViolatingNodeAffinity ---------------------------------------------------------

const REQUIRED: &str = "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/desiredNode, operator: In, values: [\"yes\"]}]}]}}}";
const PREFERRED: &str = "affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, preference: {matchExpressions: [{key: kubernetes.io/desiredNode, operator: In, values: [\"yes\"]}]}}]}}";
const DESIRED: &str = "kubernetes.io/desiredNode: \"yes\"";

/// The tests' three pods on `on`: podWithNodeAffinity (`affinity`) and pod1, pod2 without
/// affinity; nodes `nodes` as (name, labels, spec); the plugin for `kind`
/// (requiredDuringSchedulingIgnoredDuringExecution or preferred...), with the evictor's
/// `evictor` args and the policy-level `top`.
fn affinity_case(
    nodes: &[(&str, &str, &str)],
    on: &str,
    affinity: &str,
    kind: &str,
    evictor: &str,
    top: &str,
) -> Cluster {
    let mut c = Cluster::new();
    for (n, labels, spec) in nodes {
        c = std_node(c, n, labels, spec);
    }
    c.pods("with-affinity", "", POD, affinity, &format!("{on}=1"))
        .pods("plain", "", POD, "", &format!("{on}=2"))
        .doc(&policy("RemovePodsViolatingNodeAffinity", &format!("{{nodeAffinityType: [{kind}]}}"), evictor, top))
}

const REQ: &str = "requiredDuringSchedulingIgnoredDuringExecution";
const PREF: &str = "preferredDuringSchedulingIgnoredDuringExecution";

/// upstream: TestRemovePodsViolatingNodeAffinity "Pod is correctly scheduled on node, no eviction expected [required affinity]"
#[test]
fn affinity_correctly_scheduled_required() {
    let c =
        affinity_case(&[("nodeWithLabels", DESIRED, ""), ("spare", "", "")], "nodeWithLabels", REQUIRED, REQ, "", "");
    check(
        AFFINITY,
        "Pod is correctly scheduled on node, no eviction expected [required affinity]",
        evicted_at_start(c),
        0,
    );
}

/// upstream: TestRemovePodsViolatingNodeAffinity "Pod is scheduled on node without matching labels, another schedulable node available, should be evicted"
#[test]
fn affinity_required_violated() {
    let c = affinity_case(
        &[("nodeWithoutLabels", "", ""), ("nodeWithLabels", DESIRED, "")],
        "nodeWithoutLabels",
        REQUIRED,
        REQ,
        "",
        "",
    );
    let name =
        "Pod is scheduled on node without matching labels, another schedulable node available, should be evicted";
    check(AFFINITY, name, evicted_at_start(c), 1);
}

/// upstream: TestRemovePodsViolatingNodeAffinity "Pod is scheduled on node without matching labels, another schedulable node available with better fit, should be evicted"
#[test]
fn affinity_preferred_violated() {
    let c = affinity_case(
        &[("nodeWithoutLabels", "", ""), ("nodeWithLabels", DESIRED, "")],
        "nodeWithoutLabels",
        PREFERRED,
        PREF,
        "",
        "",
    );
    let name = "Pod is scheduled on node without matching labels, another schedulable node available with better fit, should be evicted";
    check(AFFINITY, name, evicted_at_start(c), 1);
}

/// upstream: TestRemovePodsViolatingNodeAffinity "Pod is scheduled on node without matching labels, another schedulable node available, maxPodsToEvictPerNode set to 0, should be not evicted [required affinity]"
#[test]
fn affinity_required_max_per_node_zero() {
    let c = affinity_case(
        &[("nodeWithoutLabels", "", ""), ("nodeWithLabels", DESIRED, "")],
        "nodeWithoutLabels",
        REQUIRED,
        REQ,
        "",
        "maxNoOfPodsToEvictPerNode: 0",
    );
    let name = "Pod is scheduled on node without matching labels, another schedulable node available, maxPodsToEvictPerNode set to 0, should be not evicted [required affinity]";
    check(AFFINITY, name, evicted_at_start(c), 0);
}

/// upstream: TestRemovePodsViolatingNodeAffinity "Pod is scheduled on node without matching labels, another schedulable node available, maxPodsToEvictPerNode set to 1, no pod evicted since pod terminating [required affinity]"
#[test]
fn affinity_required_pod_terminating() {
    let c = affinity_case(
        &[("nodeWithoutLabels", "", ""), ("nodeWithLabels", DESIRED, "")],
        "nodeWithoutLabels",
        REQUIRED,
        REQ,
        "",
        "maxNoOfPodsToEvictPerNode: 1",
    );
    let m = c.model();
    let mut st = initial(&m);
    let n = node(&m, "nodeWithoutLabels");
    for g in [group(&m, "with-affinity"), group(&m, "plain")] {
        let k = st.running[m.start_kind[g]][n];
        unstart(&m, &mut st, g, n, k, Phase::Terminating);
    }
    let name = "Pod is scheduled on node without matching labels, another schedulable node available, maxPodsToEvictPerNode set to 1, no pod evicted since pod terminating [required affinity]";
    check(AFFINITY, name, evicted(&m, &st), 0);
}

/// upstream: TestRemovePodsViolatingNodeAffinity "Pod is scheduled on node without matching labels, but no node where pod fits is available, should not evict [required affinity]"
#[test]
fn affinity_required_no_node_fits() {
    let c = affinity_case(
        &[("nodeWithoutLabels", "", ""), ("unschedulableNodeWithLabels", DESIRED, "unschedulable: true")],
        "nodeWithoutLabels",
        REQUIRED,
        REQ,
        "{nodeFit: true}",
        "",
    );
    let name = "Pod is scheduled on node without matching labels, but no node where pod fits is available, should not evict [required affinity]";
    check(AFFINITY, name, evicted_at_start(c), 0);
}

/// upstream: TestRemovePodsViolatingNodeAffinity "Pod is scheduled on node without matching labels, but no node where pod fits is available, should not evict [preferred affinity]"
#[test]
fn affinity_preferred_no_node_fits() {
    let c = affinity_case(
        &[("nodeWithoutLabels", "", ""), ("unschedulableNodeWithLabels", DESIRED, "unschedulable: true")],
        "nodeWithoutLabels",
        PREFERRED,
        PREF,
        "{nodeFit: true}",
        "",
    );
    let name = "Pod is scheduled on node without matching labels, but no node where pod fits is available, should not evict [preferred affinity]";
    check(AFFINITY, name, evicted_at_start(c), 0);
}

// ---- RemovePodsViolatingTopologySpreadConstraint -----------------------------------------------

/// Zone-labelled nodes n1.. (zoneA, zoneB, ...) with `sizes` pods labelled foo=bar each, all of
/// one ReplicaSet upstream; the first pod of the first non-empty node carries a zone
/// constraint (maxSkew `skew`, DoNotSchedule, selecting foo=bar), the others none. kbmc takes
/// constraints from templates, so the carrier is a Deployment of its own selected by the
/// same foo=bar.
fn spread(sizes: &[i64], skew: i64) -> i64 {
    spread_with(sizes, skew, "", "")
}

/// As `spread`, with the plugin's `args` and the evictor's `evictor` args (flow mappings).
fn spread_with(sizes: &[i64], skew: i64, args: &str, evictor: &str) -> i64 {
    let mut c = Cluster::new();
    let zones = ["zoneA", "zoneB", "zoneC", "zoneD"];
    for (i, _) in sizes.iter().enumerate() {
        c = std_node(c, &format!("n{}", i + 1), &format!("zone: {}", zones[i]), "");
    }
    let first = sizes.iter().position(|&s| s > 0).expect("some pod");
    let constraint = format!("topologySpreadConstraints: [{{maxSkew: {skew}, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{foo: bar}}}}}}]");
    c = c.pods("ns1/carrier", "foo: bar", POD, &constraint, &format!("n{}=1", first + 1));
    let rest: Vec<String> = sizes
        .iter()
        .enumerate()
        .map(|(i, &s)| (i, if i == first { s - 1 } else { s }))
        .filter(|(_, s)| *s > 0)
        .map(|(i, s)| format!("n{}={s}", i + 1))
        .collect();
    if !rest.is_empty() {
        c = c.pods("ns1/others", "foo: bar", POD, "", &rest.join(" "));
    }
    evicted_at_start(c.doc(&policy("RemovePodsViolatingTopologySpreadConstraint", args, evictor, "")))
}

/// upstream: TestTopologySpreadConstraint "2 domains, sizes [2,1], maxSkew=1, move 0 pods"
#[test]
fn spread_2_1() {
    check(SPREAD, "2 domains, sizes [2,1], maxSkew=1, move 0 pods", spread(&[2, 1], 1), 0);
}

/// upstream: TestTopologySpreadConstraint "2 domains, sizes [3,1], maxSkew=1, move 1 pod to achieve [2,2]"
#[test]
fn spread_3_1() {
    check(SPREAD, "2 domains, sizes [3,1], maxSkew=1, move 1 pod to achieve [2,2]", spread(&[3, 1], 1), 1);
}

/// upstream: TestTopologySpreadConstraint "2 domains, sizes [5,2], maxSkew=1, move 1 pod to achieve [4,3]"
#[test]
fn spread_5_2() {
    check(SPREAD, "2 domains, sizes [5,2], maxSkew=1, move 1 pod to achieve [4,3]", spread(&[5, 2], 1), 1);
}

/// upstream: TestTopologySpreadConstraint "2 domains, sizes [4,0], maxSkew=1, move 2 pods to achieve [2,2]"
#[test]
fn spread_4_0() {
    check(SPREAD, "2 domains, sizes [4,0], maxSkew=1, move 2 pods to achieve [2,2]", spread(&[4, 0], 1), 2);
}

/// upstream: TestTopologySpreadConstraint "4 domains, sizes [0, 1, 3, 5], should move 3 to get [2, 2, 3, 2]"
#[test]
fn spread_0_1_3_5() {
    check(SPREAD, "4 domains, sizes [0, 1, 3, 5], should move 3 to get [2, 2, 3, 2]", spread(&[0, 1, 3, 5], 1), 3);
}

/// upstream: TestTopologySpreadConstraint "2 domains size [2 6], maxSkew=2, should move 1 to get [3 5]"
#[test]
fn spread_2_6_skew_2() {
    check(SPREAD, "2 domains size [2 6], maxSkew=2, should move 1 to get [3 5]", spread(&[2, 6], 2), 1);
}

/// upstream: TestTopologySpreadConstraint "2 domains, sizes [3,1], maxSkew=1, move 1 pod to
/// achieve [2,2], exclude kube-system namespace" (the pods are in ns1; nodeFit)
#[test]
fn spread_3_1_exclude_kube_system() {
    let name = "2 domains, sizes [3,1], maxSkew=1, move 1 pod to achieve [2,2], exclude kube-system namespace";
    let got = spread_with(&[3, 1], 1, "{namespaces: {exclude: [kube-system]}}", "{nodeFit: true}");
    check(SPREAD, name, got, 1);
}

/// One upstream `testPodList` as a Deployment: its name, its pod-spec YAML (the constraint
/// and any nodeSelector or affinity) and where its pods run ("a1=1").
struct PodList {
    name: &'static str,
    spec: String,
    on: &'static str,
}

/// Every order of `items`.
fn orders<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in orders(&rest) {
            tail.insert(0, first.clone());
            out.push(tail);
        }
    }
    out
}

/// Pods evicted per node (by upstream node name) in every outcome of one descheduler run over
/// every node order and group order the run takes.
fn evictions_per_node(m: &Model, names: &[&str]) -> std::collections::BTreeSet<Vec<i64>> {
    use kbmc::domain::Concrete;
    use kbmc::model::controllers::descheduler as ds;
    let st = initial(m);
    let mut out = std::collections::BTreeSet::new();
    for c in 0..ds::group_choice_count(m) {
        for v in 0..ds::order_count(m) {
            let (after, possible) = ds::run(&Concrete, m, &st, &ds::permutation(m.nodes(), v), c);
            if possible {
                let per_node = |s: &State, n: usize| -> i64 {
                    (0..m.ir.groups.len()).map(|g| s.terminating[g][n] + s.evicting.get(g).map_or(0, |r| r[n])).sum()
                };
                out.insert(names.iter().map(|&x| per_node(&after, node(m, x)) - per_node(&st, node(m, x))).collect());
            }
        }
    }
    out
}

/// A spread case with its pod lists as Deployments in every order the input can list them:
/// `nodes` adds the nodes, `lists` the pods (all labelled foo=bar, in namespace ns1), the
/// plugin runs with the evictor's `evictor` args. Returns, for every order, the eviction
/// count (`evicted` checks it is the same for every node and group order) and the evictions
/// per node (`node_names`) of every outcome; the orders must agree.
fn spread_every_order(
    nodes: impl Fn(Cluster) -> Cluster,
    lists: &[PodList],
    evictor: &str,
    node_names: &[&str],
) -> (i64, std::collections::BTreeSet<Vec<i64>>) {
    let idx: Vec<usize> = (0..lists.len()).collect();
    let mut seen: Option<(i64, std::collections::BTreeSet<Vec<i64>>)> = None;
    for order in orders(&idx) {
        let mut c = nodes(Cluster::new());
        for &i in &order {
            let l = &lists[i];
            c = c.pods(&format!("ns1/{}", l.name), "foo: bar", POD, &l.spec, l.on);
        }
        let m = c.doc(&policy("RemovePodsViolatingTopologySpreadConstraint", "", evictor, "")).model();
        let got = (evicted(&m, &initial(&m)), evictions_per_node(&m, node_names));
        let names: Vec<&str> = order.iter().map(|&i| lists[i].name).collect();
        match &seen {
            None => seen = Some(got),
            Some(first) => assert_eq!(&got, first, "Deployments listed as {names:?}"),
        }
    }
    seen.expect("some order")
}

/// The zone constraint of upstream's getDefaultTopologyConstraints(1), with `extra` fields.
fn zone_constraint(extra: &str) -> String {
    format!("topologySpreadConstraints: [{{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{foo: bar}}}}{extra}}}]")
}

/// upstream: TestTopologySpreadConstraint "2 domains, sizes [4,0], maxSkew=1, only move 1 pod
/// since pods with nodeSelector and nodeAffinity aren't evicted" (nodeFit): of n1's 4 pods,
/// 2 select zoneA and 1 requires a label no node has; the plain one is the only pod that fits
/// n2, balanceDomains' stable sort takes it first, and the second move lands on a pod that
/// fits nowhere, which topologyBalanceNodeFit leaves. The pod with an affinity no node
/// matches runs on n1 in upstream's fixture; kbmc places it there as the test does.
#[test]
fn spread_4_0_selectors_and_affinity_stay() {
    let name = "2 domains, sizes [4,0], maxSkew=1, only move 1 pod since pods with nodeSelector and nodeAffinity aren't evicted";
    let c = zone_constraint("");
    let lists = [
        PodList { name: "pinned", spec: format!("{c}\nnodeSelector: {{zone: zoneA}}"), on: "n1=2" },
        PodList {
            name: "affine",
            spec: format!("{c}\naffinity: {{nodeAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {{nodeSelectorTerms: [{{matchExpressions: [{{key: foo, operator: In, values: [bar]}}]}}]}}}}}}"),
            on: "n1=1",
        },
        PodList { name: "plain", spec: c.clone(), on: "n1=1" },
    ];
    let nodes = |c: Cluster| std_node(std_node(c, "n1", "zone: zoneA", ""), "n2", "zone: zoneB", "");
    let (got, per_node) = spread_every_order(nodes, &lists, "{nodeFit: true}", &["n1", "n2"]);
    check(SPREAD, name, got, 1);
    assert_eq!(per_node.into_iter().collect::<Vec<_>>(), vec![vec![1, 0]], "{SPREAD} \"{name}\"");
}

/// upstream: TestTopologySpreadConstraint "2 domains, sizes [[1,4], [2,1]], maxSkew=1, NodeFit
/// is enabled; should move 1": zoneA (A1 1, A2 4) gives one pod to zoneB (B1 2, B2 1).
/// Upstream's pods tie in every sort and it evicts pod-4, on A2, the last its sorted lister
/// returns; kbmc has a run for each node of the domain, A2's among them.
#[test]
fn spread_1_4_2_1_node_fit() {
    let name = "2 domains, sizes [[1,4], [2,1]], maxSkew=1, NodeFit is enabled; should move 1";
    let c = zone_constraint("");
    let lists = [
        PodList { name: "on-a1", spec: c.clone(), on: "a1=1" },
        PodList { name: "on-a2", spec: c.clone(), on: "a2=4" },
        PodList { name: "on-b1", spec: c.clone(), on: "b1=2" },
        PodList { name: "on-b2", spec: c.clone(), on: "b2=1" },
    ];
    let nodes = |mut c: Cluster| {
        for (n, z) in [("A1", "zoneA"), ("A2", "zoneA"), ("B1", "zoneB"), ("B2", "zoneB")] {
            c = c.node(n, "1000m 2000Mi 9", &format!("zone: {z}"), "");
        }
        c
    };
    let (got, per_node) = spread_every_order(nodes, &lists, "{nodeFit: true}", &["A1", "A2", "B1", "B2"]);
    check(SPREAD, name, got, 1);
    assert!(
        per_node.contains(&vec![0, 1, 0, 0]),
        "{SPREAD} \"{name}\": upstream evicts pod-4 on A2; kbmc: {per_node:?}"
    );
}

/// upstream: TestTopologySpreadConstraint "3 domains, sizes [2, 1, 0] with selectors,
/// maxSkew=1, nodeTaintsPolicy=Ignore, should move 1 for [1, 1, 1]" (its constraints set
/// nodeAffinityPolicy Ignore): A1 runs pod-0 (nodeSelector arch) and pod-1 (nodeSelector
/// zoneA and arch), B1 pod-2 (arch). Both of A1's pods have selectors and tie in sortDomains;
/// only pod-0 fits C1, the below-average node, so balanceDomains' stable sort takes it.
#[test]
fn spread_2_1_0_with_selectors() {
    let name =
        "3 domains, sizes [2, 1, 0] with selectors, maxSkew=1, nodeTaintsPolicy=Ignore, should move 1 for [1, 1, 1]";
    let c = zone_constraint(", nodeAffinityPolicy: Ignore");
    let lists = [
        PodList { name: "arm", spec: format!("{c}\nnodeSelector: {{kubernetes.io/arch: arm64}}"), on: "a1=1 b1=1" },
        PodList {
            name: "arm-in-a",
            spec: format!("{c}\nnodeSelector: {{zone: zoneA, kubernetes.io/arch: arm64}}"),
            on: "a1=1",
        },
    ];
    let nodes = |mut c: Cluster| {
        for (n, z) in [("A1", "zoneA"), ("B1", "zoneB"), ("C1", "zoneC")] {
            c = c.node(n, "1000m 2000Mi 9", &format!("zone: {z}, kubernetes.io/arch: arm64"), "");
        }
        c
    };
    let (got, per_node) = spread_every_order(nodes, &lists, "", &["A1", "B1", "C1"]);
    check(SPREAD, name, got, 1);
    assert_eq!(per_node.into_iter().collect::<Vec<_>>(), vec![vec![1, 0, 0]], "{SPREAD} \"{name}\"");
}

// ---- plugin args validation --------------------------------------------------------------------

/// A plain two-node cluster with one Deployment and `plugin` configured with `args`: kbmc's
/// input errors, or none.
fn args_errors(plugin: &str, args: &str) -> String {
    let c = std_node(std_node(Cluster::new(), "n1", "", ""), "n2", "", "")
        .pods("rs", "", POD, "", "n1=1")
        .doc(&policy(plugin, args, "", ""));
    build(&c.yaml()).err().unwrap_or_default()
}

/// Checks one validation case: accepted when `error` is empty, else refused with an error at
/// the plugin's args naming `field` and quoting upstream's message `error`.
fn check_args(file: &str, upstream: &str, plugin: &str, args: &str, field: &str, error: &str) {
    let errors = args_errors(plugin, args);
    if error.is_empty() {
        assert!(errors.is_empty(), "{file} \"{upstream}\": accepted upstream, kbmc refuses: {errors}");
    } else {
        let at = format!("profiles[0].pluginConfig[1].args.{field}");
        assert!(
            errors.contains(&at) && errors.contains(error),
            "{file} \"{upstream}\": refused upstream with {error:?}, kbmc says: {errors:?}"
        );
    }
}

const BOTH: &str = "only one of Include/Exclude namespaces can be set";

/// upstream: TestValidateRemovePodsViolatingNodeTaintsArgs (removeduplicates) "valid namespace args, no errors"
#[test]
fn duplicates_args_namespaces_include() {
    let args = "{excludeOwnerKinds: [Job], namespaces: {include: [default]}}";
    check_args(DUPLICATES_ARGS, "valid namespace args, no errors", "RemoveDuplicates", args, "", "");
}

/// upstream: TestValidateRemovePodsViolatingNodeTaintsArgs (removeduplicates) "invalid namespaces args, expects error"
#[test]
fn duplicates_args_namespaces_both() {
    let args = "{excludeOwnerKinds: [Job], namespaces: {include: [default], exclude: [kube-system]}}";
    check_args(DUPLICATES_ARGS, "invalid namespaces args, expects error", "RemoveDuplicates", args, "namespaces", BOTH);
}

/// upstream: TestValidateRemovePodsViolatingTopologySpreadConstraintArgs "valid namespace args, no errors"
#[test]
fn spread_args_namespaces_include() {
    let plugin = "RemovePodsViolatingTopologySpreadConstraint";
    check_args(SPREAD_ARGS, "valid namespace args, no errors", plugin, "{namespaces: {include: [default]}}", "", "");
}

/// upstream: TestValidateRemovePodsViolatingTopologySpreadConstraintArgs "invalid namespaces args, expects error"
#[test]
fn spread_args_namespaces_both() {
    let plugin = "RemovePodsViolatingTopologySpreadConstraint";
    let args = "{namespaces: {include: [default], exclude: [kube-system]}}";
    check_args(SPREAD_ARGS, "invalid namespaces args, expects error", plugin, args, "namespaces", BOTH);
}

/// upstream: TestValidateRemovePodsViolatingNodeTaintsArgs "valid namespace args, no errors"
#[test]
fn taints_args_namespaces_include() {
    let plugin = "RemovePodsViolatingNodeTaints";
    check_args(TAINTS_ARGS, "valid namespace args, no errors", plugin, "{namespaces: {include: [default]}}", "", "");
}

/// upstream: TestValidateRemovePodsViolatingNodeTaintsArgs "invalid namespaces args, expects error"
#[test]
fn taints_args_namespaces_both() {
    let plugin = "RemovePodsViolatingNodeTaints";
    let args = "{namespaces: {include: [default], exclude: [kube-system]}}";
    check_args(TAINTS_ARGS, "invalid namespaces args, expects error", plugin, args, "namespaces", BOTH);
}

/// upstream: TestValidateRemovePodsViolatingNodeAffinityArgs "invalid namespaces args, expects error"
#[test]
fn affinity_args_namespaces_both() {
    let plugin = "RemovePodsViolatingNodeAffinity";
    let args = format!("{{nodeAffinityType: [{REQ}], namespaces: {{include: [default], exclude: [kube-system]}}}}");
    check_args(AFFINITY_ARGS, "invalid namespaces args, expects error", plugin, &args, "namespaces", BOTH);
}

/// upstream: TestValidateRemovePodsViolatingNodeAffinityArgs "nil NodeAffinityType args and
/// invalid namespaces args, expects error": both errors.
#[test]
fn affinity_args_no_type_and_namespaces_both() {
    let name = "nil NodeAffinityType args and invalid namespaces args, expects error";
    let plugin = "RemovePodsViolatingNodeAffinity";
    let args = "{nodeAffinityType: [], namespaces: {include: [default], exclude: [kube-system]}}";
    check_args(AFFINITY_ARGS, name, plugin, args, "namespaces", BOTH);
    check_args(AFFINITY_ARGS, name, plugin, args, "nodeAffinityType", "required");
}

/// upstream: TestValidateRemovePodsViolatingNodeTaintsArgs "valid taint filters, no errors"
#[test]
fn taints_args_excluded_only() {
    let plugin = "RemovePodsViolatingNodeTaints";
    check_args(TAINTS_ARGS, "valid taint filters, no errors", plugin, "{excludedTaints: [testTaint1=test1]}", "", "");
}

/// upstream: TestValidateRemovePodsViolatingNodeTaintsArgs "invalid taint filters args, expects errors"
#[test]
fn taints_args_included_and_excluded() {
    let plugin = "RemovePodsViolatingNodeTaints";
    let args = "{excludedTaints: [do-not-evict], includedTaints: [testTaint1=test1]}";
    let error = "either includedTaints or excludedTaints can be set, but not both";
    check_args(TAINTS_ARGS, "invalid taint filters args, expects errors", plugin, args, "includedTaints", error);
}
