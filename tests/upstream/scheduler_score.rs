//! kube-scheduler score plugins: kubernetes/kubernetes pkg/scheduler/framework/plugins/
//! (noderesources/least_allocated_test.go, most_allocated_test.go,
//! balanced_allocation_test.go; tainttoleration/taint_toleration_test.go
//! TestTaintTolerationScore; nodeaffinity/node_affinity_test.go TestNodeAffinityPriority). Each case runs the scheduler with the one score plugin under test
//! (weight 1, every other score plugin disabled) and checks every node's score against the
//! upstream test's expected list, and that the bind steps go to exactly the top-scoring
//! feasible nodes. Upstream's memory quantities are bytes; here they are MiB (scores read only
//! ratios, see README.md). Upstream's CPU quantities are kept as they are.

use super::*;

const LEAST: &str = "kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go";
const MOST: &str = "kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go";
const BALANCED: &str =
    "kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go";
const TAINTS: &str = "kubernetes/kubernetes pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go";

/// Checks the scores of nodes `names` (all the cluster's nodes, in order) and that the binds
/// are the feasible nodes with the top score.
fn check(file: &str, upstream: &str, m: &Model, names: &[&str], want: &[i64]) {
    let s = schedule(m, "pod");
    let got: Vec<String> = m.ir.nodes.iter().map(|n| n.name.clone()).collect();
    let names: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(got, names, "{file} \"{upstream}\": nodes");
    assert_eq!(s.scores, want, "{file} \"{upstream}\": scores of {names:?}");
    let top = s.feasible.iter().map(|n| s.scores[node(m, n)]).max();
    let best: Vec<String> = s.feasible.iter().filter(|n| Some(s.scores[node(m, n)]) == top).cloned().collect();
    assert_eq!(s.binds, best, "{file} \"{upstream}\": binds");
}

/// A cluster of nodes ("name cpu memory"), existing pods ("node cpu memory", one Deployment
/// each) and the pending pod requesting `pod` ("cpu memory", empty for none), scored by
/// `plugin` alone with `config` as its pluginConfig.
fn cluster(nodes: &[&str], existing: &[&str], pod: &str, plugin: &str, config: &str) -> Model {
    let mut c = Cluster::new();
    for n in nodes {
        let v: Vec<&str> = n.split_whitespace().collect();
        c = c.node(v[0], &format!("{} {}Mi", v[1], v[2]), "", "");
    }
    for (i, p) in existing.iter().enumerate() {
        let v: Vec<&str> = p.split_whitespace().collect();
        let requests = if v.len() == 3 { format!("{} {}Mi", v[1], v[2]) } else { String::new() };
        c = c.pods(&format!("existing{i}"), "", &requests, "", &format!("{}=1", v[0]));
    }
    let pod = match pod.split_whitespace().collect::<Vec<_>>()[..] {
        [cpu, mem] => format!("{cpu} {mem}Mi"),
        _ => String::new(),
    };
    c.pods("pod", "", &pod, "", "").doc(&score_only(plugin, config)).model()
}

fn strategy(kind: &str, resources: &str) -> String {
    let resources = if resources.is_empty() { String::new() } else { format!(", resources: {resources}") };
    format!("[{{name: NodeResourcesFit, args: {{scoringStrategy: {{type: {kind}{resources}}}}}}}]")
}

/// upstream: TestLeastAllocatedScoringStrategy "nothing scheduled, resources requested, differently sized nodes"
/// (the pod's two containers request 1000+2000 CPU and 2000+3000 memory)
#[test]
fn least_allocated_differently_sized_nodes() {
    let name = "nothing scheduled, resources requested, differently sized nodes";
    let m = cluster(&["node1 4000 10000", "node2 6000 10000"], &[], "3000 5000", "NodeResourcesFit", "");
    check(LEAST, name, &m, &["node1", "node2"], &[37, 50]);
}

/// upstream: TestLeastAllocatedScoringStrategy "resources requested, pods scheduled with resources".
/// node1's pod requests an explicit 0 of memory, which scoring counts as 0 (not 200Mi).
#[test]
fn least_allocated_pods_scheduled_with_resources() {
    let name = "resources requested, pods scheduled with resources";
    let m = cluster(
        &["node1 10000 20000", "node2 10000 20000"],
        &["node1 3000 0", "node2 3000 5000"],
        "3000 5000",
        "NodeResourcesFit",
        "",
    );
    check(LEAST, name, &m, &["node1", "node2"], &[57, 45]);
}

/// upstream: TestLeastAllocatedScoringStrategy "resources requested, pods scheduled with resources, differently sized nodes"
#[test]
fn least_allocated_pods_scheduled_differently_sized_nodes() {
    let name = "resources requested, pods scheduled with resources, differently sized nodes";
    let m = cluster(
        &["node1 10000 20000", "node2 10000 50000"],
        &["node1 3000 0", "node2 3000 5000"],
        "3000 5000",
        "NodeResourcesFit",
        "",
    );
    check(LEAST, name, &m, &["node1", "node2"], &[57, 60]);
}

/// upstream: TestLeastAllocatedScoringStrategy "requested resources exceed node capacity":
/// the pod and node1's pod request an explicit 0 of memory, which scoring counts as 0 (a
/// 200Mi stand-in would score 48 and 24).
#[test]
fn least_allocated_requested_exceeds_capacity() {
    let name = "requested resources exceed node capacity";
    let m = cluster(
        &["node1 4000 10000", "node2 4000 10000"],
        &["node1 3000 0", "node2 3000 5000"],
        "3000 0",
        "NodeResourcesFit",
        "",
    );
    check(LEAST, name, &m, &["node1", "node2"], &[50, 25]);
}

/// upstream: TestLeastAllocatedScoringStrategy "nothing scheduled, nothing requested". The
/// pod has no containers; here its one container requests an explicit 0 of cpu and memory,
/// which scoring counts alike (0, not the 100m / 200Mi stand-in for unset requests).
#[test]
fn least_allocated_nothing_requested() {
    let name = "nothing scheduled, nothing requested";
    let m = cluster(&["node1 4000 10000", "node2 4000 10000"], &[], "0 0", "NodeResourcesFit", "");
    check(LEAST, name, &m, &["node1", "node2"], &[100, 100]);
}

/// upstream: TestLeastAllocatedScoringStrategy "no resources requested, pods scheduled": two
/// pods without containers on each node, and the pod without containers; each written as one
/// container requesting an explicit 0 of cpu and memory.
#[test]
fn least_allocated_no_resources_pods_scheduled() {
    let name = "no resources requested, pods scheduled";
    let existing = ["node1 0 0", "node1 0 0", "node2 0 0", "node2 0 0"];
    let m = cluster(&["node1 4000 10000", "node2 4000 10000"], &existing, "0 0", "NodeResourcesFit", "");
    check(LEAST, name, &m, &["node1", "node2"], &[100, 100]);
}

/// upstream: TestLeastAllocatedScoringStrategy "no resources requested, pods scheduled with
/// resources": the pod has no containers (one container requesting an explicit 0 here); the
/// existing pods' explicit 0 of memory counts as 0.
#[test]
fn least_allocated_no_resources_pods_scheduled_with_resources() {
    let name = "no resources requested, pods scheduled with resources";
    let existing = ["node1 3000 0", "node1 3000 0", "node2 3000 0", "node2 3000 5000"];
    let m = cluster(&["node1 10000 20000", "node2 10000 20000"], &existing, "0 0", "NodeResourcesFit", "");
    check(LEAST, name, &m, &["node1", "node2"], &[70, 57]);
}

/// upstream: TestLeastAllocatedScoringStrategy "nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes"
#[test]
fn least_allocated_resource_weights() {
    let name =
        "nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes";
    let config = strategy("LeastAllocated", "[{name: memory, weight: 2}, {name: cpu, weight: 1}]");
    let m = cluster(&["node1 4000 10000", "node2 6000 10000"], &[], "3000 5000", "NodeResourcesFit", &config);
    check(LEAST, name, &m, &["node1", "node2"], &[41, 50]);
}

/// upstream: TestLeastAllocatedScoringStrategy "resource with negative weight": the
/// configuration is rejected (scoringStrategy.resources[0].weight).
#[test]
fn least_allocated_negative_weight() {
    let config = strategy("LeastAllocated", "[{name: memory, weight: -1}, {name: cpu, weight: 1}]");
    let c = Cluster::new()
        .node("node1", "4000 10000Mi", "", "")
        .pods("pod", "", "3000 5000Mi", "", "")
        .doc(&score_only("NodeResourcesFit", &config));
    assert!(build(&c.yaml()).is_err(), "{LEAST} \"resource with negative weight\": expected an input error");
}

/// upstream: TestMostAllocatedScoringStrategy "nothing scheduled, resources requested, differently sized nodes"
#[test]
fn most_allocated_differently_sized_nodes() {
    let name = "nothing scheduled, resources requested, differently sized nodes";
    let config = strategy("MostAllocated", "");
    let m = cluster(&["node1 4000 10000", "node2 6000 10000"], &[], "3000 5000", "NodeResourcesFit", &config);
    check(MOST, name, &m, &["node1", "node2"], &[62, 50]);
}

/// upstream: TestMostAllocatedScoringStrategy "nothing scheduled, nothing requested" (the pod
/// without containers written as one container requesting an explicit 0 of cpu and memory)
#[test]
fn most_allocated_nothing_requested() {
    let name = "nothing scheduled, nothing requested";
    let config = strategy("MostAllocated", "");
    let m = cluster(&["node1 4000 10000", "node2 4000 10000"], &[], "0 0", "NodeResourcesFit", &config);
    check(MOST, name, &m, &["node1", "node2"], &[0, 0]);
}

/// upstream: TestMostAllocatedScoringStrategy "no resources requested, pods scheduled with
/// resources" (the pod without containers written as one container requesting an explicit 0)
#[test]
fn most_allocated_no_resources_pods_scheduled_with_resources() {
    let name = "no resources requested, pods scheduled with resources";
    let config = strategy("MostAllocated", "");
    let existing = ["node1 3000 0", "node1 3000 0", "node2 3000 0", "node2 3000 5000"];
    let m = cluster(&["node1 10000 20000", "node2 10000 20000"], &existing, "0 0", "NodeResourcesFit", &config);
    check(MOST, name, &m, &["node1", "node2"], &[30, 42]);
}

/// upstream: TestMostAllocatedScoringStrategy "resources requested, pods scheduled with
/// resources": node1's pod requests an explicit 0 of memory, which scoring counts as 0: node1
/// (60 + 25) / 2 = 42 (a 200Mi stand-in would give (60 + 26) / 2 = 43).
#[test]
fn most_allocated_pods_scheduled_with_resources() {
    let name = "resources requested, pods scheduled with resources";
    let config = strategy("MostAllocated", "");
    let m = cluster(
        &["node1 10000 20000", "node2 10000 20000"],
        &["node1 3000 0", "node2 3000 5000"],
        "3000 5000",
        "NodeResourcesFit",
        &config,
    );
    check(MOST, name, &m, &["node1", "node2"], &[42, 55]);
}

/// upstream: TestMostAllocatedScoringStrategy "resources requested equal node capacity"
#[test]
fn most_allocated_equal_node_capacity() {
    let name = "resources requested equal node capacity";
    let config = strategy("MostAllocated", "");
    let m = cluster(&["node1 5000 10000", "node2 10000 9000"], &[], "5000 9000", "NodeResourcesFit", &config);
    check(MOST, name, &m, &["node1", "node2"], &[95, 75]);
}

/// upstream: TestMostAllocatedScoringStrategy "nothing scheduled, resources requested,
/// differently sized nodes", the case with memory weight 2 and CPU weight 1
#[test]
fn most_allocated_resource_weights() {
    let name = "nothing scheduled, resources requested, differently sized nodes (memory weight 2)";
    let config = strategy("MostAllocated", "[{name: memory, weight: 2}, {name: cpu, weight: 1}]");
    let m = cluster(&["node1 4000 10000", "node2 6000 10000"], &[], "3000 5000", "NodeResourcesFit", &config);
    check(MOST, name, &m, &["node1", "node2"], &[58, 50]);
}

/// upstream: TestMostAllocatedScoringStrategy "no resources requested, pods scheduled, nonzero
/// request for resource" (containers without requests count 100m and 200Mi; nodes 250m and
/// 1000Mi, these quantities as upstream writes them)
#[test]
fn most_allocated_nonzero_request() {
    let name = "no resources requested, pods scheduled, nonzero request for resource";
    let config = strategy("MostAllocated", "");
    let m = Cluster::new()
        .node("node1", "250m 1000Mi", "", "")
        .node("node2", "250m 1000Mi", "", "")
        .pods("existing", "", "", "", "node1=2")
        .pods("pod", "", "", "", "")
        .doc(&score_only("NodeResourcesFit", &config))
        .model();
    check(MOST, name, &m, &["node1", "node2"], &[80, 30]);
}

/// upstream: TestMostAllocatedScoringStrategy "resource weight larger than MaxNodeScore": the
/// configuration is rejected.
#[test]
fn most_allocated_weight_above_max_node_score() {
    let config = strategy("MostAllocated", "[{name: memory, weight: 101}]");
    let c = Cluster::new()
        .node("node2", "4000 10000Mi", "", "")
        .pods("pod", "", "3000 5000Mi", "", "")
        .doc(&score_only("NodeResourcesFit", &config));
    assert!(build(&c.yaml()).is_err(), "{MOST} \"resource weight larger than MaxNodeScore\": expected an input error");
}

const VALIDATION: &str = "kubernetes/kubernetes pkg/scheduler/apis/config/validation/validation_pluginargs_test.go";

/// upstream: TestValidateLeastAllocatedScoringStrategy and TestValidateMostAllocatedScoringStrategy
/// "weight less than min" (`cpu` weight 0) and "multi invalid resources" (`cpu` 0, `memory`
/// 101). Those cases validate the internal config type; kube-scheduler reads a
/// KubeSchedulerConfiguration file as v1, whose SetDefaults_NodeResourcesFitArgs
/// (pkg/scheduler/apis/config/v1/defaults.go) makes a weight of 0 into 1 before
/// ValidateNodeResourcesFitArgs runs. So the file with `cpu` weight 0 is accepted with weight
/// 1, and of the two invalid weights only `memory`'s 101 is refused, in upstream's words.
#[test]
fn fit_weight_of_zero_is_defaulted_before_validation() {
    for kind in ["LeastAllocated", "MostAllocated"] {
        let config = |resources: &str| {
            Cluster::new()
                .node("node1", "4000 10000Mi", "", "")
                .pods("pod", "", "1000 2000Mi", "", "")
                .doc(&score_only("NodeResourcesFit", &strategy(kind, resources)))
                .yaml()
        };
        let m = build(&config("[{name: cpu, weight: 0}]"))
            .unwrap_or_else(|e| panic!("{VALIDATION} {kind} \"weight less than min\" through v1: {e}"));
        assert_eq!(
            (m.ir.scheduler.scoring_cpu_weight, m.ir.scheduler.scoring_memory_weight),
            (1, 0),
            "{VALIDATION} {kind} \"weight less than min\": v1 defaults the weight to 1"
        );
        let e = build(&config("[{name: cpu, weight: 0}, {name: memory, weight: 101}]"))
            .expect_err("\"multi invalid resources\": memory's 101 is refused");
        assert!(
            e.contains("scoringStrategy.resources[1].weight: Invalid value: 101: resource weight of memory not in valid range (0, 100]"),
            "{VALIDATION} {kind} \"multi invalid resources\": {e}"
        );
        assert!(!e.contains("resources[0]"), "{VALIDATION} {kind}: cpu's 0 is defaulted, not refused: {e}");
    }
}

/// upstream: TestNodeResourcesBalancedAllocation "nothing scheduled, resources requested, differently sized nodes"
/// (CPU in millicores upstream: makeNode takes milliCPU)
#[test]
fn balanced_differently_sized_nodes() {
    let name = "nothing scheduled, resources requested, differently sized nodes";
    let m =
        cluster(&["node1 4000m 10000", "node2 6000m 10000"], &[], "3000m 5000", "NodeResourcesBalancedAllocation", "");
    check(BALANCED, name, &m, &["node1", "node2"], &[87, 100]);
}

/// upstream: TestNodeResourcesBalancedAllocation "resources requested, pods scheduled with resources"
/// (node1's pod is cpuOnly: 3000m and an explicit 0 of memory, which balance counts as 0)
#[test]
fn balanced_pods_scheduled_with_resources() {
    let name = "resources requested, pods scheduled with resources";
    let m = cluster(
        &["node1 10000m 20000", "node2 10000m 20000"],
        &["node1 3000m 0", "node2 3000m 5000"],
        "3000m 5000",
        "NodeResourcesBalancedAllocation",
        "",
    );
    check(BALANCED, name, &m, &["node1", "node2"], &[82, 95]);
}

/// upstream: TestNodeResourcesBalancedAllocation "resources requested, pods scheduled with resources, differently sized nodes"
#[test]
fn balanced_pods_scheduled_differently_sized_nodes() {
    let name = "resources requested, pods scheduled with resources, differently sized nodes";
    let m = cluster(
        &["node1 10000m 20000", "node2 10000m 50000"],
        &["node1 3000m 0", "node2 3000m 5000"],
        "3000m 5000",
        "NodeResourcesBalancedAllocation",
        "",
    );
    check(BALANCED, name, &m, &["node1", "node2"], &[82, 80]);
}

/// upstream: TestNodeResourcesBalancedAllocation "requested resources at node capacity"
/// (the pod is cpuOnly; upstream's spec also names node1 as its nodeName, which a score
/// plugin's test does not read, left out here so the scheduler places it)
#[test]
fn balanced_requested_at_node_capacity() {
    let name = "requested resources at node capacity";
    let m = cluster(
        &["node1 6000m 10000", "node2 6000m 10000"],
        &["node1 3000m 0", "node2 3000m 5000"],
        "3000m 0",
        "NodeResourcesBalancedAllocation",
        "",
    );
    check(BALANCED, name, &m, &["node1", "node2"], &[50, 75]);
}

/// Nodes with `taints` (flow lists, one per node) and the pending pod with `tolerations`
/// (a flow list), scored by TaintToleration alone.
fn tainted(nodes: &[(&str, &str)], tolerations: &str) -> Model {
    let mut c = Cluster::new();
    for (name, taints) in nodes {
        c = c.node(name, "64 64Gi", "", &format!("taints: {taints}"));
    }
    c.pods("pod", "", "100m 100Mi", &format!("tolerations: {tolerations}"), "")
        .doc(&score_only("TaintToleration", ""))
        .model()
}

/// upstream: TestTaintTolerationScore "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints"
#[test]
fn taint_score_tolerated_higher() {
    let m = tainted(
        &[
            ("nodeA", "[{key: foo, value: bar, effect: PreferNoSchedule}]"),
            ("nodeB", "[{key: foo, value: blah, effect: PreferNoSchedule}]"),
        ],
        "[{key: foo, operator: Equal, value: bar, effect: PreferNoSchedule}]",
    );
    let name = "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints";
    check(TAINTS, name, &m, &["nodeA", "nodeB"], &[100, 0]);
}

/// upstream: TestTaintTolerationScore "the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has"
#[test]
fn taint_score_count_of_tolerated_does_not_matter() {
    let m = tainted(
        &[
            ("nodeA", "[]"),
            ("nodeB", "[{key: cpu-type, value: arm64, effect: PreferNoSchedule}]"),
            (
                "nodeC",
                "[{key: cpu-type, value: arm64, effect: PreferNoSchedule}, {key: disk-type, value: ssd, effect: PreferNoSchedule}]",
            ),
        ],
        "[{key: cpu-type, operator: Equal, value: arm64, effect: PreferNoSchedule}, {key: disk-type, operator: Equal, value: ssd, effect: PreferNoSchedule}]",
    );
    let name = "the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has";
    check(TAINTS, name, &m, &["nodeA", "nodeB", "nodeC"], &[100, 100, 100]);
}

/// upstream: TestTaintTolerationScore "the more intolerable taints a node has, the lower score it gets."
#[test]
fn taint_score_more_intolerable_lower() {
    let m = tainted(
        &[
            ("nodeA", "[]"),
            ("nodeB", "[{key: cpu-type, value: arm64, effect: PreferNoSchedule}]"),
            (
                "nodeC",
                "[{key: cpu-type, value: arm64, effect: PreferNoSchedule}, {key: disk-type, value: ssd, effect: PreferNoSchedule}]",
            ),
        ],
        "[{key: foo, operator: Equal, value: bar, effect: PreferNoSchedule}]",
    );
    check(
        TAINTS,
        "the more intolerable taints a node has, the lower score it gets.",
        &m,
        &["nodeA", "nodeB", "nodeC"],
        &[100, 50, 0],
    );
}

/// upstream: TestTaintTolerationScore "only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function"
#[test]
fn taint_score_only_prefer_no_schedule() {
    let m = tainted(
        &[
            ("nodeA", "[]"),
            ("nodeB", "[{key: cpu-type, value: arm64, effect: NoSchedule}]"),
            (
                "nodeC",
                "[{key: cpu-type, value: arm64, effect: PreferNoSchedule}, {key: disk-type, value: ssd, effect: PreferNoSchedule}]",
            ),
        ],
        "[{key: cpu-type, operator: Equal, value: arm64, effect: NoSchedule}, {key: disk-type, operator: Equal, value: ssd, effect: NoSchedule}]",
    );
    let name = "only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function";
    check(TAINTS, name, &m, &["nodeA", "nodeB", "nodeC"], &[100, 100, 0]);
}

/// upstream: TestTaintTolerationScore "Default behaviour No taints and tolerations, lands on node with no taints"
#[test]
fn taint_score_default_behaviour() {
    let m = tainted(&[("nodeA", "[]"), ("nodeB", "[{key: cpu-type, value: arm64, effect: PreferNoSchedule}]")], "[]");
    check(
        TAINTS,
        "Default behaviour No taints and tolerations, lands on node with no taints",
        &m,
        &["nodeA", "nodeB"],
        &[100, 0],
    );
}

// ---- NodeAffinity score (TestNodeAffinityPriority) ---------------------------------------

const AFFINITY: &str = "kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go";

/// The test's node labels: label1 {foo: bar}, label2 {key: value}, label3 {az: az1}, label4
/// {abc: az11, def: az22}, label5 {foo: bar, key: value, az: az1}.
const LABELS: [&str; 5] =
    ["foo: bar", "key: value", "az: az1", "abc: az11, def: az22", "foo: bar, key: value, az: az1"];

/// affinity1: one preferred term of weight 2, foo In [bar].
const PREFERRED1: &str = "[{weight: 2, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}}]";

/// affinity2: weight 2 foo In [bar]; weight 4 key In [value]; weight 5 on all three of foo,
/// key and az.
const PREFERRED2: &str = "[{weight: 2, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}}, {weight: 4, preference: {matchExpressions: [{key: key, operator: In, values: [value]}]}}, {weight: 5, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}, {key: key, operator: In, values: [value]}, {key: az, operator: In, values: [az1]}]}}]";

/// Nodes (name, index into LABELS), the pod's preferred terms (flow YAML, or empty) and the
/// NodeAffinity args' `addedAffinity` (flow YAML, or empty), scored by NodeAffinity alone.
fn affinity_cluster(nodes: &[(&str, usize)], preferred: &str, added: &str) -> Model {
    let mut c = Cluster::new();
    for (name, l) in nodes {
        c = c.node(name, "64 64Gi", LABELS[*l], "");
    }
    let spec = if preferred.is_empty() {
        String::new()
    } else {
        format!("affinity: {{nodeAffinity: {{preferredDuringSchedulingIgnoredDuringExecution: {preferred}}}}}")
    };
    let config = if added.is_empty() {
        String::new()
    } else {
        format!("[{{name: NodeAffinity, args: {{addedAffinity: {added}}}}}]")
    };
    c.pods("pod", "", "100m 100Mi", &spec, "").doc(&score_only("NodeAffinity", &config)).model()
}

/// upstream: TestNodeAffinityPriority "all nodes are same priority as NodeAffinity is nil"
#[test]
fn node_affinity_score_none() {
    let m = affinity_cluster(&[("node1", 0), ("node2", 1), ("node3", 2)], "", "");
    let name = "all nodes are same priority as NodeAffinity is nil";
    check(AFFINITY, name, &m, &["node1", "node2", "node3"], &[0, 0, 0]);
}

/// upstream: TestNodeAffinityPriority "no node matches preferred scheduling requirements in
/// NodeAffinity of pod so all nodes' priority is zero"
#[test]
fn node_affinity_score_no_match() {
    let m = affinity_cluster(&[("node1", 3), ("node2", 1), ("node3", 2)], PREFERRED1, "");
    let name =
        "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero";
    check(AFFINITY, name, &m, &["node1", "node2", "node3"], &[0, 0, 0]);
}

/// upstream: TestNodeAffinityPriority "only node1 matches the preferred scheduling requirements of pod"
#[test]
fn node_affinity_score_only_node1() {
    let m = affinity_cluster(&[("node1", 0), ("node2", 1), ("node3", 2)], PREFERRED1, "");
    let name = "only node1 matches the preferred scheduling requirements of pod";
    check(AFFINITY, name, &m, &["node1", "node2", "node3"], &[100, 0, 0]);
}

/// upstream: TestNodeAffinityPriority "all nodes matches the preferred scheduling requirements
/// of pod but with different priorities " (weights 2, 2 + 4 + 5 and 4, normalized)
#[test]
fn node_affinity_score_different_priorities() {
    let m = affinity_cluster(&[("node1", 0), ("node5", 4), ("node2", 1)], PREFERRED2, "");
    let name = "all nodes matches the preferred scheduling requirements of pod but with different priorities ";
    check(AFFINITY, name, &m, &["node1", "node5", "node2"], &[18, 100, 36]);
}

/// upstream: TestNodeAffinityPriority "added affinity": the pod has no affinity; the plugin's
/// addedAffinity is affinity1.
#[test]
fn node_affinity_score_added_affinity() {
    let added = format!("{{preferredDuringSchedulingIgnoredDuringExecution: {PREFERRED1}}}");
    let m = affinity_cluster(&[("node1", 0), ("node2", 1)], "", &added);
    check(AFFINITY, "added affinity", &m, &["node1", "node2"], &[100, 0]);
}

/// upstream: TestNodeAffinityPriority "added affinity and pod has default affinity": the pod's
/// weight 2 on foo=bar and the added weight 3 on key=value add up (2, 3 and 5, normalized).
#[test]
fn node_affinity_score_added_and_pod_affinity() {
    let added = "{preferredDuringSchedulingIgnoredDuringExecution: [{weight: 3, preference: {matchExpressions: [{key: key, operator: In, values: [value]}]}}]}";
    let m = affinity_cluster(&[("node1", 0), ("node2", 1), ("node3", 4)], PREFERRED1, added);
    let name = "added affinity and pod has default affinity";
    check(AFFINITY, name, &m, &["node1", "node2", "node3"], &[40, 60, 100]);
}
