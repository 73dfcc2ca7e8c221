//! `kbmc check --baseline DUMP CHANGED`: the worked examples of docs/cli.md in every format. A
//! pull request that adds required anti-affinity on the hostname to a Deployment with more
//! replicas than nodes adds a violation (new, exit 1); one that only changes an image adds
//! none (exit 0), while the dump's own violation stays unchanged in both.

use serde_json::Value;

use super::*;

const DUMP: &str = "tests/fixtures/baseline/cluster.yaml";
const ANTI: &str = "tests/fixtures/baseline/anti-affinity";
const IMAGE: &str = "tests/fixtures/baseline/image";

fn against(change: &str, format: &str) -> Run {
    kbmc(&["check", "--engine", "explicit", "--no-color", "--format", format, "--baseline", DUMP, change])
}

#[test]
fn text_says_new_unchanged_and_fixed() {
    let r = against(ANTI, "text");
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for line in [
        "against the baseline tests/fixtures/baseline/cluster.yaml (checked alone, every intent decided):\n",
        "  new:       podAlwaysSchedulable\n",
        "  unchanged: replicasMeetExpected(api)\n",
        "  fixed:     none\n",
        "the change adds 1 violation\n",
    ] {
        assert!(r.stdout.contains(line), "missing {line:?} in\n{}", r.stdout);
    }
    // The change's story: web's fourth pod fits no node, kept away by its own anti-affinity.
    assert!(r.stdout.contains("a pending pod of web fits no node"), "{}", r.stdout);
    let r = against(IMAGE, "text");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for line in ["  new:       none\n", "  unchanged: replicasMeetExpected(api)\n", "the change adds no violation\n"] {
        assert!(r.stdout.contains(line), "missing {line:?} in\n{}", r.stdout);
    }
}

#[test]
fn json_says_it_per_result_and_in_sum() {
    let validator = super::output::schema();
    for (change, new, code) in [(ANTI, vec!["podAlwaysSchedulable"], 1), (IMAGE, vec![], 0)] {
        let r = against(change, "json");
        assert_eq!(r.code, code, "{change}: {}", r.stderr);
        let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
        if let Err(e) = validator.validate(&doc) {
            panic!("{change}: does not match docs/schema/check-v2.json: {e}");
        }
        assert_eq!(doc["exit_code"], code);
        assert_eq!(doc["baseline"]["path"], DUMP);
        assert_eq!(doc["baseline"]["new"], serde_json::json!(new), "{change}");
        assert_eq!(doc["baseline"]["unchanged"], serde_json::json!(["replicasMeetExpected(api)"]), "{change}");
        assert_eq!(doc["baseline"]["fixed"], serde_json::json!([]), "{change}");
        let states: Vec<(&str, &Value)> = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["intent"].as_str().unwrap(), &r["baseline_state"]))
            .collect();
        let pod = if code == 1 { serde_json::json!("new") } else { Value::Null };
        assert_eq!(
            states,
            vec![("podAlwaysSchedulable", &pod), ("replicasMeetExpected(api)", &serde_json::json!("unchanged"))]
        );
    }
}

#[test]
fn junit_fails_only_the_new_violation() {
    let r = against(ANTI, "junit");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let x = &r.stdout;
    assert!(x.contains("failures=\"1\" errors=\"0\" skipped=\"1\""), "{x}");
    assert!(x.contains("<property name=\"kbmc.baseline\" value=\"tests/fixtures/baseline/cluster.yaml\"/>"), "{x}");
    assert!(x.contains("<failure type=\"violated\" message=\"baseline: new (the change adds it): violated"), "{x}");
    assert!(x.contains("<skipped message=\"baseline: unchanged (violated before the change too): violated"), "{x}");
    let r = against(IMAGE, "junit");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("failures=\"0\" errors=\"0\" skipped=\"1\""), "{}", r.stdout);
    assert!(!r.stdout.contains("<failure"), "{}", r.stdout);
}

#[test]
fn sarif_carries_baseline_state() {
    let states = |change: &str, code: i32| -> Vec<(String, String)> {
        let r = against(change, "sarif");
        assert_eq!(r.code, code, "{change}: {}", r.stderr);
        let doc: Value = serde_json::from_str(&r.stdout).expect("SARIF");
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["ruleId"].as_str().unwrap().to_string(), r["baselineState"].as_str().unwrap().to_string()))
            .collect()
    };
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(states(ANTI, 1), vec![s("podAlwaysSchedulable", "new"), s("replicasMeetExpected(api)", "unchanged")]);
    assert_eq!(states(IMAGE, 0), vec![s("replicasMeetExpected(api)", "unchanged")]);
    // The new finding points into the change's own manifest, not the dump.
    let doc: Value = serde_json::from_str(&against(ANTI, "sarif").stdout).unwrap();
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/baseline/anti-affinity/web.yaml"
    );
}

/// A change that fixes the dump's violation: a dump whose web already has the anti-affinity,
/// and a change that takes it out again. The violation is fixed (SARIF `absent`, a note
/// located in the dump), nothing is new, exit 0.
#[test]
fn a_fixed_violation_is_absent() {
    let dir = std::env::temp_dir().join(format!("kbmc-baseline-fixed-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("change")).unwrap();
    let dump = std::fs::read_to_string(root().join(DUMP)).unwrap();
    let anti = std::fs::read_to_string(root().join(ANTI).join("web.yaml")).unwrap();
    let plain_web = dump.split("---\n").next().unwrap().to_string();
    // The dump: web with the anti-affinity, api and the Verification as before.
    let rest: Vec<&str> = dump.split("---\n").skip(1).collect();
    std::fs::write(dir.join("cluster.yaml"), format!("{anti}---\n{}", rest.join("---\n"))).unwrap();
    std::fs::write(dir.join("change").join("web.yaml"), plain_web).unwrap();
    let r = kbmc(&[
        "check",
        "--engine",
        "explicit",
        "--format",
        "sarif",
        "--baseline",
        dir.join("cluster.yaml").to_str().unwrap(),
        dir.join("change").to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("SARIF");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let absent: Vec<&Value> = results.iter().filter(|r| r["baselineState"] == "absent").collect();
    assert_eq!(absent.len(), 1, "{doc}");
    assert_eq!(absent[0]["ruleId"], "podAlwaysSchedulable");
    assert_eq!(absent[0]["level"], "note");
    assert!(!results.iter().any(|r| r["baselineState"] == "new"), "{doc}");
}
