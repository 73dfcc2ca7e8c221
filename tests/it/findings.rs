//! How findings read: alike verdicts grouped with one representative trace, the Deployments a
//! single node failure takes to zero named first, step tables that stay narrow with many
//! Deployments, and SARIF results that code scanning can tell apart (a fingerprint of intent
//! and subject, a region at the object's own document).

use serde_json::Value;

use super::*;

const SINGLE: &str = "tests/fixtures/good/single-replicas";

fn check(args: &[&str]) -> Run {
    let mut all = vec!["check", "--engine", "explicit", "--all", "--no-color"];
    all.extend_from_slice(args);
    kbmc(&all)
}

/// Four one-replica Deployments: one single-node-loss finding before the verdicts (one line
/// per node, naming the Deployments it alone holds), one group
/// line for the four replicasMeetExpected violations, one representative trace and the
/// others by name with their length.
#[test]
fn alike_violations_are_grouped_in_text() {
    let r = check(&[SINGLE]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let out = &r.stdout;
    let loss = "single-node loss (from the start state, no search): 4 Deployments run one replica; a nodeFailure of its node leaves none:\n  node-0: frontend, checkout\n  node-1: adservice\n  node-2: cartservice\n";
    let group = "replicasMeetExpected: violated for 4 Deployments: frontend, adservice, cartservice, checkout — each runs one replica; a failure of its node leaves none\n";
    let (l, g) = (out.find(loss), out.find(group));
    assert!(l.is_some() && g.is_some(), "{out}");
    assert!(l < g, "the single-node loss comes before the model-checked intents:\n{out}");
    assert!(!out.contains("replicasMeetExpected(adservice): violated"), "members are not repeated:\n{out}");
    assert_eq!(out.matches("counterexample for").count(), 1, "{out}");
    assert!(out.contains("counterexample for replicasMeetExpected(frontend) (one of 4 alike):\n"), "{out}");
    let others = out.lines().find(|l| l.starts_with("  alike, each with its own counterexample: ")).expect(out);
    for name in ["adservice", "cartservice", "checkout"] {
        assert!(others.contains(&format!("replicasMeetExpected({name}) (1 step)")), "{others}");
    }
    assert!(out.contains("4 intent(s): 4 violated"), "{out}");
}

/// JSON keeps every verdict and adds the group and the single-node losses; SARIF keeps one
/// result per Deployment.
#[test]
fn json_keeps_every_verdict_and_adds_the_groups() {
    let r = check(&["--format", "json", SINGLE]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
    if let Err(e) = super::output::schema().validate(&doc) {
        panic!("does not match docs/schema/check-v2.json: {e}");
    }
    assert_eq!(doc["results"].as_array().unwrap().len(), 4);
    let groups = doc["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0]["intent"], "replicasMeetExpected");
    assert_eq!(groups[0]["verdict"], "violated");
    assert_eq!(groups[0]["members"].as_array().unwrap().len(), 4);
    assert_eq!(groups[0]["representative"], "replicasMeetExpected(frontend)");
    let losses = doc["single_node_losses"].as_array().unwrap();
    assert_eq!(losses.len(), 4);
    assert_eq!(losses[1], serde_json::json!({"deployment": "adservice", "replicas": 1, "node": "node-1"}));
    let sarif: Value = serde_json::from_str(&check(&["--format", "sarif", SINGLE]).stdout).expect("SARIF");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 4);
}

/// Distinct verdicts are not grouped: a cluster whose intents differ in kind keeps one line
/// each, and a nodeFailure-free spec claims no single-node loss.
#[test]
fn distinct_verdicts_stay_apart() {
    let r = check(&["cases/c3-conflicting-spread"]);
    assert!(!r.stdout.contains("single-node loss"), "{}", r.stdout);
    assert!(!r.stdout.contains(" alike"), "{}", r.stdout);
}

/// Where a Deployment of two replicas runs both on one node, the single-node loss says each
/// Deployment's replicas, per node in the cluster's order; the header's workloads count the
/// one-replica Deployments under one entry.
#[test]
fn single_node_losses_of_several_replicas_say_how_many() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("findings-mixed");
    std::fs::create_dir_all(&dir).unwrap();
    let dep = |name: &str, n: usize| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: {n}\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}}}]\n---\n")
    };
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {name: mixed}\nspec:\n  nodePools:\n    - {name: node, count: 2, capacity: {cpu: \"16\", memory: 64Gi, pods: 110}}\n  workloads:\n    - {deployment: api, placement: [{node: node-1, count: 2}]}\n    - {deployment: db, placement: [{node: node-0, count: 1}]}\n  events:\n    - {type: nodeFailure, budget: 1}\n  intents:\n    - {type: replicasMeetExpected, deployment: api, replicas: 2}\n  bounds: {steps: 2}\n";
    std::fs::write(dir.join("cluster.yaml"), dep("api", 2) + &dep("web", 1) + &dep("db", 1) + spec).unwrap();
    let r = check(&[dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let loss = "single-node loss (from the start state, no search): 2 Deployments run every replica on one node; a nodeFailure of that node leaves none:\n  node-0: db (1 replica)\n  node-1: api (2 replicas)\n";
    assert!(r.stdout.contains(loss), "{}", r.stdout);
    assert!(r.stdout.contains("  workloads:   api: 2 replicas; 2 x 1 replica: web, db\n"), "{}", r.stdout);
}

/// A cluster of `n` one-replica Deployments over four nodes, one of which may fail, and
/// replicasMeetExpected for the first Deployment.
fn many_deployments(n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kbmc-many-deployments-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut y = String::new();
    let mut placement = String::new();
    for i in 0..n {
        let name = format!("svc-{i:02}");
        y += &format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}}}]\n---\n");
        placement += &format!("    - deployment: {name}\n      placement: [{{node: node-{}, count: 1}}]\n", i % 4);
    }
    y += &format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {{name: many}}\nspec:\n  nodePools:\n    - {{name: node, count: 4, capacity: {{cpu: \"16\", memory: 64Gi, pods: 110}}}}\n  workloads:\n{placement}  events:\n    - {{type: nodeFailure, budget: 1}}\n  intents:\n    - {{type: replicasMeetExpected, deployment: svc-00, replicas: 1}}\n  bounds: {{steps: 2}}\n");
    let file = dir.join("cluster.yaml");
    std::fs::write(&file, y).unwrap();
    file
}

/// At 52 Deployments the step table has one column for the 52 Deployments the run leaves
/// unchanged (not 52); its four nodes, few enough, keep a column each.
#[test]
fn step_tables_stay_narrow_with_many_deployments() {
    let file = many_deployments(52);
    let r = check(&[file.to_str().unwrap()]);
    std::fs::remove_dir_all(file.parent().unwrap()).ok();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("  after each step")).expect(&r.stdout);
    let header: Vec<&str> = lines[at + 1].split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    // Four nodes are few enough to show; 52 Deployments are not.
    assert_eq!(
        header,
        vec!["step", "pending", "node-0", "node-1", "node-2", "node-3", "desired 52 others"],
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(52 Deployment(s) the run does not change share one column"), "{}", r.stdout);
    // The failed node reads as what happened to it.
    let rows: Vec<&str> = lines[at + 2..at + 4].to_vec();
    assert!(rows[0].contains(" 13 ") && rows[1].contains(" 13! "), "{rows:?}");
}

/// Each SARIF result points at the line its Deployment's document starts at in a file of
/// several documents, and carries a fingerprint of intent and subject that a second run
/// reproduces.
#[test]
fn sarif_results_locate_their_document_and_keep_fingerprints() {
    let run = || -> Value { serde_json::from_str(&check(&["--format", "sarif", SINGLE]).stdout).expect("SARIF") };
    let (a, b) = (run(), run());
    let text = std::fs::read_to_string(root().join(SINGLE).join("cluster.yaml")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let results = a["runs"][0]["results"].as_array().unwrap();
    let mut prints = Vec::new();
    for (res, again) in results.iter().zip(b["runs"][0]["results"].as_array().unwrap()) {
        let rule = res["ruleId"].as_str().unwrap();
        let name = rule.trim_start_matches("replicasMeetExpected(").trim_end_matches(')');
        let at = lines.iter().position(|l| *l == format!("  name: {name}")).expect(name);
        let start = lines[..at].iter().rposition(|l| l.starts_with("apiVersion:")).unwrap() + 1;
        assert_eq!(res["locations"][0]["physicalLocation"]["region"]["startLine"], start, "{rule}");
        assert!(start > 1 || name == "frontend");
        let print = &res["partialFingerprints"]["kbmcIntentSubject/v1"];
        assert_eq!(print, &serde_json::json!(format!("{rule}|Deployment/default/{name}")));
        assert_eq!(print, &again["partialFingerprints"]["kbmcIntentSubject/v1"]);
        prints.push(print.clone());
    }
    prints.sort_by_key(|p| p.to_string());
    prints.dedup();
    assert_eq!(prints.len(), 4, "one fingerprint per result");
}
