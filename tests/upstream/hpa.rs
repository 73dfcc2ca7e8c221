//! HPA replica calculator: kubernetes/kubernetes
//! pkg/controller/podautoscaler/replica_calculator_test.go, the `TestReplicaCalc*` tests
//! with a CPU Resource metric. Each case gives the upstream test's current replicas, request
//! per container, target utilization, the usage of its ready pods with metrics, and how many
//! pods are unready, missing metrics or being deleted; it checks the replica count the
//! upstream test expects. Requests and usage are millicores.

use super::*;

const FILE: &str = "kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go";

fn calc(current: i64, request: i64, target: i64, usage: &'static [i64]) -> ReplicaCalc {
    ReplicaCalc { current, request, target, usage, unready: 0, missing: 0, deleted: 0 }
}

fn check(upstream: &str, c: ReplicaCalc, expected: i64) {
    assert_eq!(replica_calc(&c), expected, "{FILE} {upstream}");
}

/// upstream: TestReplicaCalcScaleUp (3 pods at 300/500/700 of 1000, target 30: 50 %).
#[test]
fn scale_up() {
    check("TestReplicaCalcScaleUp", calc(3, 1000, 30, &[300, 500, 700]), 5);
}

/// upstream: TestReplicaCalcScaleUpUnreadyLessScale (the 300 pod unready; 60 % over two ready
/// pods, recomputed with the unready pod at 0).
#[test]
fn scale_up_unready_less_scale() {
    check("TestReplicaCalcScaleUpUnreadyLessScale", ReplicaCalc { unready: 1, ..calc(3, 1000, 30, &[500, 700]) }, 4);
}

/// upstream: TestReplicaCalcScaleUpUnreadyNoScale (one ready pod at 400, two unready: with
/// them at 0 the ratio turns, no change).
#[test]
fn scale_up_unready_no_scale() {
    check("TestReplicaCalcScaleUpUnreadyNoScale", ReplicaCalc { unready: 2, ..calc(3, 1000, 30, &[400]) }, 3);
}

/// upstream: TestReplicaCalcScaleUpIgnoresDeletionPods (two pods being deleted are ignored).
#[test]
fn scale_up_ignores_deletion_pods() {
    check("TestReplicaCalcScaleUpIgnoresDeletionPods", ReplicaCalc { deleted: 2, ..calc(2, 1000, 30, &[500, 700]) }, 4);
}

/// upstream: TestReplicaCalcScaleDown (5 pods, 28 % against 50 %).
#[test]
fn scale_down() {
    check("TestReplicaCalcScaleDown", calc(5, 1000, 50, &[100, 300, 500, 250, 250]), 3);
}

/// upstream: TestReplicaCalcScaleDownIncludeUnreadyPods (two unready pods are left out on a
/// scale-down: 30 % over three ready pods).
#[test]
fn scale_down_include_unready_pods() {
    check(
        "TestReplicaCalcScaleDownIncludeUnreadyPods",
        ReplicaCalc { unready: 2, ..calc(5, 1000, 50, &[100, 300, 500]) },
        2,
    );
}

/// upstream: TestReplicaCalcScaleDownExcludeUnscheduledPods (four Pending pods; one ready pod
/// at 10 %).
#[test]
fn scale_down_exclude_unscheduled_pods() {
    check("TestReplicaCalcScaleDownExcludeUnscheduledPods", ReplicaCalc { unready: 4, ..calc(5, 1000, 50, &[100]) }, 1);
}

/// upstream: TestReplicaCalcScaleDownIgnoresDeletionPods (five ready pods, two being deleted).
#[test]
fn scale_down_ignores_deletion_pods() {
    check(
        "TestReplicaCalcScaleDownIgnoresDeletionPods",
        ReplicaCalc { deleted: 2, ..calc(5, 1000, 50, &[100, 300, 500, 250, 250]) },
        3,
    );
}

/// upstream: TestReplicaCalcTolerance (102 % against 100 %: within tolerance). Upstream's
/// requests are 900m, 1000m and 1100m; one template requests the same 3000m in all (1000m
/// each), and only the sums enter utilization.
#[test]
fn tolerance() {
    check("TestReplicaCalcTolerance", calc(3, 1000, 100, &[1010, 1030, 1020]), 3);
}

/// upstream: TestReplicaCalcSuperfluousMetrics (587 % over 4 pods against 100 %). Upstream
/// also reports metrics of two pods that do not exist; kbmc's metrics are per pod, so they are
/// left out (upstream ignores them too).
#[test]
fn superfluous_metrics() {
    check("TestReplicaCalcSuperfluousMetrics", calc(4, 1000, 100, &[4000, 9500, 3000, 7000]), 24);
}

/// upstream: TestReplicaCalcMissingMetrics (two of four pods without metrics, counted at
/// 100 % on the scale-down).
#[test]
fn missing_metrics() {
    check("TestReplicaCalcMissingMetrics", ReplicaCalc { missing: 2, ..calc(4, 1000, 100, &[400, 95]) }, 3);
}

/// upstream: TestReplicaCalcEmptyMetrics (no metrics at all: upstream's calculator fails, so
/// the HPA changes nothing; kbmc's sync keeps the replicas).
#[test]
fn empty_metrics() {
    check("TestReplicaCalcEmptyMetrics", ReplicaCalc { missing: 3, ..calc(4, 1000, 100, &[]) }, 4);
}

/// upstream: TestReplicaCalcEmptyCPURequest (a pod without a CPU request: upstream's
/// calculator fails with "missing request for"; kbmc rejects the Deployment on input).
#[test]
fn empty_cpu_request() {
    let c = Cluster::new()
        .node("n1", "64 64Gi", "", "")
        .pods("web", "", "", "", "n1=1")
        .doc("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 10\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 100}}}]");
    let e = build(&c.yaml()).err().unwrap_or_else(|| panic!("{FILE} TestReplicaCalcEmptyCPURequest: kbmc accepts it"));
    assert!(e.contains("request"), "{FILE} TestReplicaCalcEmptyCPURequest: {e}");
}

/// upstream: TestReplicaCalcMissingMetricsNoChangeEq (one pod at 100 %, one without metrics).
#[test]
fn missing_metrics_no_change_eq() {
    check("TestReplicaCalcMissingMetricsNoChangeEq", ReplicaCalc { missing: 1, ..calc(2, 1000, 100, &[1000]) }, 2);
}

/// upstream: TestReplicaCalcMissingMetricsNoChangeGt (190 %; the missing pod at 0 on the
/// scale-up brings it within tolerance).
#[test]
fn missing_metrics_no_change_gt() {
    check("TestReplicaCalcMissingMetricsNoChangeGt", ReplicaCalc { missing: 1, ..calc(2, 1000, 100, &[1900]) }, 2);
}

/// upstream: TestReplicaCalcMissingMetricsNoChangeLt (60 %; the missing pod at 100 % on the
/// scale-down).
#[test]
fn missing_metrics_no_change_lt() {
    check("TestReplicaCalcMissingMetricsNoChangeLt", ReplicaCalc { missing: 1, ..calc(2, 1000, 100, &[600]) }, 2);
}

/// upstream: TestReplicaCalcMissingMetricsUnreadyChange (pod 0 unready, pod 1 at 450, pod 2
/// without metrics: 45 % against 50 % is within tolerance).
#[test]
fn missing_metrics_unready_change() {
    check(
        "TestReplicaCalcMissingMetricsUnreadyChange",
        ReplicaCalc { unready: 1, missing: 1, ..calc(3, 1000, 50, &[450]) },
        3,
    );
}

/// upstream: TestReplicaCalcMissingMetricsUnreadyScaleUp (pod 0 unready, pod 1 at 2000, pod
/// 2 without metrics).
#[test]
fn missing_metrics_unready_scale_up() {
    check(
        "TestReplicaCalcMissingMetricsUnreadyScaleUp",
        ReplicaCalc { unready: 1, missing: 1, ..calc(3, 1000, 50, &[2000]) },
        4,
    );
}

/// upstream: TestReplicaCalcMissingMetricsUnreadyScaleDown (pod 0 unready, pods 1 and 2 at
/// 100, pod 3 without metrics).
#[test]
fn missing_metrics_unready_scale_down() {
    check(
        "TestReplicaCalcMissingMetricsUnreadyScaleDown",
        ReplicaCalc { unready: 1, missing: 1, ..calc(4, 1000, 50, &[100, 100]) },
        3,
    );
}

/// upstream: TestReplicaCalcDuringRollingUpdateWithMaxSurge (2 replicas, 3 running pods, the
/// surge pod without metrics: the scale-down it would compute is dropped).
#[test]
fn during_rolling_update_with_max_surge() {
    check(
        "TestReplicaCalcDuringRollingUpdateWithMaxSurge",
        ReplicaCalc { missing: 1, ..calc(2, 1000, 50, &[100, 100]) },
        2,
    );
}

/// upstream: TestReplicaCalcComputedToleranceAlgImplementation, first run: 10 pods at 150m
/// against 300m requests on average (jittered per pod upstream, 3000m in all), target
/// int(100 × (1 / (2 × 0.9) + 0.01)) = 56 %: 50 % scales down to ceil(10 × 50 / 56) = 9.
#[test]
fn computed_tolerance_alg_implementation_scales() {
    check(
        "TestReplicaCalcComputedToleranceAlgImplementation (target 56)",
        calc(10, 300, 56, &[150, 150, 150, 150, 150, 150, 150, 150, 150, 150]),
        9,
    );
}

/// upstream: TestReplicaCalcComputedToleranceAlgImplementation, second run: target
/// int(100 × (1 / (2 × 0.9) + 0.004)) = 55 %, and 50 % is within tolerance: 10 stay.
#[test]
fn computed_tolerance_alg_implementation_holds() {
    check(
        "TestReplicaCalcComputedToleranceAlgImplementation (target 55)",
        calc(10, 300, 55, &[150, 150, 150, 150, 150, 150, 150, 150, 150, 150]),
        10,
    );
}
