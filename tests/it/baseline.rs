//! `kbmc check --baseline DUMP CHANGED`: the worked examples of docs/cli.md in every format. A
//! pull request that adds required anti-affinity on the hostname to a Deployment with more
//! replicas than nodes adds a violation (new, exit 1); one that only changes an image adds
//! none (exit 0), while the dump's own violation stays unchanged in both. A dump whose check
//! is cut short leaves its undecided findings unknown before the change, never new (exit 3),
//! and the change is checked in its half of the time limit.

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

/// The anti-affinity change again, on a time limit the test clock (`KBMC_TEST_STATES_PER_SECOND`,
/// src/limits.rs) passes at the same state on every machine: 44 s at one state a second. The
/// change, checked first in its half (the first 22 states), is decided; the dump, in the rest,
/// finds api's violation but not whether web's pods always fit. The change's
/// podAlwaysSchedulable violation is then unknown before the change, not new: exit 3, in every
/// format.
fn cut_short(format: &str) -> Run {
    cut_at("44", format)
}

/// The anti-affinity change against its dump in `format`, on a time limit of `limit` states of
/// the test clock.
fn cut_at(limit: &str, format: &str) -> Run {
    kbmc_env(
        &[("KBMC_TEST_STATES_PER_SECOND", "1")],
        &[
            "check",
            "--engine",
            "explicit",
            "--no-color",
            "--time-limit",
            limit,
            "--format",
            format,
            "--baseline",
            DUMP,
            ANTI,
        ],
    )
}

#[test]
fn what_the_baseline_left_unknown_is_never_new() {
    let r = cut_short("text");
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    for line in [
        "  time:        44 s (--time-limit) in equal shares: the change is checked in the first 22 s, the baseline in the rest (the other half, and what the change left)\n",
        "against the baseline tests/fixtures/baseline/cluster.yaml (checked alone, every intent asked, 1 intent left unknown):\n",
        "  new:       none\n",
        "  unchanged: replicasMeetExpected(api)\n",
        "  unknown before the change: podAlwaysSchedulable\n",
        "  fixed:     none\n",
        "the change adds no violation known to be new; 1 violation unknown before the change (the baseline's check did not decide it for runs like the change's) may be new too\n",
    ] {
        assert!(r.stdout.contains(line), "missing {line:?} in\n{}", r.stdout);
    }
    // The change itself was decided: its report has both violations.
    assert!(r.stdout.contains("2 intent(s): 2 violated"), "{}", r.stdout);

    let r = cut_short("json");
    assert_eq!(r.code, 3, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
    if let Err(e) = super::output::schema().validate(&doc) {
        panic!("does not match docs/schema/check-v2.json: {e}");
    }
    assert_eq!(doc["exit_code"], 3);
    assert!(doc["header"]["time"].as_str().unwrap().starts_with("44 s (--time-limit) in equal shares"), "{doc}");
    assert_eq!(doc["baseline"]["new"], serde_json::json!([]));
    assert_eq!(doc["baseline"]["unknown"], serde_json::json!(["podAlwaysSchedulable"]));
    assert_eq!(doc["baseline"]["unchanged"], serde_json::json!(["replicasMeetExpected(api)"]));
    let states: Vec<(&str, &str, &str)> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["intent"].as_str().unwrap(), r["verdict"].as_str().unwrap(), r["baseline_state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![("podAlwaysSchedulable", "violated", "unknown"), ("replicasMeetExpected(api)", "violated", "unchanged")]
    );

    let r = cut_short("itf");
    assert_eq!(r.code, 3, "{}", r.stderr);
    let metas: Vec<(String, String)> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("ITF"))
        .map(|d| (d["#meta"]["intent"].as_str().unwrap().into(), d["#meta"]["baselineState"].as_str().unwrap().into()))
        .collect();
    let want = [("podAlwaysSchedulable", "unknown"), ("replicasMeetExpected(api)", "unchanged")];
    assert_eq!(metas, want.map(|(a, b)| (a.to_string(), b.to_string())));

    let r = cut_short("junit");
    assert_eq!(r.code, 3, "{}", r.stderr);
    let x = &r.stdout;
    assert!(x.contains("tests=\"2\" failures=\"0\" errors=\"1\" skipped=\"1\""), "{x}");
    assert!(x.contains("<error type=\"unknown\" message=\"baseline: unknown before the change (the baseline's check did not decide it: it may or may not be new): violated"), "{x}");
    assert!(!x.contains("<failure"), "{x}");

    let r = cut_short("sarif");
    assert_eq!(r.code, 3, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("SARIF");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{doc}");
    let pod = &results[0];
    assert_eq!(pod["ruleId"], "podAlwaysSchedulable");
    assert!(pod.get("baselineState").is_none(), "{pod}");
    assert!(pod["properties"]["kbmc.baseline"].as_str().unwrap().starts_with("unknown before the change"), "{pod}");
    assert_eq!(results[1]["baselineState"], "unchanged");
}

/// The change is checked in its half of the time limit only, the rest being the baseline's: at
/// 20 s of the test clock its own check stops after 10 states, and says whose share ran out.
#[test]
fn the_change_is_checked_in_its_half_of_the_time_limit() {
    let r = cut_at("20", "json");
    assert_eq!(r.code, 3, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let api = doc["results"].as_array().unwrap().iter().find(|x| x["intent"] == "replicasMeetExpected(api)").unwrap();
    assert_eq!(api["verdict"], "unknown", "{api}");
    let reason = api["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the change's share of the time limit (the first 10 s of 20 s, --time-limit) was reached"),
        "{reason}"
    );
    assert_eq!(doc["baseline"]["new"], serde_json::json!([]), "{doc}");
}
