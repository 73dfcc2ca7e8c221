//! Cluster snapshots: Pods and ReplicaSets as the initial state (tests/fixtures/good/snapshot,
//! shaped like `kubectl get nodes,deploy,rs,pods,hpa -A -o yaml`), and the snapshot inputs
//! kbmc refuses, each with file, document and field.

use std::path::PathBuf;

use super::*;

const FIXTURE: &str = "tests/fixtures/good/snapshot";

/// The fixture's pods end up where the snapshot has them: per revision of a rollout in
/// progress, per node and phase; pods of other owners as fixed load; terminal pods and an
/// old ReplicaSet scaled to zero left out.
#[test]
fn inspect_shows_the_initial_placement() {
    let r = kbmc(&["inspect", FIXTURE]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "revisions: web@r0, web@r1\n",
        "web@r0: pending x1, running on node-b x1\n",
        "web@r1: running on node-a x1, running on node-c x1\n",
        "cart@r0: running on node-a x1, running on node-b x1, terminating on node-c x1\n",
        "fixed load: Pod/debug-shell x1 (namespace shop, cpu 100m, memory 128Mi each), DaemonSet/node-exporter x1",
        "fixed load: Job/nightly-report-28872540 x1 (namespace batch, cpu 1, memory 2Gi each), DaemonSet/node-exporter x1",
    ] {
        assert!(r.stdout.contains(line), "missing {line:?} in\n{}", r.stdout);
    }
    // The finished Job's pod holds nothing.
    assert!(!r.stdout.contains("nightly-report-28871100"), "{}", r.stdout);
    // web's spread constraint counts the bare pod labelled app=web in its namespace (node-a),
    // not the Job's pod labelled app=web in namespace batch (node-c).
    assert!(r.stdout.contains("counts pods of [web@r0, web@r1] and fixed pods on node-a x1\n"), "{}", r.stdout);
}

/// `kbmc check` with a Verification on the snapshot gives an answer: a node failure takes
/// node-c, which the scheduler fills with web's new pods (its zone holds the fewest pods
/// labelled app=web in namespace shop), and web falls below its HPA minimum.
#[test]
fn check_on_a_snapshot_answers() {
    let r = kbmc(&["check", FIXTURE]);
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.contains("replicasMeetMin(web): violated"), "{}", r.stdout);
    assert!(r.stdout.contains("violated: web has 1 replica running, below its minimum of 3"), "{}", r.stdout);
    // The run starts from the snapshot: the pending pod of web's new revision, the
    // terminating pod of cart on node-c.
    assert!(r.stdout.contains("    start        1       2       2     1-1"), "{}", r.stdout);
}

/// Both engines start from the snapshot's state and agree on every intent.
#[test]
fn engines_agree_on_a_snapshot() {
    let r = kbmc(&["compare", "--steps", "15", FIXTURE]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(r.stdout.matches(": agree").count(), 3, "{}", r.stdout);
    assert!(r.stdout.contains("explicit: violated after 14 step(s)"), "{}", r.stdout);
    assert!(r.stdout.contains("symbolic: violated after 14 step(s)"), "{}", r.stdout);
}

// ---- refusals ----------------------------------------------------------------------------

const NODE: &str = "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus:\n  allocatable: {cpu: \"2\", memory: 4Gi, pods: \"110\"}\n---\n";
const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: web, resources: {requests: {cpu: \"1\", memory: 1Gi}}}]\n---\n";
const SPEC: &str = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {name: t}\nspec:\n  intents: [{type: podAlwaysSchedulable}]\n  bounds: {steps: 8}\n";

fn pod(name: &str, ns: &str, owner: &str, node: &str, phase: &str, cpu: &str) -> String {
    let owner = if owner.is_empty() {
        String::new()
    } else {
        let (kind, n) = owner.split_once('/').unwrap();
        format!("\n  ownerReferences: [{{apiVersion: apps/v1, kind: {kind}, name: {n}, uid: u, controller: true}}]")
    };
    let node = if node.is_empty() { String::new() } else { format!("\n  nodeName: {node}") };
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{app: web}}{owner}\nspec:\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{cpu}\", memory: 1Gi}}}}}}]{node}\nstatus: {{phase: {phase}}}\n---\n")
}

/// A folder of its own under the test binary's scratch directory holding `cluster.yaml`.
fn folder(name: &str, cluster: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("snapshot").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cluster.yaml"), cluster).unwrap();
    std::fs::write(dir.join("verification.yaml"), SPEC).unwrap();
    dir
}

fn refused(name: &str, cluster: &str, field: &str, words: &str) -> Run {
    let dir = folder(name, cluster);
    let r = kbmc(&["inspect", dir.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{name}: stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("cluster.yaml: document "), "{name}: no file and document: {}", r.stderr);
    assert!(r.stderr.contains(field), "{name}: no field {field}: {}", r.stderr);
    assert!(r.stderr.contains(words), "{name}: no {words:?}: {}", r.stderr);
    r
}

#[test]
fn a_pod_on_a_node_not_among_the_inputs_is_refused() {
    let cluster = format!("{NODE}{WEB}{}", pod("job-1", "shop", "Job/j", "n9", "Running", "100m"));
    refused("unknown-node", &cluster, "spec.nodeName", "\"n9\", which is not among the inputs");
}

#[test]
fn a_deployment_pod_without_its_replica_set_is_refused() {
    let cluster = format!("{NODE}{WEB}{}", pod("web-6c8f-x", "shop", "ReplicaSet/web-6c8f", "n1", "Running", "1"));
    refused("missing-replicaset", &cluster, "metadata.ownerReferences", "add the ReplicaSets");
}

/// A pending pod no modelled controller owns would be scheduled: not modelled, refused
/// unless --allow-unmodeled, which leaves it out with a warning.
#[test]
fn a_pending_pod_of_an_unmodelled_owner_is_refused_unless_allowed() {
    let cluster = format!("{NODE}{WEB}{}", pod("job-1", "shop", "Job/j", "", "Pending", "100m"));
    refused("pending-bare", &cluster, "spec.nodeName", "--allow-unmodeled");
    let dir = folder("pending-bare", &cluster);
    let r = kbmc(&["inspect", "--allow-unmodeled", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(ignored: --allow-unmodeled)"), "{}", r.stderr);
}

/// Fixed load takes capacity: with a Job's pod using 1.5 of n1's 2 CPUs, web's pod fits
/// nowhere. The same pod finished (phase Succeeded) holds nothing, and web's pod fits.
#[test]
fn fixed_load_takes_capacity() {
    let busy = format!("{NODE}{WEB}{}", pod("job-1", "batch", "Job/j", "n1", "Running", "1500m"));
    let r = kbmc(&["check", folder("fixed-busy", &busy).to_str().unwrap()]);
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.contains("podAlwaysSchedulable: violated"), "{}", r.stdout);
    let done = format!("{NODE}{WEB}{}", pod("job-1", "batch", "Job/j", "n1", "Succeeded", "1500m"));
    let r = kbmc(&["check", folder("fixed-done", &done).to_str().unwrap()]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
}

/// A ResourceQuota in a namespace where only a snapshot's fixed pod runs (a Job's) is refused
/// as one where a Deployment runs: its owners' new pods are subject to it, which kbmc does
/// not model. The same pod finished (phase Succeeded, left out) leaves the quota a note.
#[test]
fn a_quota_where_fixed_pods_run_is_refused() {
    let quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: batch-quota, namespace: batch}\nspec:\n  hard: {pods: \"10\"}\n---\n";
    let running = format!("{NODE}{WEB}{}{quota}", pod("job-1", "batch", "Job/j", "n1", "Running", "100m"));
    let r = refused("quota-fixed-pods", &running, "kind", "namespace \"batch\" has snapshot pods kbmc reads");
    assert!(r.stderr.contains("(ResourceQuota/batch-quota)") && r.stderr.contains("--allow-unmodeled"), "{}", r.stderr);
    let dir = folder("quota-fixed-pods", &running);
    let allowed = kbmc(&["inspect", "--allow-unmodeled", dir.to_str().unwrap()]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert!(allowed.stderr.contains("(ignored: --allow-unmodeled)"), "{}", allowed.stderr);
    let finished = format!("{NODE}{WEB}{}{quota}", pod("job-1", "batch", "Job/j", "n1", "Succeeded", "100m"));
    let dir = folder("quota-finished-pods", &finished);
    let r = kbmc(&["inspect", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("note: ") && r.stderr.contains("no modelled workload runs in namespace \"batch\""),
        "{}",
        r.stderr
    );
}

// ---- one name in two namespaces ------------------------------------------------------------

const TWO: &str = "tests/fixtures/two-namespaces";

/// `web` in staging and prod (tests/fixtures/two-namespaces) are two Deployments, each
/// with its own ReplicaSet, pods and HPA, shown as `prod/web` and `staging/web`; prod's spread
/// constraint counts prod's pods only, not staging's web pod nor its bare pod labelled
/// app=web on the same node.
#[test]
fn one_name_in_two_namespaces_is_two_deployments() {
    let r = kbmc(&["inspect", TWO]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "  prod/web (namespace prod)\n",
        "  staging/web (namespace staging)\n",
        "      prod/web@r0: running on node-1 x1, running on node-2 x1\n",
        "      staging/web@r0: running on node-1 x1\n",
        "counts pods of [prod/web@r0, prod/web@r1]\n",
        "  prod/web -> prod/web: replicas 2..3",
        "  staging/web -> staging/web: replicas 1..2",
        "fixed load: Pod/web-debug x1 (namespace staging",
    ] {
        assert!(r.stdout.contains(line), "missing {line:?} in\n{}", r.stdout);
    }
    let c = kbmc(&["check", "--engine", "explicit", "--steps", "4", "--all", "--no-color", TWO]);
    assert!(c.code == 0 || c.code == 1, "{}\n{}", c.stdout, c.stderr);
    assert!(
        c.stdout.contains(
            "  workloads:   prod/web: 2 replicas, HPA prod/web 2..3, staging/web: 1 replica, HPA staging/web 1..2\n"
        ),
        "{}",
        c.stdout
    );
    for (kind, subject) in
        [("replicasMeetMin", "prod/web"), ("noEvictionCycle", "staging/web"), ("noReplicaOscillation", "staging/web")]
    {
        assert!(reports(&c.stdout, kind, subject), "{kind}({subject}) missing:\n{}", c.stdout);
    }
    // A node failure takes one of prod's two pods: prod/web falls below its HPA minimum.
    assert!(c.stdout.contains("violated: prod/web has 1 replica running, below its minimum of 2"), "{}", c.stdout);
}

/// A spec naming `web` where two namespaces have one is refused, naming the field and both
/// candidates; `namespace/name` picks one.
#[test]
fn an_ambiguous_deployment_name_is_refused() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("snapshot").join("ambiguous");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("verification.yaml");
    let write = |deployment: &str| {
        std::fs::write(&spec, format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {{name: t}}\nspec:\n  intents: [{{type: noEvictionCycle, deployment: {deployment}}}]\n  bounds: {{steps: 4}}\n")).unwrap();
    };
    write("web");
    let r = kbmc(&["inspect", TWO, spec.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("verification.yaml")
            && r.stderr.contains("spec.intents[0].deployment")
            && r.stderr.contains("\"web\" is ambiguous")
            && r.stderr.contains("\"prod/web\", \"staging/web\""),
        "{}",
        r.stderr
    );
    write("staging/web");
    let r = kbmc(&["inspect", TWO, spec.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("noEvictionCycle(staging/web)"), "{}", r.stdout);
}
