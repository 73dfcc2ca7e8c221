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
