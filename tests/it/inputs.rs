//! Bad input: every error class gives exit code 2, names the file and the field, and never
//! panics. One fixture per class under tests/fixtures/bad/.

use super::*;

fn bad(fixture: &str) -> Run {
    let r = kbmc(&["inspect", &format!("tests/fixtures/bad/{fixture}")]);
    assert_eq!(r.code, 2, "{fixture}: expected exit 2\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{fixture} panicked: {}", r.stderr);
    assert!(r.stdout.is_empty(), "{fixture} printed a model despite the error");
    r
}

fn assert_names(r: &Run, file: &str, field: &str) {
    assert!(r.stderr.contains(file), "message does not name the file {file}: {}", r.stderr);
    assert!(r.stderr.contains(field), "message does not name the field {field}: {}", r.stderr);
}

#[test]
fn yaml_syntax_error() {
    let r = bad("syntax");
    assert_names(&r, "tests/fixtures/bad/syntax/deployment.yaml", "document 1");
    assert!(r.stderr.contains("not valid YAML"), "{}", r.stderr);
}

#[test]
fn unknown_kind() {
    let r = bad("unknown-kind");
    assert_names(&r, "tests/fixtures/bad/unknown-kind/deployment.yaml: document 2", "kind");
    assert!(r.stderr.contains("unknown kind example.com/v1 Widget"), "{}", r.stderr);
}

#[test]
fn misspelt_field() {
    let r = bad("unknown-field");
    assert_names(&r, "tests/fixtures/bad/unknown-field/deployment.yaml: document 1", "spec.replcias");
    assert!(r.stderr.contains("unknown field"), "{}", r.stderr);
}

#[test]
fn missing_and_mistyped_fields() {
    let r = bad("missing-field");
    assert_names(&r, "tests/fixtures/bad/missing-field/deployment.yaml: document 1", "spec.replicas");
    assert!(r.stderr.contains("invalid type: string \"three\", expected i32"), "{}", r.stderr);
    assert!(r.stderr.contains("line 6"), "serde_yaml locates the line: {}", r.stderr);
    // Both documents' errors are reported in one run.
    assert_names(
        &r,
        "tests/fixtures/bad/missing-field/deployment.yaml: document 2 (HorizontalPodAutoscaler/web)",
        "spec.maxReplicas: missing required field",
    );
}

#[test]
fn malformed_quantity() {
    let r = bad("bad-quantity");
    assert_names(
        &r,
        "tests/fixtures/bad/bad-quantity/deployment.yaml",
        "spec.template.spec.containers[0].resources.requests.cpu",
    );
    assert!(r.stderr.contains("invalid quantity \"5O0m\""), "{}", r.stderr);
}

#[test]
fn hpa_with_absent_target() {
    let r = bad("dangling-reference");
    assert_names(&r, "tests/fixtures/bad/dangling-reference/hpa.yaml", "spec.scaleTargetRef.name");
    assert!(r.stderr.contains("no Deployment named \"api\""), "{}", r.stderr);
}

#[test]
fn unmodelled_fields_fail_unless_allowed() {
    let r = bad("unmodeled");
    assert_names(&r, "tests/fixtures/bad/unmodeled/deployment.yaml: document 1", "spec.template.spec.schedulingGates");
    assert_names(&r, "tests/fixtures/bad/unmodeled/deployment.yaml: document 2", "spec.metrics[0].type");
    assert!(r.stderr.contains("--allow-unmodeled"), "{}", r.stderr);

    let ok = kbmc(&["inspect", "--allow-unmodeled", "tests/fixtures/bad/unmodeled"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stderr.contains("warning: tests/fixtures/bad/unmodeled/deployment.yaml: document 1"), "{}", ok.stderr);
    assert!(ok.stdout.contains("model bad"));
}

#[test]
fn invalid_value() {
    let r = bad("invalid");
    assert_names(&r, "tests/fixtures/bad/invalid/verification.yaml", "spec.nodePools[0].count");
    assert!(r.stderr.contains("min 4 is greater than max 2"), "{}", r.stderr);
    // A multi-zone node group with a zone twice.
    assert_names(&r, "verification.yaml", "spec.nodePools[1].autoscaling.zones[1]");
    assert!(r.stderr.contains("zone \"eu-west-1a\" is also zones[0]; list each zone once"), "{}", r.stderr);
    // Events whose shared per-node state would silently change the spec's meaning.
    assert_names(&r, "verification.yaml", "spec.events[1]");
    assert!(r.stderr.contains("a second maintenance event (the first is spec.events[0])"), "{}", r.stderr);
    assert_names(&r, "verification.yaml", "spec.events[3].recovery");
    assert!(r.stderr.contains("differ in recovery"), "{}", r.stderr);
    assert_names(&r, "verification.yaml", "spec.events[5]");
    assert!(r.stderr.contains("differ in thresholdPercent or recovery"), "{}", r.stderr);
    assert_names(&r, "verification.yaml", "spec.events[7]");
    assert!(r.stderr.contains("a second cpuPattern for the same Deployment"), "{}", r.stderr);
}

#[test]
fn missing_paths_and_missing_spec() {
    let r = kbmc(&["inspect", "tests/fixtures/bad/does-not-exist"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does-not-exist: no such file or directory"), "{}", r.stderr);

    // Without a Verification kbmc infers one, which needs the cluster's Nodes.
    let r = kbmc(&["inspect", "cases/c3-conflicting-spread/manifests"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no Verification and no v1 Node among the inputs"), "{}", r.stderr);
}

/// A ResourceQuota where a modelled Deployment runs is refused with its namespace and the
/// flag (dropped, and listed, with it); one in a namespace without a workload is a note.
#[test]
fn resource_quotas_are_refused_only_where_they_matter() {
    let alone = kbmc(&["inspect", "tests/fixtures/good/quota"]);
    assert_eq!(alone.code, 0, "{}", alone.stderr);
    assert!(
        alone.stderr.contains("note: tests/fixtures/good/quota/cluster.yaml: document 1 (ResourceQuota/batch-quota)")
            && alone.stderr.contains("namespace \"batch\""),
        "{}",
        alone.stderr
    );
    let r = kbmc(&["inspect", "tests/fixtures/good/quota", "tests/fixtures/bad/quota"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_names(&r, "tests/fixtures/bad/quota/quota.yaml: document 1 (ResourceQuota/shop-quota)", "kind");
    assert!(r.stderr.contains("namespace \"shop\"") && r.stderr.contains("--allow-unmodeled"), "{}", r.stderr);
    let allowed = kbmc(&[
        "check",
        "--allow-unmodeled",
        "--engine",
        "explicit",
        "tests/fixtures/good/quota",
        "tests/fixtures/bad/quota",
    ]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert!(
        allowed.stdout.contains("  dropped:     ResourceQuota/shop-quota (--allow-unmodeled"),
        "{}",
        allowed.stdout
    );
    assert!(!allowed.stdout.contains("batch-quota"), "{}", allowed.stdout);
}

/// Real `kubectl get -o yaml` output, with server-set fields, parses and resolves.
#[test]
fn kubectl_list_output_loads() {
    let r = kbmc(&["inspect", "tests/fixtures/good/kubectl-list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let o = &r.stdout;
    assert!(o.contains("ip-10-0-1-17 (Node manifest)"), "{o}");
    assert!(o.contains("allocatable: cpu 7910m, memory 31335920Ki, pods 110"), "memory is exact, in bytes: {o}");
    assert!(o.contains("status: NotReady, cordoned"), "{o}");
    // 250m + 100m (limit standing in for a request) = 350m, below the 1-core init container.
    assert!(o.contains("requests: cpu 1, memory 384Mi"), "{o}");
    assert!(o.contains("ip-10-0-2-31: no (affinity)"), "nodeSelector kubernetes.io/os=linux: {o}");
    assert!(o.contains("ip-10-0-1-17: yes | 10"), "{o}");
    assert!(o.contains("strategy: RollingUpdate (maxSurge 1, maxUnavailable 0%)"), "{o}");
}

// Inputs the API server or the component rejects, or reads otherwise than kbmc would, are
// input errors naming the file, the document and the field: one fixture and test each.

/// An HPA whose `scaleTargetRef.kind` is Deployment does not attach to a StatefulSet of the
/// same name: the HPA controller resolves the target by kind and name.
#[test]
fn hpa_naming_a_deployment_does_not_attach_to_a_statefulset() {
    let r = bad("hpa-other-kind");
    assert_names(
        &r,
        "tests/fixtures/bad/hpa-other-kind/cluster.yaml: document 3 (HorizontalPodAutoscaler/db)",
        "spec.scaleTargetRef.name",
    );
    assert!(
        r.stderr.contains("no Deployment named \"db\"") && r.stderr.contains("a StatefulSet of that name is in"),
        "{}",
        r.stderr
    );
    // A dangling reference, not an approximation: --allow-unmodeled does not admit it.
    let allowed = kbmc(&["inspect", "--allow-unmodeled", "tests/fixtures/bad/hpa-other-kind"]);
    assert_eq!(allowed.code, 2, "{}", allowed.stdout);
}

/// Container names are unique over a pod's containers and init containers (the API server's
/// `Duplicate value`); kbmc summed two containers of one name.
#[test]
fn duplicate_container_names() {
    let r = bad("duplicate-container");
    let file = "tests/fixtures/bad/duplicate-container/cluster.yaml: document 1";
    assert_names(&r, file, "spec.template.spec.containers[1].name: duplicate container name \"app\"");
    assert_names(&r, file, "spec.template.spec.initContainers[0].name: duplicate container name \"sidecar\"");
    assert!(r.stderr.contains("(also spec.template.spec.containers[2].name)"), "{}", r.stderr);
}

/// A request above its limit is refused (the API server: `must be less than or equal to ...
/// limit`), compared exactly across suffixes; an equal one (500m and 0.5) is not.
#[test]
fn request_above_limit() {
    let r = bad("request-above-limit");
    assert_names(
        &r,
        "tests/fixtures/bad/request-above-limit/cluster.yaml: document 1",
        "spec.template.spec.containers[0].resources.requests.memory",
    );
    assert!(r.stderr.contains("request \"1Gi\" is above the memory limit \"1000Mi\""), "{}", r.stderr);
    assert!(!r.stderr.contains("requests.cpu"), "500m is not above 0.5: {}", r.stderr);
}

/// A placement naming one node twice is refused, not summed.
#[test]
fn placement_naming_a_node_twice() {
    let r = bad("duplicate-placement");
    assert_names(
        &r,
        "tests/fixtures/bad/duplicate-placement/cluster.yaml: document 2",
        "spec.workloads[0].placement[2].node",
    );
    assert!(r.stderr.contains("node \"general-0\" is also spec.workloads[0].placement[0]"), "{}", r.stderr);
}

/// A local YAML tag (`!custom 2`) is refused where it stands; a core tag (`!!str 1`) is read.
#[test]
fn yaml_tags_kbmc_does_not_read() {
    let r = bad("yaml-tag");
    assert_names(&r, "tests/fixtures/bad/yaml-tag/cluster.yaml: document 1 (Deployment/web)", "spec.replicas");
    assert!(r.stderr.contains("YAML tag !custom is not one kbmc reads"), "{}", r.stderr);
    assert!(!r.stderr.contains("metadata.labels"), "the core tag !!str is read: {}", r.stderr);
}

/// A negative score plugin weight, which kube-scheduler applies (inverting the plugin), is
/// refused as unmodelled instead of read as 1; weight 0 is 1, as upstream.
#[test]
fn negative_score_plugin_weight() {
    let r = bad("negative-score-weight");
    assert_names(
        &r,
        "tests/fixtures/bad/negative-score-weight/cluster.yaml: document 2",
        "profiles[0].plugins.score.enabled[1].weight",
    );
    assert!(r.stderr.contains("weight -1 of score plugin \"TaintToleration\""), "{}", r.stderr);
    assert!(!r.stderr.contains("enabled[0]"), "weight 0 means 1: {}", r.stderr);
    let allowed = kbmc(&["inspect", "--allow-unmodeled", "tests/fixtures/bad/negative-score-weight"]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert!(
        allowed.stderr.contains("warning: tests/fixtures/bad/negative-score-weight/cluster.yaml"),
        "{}",
        allowed.stderr
    );
}

#[test]
fn vertical_pod_autoscaler_values_are_checked_with_their_fields() {
    let r = bad("vpa-invalid");
    let file = "tests/fixtures/bad/vpa-invalid/vpa.yaml: document 1 (VerticalPodAutoscaler/web)";
    assert_names(&r, file, "spec.updatePolicy.updateMode");
    assert!(r.stderr.contains("unsupported value \"Sometimes\""), "{}", r.stderr);
    assert_names(&r, file, "spec.updatePolicy.minReplicas");
    assert_names(&r, file, "spec.resourcePolicy.containerPolicies[0].controlledResources");
    assert!(r.stderr.contains("\"ephemeral-storage\""), "{}", r.stderr);
    assert_names(&r, file, "spec.resourcePolicy.containerPolicies[0].controlledValues");
    // A target that is not among the manifests.
    assert_names(&r, "tests/fixtures/bad/vpa-invalid/vpa.yaml: document 2", "spec.targetRef.name");
    assert!(r.stderr.contains("no Deployment named \"api\""), "{}", r.stderr);
}

#[test]
fn vertical_pod_autoscaler_misspelt_field() {
    let r = bad("vpa-typo");
    assert_names(&r, "tests/fixtures/bad/vpa-typo/vpa.yaml: document 1", "spec.updatePolicy.updateMod");
    assert!(r.stderr.contains("unknown field"), "{}", r.stderr);
}

#[test]
fn vertical_pod_autoscaler_unmodelled_fields_fail_unless_allowed() {
    let r = bad("vpa-unmodeled");
    let file = "tests/fixtures/bad/vpa-unmodeled/vpa.yaml: document 1 (VerticalPodAutoscaler/web)";
    assert_names(&r, file, "spec.recommenders");
    assert_names(&r, file, "spec.updatePolicy.evictionRequirements");
    // Allowed, the fields are dropped (the header says so) and the VPA stays.
    let ok = kbmc(&["inspect", "--allow-unmodeled", "tests/fixtures/bad/vpa-unmodeled"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(
        ok.stdout.contains("dropped (--allow-unmodeled): VerticalPodAutoscaler/web spec.recommenders"),
        "{}",
        ok.stdout
    );
    assert!(ok.stdout.contains("vertical pod autoscalers (1)"), "{}", ok.stdout);
}

/// A VPA on CPU and memory whose pods warm up at 3 cores and settle at 300m: one
/// recommendation per usage level (the 90th percentile's bucket end plus 15 %, capped by
/// maxAllowed), each a revision of the Deployment whose pods request it; the system default
/// spread counts the pods of every revision, as they are one ReplicaSet's.
#[test]
fn vertical_pod_autoscaler_recommendations_become_revisions() {
    let r = kbmc(&["inspect", "tests/fixtures/good/vpa"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("revisions: web@r0, web@r1, web@r2"), "{}", r.stdout);
    assert!(r.stdout.contains("usage 300m -> target cpu 347m"), "{}", r.stdout);
    assert!(r.stdout.contains("usage 3 -> target cpu 2, "), "capped to maxAllowed: {}", r.stdout);
    assert!(r.stdout.contains("counts pods of [web@r0, web@r1, web@r2]"), "{}", r.stdout);
}
