//! kube-scheduler filter plugins: kubernetes/kubernetes pkg/scheduler/framework/plugins/
//! (tainttoleration/taint_toleration_test.go TestTaintTolerationFilter,
//! nodeunschedulable/node_unschedulable_test.go TestNodeUnschedulable,
//! noderesources/fit_test.go TestEnoughRequests, nodeaffinity/node_affinity_test.go
//! TestNodeAffinity). Each upstream case filters one pod against
//! one node; here the pod is the one pending pod of Deployment `pod`, and the case checks
//! whether the node is feasible (every other filter passes: the node is Ready and large).

use super::*;

const TAINTS: &str = "kubernetes/kubernetes pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go";
const UNSCHEDULABLE: &str =
    "kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go";
const FIT: &str = "kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/fit_test.go";

/// Whether the pod (`pod_spec`: pod-spec YAML) passes the filters of node `nodeA` (`node_spec`:
/// the contents of its spec's flow mapping).
fn fits(node_spec: &str, pod_spec: &str) -> bool {
    let m = Cluster::new().node("nodeA", "64 64Gi", "", node_spec).pods("pod", "", "100m 100Mi", pod_spec, "").model();
    let s = schedule(&m, "pod");
    assert_eq!(s.binds, s.feasible, "one node: a feasible node is a top-scoring one");
    !s.feasible.is_empty()
}

fn check(file: &str, upstream: &str, got: bool, fits: bool) {
    assert_eq!(got, fits, "{file} \"{upstream}\": expected the pod to {}fit", if fits { "" } else { "not " });
}

/// upstream: TestTaintTolerationFilter "A pod having no tolerations can't be scheduled onto a node with nonempty taints"
#[test]
fn taint_no_tolerations() {
    let got = fits("taints: [{key: dedicated, value: user1, effect: NoSchedule}]", "");
    check(TAINTS, "A pod having no tolerations can't be scheduled onto a node with nonempty taints", got, false);
}

/// upstream: TestTaintTolerationFilter "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule"
#[test]
fn taint_tolerated_by_value() {
    let got = fits(
        "taints: [{key: dedicated, value: user1, effect: NoSchedule}]",
        "tolerations: [{key: dedicated, value: user1, effect: NoSchedule}]",
    );
    check(
        TAINTS,
        "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
        got,
        true,
    );
}

/// upstream: TestTaintTolerationFilter "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule"
#[test]
fn taint_other_value() {
    let got = fits(
        "taints: [{key: dedicated, value: user1, effect: NoSchedule}]",
        "tolerations: [{key: dedicated, operator: Equal, value: user2, effect: NoSchedule}]",
    );
    check(
        TAINTS,
        "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
        got,
        false,
    );
}

/// upstream: TestTaintTolerationFilter "A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node"
#[test]
fn taint_exists() {
    let got = fits(
        "taints: [{key: foo, value: bar, effect: NoSchedule}]",
        "tolerations: [{key: foo, operator: Exists, effect: NoSchedule}]",
    );
    check(
        TAINTS,
        "A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node",
        got,
        true,
    );
}

/// upstream: TestTaintTolerationFilter "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node"
#[test]
fn taint_all_tolerated() {
    let got = fits(
        "taints: [{key: dedicated, value: user2, effect: NoSchedule}, {key: foo, value: bar, effect: NoSchedule}]",
        "tolerations: [{key: dedicated, operator: Equal, value: user2, effect: NoSchedule}, {key: foo, operator: Exists, effect: NoSchedule}]",
    );
    check(TAINTS, "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node", got, true);
}

/// upstream: TestTaintTolerationFilter "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node"
#[test]
fn taint_effect_mismatch() {
    let got = fits(
        "taints: [{key: foo, value: bar, effect: NoSchedule}]",
        "tolerations: [{key: foo, operator: Equal, value: bar, effect: PreferNoSchedule}]",
    );
    check(TAINTS, "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node", got, false);
}

/// upstream: TestTaintTolerationFilter "The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node"
#[test]
fn taint_empty_effect() {
    let got = fits(
        "taints: [{key: foo, value: bar, effect: NoSchedule}]",
        "tolerations: [{key: foo, operator: Equal, value: bar}]",
    );
    check(TAINTS, "The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node", got, true);
}

/// upstream: TestTaintTolerationFilter "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node"
#[test]
fn taint_prefer_no_schedule_mismatch() {
    let got = fits(
        "taints: [{key: dedicated, value: user1, effect: PreferNoSchedule}]",
        "tolerations: [{key: dedicated, operator: Equal, value: user2, effect: NoSchedule}]",
    );
    check(TAINTS, "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node", got, true);
}

/// upstream: TestTaintTolerationFilter "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node"
#[test]
fn taint_prefer_no_schedule_untolerated() {
    let got = fits("taints: [{key: dedicated, value: user1, effect: PreferNoSchedule}]", "");
    check(
        TAINTS,
        "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
        got,
        true,
    );
}

/// upstream: TestNodeUnschedulable "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)"
#[test]
fn unschedulable_node() {
    let got = fits("unschedulable: true", "");
    check(UNSCHEDULABLE, "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)", got, false);
}

/// upstream: TestNodeUnschedulable "Schedule pod to normal node"
#[test]
fn schedulable_node() {
    let got = fits("unschedulable: false", "");
    check(UNSCHEDULABLE, "Schedule pod to normal node", got, true);
}

/// upstream: TestNodeUnschedulable "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)"
#[test]
fn unschedulable_node_tolerated() {
    let got = fits("unschedulable: true", "tolerations: [{key: node.kubernetes.io/unschedulable, effect: NoSchedule}]");
    check(
        UNSCHEDULABLE,
        "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)",
        got,
        true,
    );
}

/// TestEnoughRequests: a node with 10m CPU, 20 units of memory and 32 pods, already running
/// one pod requesting `existing` ("cpu memory"); whether a pod requesting `requests`, with
/// init containers requesting `init` (each "cpu memory"), fits. Memory units are bytes
/// upstream and MiB here (kbmc counts MiB; only the comparisons enter).
fn enough(existing: &str, requests: &str, init: &[&str]) -> bool {
    let units = |r: &str| {
        let v: Vec<&str> = r.split_whitespace().collect();
        format!("{}m {}Mi", v[0], v[1])
    };
    let inits: Vec<String> = init
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let v: Vec<&str> = r.split_whitespace().collect();
            format!(
                "{{name: i{i}, image: i:1, resources: {{requests: {{cpu: \"{}m\", memory: \"{}Mi\"}}}}}}",
                v[0], v[1]
            )
        })
        .collect();
    let spec = if inits.is_empty() { String::new() } else { format!("initContainers: [{}]", inits.join(", ")) };
    let requests = if requests.is_empty() { String::new() } else { units(requests) };
    let m = Cluster::new()
        .node("n1", "10m 20Mi 32", "", "")
        .pods("existing", "", &units(existing), "", "n1=1")
        .pods("pod", "", &requests, &spec, "")
        .model();
    !schedule(&m, "pod").feasible.is_empty()
}

/// upstream: TestEnoughRequests "no resources requested always fits" (upstream's pod has no
/// containers; here one container without requests)
#[test]
fn fit_no_resources_requested() {
    check(FIT, "no resources requested always fits", enough("10 20", "", &[]), true);
}

/// upstream: TestEnoughRequests "too many resources fails"
#[test]
fn fit_too_many_resources() {
    check(FIT, "too many resources fails", enough("10 20", "1 1", &[]), false);
}

/// upstream: TestEnoughRequests "too many resources fails due to init container cpu"
#[test]
fn fit_init_container_cpu() {
    check(FIT, "too many resources fails due to init container cpu", enough("8 19", "1 1", &["3 1"]), false);
}

/// upstream: TestEnoughRequests "too many resources fails due to highest init container cpu"
#[test]
fn fit_highest_init_container_cpu() {
    check(
        FIT,
        "too many resources fails due to highest init container cpu",
        enough("8 19", "1 1", &["3 1", "2 1"]),
        false,
    );
}

/// upstream: TestEnoughRequests "too many resources fails due to init container memory"
#[test]
fn fit_init_container_memory() {
    check(FIT, "too many resources fails due to init container memory", enough("9 19", "1 1", &["1 3"]), false);
}

/// upstream: TestEnoughRequests "too many resources fails due to highest init container memory"
#[test]
fn fit_highest_init_container_memory() {
    check(
        FIT,
        "too many resources fails due to highest init container memory",
        enough("9 19", "1 1", &["1 3", "1 2"]),
        false,
    );
}

/// upstream: TestEnoughRequests "init container fits because it's the max, not sum, of containers and init containers"
#[test]
fn fit_init_container_max_not_sum() {
    check(
        FIT,
        "init container fits because it's the max, not sum, of containers and init containers",
        enough("9 19", "1 1", &["1 1"]),
        true,
    );
}

/// upstream: TestEnoughRequests "multiple init containers fit because it's the max, not sum, of containers and init containers"
#[test]
fn fit_multiple_init_containers_max_not_sum() {
    check(
        FIT,
        "multiple init containers fit because it's the max, not sum, of containers and init containers",
        enough("9 19", "1 1", &["1 1", "1 1"]),
        true,
    );
}

/// upstream: TestEnoughRequests "both resources fit"
#[test]
fn fit_both_resources() {
    check(FIT, "both resources fit", enough("5 5", "1 1", &[]), true);
}

/// upstream: TestEnoughRequests "one resource memory fits"
#[test]
fn fit_only_memory() {
    check(FIT, "one resource memory fits", enough("9 5", "2 1", &[]), false);
}

/// upstream: TestEnoughRequests "one resource cpu fits"
#[test]
fn fit_only_cpu() {
    check(FIT, "one resource cpu fits", enough("5 19", "1 2", &[]), false);
}

/// upstream: TestEnoughRequests "equal edge case"
#[test]
fn fit_equal_edge_case() {
    check(FIT, "equal edge case", enough("5 19", "5 1", &[]), true);
}

/// upstream: TestEnoughRequests "equal edge case for init container"
#[test]
fn fit_equal_edge_case_init_container() {
    check(FIT, "equal edge case for init container", enough("5 19", "4 1", &["5 1"]), true);
}

const AFFINITY: &str = "kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go";

/// Whether the pod (`pod_spec`: pod-spec YAML) passes the filters of node `name` with
/// `labels` (a flow mapping's contents); TestNodeAffinity's node.
fn affinity_fits(name: &str, labels: &str, pod_spec: &str) -> bool {
    let m = Cluster::new().node(name, "64 64Gi", labels, "").pods("pod", "", "100m 100Mi", pod_spec, "").model();
    !schedule(&m, "pod").feasible.is_empty()
}

/// A required node affinity with `terms` (the flow list of nodeSelectorTerms).
fn required(terms: &str) -> String {
    format!("affinity: {{nodeAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {{nodeSelectorTerms: {terms}}}}}}}")
}

/// upstream: TestNodeAffinity "missing labels"
#[test]
fn affinity_missing_labels() {
    check(AFFINITY, "missing labels", affinity_fits("node1", "", "nodeSelector: {foo: bar}"), false);
}

/// upstream: TestNodeAffinity "same labels"
#[test]
fn affinity_same_labels() {
    check(AFFINITY, "same labels", affinity_fits("node1", "foo: bar", "nodeSelector: {foo: bar}"), true);
}

/// upstream: TestNodeAffinity "node labels are superset"
#[test]
fn affinity_labels_superset() {
    check(
        AFFINITY,
        "node labels are superset",
        affinity_fits("node1", "foo: bar, baz: blah", "nodeSelector: {foo: bar}"),
        true,
    );
}

/// upstream: TestNodeAffinity "node labels are subset"
#[test]
fn affinity_labels_subset() {
    check(
        AFFINITY,
        "node labels are subset",
        affinity_fits("node1", "foo: bar", "nodeSelector: {foo: bar, baz: blah}"),
        false,
    );
}

/// upstream: TestNodeAffinity "Pod with matchExpressions using In operator that matches the existing node"
#[test]
fn affinity_in() {
    let spec = required("[{matchExpressions: [{key: foo, operator: In, values: [bar, value2]}]}]");
    let name = "Pod with matchExpressions using In operator that matches the existing node";
    check(AFFINITY, name, affinity_fits("node1", "foo: bar", &spec), true);
}

/// upstream: TestNodeAffinity "Pod with matchExpressions using Gt operator that matches the existing node"
#[test]
fn affinity_gt() {
    let spec = required("[{matchExpressions: [{key: kernel-version, operator: Gt, values: [\"0204\"]}]}]");
    let name = "Pod with matchExpressions using Gt operator that matches the existing node";
    check(AFFINITY, name, affinity_fits("node1", "kernel-version: \"0206\"", &spec), true);
}

/// upstream: TestNodeAffinity "Pod with matchExpressions using NotIn operator that matches the existing node"
#[test]
fn affinity_not_in() {
    let spec = required("[{matchExpressions: [{key: mem-type, operator: NotIn, values: [DDR, DDR2]}]}]");
    let name = "Pod with matchExpressions using NotIn operator that matches the existing node";
    check(AFFINITY, name, affinity_fits("node1", "mem-type: DDR3", &spec), true);
}

/// upstream: TestNodeAffinity "Pod with matchExpressions using Exists operator that matches the existing node"
#[test]
fn affinity_exists() {
    let spec = required("[{matchExpressions: [{key: GPU, operator: Exists}]}]");
    let name = "Pod with matchExpressions using Exists operator that matches the existing node";
    check(AFFINITY, name, affinity_fits("node1", "GPU: NVIDIA-GRID-K1", &spec), true);
}

/// upstream: TestNodeAffinity "Pod with affinity that don't match node's labels won't schedule onto the node"
#[test]
fn affinity_no_match() {
    let spec = required("[{matchExpressions: [{key: foo, operator: In, values: [value1, value2]}]}]");
    let name = "Pod with affinity that don't match node's labels won't schedule onto the node";
    check(AFFINITY, name, affinity_fits("node1", "foo: bar", &spec), false);
}

/// upstream: TestNodeAffinity "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node"
#[test]
fn affinity_empty_match_expressions() {
    let spec = required("[{matchExpressions: []}]");
    let name =
        "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node";
    check(AFFINITY, name, affinity_fits("node1", "foo: bar", &spec), false);
}

/// upstream: TestNodeAffinity "Pod with no Affinity will schedule onto a node"
#[test]
fn affinity_none() {
    check(AFFINITY, "Pod with no Affinity will schedule onto a node", affinity_fits("node1", "foo: bar", ""), true);
}

/// upstream: TestNodeAffinity "Pod with multiple matchExpressions ANDed that matches the existing node"
#[test]
fn affinity_anded_match() {
    let spec = required(
        "[{matchExpressions: [{key: GPU, operator: Exists}, {key: GPU, operator: NotIn, values: [AMD, INTER]}]}]",
    );
    let name = "Pod with multiple matchExpressions ANDed that matches the existing node";
    check(AFFINITY, name, affinity_fits("node1", "GPU: NVIDIA-GRID-K1", &spec), true);
}

/// upstream: TestNodeAffinity "Pod with multiple matchExpressions ANDed that doesn't match the existing node"
#[test]
fn affinity_anded_no_match() {
    let spec = required(
        "[{matchExpressions: [{key: GPU, operator: Exists}, {key: GPU, operator: In, values: [AMD, INTER]}]}]",
    );
    let name = "Pod with multiple matchExpressions ANDed that doesn't match the existing node";
    check(AFFINITY, name, affinity_fits("node1", "GPU: NVIDIA-GRID-K1", &spec), false);
}

/// upstream: TestNodeAffinity "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node"
#[test]
fn affinity_ored_terms() {
    let spec = required("[{matchExpressions: [{key: foo, operator: In, values: [bar, value2]}]}, {matchExpressions: [{key: diffkey, operator: In, values: [wrong, value2]}]}]");
    let name = "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node";
    check(AFFINITY, name, affinity_fits("node1", "foo: bar", &spec), true);
}

/// upstream: TestNodeAffinity "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node"
#[test]
fn affinity_and_node_selector() {
    let spec =
        format!("nodeSelector: {{foo: bar}}\n{}", required("[{matchExpressions: [{key: foo, operator: Exists}]}]"));
    let name = "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node";
    check(AFFINITY, name, affinity_fits("node1", "foo: bar", &spec), true);
}

/// upstream: TestNodeAffinity "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node"
#[test]
fn affinity_but_not_node_selector() {
    let spec =
        format!("nodeSelector: {{foo: bar}}\n{}", required("[{matchExpressions: [{key: foo, operator: Exists}]}]"));
    let name = "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node";
    check(AFFINITY, name, affinity_fits("node1", "foo: barrrrrr", &spec), false);
}

/// upstream: TestNodeAffinity "Pod with an invalid value in Affinity term won't be scheduled
/// onto the node": NotIn with the value "invalid value: ___@#$%^", which is no valid label
/// value: the selector fails to parse and its term matches no node (the API server admits
/// the pod).
#[test]
fn affinity_invalid_value() {
    let spec = required("[{matchExpressions: [{key: foo, operator: NotIn, values: [\"invalid value: ___@#$%^\"]}]}]");
    let name = "Pod with an invalid value in Affinity term won't be scheduled onto the node";
    check(AFFINITY, name, affinity_fits("node1", "foo: bar", &spec), false);
}

/// upstream: TestNodeAffinity "Pod with matchFields using In operator that matches the existing node"
#[test]
fn affinity_match_fields() {
    let spec = required("[{matchFields: [{key: metadata.name, operator: In, values: [node1]}]}]");
    let name = "Pod with matchFields using In operator that matches the existing node";
    check(AFFINITY, name, affinity_fits("node1", "", &spec), true);
}

/// upstream: TestNodeAffinity "Pod with matchFields using In operator that does not match the existing node"
#[test]
fn affinity_match_fields_other_node() {
    let spec = required("[{matchFields: [{key: metadata.name, operator: In, values: [node1]}]}]");
    let name = "Pod with matchFields using In operator that does not match the existing node";
    check(AFFINITY, name, affinity_fits("node2", "", &spec), false);
}

/// upstream: TestNodeAffinity "Pod with two terms: matchFields does not match, but matchExpressions matches"
#[test]
fn affinity_match_fields_or_expressions() {
    let spec = required("[{matchFields: [{key: metadata.name, operator: In, values: [node1]}, {key: metadata.name, operator: In, values: [node2]}]}, {matchExpressions: [{key: foo, operator: In, values: [bar]}]}]");
    let name = "Pod with two terms: matchFields does not match, but matchExpressions matches";
    check(AFFINITY, name, affinity_fits("node2", "foo: bar", &spec), true);
}

/// Whether the pod (`pod_spec`) passes the filters of node `name` with `labels` when the
/// NodeAffinity plugin's args have `added` (flow YAML) as `addedAffinity`.
fn added_affinity_fits(name: &str, labels: &str, pod_spec: &str, added: &str) -> bool {
    let config = format!("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - schedulerName: default-scheduler\n    pluginConfig: [{{name: NodeAffinity, args: {{addedAffinity: {added}}}}}]\n");
    let m = Cluster::new()
        .node(name, "64 64Gi", labels, "")
        .pods("pod", "", "100m 100Mi", pod_spec, "")
        .doc(&config)
        .model();
    !schedule(&m, "pod").feasible.is_empty()
}

/// The tests' addedAffinity requiring the node named node2.
const ADDED_NODE2: &str = "{requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchFields: [{key: metadata.name, operator: In, values: [node2]}]}]}}";

/// upstream: TestNodeAffinity "Matches added affinity and Pod's node affinity"
#[test]
fn affinity_matches_added_and_pod() {
    let spec = required("[{matchExpressions: [{key: zone, operator: In, values: [foo]}]}]");
    let name = "Matches added affinity and Pod's node affinity";
    check(AFFINITY, name, added_affinity_fits("node2", "zone: foo", &spec, ADDED_NODE2), true);
}

/// upstream: TestNodeAffinity "Matches added affinity but not Pod's node affinity"
#[test]
fn affinity_matches_added_not_pod() {
    let spec = required("[{matchExpressions: [{key: zone, operator: In, values: [bar]}]}]");
    let name = "Matches added affinity but not Pod's node affinity";
    check(AFFINITY, name, added_affinity_fits("node2", "zone: foo", &spec, ADDED_NODE2), false);
}

/// upstream: TestNodeAffinity "Doesn't match added affinity": a pod without affinity, and an
/// addedAffinity requiring zone In [bar] on a node of zone foo.
#[test]
fn affinity_does_not_match_added() {
    let added = "{requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [bar]}]}]}}";
    let name = "Doesn't match added affinity";
    check(AFFINITY, name, added_affinity_fits("node2", "zone: foo", "", added), false);
}
