//! The descheduler run and its plugins on small clusters, against upstream's rules.

use super::evictor::filter;
use super::*;
use crate::model::testkit::{deployment, model};

fn evictions(m: &Model, st: &ClusterState<Concrete>) -> Vec<i64> {
    let after = run(&Concrete, m, st, &(0..m.nodes()).collect::<Vec<_>>(), 0).0;
    (0..m.nodes())
        .map(|n| (0..m.ir.groups.len()).map(|g| after.terminating[g][n] - st.terminating[g][n]).sum())
        .collect()
}

fn policy(plugin: &str, args: &str) -> String {
    format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{{name: {plugin}{args}}}]\n    plugins: {{balance: {{enabled: [{plugin}]}}}}\n---\n")
}

fn cluster(nodes: usize, counts: &[i64], plugin: &str, args: &str, extra: &str) -> Model {
    let placement: Vec<String> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, c)| format!("{{node: n-{i}, count: {c}}}"))
        .collect();
    let total: i64 = counts.iter().sum();
    let spec = format!(
        "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: {nodes}, capacity: {{cpu: \"64\", memory: 64Gi}}}}]\n  workloads: [{{deployment: web, placement: [{}]}}]\n",
        placement.join(", ")
    );
    model(&format!("{}{}{spec}", deployment("web", total, "1", "1Gi", extra), policy(plugin, args)))
}

/// RemoveDuplicates: 6 replicas on 3 nodes as 4/1/1: upperAvg = ceil(6 / 3) = 2, so the
/// first node keeps 2 and loses 2.
#[test]
fn remove_duplicates_evicts_down_to_the_upper_average() {
    let m = cluster(3, &[4, 1, 1], "RemoveDuplicates", "", "");
    assert_eq!(evictions(&m, &m.initial_state(&[3])), vec![2, 0, 0]);
    let balanced = cluster(3, &[2, 2, 2], "RemoveDuplicates", "", "");
    assert_eq!(evictions(&balanced, &balanced.initial_state(&[3])), vec![0, 0, 0]);
}

/// The descheduler evicts through the Eviction API (evictions.go `EvictPod`): of the two
/// duplicates RemoveDuplicates wants gone, a PodDisruptionBudget allowing one disruption lets
/// one go and refuses the other, which the run skips; a budget allowing none leaves the
/// descheduler nothing to do (its step is not enabled).
#[test]
fn remove_duplicates_evicts_within_the_budget() {
    let pdb = |spec: &str| {
        format!("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web-pdb}}\nspec: {{{spec}, selector: {{matchLabels: {{app: web}}}}}}\n---\n")
    };
    let with = |spec: &str| {
        let yaml = format!("{}{}{}", deployment("web", 6, "1", "1Gi", ""), pdb(spec), policy("RemoveDuplicates", ""));
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 3, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 4}, {node: n-1, count: 1}, {node: n-2, count: 1}]}]\n  intents: [{type: disruptionsWithinBudget}]\n";
        model(&format!("{yaml}{spec}"))
    };
    let m = with("maxUnavailable: 1");
    let st = m.initial_state(&[3]);
    assert_eq!(evictions(&m, &st), vec![1, 0, 0]);
    let s = Step::new(0, 0, 0, 0, 0);
    assert!(Descheduler.guard(&Concrete, &m, &s, &st));
    assert!(!Descheduler.update(&Concrete, &m, &s, &st).monitor[0], "the budget holds");
    let m = with("minAvailable: \"100%\"");
    let st = m.initial_state(&[3]);
    assert_eq!(evictions(&m, &st), vec![0, 0, 0]);
    assert!(!Descheduler.guard(&Concrete, &m, &s, &st));
}

/// The worked example in the descheduler's topology-spread source: domains of 2, 3, 5, 5,
/// 7 and 8 pods with maxSkew 1 balance towards 5 each: 3 pods leave the 8-pod domain and 2
/// the 7-pod one.
#[test]
fn topology_spread_balances_the_documented_example() {
    let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}";
    let m = cluster(6, &[2, 3, 5, 5, 7, 8], "RemovePodsViolatingTopologySpreadConstraint", "", spread);
    assert_eq!(evictions(&m, &m.initial_state(&[6])), vec![0, 0, 0, 0, 2, 3]);
}

/// What the run of every enabled descheduler label (one per order) evicts from `st` when
/// nothing else acts in between, as `project` of the state before and after it, each outcome
/// once.
fn distinct_outcomes(
    m: &Model,
    st: &ClusterState<Concrete>,
    project: impl Fn(&ClusterState<Concrete>, &ClusterState<Concrete>) -> Vec<i64>,
) -> Vec<Vec<i64>> {
    let mut labels = Vec::new();
    Controller::<Concrete>::steps(&Descheduler, m, 0, &mut labels);
    let mut out: Vec<Vec<i64>> = labels
        .iter()
        .filter(|s| Descheduler.guard(&Concrete, m, s, st))
        .map(|s| project(st, &run(&Concrete, m, st, &order_of(m, s), s.a as usize).0))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Evictions per node of every enabled descheduler label (one per node order), each
/// outcome once.
fn outcomes(m: &Model, st: &ClusterState<Concrete>) -> Vec<Vec<i64>> {
    distinct_outcomes(m, st, |before, after| {
        (0..m.nodes())
            .map(|n| (0..m.ir.groups.len()).map(|g| after.terminating[g][n] - before.terminating[g][n]).sum())
            .collect()
    })
}

#[test]
fn permutations_number_every_order_once() {
    let all: Vec<Vec<usize>> = (0..24).map(|k| permutation(4, k)).collect();
    assert_eq!(all[0], vec![0, 1, 2, 3]);
    assert_eq!(all[23], vec![3, 2, 1, 0]);
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, all);
}

/// RemovePodsViolatingTopologySpreadConstraint (topologyspreadconstraint.go, sortDomains
/// and balanceDomains): domains of 0, 3 and 3 pods with maxSkew 2 move one pod, from the
/// domain that sorts last; the two 3-pod domains tie, sort.Slice leaves them in the map's
/// arbitrary order, so either may lose the pod.
#[test]
fn topology_spread_ties_between_domains_are_choices() {
    let spread = "topologySpreadConstraints:\n  - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}";
    let m = cluster(
        3,
        &[0, 3, 3],
        "RemovePodsViolatingTopologySpreadConstraint",
        ", args: {topologyBalanceNodeFit: false}",
        spread,
    );
    assert_eq!(order_count(&m), 6);
    assert_eq!(outcomes(&m, &m.initial_state(&[3])), vec![vec![0, 0, 1], vec![0, 1, 0]]);
}

/// The descheduler's topology spread plugin builds its selector with
/// metav1.LabelSelectorAsSelector (newTopologySpreadConstraint, topologyspreadconstraint.go):
/// `labelSelector: {}` is labels.Everything, and Balance counts every pod of the namespace
/// with `tsc.Selector.Matches`. The scheduler's countPodsMatchSelector (kubernetes
/// podtopologyspread/common.go) counts none for an empty selector.
#[test]
fn an_empty_selector_counts_every_pod_of_the_namespace_in_the_descheduler() {
    let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {}}";
    let m = cluster(2, &[3, 1], "RemovePodsViolatingTopologySpreadConstraint", "", spread);
    let c = &m.ir.groups[0].spread[0];
    assert_eq!((c.selects.clone(), c.desched_selects.clone()), (vec![false], vec![true]));
    assert_eq!(evictions(&m, &m.initial_state(&[2])), vec![1, 0]);
}

/// hasIdenticalConstraints (topologyspreadconstraint.go) compares the node inclusion
/// policies: a constraint honouring taints and one ignoring them stay two. With the taint
/// honoured the tainted node is no domain and nothing moves; ignored, domains of 2 and 0
/// pods move one (as upstream's test "2 domains, sizes [2,0], maxSkew=1, move 1 pod since
/// pod tolerates the node with taint" with topologyBalanceNodeFit off).
#[test]
fn constraints_differing_in_a_node_policy_are_balanced_apart() {
    let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: Honor, labelSelector: {matchLabels: {app: web}}}\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: Ignore, labelSelector: {matchLabels: {app: web}}}";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}\n    - {name: b, count: 1, capacity: {cpu: \"64\", memory: 64Gi}, taints: [{key: k, value: v, effect: NoSchedule}]}\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n";
    let pol = policy("RemovePodsViolatingTopologySpreadConstraint", ", args: {topologyBalanceNodeFit: false}");
    let m = model(&format!("{}{pol}{spec}", deployment("web", 2, "1", "1Gi", spread)));
    assert_eq!(balanced_constraints(&m, true, false, &crate::ir::Namespaces::default()).len(), 2);
    assert_eq!(evictions(&m, &m.initial_state(&[1, 1])), vec![1, 0]);
    // Honoured alone: one domain, nothing to balance.
    let honoured = spread.lines().take(2).collect::<Vec<_>>().join("\n");
    let m = model(&format!("{}{pol}{spec}", deployment("web", 2, "1", "1Gi", &honoured)));
    assert_eq!(evictions(&m, &m.initial_state(&[1, 1])), vec![0, 0]);
}

/// Only constraints named by `constraints` are balanced (DoNotSchedule by default).
#[test]
fn soft_constraints_need_schedule_anyway() {
    let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}";
    let m = cluster(2, &[3, 1], "RemovePodsViolatingTopologySpreadConstraint", "", spread);
    assert_eq!(evictions(&m, &m.initial_state(&[2])), vec![0, 0]);
    let m = cluster(
        2,
        &[3, 1],
        "RemovePodsViolatingTopologySpreadConstraint",
        ", args: {constraints: [DoNotSchedule, ScheduleAnyway]}",
        spread,
    );
    assert_eq!(evictions(&m, &m.initial_state(&[2])), vec![1, 0]);
}

/// LowNodeUtilization: a node at 80 % CPU (target 50 %) sheds pods onto a node at 10 %
/// (threshold 20 %) until it is back at its target: 8 -> 5 cores, 3 evictions.
#[test]
fn low_node_utilization_moves_load_to_the_target() {
    let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"10\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 8}, {node: n-1, count: 1}]}]\n";
    let m = model(&format!("{}{}{spec}", deployment("web", 9, "1", "1Gi", ""), policy("LowNodeUtilization", args)));
    assert_eq!(evictions(&m, &m.initial_state(&[2])), vec![3, 0]);
}

/// LowNodeUtilization ignores an unschedulable node as a destination (lownodeutilization.go
/// `Balance`: "Node is unschedulable, thus not considered as underutilized"), and
/// `IsNodeUnschedulable` reads `spec.unschedulable` only: a node the cluster autoscaler is
/// removing carries its `ToBeDeletedByClusterAutoscaler` taint, no cordon, and still counts,
/// so pods are evicted towards it; a cordoned node does not.
#[test]
fn low_node_utilization_counts_a_node_the_autoscaler_removes() {
    let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"10\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 8}, {node: n-1, count: 1}]}]\n";
    let m = model(&format!("{}{}{spec}", deployment("web", 9, "1", "1Gi", ""), policy("LowNodeUtilization", args)));
    let mut st = m.initial_state(&[2]);
    st.cordoned[1] = true;
    assert_eq!(evictions(&m, &st), vec![0, 0], "a cordoned n-1 is no destination");
    st.scaling_down[0][1] = 1;
    assert_eq!(evictions(&m, &st), vec![3, 0], "n-1 tainted by the autoscaler, not cordoned");
    st.draining[1] = true;
    assert_eq!(evictions(&m, &st), vec![0, 0], "and also cordoned by a drain");
}

/// LowNodeUtilization tracks the headroom of cpu, memory and pods whatever the thresholds
/// name (lownodeutilization.go, NewLowNodeUtilization: extendedResourceNames is the
/// thresholds' resources plus cpu, memory and pods; capNodeCapacitiesToThreshold gives a
/// resource without a threshold the node's whole allocatable; continueEvictionCond stops
/// once any resource's total headroom is not positive). With CPU thresholds only, n-0 at
/// 80 % CPU would shed 3 one-core pods to n-1 (as above), but n-1 has 1Gi of memory left
/// (62Gi of `mem` and 1Gi of web requested of 64Gi): one 1Gi eviction uses it up.
#[test]
fn low_node_utilization_stops_when_an_unthresholded_resource_is_used_up() {
    let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"10\", memory: 64Gi}}]\n  workloads:\n    - {deployment: web, placement: [{node: n-0, count: 8}, {node: n-1, count: 1}]}\n    - {deployment: mem, placement: [{node: n-1, count: 1}]}\n";
    let m = model(&format!(
        "{}{}{}{spec}",
        deployment("web", 9, "1", "1Gi", ""),
        deployment("mem", 1, "100m", "62Gi", ""),
        policy("LowNodeUtilization", args)
    ));
    let web = m.groups_of[0][0];
    let after = run(&Concrete, &m, &m.initial_state(&[2]), &[0, 1], 0).0;
    assert_eq!(after.terminating[web][0], 1);
}

/// LowNodeUtilization with nodes of 10 cores, thresholds 20 % and targets 50 %, n-2 at
/// 1 core (4 cores of headroom), n-0 and n-1 over their target.
fn low_node_cluster(counts: &[i64]) -> Model {
    let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
    let placement: Vec<String> =
        counts.iter().enumerate().map(|(i, c)| format!("{{node: n-{i}, count: {c}}}")).collect();
    let spec = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: {}, capacity: {{cpu: \"10\", memory: 64Gi}}}}]\n  workloads: [{{deployment: web, placement: [{}]}}]\n", counts.len(), placement.join(", "));
    let total: i64 = counts.iter().sum();
    model(&format!("{}{}{spec}", deployment("web", total, "1", "1Gi", ""), policy("LowNodeUtilization", args)))
}

/// LowNodeUtilization (nodeutilization.go, sortNodesByUsage, called by Balance in
/// lownodeutilization.go) takes the overutilized nodes by descending usage, as upstream's
/// TestSortNodesByUsage orders them. n-1 (8 cores) goes before n-0 (7): n-1 sheds 3 and
/// n-0 the one core of headroom left. Index order (n-0 first: 2 and 2) is no run.
#[test]
fn low_node_utilization_takes_the_most_used_node_first() {
    let m = low_node_cluster(&[7, 8, 1]);
    let st = m.initial_state(&[3]);
    assert!(!run(&Concrete, &m, &st, &[0, 1, 2], 0).1);
    assert!(run(&Concrete, &m, &st, &[1, 0, 2], 0).1);
    assert_eq!(outcomes(&m, &st), vec![vec![1, 3, 0]]);
    // Equal usage: sort.Slice may put either first.
    let m = low_node_cluster(&[8, 8, 1]);
    assert_eq!(outcomes(&m, &m.initial_state(&[3])), vec![vec![1, 3, 0], vec![3, 1, 0]]);
}

/// LowNodeUtilization evicts a node's pods in SortPodsBasedOnPriorityLowToHigh's order
/// (descheduler pkg/descheduler/pod/pods.go; evictPodsFromSourceNodes in
/// nodeutilization.go): all of one priority, so Burstable before Guaranteed, as upstream's
/// "without priorities evicting best-effort pods only" case orders by QoS. db
/// (Guaranteed, 2 cores) is the first group; web (Burstable, 1 core) goes first, and n-0
/// (4 + 4 of 10 cores) is back at its 5-core target after three of web.
#[test]
fn low_node_utilization_evicts_burstable_before_guaranteed() {
    let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
    let db = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers:\n        - name: c\n          image: db:1\n          resources: {requests: {cpu: \"2\", memory: 1Gi}, limits: {cpu: \"2\", memory: 1Gi}}\n---\n";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"10\", memory: 64Gi}}]\n  workloads:\n    - {deployment: db, placement: [{node: n-0, count: 2}]}\n    - {deployment: web, placement: [{node: n-0, count: 4}]}\n";
    let m = model(&format!("{db}{}{}{spec}", deployment("web", 4, "1", "1Gi", ""), policy("LowNodeUtilization", args)));
    let (db_g, web_g) = (m.groups_of[0][0], m.groups_of[1][0]);
    assert_eq!(
        (m.ir.groups[db_g].qos, m.ir.groups[web_g].qos),
        (crate::ir::Qos::Guaranteed, crate::ir::Qos::Burstable)
    );
    let st = m.initial_state(&[2]);
    let after = run(&Concrete, &m, &st, &[0, 1], 0).0;
    assert_eq!((after.terminating[db_g][0], after.terminating[web_g][0]), (0, 3));
}

/// getTargetNodes skips a node whose NoSchedule taints the pod does not tolerate, and a
/// cordoned node carries node.kubernetes.io/unschedulable:NoSchedule: with the second node
/// cordoned there is one target node, fewer than two, and nothing is evicted.
#[test]
fn remove_duplicates_does_not_count_a_cordoned_node() {
    let m = cluster(2, &[2, 0], "RemoveDuplicates", "", "");
    let mut st = m.initial_state(&[2]);
    assert_eq!(evictions(&m, &st), vec![1, 0]);
    st.cordoned[1] = true;
    assert_eq!(evictions(&m, &st), vec![0, 0]);
}

/// The cluster autoscaler's `ToBeDeletedByClusterAutoscaler:NoSchedule` taint is a NoSchedule
/// taint of its own, not the cordon: RemoveDuplicates' getTargetNodes skips the node the
/// autoscaler removes for pods that do not tolerate that key (tolerating the unschedulable
/// taint is not enough) and counts it for pods that do; NodeFit (node.go `NodeFit`: its taint
/// check, and `IsNodeUnschedulable`, which reads `spec.unschedulable` whatever the pod
/// tolerates) likewise.
#[test]
fn the_autoscalers_taint_is_told_apart_from_the_cordon() {
    let with = |tol: &str| {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, autoscaling: {min: 1, max: 2}, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 2}]}]\n";
        let extra = format!("tolerations: [{{key: {tol}, operator: Exists, effect: NoSchedule}}]");
        let m = model(&format!("{}{}{spec}", deployment("web", 2, "1", "1Gi", &extra), policy("RemoveDuplicates", "")));
        let mut st = m.initial_state(&[2]);
        st.cordoned[1] = true;
        st.scaling_down[0][1] = 1;
        (m, st)
    };
    let (m, st) = with("node.kubernetes.io/unschedulable");
    assert_eq!(evictions(&m, &st), vec![0, 0], "n-1 marked by the autoscaler is no target");
    assert!(!evictor::node_fit(&Concrete, &m, &st, 0, 1));
    let (m, mut st) = with("ToBeDeletedByClusterAutoscaler");
    assert_eq!(evictions(&m, &st), vec![1, 0], "its taint tolerated, n-1 is a target");
    assert!(evictor::node_fit(&Concrete, &m, &st, 0, 1));
    // Cordoned by a drain too: IsNodeUnschedulable fails NodeFit; the pod does not tolerate
    // the cordon's taint, so no target either.
    st.draining[1] = true;
    assert!(!evictor::node_fit(&Concrete, &m, &st, 0, 1));
    assert_eq!(evictions(&m, &st), vec![0, 0]);
}

/// DefaultEvictor minReplicas counts every pod the informer lists for the owner, pending
/// and terminating ones included: one running pod, one terminating and one pending make
/// three, enough for minReplicas 3 (counting only bound and running pods said one).
#[test]
fn min_replicas_counts_every_pod_of_the_owner() {
    let args = "\n      - {name: DefaultEvictor, args: {minReplicas: 3}}";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: n, count: 2, capacity: {cpu: \"64\", memory: 64Gi}, taints: [{key: k, value: v, effect: NoSchedule}]}\n  workloads: [{deployment: web, placement: [{node: n-0, count: 1}]}]\n";
    let pol = policy("RemovePodsViolatingNodeTaints", "").replace(
        "pluginConfig: [{name: RemovePodsViolatingNodeTaints}]",
        &format!("pluginConfig:{args}\n      - {{name: RemovePodsViolatingNodeTaints}}"),
    );
    let pol = pol.replace("balance: {enabled", "deschedule: {enabled");
    let m = model(&format!(
        "{}{pol}{spec}",
        deployment("web", 3, "1", "1Gi", "tolerations: [{key: k, operator: Exists, effect: NoExecute}]")
    ));
    let p = &m.ir.descheduler.as_ref().unwrap().profiles[0];
    let mut st = m.initial_state(&[2]);
    st.terminating[0][1] = 1;
    st.pending[0] = 1;
    assert!(filter(&Concrete, &m, &st, p, 0));
    st.pending[0] = 0;
    assert!(!filter(&Concrete, &m, &st, p, 0));
}

/// RemovePodsViolatingNodeAffinity evicts a pod when it fits some node (PodFitsAnyNode),
/// and NodeFit does not ask the pod's own node for room for it again: web (6 cores)
/// prefers the full spot node and runs on an 8-core node, which it fits as it is.
#[test]
fn node_affinity_counts_the_pods_own_node_as_a_fit() {
    let affinity = "affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, preference: {matchExpressions: [{key: pool, operator: In, values: [spot]}]}}]}}";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: spot, count: 1, labels: {pool: spot}, capacity: {cpu: \"2\", memory: 64Gi}}\n    - {name: od, count: 1, labels: {pool: od}, capacity: {cpu: \"8\", memory: 64Gi}}\n  workloads: [{deployment: web, placement: [{node: od-0, count: 1}]}]\n";
    let pol = policy(
        "RemovePodsViolatingNodeAffinity",
        ", args: {nodeAffinityType: [preferredDuringSchedulingIgnoredDuringExecution]}",
    )
    .replace("balance: {enabled", "deschedule: {enabled");
    let m = model(&format!("{}{pol}{spec}", deployment("web", 1, "6", "1Gi", affinity)));
    assert_eq!(evictions(&m, &m.initial_state(&[1, 1])), vec![0, 1]);
}

/// RemovePodsViolatingNodeTaints: without `includedTaints` every taint counts; an explicit
/// empty list includes none (upstream tests the argument against nil).
#[test]
fn an_empty_included_taints_list_includes_no_taint() {
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: n, count: 2, capacity: {cpu: \"64\", memory: 64Gi}, taints: [{key: k, value: v, effect: NoSchedule}]}\n  workloads: [{deployment: web, placement: [{node: n-0, count: 1}]}]\n";
    let run = |args: &str| {
        let pol = policy("RemovePodsViolatingNodeTaints", args).replace("balance: {enabled", "deschedule: {enabled");
        let m = model(&format!("{}{pol}{spec}", deployment("web", 1, "1", "1Gi", "")));
        evictions(&m, &m.initial_state(&[2]))
    };
    assert_eq!(run(""), vec![1, 0]);
    assert_eq!(run(", args: {includedTaints: [k]}"), vec![1, 0]);
    assert_eq!(run(", args: {includedTaints: []}"), vec![0, 0]);
}

/// With a single Ready node the descheduler aborts its run.
#[test]
fn one_ready_node_aborts() {
    let m = cluster(2, &[4, 0], "RemoveDuplicates", "", "");
    let mut st = m.initial_state(&[2]);
    assert_eq!(evictions(&m, &st), vec![2, 0]);
    st.status[1] = crate::model::state::NOT_READY;
    assert_eq!(evictions(&m, &st), vec![0, 0]);
}

/// Three pods on n-0, one of them busy after a cpuChange: RemoveDuplicates picks one of
/// the three (upperAvg 2), and which one goes is upstream's arbitrary order, so both the
/// idle and the busy pod may be the victim: always taking the busy one would leave out
/// the runs that keep it.
#[test]
fn a_pick_of_several_usage_kinds_evicts_any_of_them() {
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 3}]}]\n  events: [{type: cpuChange, deployment: web, delta: {min: \"1\", max: \"1\"}, budget: 1}]\n";
    let m = model(&format!("{}{}{spec}", deployment("web", 3, "1", "1Gi", ""), policy("RemoveDuplicates", "")));
    assert_eq!(m.defers_evictions, vec![true]);
    let (idle, busy) = (m.kinds_of_group[0][0], m.kinds_of_group[0][1]);
    assert!(m.kinds[busy].cpu_usage > m.kinds[idle].cpu_usage);
    let d = Concrete;
    let mut st = m.initial_state(&[2]);
    st.running[idle][0] = 2;
    st.running[busy][0] = 1;
    // The run picks one pod on n-0 and leaves it running.
    assert!(Controller::<Concrete>::guard(&Descheduler, &d, &m, &Step::new(0, 0, 0, 0, 0), &st));
    let picked = Controller::<Concrete>::update(&Descheduler, &d, &m, &Step::new(0, 0, 0, 0, 0), &st);
    assert_eq!((picked.evicting[0][0], picked.running[idle][0], picked.running[busy][0]), (1, 2, 1));
    assert_eq!(picked.terminating[0][0], 0);
    // One eviction step per kind on n-0, each enabled; none on n-1.
    let mut labels = Vec::new();
    Controller::<Concrete>::steps(&Eviction, &m, 0, &mut labels);
    let enabled: Vec<Step> = labels.into_iter().filter(|s| Eviction.guard(&d, &m, s, &picked)).collect();
    assert_eq!(enabled.len(), 2, "{enabled:?}");
    let mut left: Vec<(i64, i64)> = enabled
        .iter()
        .map(|s| {
            let nx = Eviction.update(&d, &m, s, &picked);
            assert_eq!((nx.evicting[0][0], nx.terminating[0][0]), (0, 1));
            (nx.running[idle][0], nx.running[busy][0])
        })
        .collect();
    left.sort();
    // The idle pod went (the busy one stays), or the busy one did.
    assert_eq!(left, vec![(1, 1), (2, 0)]);
}

// ---- namespaces ---------------------------------------------------------------------------

/// Deployment `web` in namespaces prod and staging (labels app=web both), with `extra` in
/// each pod spec, placed as `prod` and `staging` (pods per node) on a pool `n` of
/// `prod.len()` nodes (`pool` the rest of the pool's YAML), and `policy`.
fn two_namespaces(prod: &[i64], staging: &[i64], extra: &str, pool: &str, policy: &str) -> Model {
    let placement = |counts: &[i64]| -> String {
        let v: Vec<String> = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| format!("{{node: n-{i}, count: {c}}}"))
            .collect();
        v.join(", ")
    };
    let web = |ns: &str, counts: &[i64]| {
        deployment("web", counts.iter().sum(), "1", "1Gi", extra)
            .replace("metadata: {name: web}", &format!("metadata: {{name: web, namespace: {ns}}}"))
    };
    let spec = format!(
        "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: {}, capacity: {{cpu: \"10\", memory: 64Gi}}{pool}}}]\n  workloads:\n    - {{deployment: prod/web, placement: [{}]}}\n    - {{deployment: staging/web, placement: [{}]}}\n",
        prod.len(),
        placement(prod),
        placement(staging)
    );
    model(&format!("{}{}{policy}{spec}", web("prod", prod), web("staging", staging)))
}

/// Evictions of one run in index order, per Deployment (summed over nodes).
fn evicted_per_deployment(m: &Model) -> Vec<i64> {
    let st = m.initial_states().remove(0);
    let after = run(&Concrete, m, &st, &(0..m.nodes()).collect::<Vec<_>>(), 0).0;
    (0..m.ir.deployments.len())
        .map(|d| m.groups_of[d].iter().map(|&g| (0..m.nodes()).map(|n| after.terminating[g][n]).sum::<i64>()).sum())
        .collect()
}

/// Two Deployments named web in two namespaces are two owners, as upstream's owner key
/// (namespace/kind/name, removeduplicates.go) keeps them: each sheds its own duplicates.
/// The `namespaces` filter (pods.go BuildFilterFunc) leaves the other namespace's pods out:
/// `exclude` spares the namespaces named, `include` spares the others.
#[test]
fn remove_duplicates_keeps_namespaces_apart_and_filters_them() {
    let m = two_namespaces(&[4, 0], &[4, 0], "", "", &policy("RemoveDuplicates", ""));
    assert_eq!(m.ir.deployments.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["prod/web", "staging/web"]);
    assert_eq!(evicted_per_deployment(&m), vec![2, 2]);
    let m = two_namespaces(
        &[4, 0],
        &[4, 0],
        "",
        "",
        &policy("RemoveDuplicates", ", args: {namespaces: {exclude: [staging]}}"),
    );
    assert_eq!(evicted_per_deployment(&m), vec![2, 0]);
    let m = two_namespaces(
        &[4, 0],
        &[4, 0],
        "",
        "",
        &policy("RemoveDuplicates", ", args: {namespaces: {include: [staging]}}"),
    );
    assert_eq!(evicted_per_deployment(&m), vec![0, 2]);
}

/// Topology spread counts the pods of the constraint's own namespace only: prod's web
/// (3 and 1 on two nodes) and staging's (1 and 3) each move one pod, where counting both
/// would find 4 and 4 balanced. The filter drops a namespace's constraints whole.
#[test]
fn topology_spread_counts_its_own_namespace_and_filters_them() {
    let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}";
    let plugin = "RemovePodsViolatingTopologySpreadConstraint";
    let m = two_namespaces(&[3, 1], &[1, 3], spread, "", &policy(plugin, ""));
    let (prod, staging) = (m.groups_of[0][0], m.groups_of[1][0]);
    let c = &m.ir.groups[prod].spread[0];
    assert_eq!((c.selects[prod], c.selects[staging]), (true, false));
    assert_eq!((c.desched_selects[prod], c.desched_selects[staging]), (true, false));
    assert_eq!(evicted_per_deployment(&m), vec![1, 1]);
    let m = two_namespaces(&[3, 1], &[1, 3], spread, "", &policy(plugin, ", args: {namespaces: {exclude: [prod]}}"));
    assert_eq!(evicted_per_deployment(&m), vec![0, 1]);
    let m = two_namespaces(&[3, 1], &[1, 3], spread, "", &policy(plugin, ", args: {namespaces: {include: [prod]}}"));
    assert_eq!(evicted_per_deployment(&m), vec![1, 0]);
}

/// RemovePodsViolatingNodeTaints and RemovePodsViolatingNodeAffinity evict only the pods of
/// the namespaces their filter admits.
#[test]
fn node_taints_and_affinity_filter_namespaces() {
    let tainted = ", taints: [{key: k, value: v, effect: NoSchedule}]";
    let taints = |args: &str| {
        let pol = policy("RemovePodsViolatingNodeTaints", args).replace("balance: {enabled", "deschedule: {enabled");
        evicted_per_deployment(&two_namespaces(&[1, 0], &[1, 0], "", tainted, &pol))
    };
    assert_eq!(taints(""), vec![1, 1]);
    assert_eq!(taints(", args: {namespaces: {exclude: [prod]}}"), vec![0, 1]);
    assert_eq!(taints(", args: {namespaces: {include: [prod]}}"), vec![1, 0]);
    // Required affinity that n-0, where the pods run, violates and n-1 meets.
    let affinity = "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: NotIn, values: [n-0]}]}]}}}";
    let affinity_run = |args: &str| {
        let pol = policy(
            "RemovePodsViolatingNodeAffinity",
            &format!(", args: {{nodeAffinityType: [requiredDuringSchedulingIgnoredDuringExecution]{args}}}"),
        )
        .replace("balance: {enabled", "deschedule: {enabled");
        evicted_per_deployment(&two_namespaces(&[1, 0], &[1, 0], affinity, "", &pol))
    };
    assert_eq!(affinity_run(""), vec![1, 1]);
    assert_eq!(affinity_run(", namespaces: {exclude: [prod]}"), vec![0, 1]);
    assert_eq!(affinity_run(", namespaces: {include: [prod]}"), vec![1, 0]);
}

/// LowNodeUtilization's `evictableNamespaces` skips the excluded namespaces' pods where it
/// would evict them (nodeutilization.go evictPods) and takes the next: n-0 runs 4 + 4 cores
/// of 10 (target 5), prod's pods go first (index order within a QoS class) unless prod is
/// excluded, and then staging's; their requests still count in n-0's usage either way.
#[test]
fn low_node_utilization_skips_excluded_namespaces() {
    let lnu = |extra: &str| {
        policy(
            "LowNodeUtilization",
            &format!(", args: {{thresholds: {{cpu: 20}}, targetThresholds: {{cpu: 50}}{extra}}}"),
        )
    };
    let m = two_namespaces(&[4, 0], &[4, 0], "", "", &lnu(""));
    assert_eq!(evicted_per_deployment(&m), vec![3, 0]);
    let m = two_namespaces(&[4, 0], &[4, 0], "", "", &lnu(", evictableNamespaces: {exclude: [prod]}"));
    assert_eq!(evicted_per_deployment(&m), vec![0, 3]);
    let m = two_namespaces(&[4, 0], &[4, 0], "", "", &lnu(", evictableNamespaces: {exclude: [prod, staging]}"));
    assert_eq!(evicted_per_deployment(&m), vec![0, 0]);
}

/// Pods of each group one descheduler run evicts, over every enabled label, each outcome once.
fn group_outcomes(m: &Model, st: &ClusterState<Concrete>) -> Vec<Vec<i64>> {
    distinct_outcomes(m, st, |before, after| {
        (0..m.ir.groups.len())
            .map(|g| (0..m.nodes()).map(|n| after.terminating[g][n] - before.terminating[g][n]).sum())
            .collect()
    })
}

/// `front` (1 pod) and `back` (2 pods) keep away from each other on the hostname and share
/// node n-0 of two. RemovePodsViolatingInterPodAntiAffinity visits a node's pods in
/// SortPodsBasedOnPriorityLowToHigh's order, arbitrary among pods of one priority and QoS
/// class: `front` first evicts it (both `back` pods then see no partner), `back` first evicts
/// both. Each node's two orders are choices: 4 labels, both outcomes.
fn front_and_back(extra: &str) -> Model {
    let anti = |other: &str| {
        format!("affinity:\n  podAntiAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n      - {{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: {other}}}}}}}")
    };
    let policy = "apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{name: RemovePodsViolatingInterPodAntiAffinity}]\n    plugins: {deschedule: {enabled: [RemovePodsViolatingInterPodAntiAffinity]}}\n---\n";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads:\n    - {deployment: front, placement: [{node: n-0, count: 1}]}\n    - {deployment: back, placement: [{node: n-0, count: 2}]}\n";
    model(&format!(
        "{}{}{extra}{policy}{spec}",
        deployment("front", 1, "1", "1Gi", &anti("back")),
        deployment("back", 2, "1", "1Gi", &anti("front"))
    ))
}

#[test]
fn anti_affinity_explores_every_group_order_on_a_node() {
    let m = front_and_back("");
    assert_eq!(group_choice_count(&m), 4);
    assert!(Controller::<Concrete>::uses_node_order(&Descheduler, &m), "the labels name nodes");
    assert_eq!(group_outcomes(&m, &m.initial_state(&[2])), vec![vec![0, 2], vec![1, 0]]);
    let mut labels = Vec::new();
    Controller::<Concrete>::steps(&Descheduler, &m, 0, &mut labels);
    let st = m.initial_state(&[2]);
    let after = Descheduler.update(&Concrete, &m, &labels[1], &st);
    assert_eq!(
        Controller::<Concrete>::describe(&Descheduler, &m, &labels[1], &st, &after),
        "picks to evict 2 pod(s) of back on n-0, as back's affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] selects 1 other pod in kubernetes.io/hostname of n-0 (RemovePodsViolatingInterPodAntiAffinity; on n-0 back before front)"
    );
}

/// A pod the Eviction API refuses stays listed and the plugin goes on to the next pod
/// (pod_antiaffinity.go `Deschedule` logs the error and continues; only an evicted pod leaves
/// the namespace map): with `back` under a budget that allows no disruption, `back` first is
/// refused and `front` still sees it, so `front` goes in both orders.
#[test]
fn a_refused_pod_stays_listed_and_the_plugin_goes_on() {
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: back}\nspec: {minAvailable: 2, selector: {matchLabels: {app: back}}}\n---\n";
    let m = front_and_back(pdb);
    assert_eq!(group_outcomes(&m, &m.initial_state(&[2])), vec![vec![1, 0]]);
}

/// Two owners with duplicates on n-0 of three nodes (3 pods each: upperAvg 1, so each wants 2
/// gone). RemoveDuplicates takes owners in the order of its `duplicatePods` map, arbitrary:
/// under maxNoOfPodsToEvictTotal 2 either owner's duplicates go, and under a
/// PodDisruptionBudget both share, allowing one disruption, either owner loses one pod.
#[test]
fn remove_duplicates_explores_every_owner_order_where_it_matters() {
    let two = |top: &str, extra: &str| {
        let policy = format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\n{top}profiles:\n  - name: p\n    pluginConfig: [{{name: RemoveDuplicates}}]\n    plugins: {{balance: {{enabled: [RemoveDuplicates]}}}}\n---\n");
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 3, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads:\n    - {deployment: a, placement: [{node: n-0, count: 3}]}\n    - {deployment: b, placement: [{node: n-0, count: 3}]}\n";
        model(&format!(
            "{}{}{extra}{policy}{spec}",
            deployment("a", 3, "1", "1Gi", ""),
            deployment("b", 3, "1", "1Gi", "")
        ))
    };
    let m = two("", "");
    assert_eq!(group_choice_count(&m), 1, "without limits or a shared budget owners decide alone");
    assert_eq!(group_outcomes(&m, &m.initial_state(&[3])), vec![vec![2, 2]]);
    let m = two("maxNoOfPodsToEvictTotal: 2\n", "");
    assert_eq!(group_choice_count(&m), 2);
    assert_eq!(group_outcomes(&m, &m.initial_state(&[3])), vec![vec![0, 2], vec![2, 0]]);
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: ab}\nspec: {maxUnavailable: 1, selector: {matchExpressions: [{key: app, operator: In, values: [a, b]}]}}\n---\n";
    let m = two("", pdb);
    assert_eq!(group_outcomes(&m, &m.initial_state(&[3])), vec![vec![0, 1], vec![1, 0]]);
}

/// DefaultEvictor's priority protections (descheduler defaultevictor_test.go,
/// TestDefaultEvictorFilter, with its lowPriority 800 and highPriority 900): "Pod not evicted
/// because it has system critical priority", "Pod not evicted because it has a priority
/// higher than the configured priority threshold", "Pod is evicted because it has system
/// critical priority, but evictSystemCriticalPods = true", "Pod is evicted because it has a
/// priority higher than the configured priority threshold, but evictSystemCriticalPods =
/// true"; a threshold by class name takes the class's value (GetPriorityValueFromPriorityThreshold).
#[test]
fn default_evictor_priority_threshold() {
    let classes = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: low}\nvalue: 800\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 900\n---\n";
    let with = |class: &str, args: &str| {
        let policy = format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{{name: DefaultEvictor, args: {{{args}}}}}, {{name: RemoveDuplicates}}]\n    plugins: {{balance: {{enabled: [RemoveDuplicates]}}}}\n---\n");
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 2}]}]\n";
        let m = model(&format!(
            "{classes}{}{policy}{spec}",
            deployment("web", 2, "1", "1Gi", &format!("priorityClassName: {class}"))
        ));
        let st = m.initial_state(&[2]);
        let p = &m.ir.descheduler.as_ref().expect("a policy").profiles[0];
        filter(&Concrete, &m, &st, p, 0)
    };
    assert!(!with("system-cluster-critical", ""));
    assert!(!with("high", "priorityThreshold: {value: 800}"));
    assert!(with("low", "priorityThreshold: {value: 900}"));
    assert!(!with("high", "priorityThreshold: {name: low}"));
    assert!(with("system-cluster-critical", "evictSystemCriticalPods: true"));
    assert!(with("high", "evictSystemCriticalPods: true, priorityThreshold: {value: 800}"));
}

// ---- the order a domain gives up its pods ----------------------------------------------------

/// Deployments `first` and `second` (each `(name, replicas on n-0, pod spec extra)`), in that
/// order in the input, both labelled tier=web and carrying a hostname spread constraint
/// selecting tier=web (maxSkew 1), on two nodes n-0 and n-1 (pool `n`, label `pool: n`);
/// RemovePodsViolatingTopologySpreadConstraint with the plugin's `args`. PriorityClasses
/// `high` (100, never preempting: kbmc's preemption does not model spread) and `low` (0)
/// exist.
fn spread_pair(first: (&str, i64, &str), second: (&str, i64, &str), args: &str) -> Model {
    let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {tier: web}}}";
    let dep = |(name, count, extra): (&str, i64, &str)| {
        deployment(name, count, "1", "1Gi", &format!("{spread}\n{extra}"))
            .replace(&format!("labels: {{app: {name}}}"), &format!("labels: {{app: {name}, tier: web}}"))
    };
    let classes = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 100\npreemptionPolicy: Never\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: low}\nvalue: 0\n---\n";
    let spec = format!(
        "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 2, capacity: {{cpu: \"64\", memory: 64Gi}}}}]\n  workloads:\n    - {{deployment: {}, placement: [{{node: n-0, count: {}}}]}}\n    - {{deployment: {}, placement: [{{node: n-0, count: {}}}]}}\n",
        first.0, first.1, second.0, second.1
    );
    model(&format!(
        "{classes}{}{}{}{spec}",
        dep(first),
        dep(second),
        policy("RemovePodsViolatingTopologySpreadConstraint", args)
    ))
}

/// Pods each Deployment (by name) loses in every outcome of one descheduler step.
fn losses_by_name(m: &Model, names: &[&str]) -> Vec<Vec<i64>> {
    let st = m.initial_states().remove(0);
    let per_group = group_outcomes(m, &st);
    let mut out: Vec<Vec<i64>> = per_group
        .iter()
        .map(|o| {
            names
                .iter()
                .map(|name| {
                    let d = m.ir.deployments.iter().position(|d| d.name == *name).expect("a Deployment");
                    m.groups_of[d].iter().map(|&g| o[g]).sum()
                })
                .collect()
        })
        .collect();
    out.sort();
    out
}

/// balanceDomains' stable sort (topologyspreadconstraint.go) puts the pods that fit no node
/// of a below-average domain first, and the plugin takes from the end: of n-0's 2 `pinned`
/// pods (nodeSelector on n-0's hostname) and 2 `free` ones, the 2 moves take `free`'s,
/// whichever Deployment the input lists first (upstream's "2 domains, sizes [4,0], maxSkew=1,
/// only move 1 pod since pods with nodeSelector and nodeAffinity aren't evicted" in small).
/// Index order used to take `pinned`'s first, which fit nowhere else and were left.
#[test]
fn topology_spread_takes_pods_that_fit_elsewhere_first() {
    let pin = "nodeSelector: {kubernetes.io/hostname: n-0}";
    for swap in [false, true] {
        let (a, b) = (("pinned", 2, pin), ("free", 2, ""));
        let m = if swap { spread_pair(b, a, "") } else { spread_pair(a, b, "") };
        assert_eq!(losses_by_name(&m, &["pinned", "free"]), vec![vec![0, 2]], "swapped: {swap}");
    }
}

/// sortDomains (topologyspreadconstraint.go) sorts a domain's pods with selectors or node
/// affinity (here a preferred one, which fits anywhere) first and, within each kind, by ascending priority (`!comparePodsByPriority`),
/// and the plugin takes from the end: a pod without a nodeSelector goes before one with,
/// and the higher priority before the lower (as TestSortDomains "multiple domains with
/// different priorities and selectors" orders them), without topologyBalanceNodeFit too.
#[test]
fn topology_spread_takes_plain_then_higher_priority_pods_first() {
    let any_node = "affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {matchExpressions: [{key: x, operator: Exists}]}}]}}";
    let args = ", args: {topologyBalanceNodeFit: false}";
    for swap in [false, true] {
        let (a, b) = (("selected", 2, any_node), ("plain", 2, ""));
        let m = if swap { spread_pair(b, a, args) } else { spread_pair(a, b, args) };
        assert_eq!(losses_by_name(&m, &["selected", "plain"]), vec![vec![0, 2]], "swapped: {swap}");
        let (a, b) = (("low", 2, "priorityClassName: low"), ("high", 2, "priorityClassName: high"));
        let m = if swap { spread_pair(b, a, args) } else { spread_pair(a, b, args) };
        assert_eq!(losses_by_name(&m, &["low", "high"]), vec![vec![0, 2]], "swapped: {swap}");
    }
}

/// Two groups alike in what the sorts read tie; sort.Slice leaves them in the lister's
/// arbitrary order, so taking either first is a choice of the step: 2 labels per node order,
/// and one move of 2 goes to `a` or to `b`.
#[test]
fn topology_spread_tied_groups_are_choices() {
    let m = spread_pair(("a", 2, ""), ("b", 2, ""), "");
    assert_eq!(group_choice_count(&m), 2);
    assert_eq!(losses_by_name(&m, &["a", "b"]), vec![vec![0, 2], vec![2, 0]]);
}

/// LowNodeUtilization's thresholds are float64 percentages: a node is above t when
/// `float64(used) / float64(alloc) * 100 > t` (ResourceUsageToResourceThreshold,
/// isNodeAboveThreshold), and a target caps capacity at `int64(t * 0.01 * capacity)`
/// (capNodeCapacityToThreshold). 333m of 1000m is 33.300000000000004% in float64, above
/// 33.3; flooring 33.3 to 33 made 331m above it.
#[test]
fn low_node_utilization_thresholds_are_float_percentages() {
    use low_node_utilization::{fraction, min_over};
    assert_eq!(min_over(1000, 33.3), 333);
    assert_eq!(min_over(2000, 12.5), 251);
    assert_eq!(min_over(2000, 0.0), 1);
    assert_eq!(min_over(2000, 100.0), 2001);
    assert_eq!(min_over(0, 50.0), i64::MAX);
    assert_eq!(fraction(33.3, 1000), 332);
    assert_eq!(fraction(12.5, 2000), 250);
    assert_eq!(fraction(100.0, 110), 110);
}

/// LowNodeUtilization sorts a node's pods with SortPodsBasedOnPriorityLowToHigh, a
/// `sort.Slice` over the lister's arbitrary order: `a` (1 core) and `b` (2 cores), both
/// Burstable at priority 0, tie, so either goes first on n-0 (4 + 4 of 10 cores, target 5):
/// three of `a`, or two of `b` (which also use up n-1's 4 cores of headroom). Each node's two
/// orders are choices of the step.
#[test]
fn low_node_utilization_tied_groups_are_choices() {
    let args = ", args: {thresholds: {cpu: 20}, targetThresholds: {cpu: 50}}";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"10\", memory: 64Gi}}]\n  workloads:\n    - {deployment: a, placement: [{node: n-0, count: 4}, {node: n-1, count: 1}]}\n    - {deployment: b, placement: [{node: n-0, count: 2}]}\n";
    let m = model(&format!(
        "{}{}{}{spec}",
        deployment("a", 5, "1", "1Gi", ""),
        deployment("b", 2, "2", "1Gi", ""),
        policy("LowNodeUtilization", args)
    ));
    assert_eq!(group_choice_count(&m), 4);
    assert_eq!(losses_by_name(&m, &["a", "b"]), vec![vec![0, 2], vec![3, 0]]);
}

/// NodeFit's resource check (node.go `fitsRequest`) asks for room in the pod count and in
/// each resource the pod's requests name (the names of `PodRequestsAndLimits`' list): on
/// n-1, its 4Gi of memory over-committed by `hog`, a pod that names only CPU still fits, one
/// that names memory, even as an explicit 0, does not; with `hog` within the memory, both fit.
#[test]
fn node_fit_checks_only_the_resources_a_pod_requests() {
    let dep = |name: &str, requests: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers: [{{name: c, image: i, resources: {{requests: {requests}}}}}]\n---\n")
    };
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 4Gi}}]\n  workloads:\n    - {deployment: hog, placement: [{node: n-1, count: 1}]}\n    - {deployment: light, placement: [{node: n-0, count: 1}]}\n    - {deployment: zero, placement: [{node: n-0, count: 1}]}\n";
    let m = model(&format!(
        "{}{}{}{}{spec}",
        dep("hog", "{cpu: 100m, memory: 1Gi}"),
        dep("light", "{cpu: 100m}"),
        dep("zero", "{cpu: 100m, memory: \"0\"}"),
        policy("RemoveDuplicates", "")
    ));
    let (hog, light, zero) = (m.groups_of[0][0], m.groups_of[1][0], m.groups_of[2][0]);
    assert_eq!(
        (m.ir.groups[light].request_names, m.ir.groups[zero].request_names),
        (crate::ir::RequestNames { cpu: true, memory: false }, crate::ir::RequestNames { cpu: true, memory: true })
    );
    let mut st = m.initial_state(&[2]);
    let fit = |st: &ClusterState<Concrete>, g: usize| super::evictor::node_fit(&Concrete, &m, st, g, 1);
    assert!(fit(&st, light) && fit(&st, zero));
    st.running[m.start_kind[hog]][1] = 5;
    assert!(fit(&st, light), "no memory named: the over-committed memory is not asked");
    assert!(!fit(&st, zero), "memory named, as 0: 5Gi + 0 of 4Gi does not fit");
}

/// RemoveDuplicates on 4/1/1 pods (two of n-0's four go), with `pdb` (a PodDisruptionBudget
/// spec's fields) over the pods where it is not empty.
fn duplicates_with_budget(pdb: &str) -> Model {
    let budget = if pdb.is_empty() {
        String::new()
    } else {
        format!("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web-pdb}}\nspec: {{{pdb}, selector: {{matchLabels: {{app: web}}}}}}\n---\n")
    };
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 3, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 4}, {node: n-1, count: 1}, {node: n-2, count: 1}]}]\n";
    model(&format!("{}{budget}{}{spec}", deployment("web", 6, "1", "1Gi", ""), policy("RemoveDuplicates", "")))
}

/// The steps enabled in `st` under the model's timing policy, as both engines take them.
fn enabled_steps(m: &Model, st: &ClusterState<Concrete>) -> Vec<Step> {
    let reg = crate::model::registry::<Concrete>();
    let labels = crate::model::all_steps(m, &reg);
    crate::model::relation::enabled(m, &reg, &labels, &crate::model::relation::static_classes(m), false, st)
}

/// The actor names of `steps`, sorted, each once.
fn actors(steps: &[Step]) -> Vec<&'static str> {
    let reg = crate::model::registry::<Concrete>();
    let mut names: Vec<&'static str> = steps.iter().map(|s| reg[s.actor as usize].name()).collect();
    names.sort();
    names.dedup();
    names
}

/// Takes the first enabled step that is not the descheduler's until none is left: the
/// ReplicaSet, the scheduler and the kubelet settle.
fn settle(m: &Model, mut st: ClusterState<Concrete>) -> ClusterState<Concrete> {
    let reg = crate::model::registry::<Concrete>();
    for _ in 0..100 {
        let Some(s) = enabled_steps(m, &st).into_iter().find(|s| reg[s.actor as usize].name() != "descheduler") else {
            return st;
        };
        st = reg[s.actor as usize].update(&Concrete, m, &s, &st);
    }
    panic!("the controllers did not settle");
}

/// The one enabled step of `op` (RUNNING, BOUND or DROP) among `steps`, if one.
fn eviction_of(steps: &[Step], op: u8) -> Option<Step> {
    let reg = crate::model::registry::<Concrete>();
    let mut of = steps.iter().filter(|s| reg[s.actor as usize].name() == "descheduler" && s.op == op);
    let first = of.next().copied();
    assert!(of.next().is_none(), "{steps:?}");
    first
}

/// Upstream's run calls the Eviction API pod by pod (evictions.go `EvictPod` in the plugins'
/// loops, removeduplicates.go `Balance`) while the ReplicaSet and the scheduler go on:
/// RemoveDuplicates wants two of n-0's four pods gone; the run picks them, and after the
/// first call the ReplicaSet's replacement and the second call are both steps. With a run's
/// evictions in one step no state had one of them evicted and not the other.
#[test]
fn a_runs_evictions_interleave_with_the_replicaset() {
    let m = duplicates_with_budget("");
    let reg = crate::model::registry::<Concrete>();
    let st = m.initial_state(&[3]);
    let run: Vec<Step> =
        enabled_steps(&m, &st).into_iter().filter(|s| reg[s.actor as usize].name() == "descheduler").collect();
    assert_eq!(run.len(), 1, "{run:?}");
    let picked = reg[run[0].actor as usize].update(&Concrete, &m, &run[0], &st);
    assert_eq!((picked.evicting[0][0], picked.terminating[0][0]), (2, 0));
    // Only the calls follow the run (nothing else changed), then the ReplicaSet joins in.
    let first = enabled_steps(&m, &picked);
    assert_eq!(actors(&first), ["descheduler"], "{first:?}");
    let call = eviction_of(&first, RUNNING).expect("a call");
    let one = reg[call.actor as usize].update(&Concrete, &m, &call, &picked);
    assert_eq!((one.evicting[0][0], one.terminating[0][0]), (1, 1));
    let between = actors(&enabled_steps(&m, &one));
    assert!(between.contains(&"descheduler") && between.contains(&"deployment"), "{between:?}");
    // The replacement may run before the second call.
    let replaced = settle(&m, one);
    assert_eq!((replaced.evicting[0][0], replaced.pending[0]), (1, 0));
    assert!(eviction_of(&enabled_steps(&m, &replaced), RUNNING).is_some());
}

/// evictions_test.go TestEvictPod, translated: "pod present" is evicted; "pod absent (not
/// found error)" and "pod absent (too many requests error)" evict nothing, and the call is
/// over (the plugin goes on to its next pod). TestNewPodEvictor's "eviction error with
/// eviction failure event notification" counts a failed call towards no limit: kbmc's
/// limits count the run's foreseen evictions only, and a call is one step whatever it does.
#[test]
fn each_call_asks_the_eviction_api_as_the_cluster_stands() {
    let m = duplicates_with_budget("");
    let (d, k) = (Concrete, m.kinds_of_group[0][0]);
    let mut st = m.initial_state(&[3]);
    st.evicting[0][0] = 1;
    let guard = |s: &ClusterState<Concrete>, op: u8| Eviction.guard(&d, &m, &Step::new(0, op, 0, 0, k as i64), s);
    // Pod present: evicted.
    assert!(guard(&st, RUNNING) && !guard(&st, DROP));
    let nx = Eviction.update(&d, &m, &Step::new(0, RUNNING, 0, 0, k as i64), &st);
    assert_eq!((nx.evicting[0][0], nx.running[k][0], nx.terminating[0][0]), (0, 3, 1));
    // Pod absent: nothing to evict, the pick goes.
    let mut gone = st.clone();
    gone.running[k][0] = 0;
    assert!(!guard(&gone, RUNNING) && !guard(&gone, BOUND) && guard(&gone, DROP));
    let nx = Eviction.update(&d, &m, &Step::new(0, DROP, 0, 0, 0), &gone);
    assert_eq!((nx.evicting[0][0], nx.terminating[0][0]), (0, 0));
    // Too many requests: a budget that allows no disruption refuses, the pod stays.
    let m = duplicates_with_budget("minAvailable: \"100%\"");
    let guard = |s: &ClusterState<Concrete>, op: u8| Eviction.guard(&d, &m, &Step::new(0, op, 0, 0, k as i64), s);
    assert!(!guard(&st, RUNNING) && guard(&st, DROP));
    let nx = Eviction.update(&d, &m, &Step::new(0, DROP, 0, 0, 0), &st);
    assert_eq!((nx.evicting[0][0], nx.running[k][0], nx.terminating[0][0]), (0, 4, 0));
    // A pod that has not started (phase Pending) goes without the budget.
    let mut bound = st.clone();
    bound.running[k][0] = 0;
    bound.bound[0][0] = 1;
    assert!(guard(&bound, BOUND) && !guard(&bound, DROP));
}

/// A budget allowing one disruption: the run foresees one of its two calls refused and
/// tries both (removeduplicates.go goes on after a refused pod). The second call is
/// refused while the first pod's replacement is not running, and allowed once it is:
/// upstream's calls and the ReplicaSet race, so either may happen.
#[test]
fn a_call_the_run_foresaw_refused_goes_once_the_budget_allows() {
    let m = duplicates_with_budget("maxUnavailable: 1");
    let reg = crate::model::registry::<Concrete>();
    let st = m.initial_state(&[3]);
    assert_eq!(evictions(&m, &st), vec![1, 0, 0], "the run alone evicts one");
    let run: Vec<Step> =
        enabled_steps(&m, &st).into_iter().filter(|s| reg[s.actor as usize].name() == "descheduler").collect();
    let picked = reg[run[0].actor as usize].update(&Concrete, &m, &run[0], &st);
    assert_eq!(picked.evicting[0][0], 2, "both pods are tried");
    let call = eviction_of(&enabled_steps(&m, &picked), RUNNING).expect("the budget allows one");
    let one = reg[call.actor as usize].update(&Concrete, &m, &call, &picked);
    let now = enabled_steps(&m, &one);
    assert!(eviction_of(&now, RUNNING).is_none() && eviction_of(&now, DROP).is_some(), "{now:?}");
    let replaced = settle(&m, one);
    let later = enabled_steps(&m, &replaced);
    assert!(eviction_of(&later, RUNNING).is_some() && eviction_of(&later, DROP).is_none(), "{later:?}");
    let two = Eviction.update(&Concrete, &m, &eviction_of(&later, RUNNING).unwrap(), &replaced);
    assert_eq!((two.evicting[0][0], two.terminating[0][0]), (0, 1 + replaced.terminating[0][0]));
}

/// descheduler pod_antiaffinity_test.go TestPodAntiAffinity, translated: `p1`, `p3`, `p4`
/// (one group, no labels) keep away from `foo: bar` pods in their region; `p2` (another
/// group) carries `foo: bar`. The upstream tests run on one node; a descheduler run needs two
/// Ready nodes, so a second, empty node of another region is added (no pod can move
/// anywhere it changes).
mod inter_pod_anti_affinity {
    use super::super::run;
    use crate::domain::Concrete;
    use crate::model::node::active_on;
    use crate::model::testkit::model;
    use crate::model::{ClusterState, Model};

    const ANTI_FOO_BAR: &str = "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: region, labelSelector: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}}]}}";

    fn dep(name: &str, replicas: i64, labels: &str, extra: &str) -> String {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{d: {name}}}}}\n  template:\n    metadata: {{labels: {{d: {name}{labels}}}}}\n    spec:\n      containers: [{{name: c, image: i, resources: {{requests: {{cpu: 100m, memory: 100Mi}}}}}}]\n      {extra}\n---\n")
    }

    /// Evictions per node of one run in index order; `limits` adds policy fields.
    fn evicted(yaml: &str, limits: &str, prepare: impl Fn(&Model, &mut ClusterState<Concrete>)) -> Vec<i64> {
        let policy = format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\n{limits}profiles:\n  - name: p\n    pluginConfig: [{{name: RemovePodsViolatingInterPodAntiAffinity}}]\n    plugins: {{deschedule: {{enabled: [RemovePodsViolatingInterPodAntiAffinity]}}}}\n---\n");
        let m = model(&format!("{policy}{yaml}"));
        let sizes: Vec<i64> = m.ir.pools.iter().map(|p| p.count.max).collect();
        let mut st = m.initial_state(&sizes);
        prepare(&m, &mut st);
        let after = run(&Concrete, &m, &st, &(0..m.nodes()).collect::<Vec<_>>(), 0).0;
        (0..m.nodes())
            .map(|n| (0..m.ir.groups.len()).map(|g| after.terminating[g][n] - st.terminating[g][n]).sum())
            .collect()
    }

    fn cluster(p1_node: &str, p2_node: &str) -> String {
        format!(
            "{}{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {{name: node1, count: 1, labels: {{region: main-region}}, capacity: {{cpu: \"8\", memory: 8Gi}}}}\n    - {{name: node5, count: 1, labels: {{region: main-region}}, capacity: {{cpu: \"8\", memory: 8Gi}}}}\n    - {{name: other, count: 1, labels: {{region: other}}, capacity: {{cpu: \"8\", memory: 8Gi}}}}\n  workloads:\n    - {{deployment: anti, placement: [{{node: {p1_node}, count: 3}}]}}\n    - {{deployment: p2, placement: [{{node: {p2_node}, count: 1}}]}}\n",
            dep("anti", 3, "", ANTI_FOO_BAR),
            dep("p2", 1, ", foo: bar", "")
        )
    }

    #[test]
    fn upstream_table() {
        // "Maximum pods to evict - 0": p1, p3 and p4 see p2; p2 has no anti-affinity.
        assert_eq!(evicted(&cluster("node1-0", "node1-0"), "", |_, _| {}), [3, 0, 0]);
        // "Maximum pods to evict (maxNoOfPodsToEvictTotal)": one in total.
        assert_eq!(
            evicted(
                &cluster("node1-0", "node1-0"),
                "maxNoOfPodsToEvictPerNamespace: 3\nmaxNoOfPodsToEvictTotal: 1\n",
                |_, _| {}
            ),
            [1, 0, 0]
        );
        // "No pod to evicted since all pod terminating".
        assert_eq!(
            evicted(&cluster("node1-0", "node1-0"), "", |m, st| {
                for n in 0..m.nodes() {
                    let c = active_on(&Concrete, m, st, 0, n);
                    for &k in &m.kinds_of_group[0] {
                        st.running[k][n] = 0;
                    }
                    st.bound[0][n] = 0;
                    st.terminating[0][n] = c;
                }
            }),
            [0, 0, 0]
        );
        // "Evict pod violating anti-affinity among different node (all pods have
        // anti-affinity)": p2 on another node of the same region.
        assert_eq!(evicted(&cluster("node1-0", "node5-0"), "", |_, _| {}), [3, 0, 0]);
        // In another region p2 is no partner.
        assert_eq!(evicted(&cluster("other-0", "node1-0"), "", |_, _| {}), [0, 0, 0]);
    }

    /// Pods keeping away from their own group on their node: each eviction takes a partner
    /// from the others, so one pod per node stays (and one pod alone is no violation).
    #[test]
    fn a_group_avoiding_itself_keeps_one_pod_per_node() {
        let anti_self = "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {d: web}}}]}}";
        let yaml = format!("{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 2, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n  workloads: [{{deployment: web, placement: [{{node: n-0, count: 3}}, {{node: n-1, count: 1}}]}}]\n", dep("web", 4, "", anti_self));
        assert_eq!(evicted(&yaml, "", |_, _| {}), [2, 0]);
    }
}

/// A DaemonSet's pods are no owner RemoveDuplicates lists (removeduplicates.go `New`: the
/// listing goes through the evictor's filter, which drops them), and a namespace without a
/// Deployment (the agent's) is asked for its eviction count like any other: the run over a
/// Deployment in a namespace of its own beside a DaemonSet in `default` evicts what the
/// per-namespace limit lets go, as without the DaemonSet.
#[test]
fn a_daemon_set_in_a_namespace_of_its_own_is_no_owner() {
    let agent = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: c, image: agent:1, resources: {requests: {cpu: 100m, memory: 64Mi}}}]\n---\n";
    let web =
        deployment("web", 6, "1", "1Gi", "").replace("metadata: {name: web}", "metadata: {name: web, namespace: shop}");
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 3, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 4}, {node: n-1, count: 1}, {node: n-2, count: 1}]}]\n";
    let limited = "apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nmaxNoOfPodsToEvictPerNamespace: 1\nprofiles:\n  - name: p\n    pluginConfig: [{name: RemoveDuplicates}, {name: RemovePodsViolatingTopologySpreadConstraint}]\n    plugins: {balance: {enabled: [RemoveDuplicates, RemovePodsViolatingTopologySpreadConstraint]}}\n---\n";
    for (daemon, want) in [("", vec![1, 0, 0]), (agent, vec![1, 0, 0])] {
        let m = model(&format!("{web}{daemon}{limited}{spec}"));
        assert_eq!(remove_duplicates::choices(&m, &m.ir.descheduler.as_ref().unwrap().profiles[0].balance[0]), 1);
        assert_eq!(evictions(&m, &m.initial_state(&[3])), want, "with the DaemonSet: {}", !daemon.is_empty());
    }
}
