//! Output formats of `kbmc check`: snapshots of C3 and C8 in every format, every case's output
//! in every format parsed back (JSON against docs/schema/check-v2.json, ITF's structure,
//! JUnit XML and SARIF), and the exit code of each verdict.

use std::path::Path;

use serde_json::Value;

use super::{case_dirs, kbmc, rel, root};

const FORMATS: [(&str, &str); 5] =
    [("text", "txt"), ("json", "json"), ("itf", "itf.jsonl"), ("junit", "xml"), ("sarif", "sarif")];

/// Replaces run times (`0.123 s`, `"seconds": 0.123`, `time="0.123"`) by zero, so snapshots
/// compare what was found, not how fast.
fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A decimal number followed by " s", or preceded by `seconds": ` / `time="`.
        if b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-')) {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
                j += 1;
            }
            let num = &s[i..j];
            let timed = num.contains('.')
                && (s[j..].starts_with(" s") || s[..i].ends_with("\"seconds\": ") || s[..i].ends_with("time=\""));
            if timed {
                out.push_str("0.000");
                i = j;
                continue;
            }
            out.push_str(num);
            i = j;
            continue;
        }
        let c = s[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn check(case: &str, format: &str) -> super::Run {
    kbmc(&["check", "--engine", "explicit", "--no-color", "--format", format, &format!("cases/{case}")])
}

/// C3 and C8 in every format match tests/snapshots/ (run with UPDATE_SNAPSHOTS=1 to rewrite
/// them after an intended change, then review the diff).
#[test]
fn snapshots_of_c3_and_c8_in_every_format() {
    for case in ["c3-conflicting-spread", "c8-descheduler-spread-loop"] {
        for (format, ext) in FORMATS {
            let r = check(case, format);
            assert_eq!(r.code, 1, "{case} {format}: {}", r.stderr);
            let got = normalize(&r.stdout);
            let path = root().join("tests/snapshots").join(format!("{case}.{ext}"));
            if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_SNAPSHOTS=1 writes it)", path.display()));
            assert_eq!(got, want, "{case} --format {format} differs from {}", path.display());
        }
    }
}

/// The check JSON schema (docs/schema/check-v2.json), compiled.
pub fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/schema/check-v2.json")).expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

/// Every case, every format: produced and parsed back.
#[test]
fn every_case_in_every_format_parses() {
    let validator = schema();
    for dir in case_dirs() {
        let case = rel(&dir).trim_start_matches("cases/").to_string();
        let json = check(&case, "json");
        let doc: Value = serde_json::from_str(&json.stdout).unwrap_or_else(|e| panic!("{case} json: {e}"));
        if let Err(e) = validator.validate(&doc) {
            panic!("{case}: JSON does not match docs/schema/check-v2.json: {e}");
        }
        assert_eq!(doc["exit_code"], json.code, "{case}");
        let violated = doc["summary"]["violated"].as_u64().unwrap() as usize;
        let intents = doc["results"].as_array().unwrap().len();

        // ITF: one document per violated intent, each with vars, states and ITF integers.
        let itf = check(&case, "itf");
        let docs: Vec<Value> = itf.stdout.lines().map(|l| serde_json::from_str(l).expect("ITF line is JSON")).collect();
        assert_eq!(docs.len(), violated, "{case}: one ITF trace per violated intent");
        for d in &docs {
            assert_eq!(d["vars"], serde_json::json!(["desired", "nodes", "pending"]), "{case}");
            let states = d["states"].as_array().expect("states");
            assert!(!states.is_empty());
            for s in states {
                for v in ["desired", "nodes", "pending"] {
                    assert!(s[v]["#map"].is_array(), "{case}: {v} is an ITF map");
                }
                let pending = &s["pending"]["#map"][0][1]["#bigint"];
                assert!(pending.as_str().is_some_and(|n| n.parse::<i64>().is_ok()), "{case}: {pending}");
            }
            if let Some(l) = d.get("loop") {
                assert!((l.as_u64().unwrap() as usize) < states.len(), "{case}: loop index inside the trace");
            }
        }

        // JUnit: one test case per intent, failures = violated.
        let junit = check(&case, "junit");
        let (cases, failures) = junit_counts(&junit.stdout).unwrap_or_else(|e| panic!("{case} junit: {e}"));
        assert_eq!((cases, failures), (intents, violated), "{case}");

        // SARIF: version 2.1.0, one result per violated intent, each at a file and line that exist.
        let sarif = check(&case, "sarif");
        let s: Value = serde_json::from_str(&sarif.stdout).unwrap_or_else(|e| panic!("{case} sarif: {e}"));
        assert_eq!(s["version"], "2.1.0");
        let results = s["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), violated, "{case}");
        for r in results {
            let loc = &r["locations"][0]["physicalLocation"];
            let file = root().join(loc["artifactLocation"]["uri"].as_str().expect("uri"));
            let line = loc["region"]["startLine"].as_u64().expect("startLine") as usize;
            let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{case}: {}: {e}", file.display()));
            let at = text.lines().nth(line - 1).unwrap_or_else(|| panic!("{case}: line {line} past the end"));
            assert!(
                at.starts_with("apiVersion") || at.starts_with("kind") || at.contains("name"),
                "{case}: line {line} is `{at}`"
            );
        }
        for (other, r) in [("itf", &itf), ("junit", &junit), ("sarif", &sarif)] {
            assert_eq!(r.code, json.code, "{case}: --format {other} exits as --format json");
        }
    }
}

/// (test cases, failures) of a JUnit document, read with an XML parser.
fn junit_counts(xml: &str) -> Result<(usize, usize), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testcase" => cases += 1,
                b"failure" => failures += 1,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((cases, failures))
}

/// Exit codes per verdict: violated 1, holds 0, unknown 3 (input errors, 2, are tested in
/// inputs.rs), the same in every format.
#[test]
fn exit_codes_follow_the_verdicts() {
    for (args, code) in [
        (vec!["cases/c3-conflicting-spread"], 1),
        (vec!["cases/c3-conflicting-spread-fixed"], 0),
        (vec!["--max-states", "10", "cases/c8-descheduler-spread-loop-fixed"], 3),
    ] {
        for (format, _) in FORMATS {
            let mut a = vec!["check", "--engine", "explicit", "--format", format];
            a.extend(&args);
            let r = kbmc(&a);
            assert_eq!(r.code, code, "{a:?}: {}", r.stderr);
        }
    }
    assert!(Path::new(&root().join("docs/output.md")).exists());
}

/// Without `--all` a check stops at the first violation and says which intents it left open
/// and why; with `--all` every intent is decided. The same in both engines.
#[test]
fn all_decides_every_intent_and_the_default_stops_at_the_first_violation() {
    let case = "tests/fixtures/good/two-intents";
    for engine in ["explicit", "symbolic"] {
        let first = kbmc(&["check", "--engine", engine, "--explicit-states", "0", "--steps", "4", "--no-color", case]);
        assert_eq!(first.code, 1, "{engine}: {}", first.stderr);
        assert!(first.stdout.contains("podAlwaysSchedulable: violated after 3 step(s)"), "{engine}: {}", first.stdout);
        assert!(
            first
                .stdout
                .contains("noEvictionCycle(web): unknown: not decided: the check stopped at the first violation"),
            "{engine}: {}",
            first.stdout
        );
        assert!(first.stdout.contains("--all decides every intent"), "{engine}: {}", first.stdout);
        let all =
            kbmc(&["check", "--engine", engine, "--explicit-states", "0", "--all", "--steps", "4", "--no-color", case]);
        assert_eq!(all.code, 1, "{engine}: {}", all.stderr);
        assert!(all.stdout.contains("podAlwaysSchedulable: violated after 3 step(s)"), "{engine}: {}", all.stdout);
        assert!(all.stdout.contains("noEvictionCycle(web): holds"), "{engine}: {}", all.stdout);
        assert!(all.stdout.contains("1 violated") && all.stdout.contains(" 0 unknown"), "{engine}: {}", all.stdout);
    }
}

/// The symbolic engine reports the solver's work, Z3's conflicts and decisions, in JSON, in
/// text and in `compare`; the explicit engine's effort has no such fields.
#[test]
fn symbolic_effort_counts_the_solver_work() {
    // The symbolic engine alone: the default check's explicit search decides C3 by itself.
    let r = kbmc(&["check", "--explicit-states", "0", "--no-color", "--format", "json", "cases/c3-conflicting-spread"]);
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    // Some work, of either kind: with layer lemmas evaluated, C3's queries are settled with
    // a few conflicts and no decision.
    let (conflicts, decisions) = (v["effort"]["conflicts"].as_u64(), v["effort"]["decisions"].as_u64());
    assert!(conflicts.zip(decisions).is_some_and(|(c, d)| c + d > 0), "{}", v["effort"]);
    let text = kbmc(&["check", "--explicit-states", "0", "--no-color", "cases/c3-conflicting-spread"]);
    assert!(text.stdout.contains(" decisions), in "), "{}", text.stdout);
    let cmp = kbmc(&["compare", "cases/c3-conflicting-spread"]);
    assert!(
        cmp.stdout.contains("symbolic engine: 3 steps unrolled, ") && cmp.stdout.contains(" decisions, "),
        "{}",
        cmp.stdout
    );
    let e = check("c3-conflicting-spread", "json");
    let v: Value = serde_json::from_str(&e.stdout).expect("JSON");
    assert!(v["effort"].get("decisions").is_none(), "{}", v["effort"]);
}

/// A verdict that holds names the under-approximations it rests on (docs/modeling/soundness.md): the header lists their ids, the end of the report says what each
/// means, the verdict line ends with them, and the JSON
/// carries both; a violation carries none.
#[test]
fn holds_verdicts_say_what_they_assume() {
    let case = "cases/c8-descheduler-spread-loop-fixed";
    let text = kbmc(&["check", "--engine", "explicit", "--no-color", case]).stdout;
    assert!(text.contains("  assumes:     replicaset-chosen-evicted, "), "{text}");
    assert!(text.contains(", image-locality, "), "{text}");
    // What each means, once, after the traces and before the summary line.
    let end = text.find("\nassumptions (").expect("the assumptions explained");
    assert!(text[end..].contains("\n  image-locality: every node holds the same container images"), "{text}");
    assert!(text[end..].contains(" intent(s): "), "the summary line stays last:\n{text}");
    let line = text.lines().find(|l| l.starts_with("noEvictionCycle(web): holds")).expect("a holds verdict");
    assert!(line.ends_with("; assuming replicaset-chosen-evicted, image-locality, score-precision"), "{line}");
    let r = kbmc(&["check", "--engine", "explicit", "--format", "json", case]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<&str> =
        v["header"]["assumptions"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"image-locality"), "{ids:?}");
    assert!(v["results"][0]["assuming"].as_array().unwrap().iter().any(|a| a == "image-locality"));
    let r = kbmc(&["check", "--engine", "explicit", "--format", "json", "cases/c8-descheduler-spread-loop"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["results"][0]["verdict"], "violated");
    assert!(v["results"][0]["assuming"].as_array().unwrap().is_empty());
}

/// Pods with a PersistentVolumeClaim make every holding verdict rest on `pvc-unconstrained`
/// (the scheduler's volume filters are not modelled), in every format that names assumptions;
/// a model without claims does not name it.
#[test]
fn claims_are_an_assumption_in_every_format() {
    let case = "tests/fixtures/good/claims";
    let run = |format: &str| {
        let r = kbmc(&["check", "--engine", "explicit", "--no-color", "--format", format, case]);
        assert_eq!(r.code, 0, "{format}: {}\n{}", r.stdout, r.stderr);
        r.stdout
    };
    let text = run("text");
    assert!(
        text.contains("pvc-unconstrained: a pod's PersistentVolumeClaims leave it free to run on any node"),
        "{text}"
    );
    for intent in ["podAlwaysSchedulable: holds", "replicasMeetMin(db): holds"] {
        let line = text.lines().find(|l| l.starts_with(intent)).unwrap_or_else(|| panic!("{intent}: {text}"));
        assert!(line.ends_with("pvc-unconstrained"), "{line}");
    }
    let v: Value = serde_json::from_str(&run("json")).unwrap();
    if let Err(e) = schema().validate(&v) {
        panic!("JSON does not match docs/schema/check-v2.json: {e}");
    }
    assert!(v["header"]["assumptions"].as_array().unwrap().iter().any(|a| a["id"] == "pvc-unconstrained"));
    for res in v["results"].as_array().unwrap() {
        assert!(res["assuming"].as_array().unwrap().iter().any(|a| a == "pvc-unconstrained"), "{res}");
    }
    let junit = run("junit");
    assert_eq!(junit.matches("pvc-unconstrained</system-out>").count(), 2, "{junit}");
    let without = kbmc(&["check", "--engine", "explicit", "--format", "json", "cases/c3-conflicting-spread-fixed"]);
    assert!(!without.stdout.contains("pvc-unconstrained"), "{}", without.stdout);
}

/// A check made with `--allow-unmodeled` of a Deployment with scheduling gates and a
/// LimitRange, in `format`.
fn dropped_check(format: &str) -> super::Run {
    let r = kbmc(&[
        "check",
        "--allow-unmodeled",
        "--engine",
        "explicit",
        "--no-color",
        "--format",
        format,
        "tests/fixtures/allow-unmodeled",
    ]);
    assert_eq!(r.code, 0, "{format}: {}\n{}", r.stdout, r.stderr);
    r
}

const DROPPED_KIND: &str = "LimitRange/defaults";
const DROPPED_FIELD: &str = "spec.template.spec.schedulingGates";

#[test]
fn text_lists_what_allow_unmodeled_dropped() {
    let r = dropped_check("text");
    let line = r.stdout.lines().find(|l| l.starts_with("  dropped:")).unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(line.contains(DROPPED_KIND) && line.contains(DROPPED_FIELD), "{line}");
    for intent in ["podAlwaysSchedulable: holds", "noEvictionCycle(web): holds"] {
        let v = r.stdout.lines().find(|l| l.starts_with(intent)).unwrap_or_else(|| panic!("{intent}: {}", r.stdout));
        assert!(v.contains("; assuming the dropped objects have no effect"), "{v}");
    }
}

#[test]
fn json_lists_what_allow_unmodeled_dropped() {
    let r = dropped_check("json");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    if let Err(e) = schema().validate(&v) {
        panic!("JSON does not match docs/schema/check-v2.json: {e}");
    }
    let dropped: Vec<&str> = v["header"]["dropped"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert!(dropped.contains(&DROPPED_KIND), "{dropped:?}");
    assert!(dropped.contains(&format!("Deployment/web {DROPPED_FIELD}").as_str()), "{dropped:?}");
    for res in v["results"].as_array().unwrap() {
        assert!(res["assuming"].as_array().unwrap().iter().any(|a| a == "dropped-inputs"), "{res}");
        assert!(res["message"].as_str().unwrap().contains("assuming the dropped objects have no effect"), "{res}");
    }
    // Without the flag's effect nothing is listed.
    let plain = kbmc(&["check", "--engine", "explicit", "--format", "json", "cases/c3-conflicting-spread-fixed"]);
    let p: Value = serde_json::from_str(&plain.stdout).unwrap();
    assert_eq!(p["header"]["dropped"], serde_json::json!([]));
}

#[test]
fn junit_lists_what_allow_unmodeled_dropped() {
    let r = dropped_check("junit");
    assert!(r.stdout.contains(&format!("<property name=\"kbmc.dropped\" value=\"{DROPPED_KIND}\"/>")), "{}", r.stdout);
    assert!(r.stdout.contains(DROPPED_FIELD), "{}", r.stdout);
    assert!(r.stdout.contains("; assuming the dropped objects have no effect, "), "{}", r.stdout);
    junit_counts(&r.stdout).unwrap();
}

#[test]
fn sarif_lists_what_allow_unmodeled_dropped() {
    let r = dropped_check("sarif");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let notes = v["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    let texts: Vec<&str> = notes.iter().map(|n| n["message"]["text"].as_str().unwrap()).collect();
    assert!(texts.iter().any(|t| t.ends_with(DROPPED_KIND)), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains(DROPPED_FIELD)), "{texts:?}");
    assert!(notes.iter().all(|n| n["level"] == "warning" && n["descriptor"]["id"] == "dropped-inputs"), "{notes:?}");
}

/// The JSON result names a Deployment whose name two namespaces share `namespace/name`, in
/// the header, the verdict subjects and the trace's states (desired replicas, pods per
/// group), so the two never merge into one key.
#[test]
fn json_names_deployments_of_a_shared_name_with_their_namespace() {
    let r =
        kbmc(&["check", "--engine", "explicit", "--steps", "3", "--format", "json", "tests/fixtures/two-namespaces"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["header"]["workloads"][0], "prod/web: 2 replicas, HPA prod/web 2..3");
    let intents: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["intent"].as_str().unwrap()).collect();
    assert!(
        intents.contains(&"replicasMeetMin(prod/web)") && intents.contains(&"noEvictionCycle(staging/web)"),
        "{intents:?}"
    );
    let violated = v["results"].as_array().unwrap().iter().find(|r| r["verdict"] == "violated").expect("a violation");
    let start = &violated["trace"]["states"][0];
    assert_eq!(start["desired"]["prod/web"], 2);
    assert_eq!(start["desired"]["staging/web"], 1);
    assert_eq!(start["nodes"]["node-1"]["pods"]["staging/web@r0"]["running"], 1);
    assert_eq!(start["nodes"]["node-2"]["pods"]["prod/web@r0"]["running"], 1);
}
