//! Machine-readable check results: JSON (the versioned schema of docs/output.md and
//! docs/schema/check-v2.json), ITF traces (Apalache's Informal Trace Format, one JSON document
//! per violated intent), JUnit XML (one test case per intent) and SARIF 2.1.0 (one result per
//! violated intent, located at the manifest object involved). Renders only; decides nothing.

use serde_json::{json, Map, Value};

use super::view::{self, Header};
use crate::domain::Concrete;
use crate::error::Origin;
use crate::ir::Intent;
use crate::model::{live_replicas, running_replicas, Model};
use crate::trace::Trace;
use crate::verdict::{CheckResult, IntentResult, Proof, Verdict};

/// The `schema` field of kbmc's JSON check result; bumped on any incompatible change.
pub const CHECK_SCHEMA: &str = "kbmc.dev/check/v2";

pub fn verdict_word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Violated(_) => "violated",
        Verdict::Holds { .. } => "holds",
        Verdict::Proved { .. } => "proved",
        Verdict::Unknown { .. } => "unknown",
    }
}

/// The event bound a verdict holds under, in words to follow its verdict line: empty for a
/// violation (its run names its events) and where no bound applies.
pub fn events_text(r: &IntentResult) -> String {
    match (&r.verdict, r.events_bound) {
        (Verdict::Violated(_), _) | (_, None) => String::new(),
        (_, Some(b)) => format!(", with up to {} in one run", crate::count(b, "event", "events")),
    }
}

/// The one-line verdict people read (also the JUnit message).
pub fn verdict_line(v: &Verdict) -> String {
    match v {
        Verdict::Violated(t) => match t.loop_start {
            Some(l) => format!("violated: a reachable cycle of {} step(s) starting at step {l}", t.steps.len() - l),
            None => format!("violated after {} step(s)", t.steps.len()),
        },
        Verdict::Holds { exhaustive: true, .. } => {
            "holds: every reachable state was explored (no bound needed for this cluster)".to_string()
        }
        Verdict::Holds { steps, exhaustive: false } => format!(
            "holds within {steps} steps (no violation in any run of at most {steps} steps; longer runs were not explored)"
        ),
        Verdict::Proved { k, by: Proof::Induction } => format!(
            "proved for every run length by k-induction at k = {k} (no violation within {k} steps from the initial state, and none after {k} violation-free steps from any state)"
        ),
        Verdict::Proved { k, by: Proof::Complete } => format!(
            "proved for every run length: complete at k = {k} (no path of {k} step(s) from the initial state avoids repeating a state, so every reachable state and cycle lies within {k} step(s), and bounded checking to {k} found no violation)"
        ),
        Verdict::Proved { by: Proof::Invariant, .. } => "proved for every run length by an inductive invariant (the states an explicit search reached and their renamings of identical nodes: every initial state is one of them, none violates the intent, and Z3 checked state by state that every step leads to one of them)".to_string(),
        Verdict::Proved { by: Proof::Parts, .. } => "proved for every run length, each set of events on its own (by an exhaustive search, k-induction, completeness or an inductive invariant: not every set by the same method)".to_string(),
        Verdict::Unknown { reason } => format!("unknown: {reason}"),
    }
}

pub fn trace_json(m: &Model, t: &Trace) -> Value {
    json!({
        "start": t.start,
        "violation": t.violation,
        "loop_start": t.loop_start,
        "steps": t.steps.iter().enumerate().map(|(i, s)| json!({"index": i, "actor": s.actor, "text": s.text})).collect::<Vec<_>>(),
        "states": t.states.iter().map(|st| view::state(m, st)).collect::<Vec<_>>(),
    })
}

/// The JSON check result (schema `kbmc.dev/check/v2`).
pub fn json(m: &Model, h: &Header, r: &CheckResult) -> Value {
    json_with(m, h, r, None)
}

/// [`json`], against a baseline when `b` is given: each result has its `baseline_state`
/// (`new`, `unchanged`, `unknown` where the baseline left the intent unknown, or null when not
/// violated), `baseline` names the findings in each state, and `exit_code` is the
/// comparison's.
pub fn json_with(m: &Model, h: &Header, r: &CheckResult, b: Option<&super::Before>) -> Value {
    let mut v = json_plain(m, h, r);
    let Some(b) = b else { return v };
    use crate::verdict::BaselineState;
    let named =
        |s: BaselineState| -> Vec<&str> { b.comparison.in_state(s).map(|i| r.results[i].name.as_str()).collect() };
    if let Some(results) = v["results"].as_array_mut() {
        for (i, res) in results.iter_mut().enumerate() {
            res["baseline_state"] = json!(b.comparison.change[i].map(|s| s.word()));
        }
    }
    v["baseline"] = json!({
        "path": b.path.display().to_string(),
        "new": named(BaselineState::New),
        "unchanged": named(BaselineState::Unchanged),
        "unknown": named(BaselineState::Unknown),
        "fixed": b.comparison.fixed.iter().map(|&i| &b.result.results[i].name).collect::<Vec<_>>(),
    });
    v["exit_code"] = json!(b.comparison.exit_code(r));
    v
}

fn json_plain(m: &Model, h: &Header, r: &CheckResult) -> Value {
    let results: Vec<Value> = r
        .results
        .iter()
        .enumerate()
        .map(|(i, ir)| {
            let (bound, reason, trace) = match &ir.verdict {
                Verdict::Violated(t) => (Value::Null, Value::Null, trace_json(m, t)),
                Verdict::Holds { steps, exhaustive } => {
                    (json!({"steps": steps, "exhaustive": exhaustive}), Value::Null, Value::Null)
                }
                Verdict::Proved { k, by: Proof::Induction } => {
                    (json!({"steps": k, "exhaustive": true, "induction": k}), Value::Null, Value::Null)
                }
                Verdict::Proved { k, by: Proof::Complete } => {
                    (json!({"steps": k, "exhaustive": true, "complete": k}), Value::Null, Value::Null)
                }
                Verdict::Proved { k, by: Proof::Invariant } => {
                    (json!({"steps": k, "exhaustive": true, "invariant": true}), Value::Null, Value::Null)
                }
                Verdict::Proved { k, by: Proof::Parts } => {
                    (json!({"steps": k, "exhaustive": true, "parts": true}), Value::Null, Value::Null)
                }
                Verdict::Unknown { reason } => (Value::Null, json!(reason), Value::Null),
            };
            json!({
                "intent": ir.name,
                "kivi_name": ir.kivi_name,
                "verdict": verdict_word(&ir.verdict),
                "message": verdict_line(&ir.verdict) + &events_text(ir) + &view::assuming_text(m, i, &ir.verdict),
                "events_bound": ir.events_bound,
                "bound": bound,
                "reason": reason,
                "trace": trace,
                "assuming": view::assuming(m, i, &ir.verdict),
            })
        })
        .collect();
    let e = &r.effort;
    let mut effort = json!({"engine": e.engine, "states": e.states, "transitions": e.transitions, "depth": e.depth,
        // Milliseconds: no exponent notation for short runs.
        "seconds": (e.seconds * 1000.0).round() / 1000.0});
    if let Some(n) = e.reduced {
        effort["reduction"] = json!({"method": "por", "reduced_states": n, "shortest_traces": false});
    }
    if e.engine == "symbolic" {
        effort["conflicts"] = json!(e.conflicts);
        effort["decisions"] = json!(e.decisions);
        effort["queries"] = json!(e.queries);
        if e.rounds {
            effort["semantics"] = json!("step");
        }
    }
    let losses = crate::model::exposure::single_node_losses(m);
    let groups: Vec<Value> = view::groups(m, r, &losses)
        .iter()
        .map(|g| {
            json!({
                "intent": g.intent,
                "verdict": g.verdict,
                "members": g.members.iter().map(|&i| &r.results[i].name).collect::<Vec<_>>(),
                "representative": r.results[g.representative].name,
                "message": view::group_line(m, r, g),
            })
        })
        .collect();
    let single_node_losses: Vec<Value> = losses
        .iter()
        .map(|l| {
            json!({
                "deployment": m.ir.deployments[l.deployment].name,
                "replicas": l.replicas,
                "node": l.node.map(|n| m.node_name(n)),
            })
        })
        .collect();
    json!({
        "schema": CHECK_SCHEMA,
        "kbmc": env!("CARGO_PKG_VERSION"),
        "header": h,
        "summary": view::summary(r),
        "exit_code": r.exit_code(),
        "effort": effort,
        // The bound on events in one run, where the check went to less than every event's
        // own budget allows (each result has its own `events_bound`).
        "events": r.events.map(|e| json!({"bound": e.reached, "total": e.total, "deepened": e.deepened})),
        "single_node_losses": single_node_losses,
        "results": results,
        "groups": groups,
    })
}

/// A view value in ITF: integers as `{"#bigint": "..."}`, name-keyed objects as `#map`.
fn itf_value(v: &Value, map_keyed: bool) -> Value {
    match v {
        Value::Number(n) => json!({"#bigint": n.to_string()}),
        Value::Object(o) if map_keyed => Value::Object(Map::from_iter([(
            "#map".to_string(),
            Value::Array(o.iter().map(|(k, v)| json!([k, itf_value(v, false)])).collect()),
        )])),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), itf_value(v, matches!(k.as_str(), "nodes" | "pods" | "pending" | "desired"))))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Where the ITF format is described (each ITF document's `#meta` names it).
const ITF_DESCRIPTION: &str = "https://apalache-mc.org/docs/adr/015adr-trace.html";

/// One violated intent's trace in ITF. A lasso's last state (equal to its loop start) is not
/// repeated: `loop` is the index the run returns to after the last state.
pub fn itf(m: &Model, intent: &str, t: &Trace) -> Value {
    let n = if t.loop_start.is_some() { t.states.len() - 1 } else { t.states.len() };
    let states: Vec<Value> = t.states[..n]
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut v = itf_value(&view::state(m, st), false);
            let step = if i == 0 {
                "initial state".to_string()
            } else {
                format!("[{}][{}] {}", i - 1, t.steps[i - 1].actor, t.steps[i - 1].text)
            };
            v["#meta"] = json!({"index": i, "step": step});
            v
        })
        .collect();
    let mut doc = json!({
        "#meta": {"format": "ITF", "format-description": ITF_DESCRIPTION, "source": m.ir.name, "intent": intent, "description": t.violation},
        "vars": ["desired", "nodes", "pending"],
        "states": states,
    });
    if let Some(l) = t.loop_start {
        doc["loop"] = json!(l);
    }
    doc
}

fn xml_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => format!("&#{};", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// A trace as plain lines (`[step][actor] text`), for JUnit and SARIF messages.
pub fn trace_lines(t: &Trace) -> String {
    let mut out = Vec::new();
    if let Some(s) = &t.start {
        out.push(format!("starting from {s}"));
    }
    for (i, s) in t.steps.iter().enumerate() {
        if t.loop_start == Some(i) {
            out.push("-- loop starts here --".into());
        }
        out.push(format!("[{i}][{}] {}", s.actor, s.text));
    }
    if let Some(l) = t.loop_start {
        out.push(format!("-- back to the state before step {l}: the cycle repeats forever --"));
        let mut actors: Vec<&str> = Vec::new();
        for s in &t.steps[l..] {
            if !actors.contains(&s.actor) {
                actors.push(s.actor);
            }
        }
        out.push(format!("acting in the cycle: {}", actors.join(", ")));
    }
    if let Some(v) = &t.violation {
        out.push(format!("violated: {v}"));
    }
    out.join("\n")
}

/// JUnit XML: one test suite, one test case per intent. Violated: `<failure>` with the trace;
/// unknown: `<error>` (inconclusive is never a pass); holds: a pass whose output states the bound.
pub fn junit(m: &Model, h: &Header, r: &CheckResult) -> String {
    junit_with(m, h, r, None)
}

/// [`junit`], against a baseline when `b` is given: only a new violation is a `<failure>`; one
/// the baseline has too is `<skipped>` (its trace in `<system-out>`); one the baseline left
/// unknown is an `<error>` (undecided, like an unknown verdict: neither a pass nor a new
/// failure); and each violation the change fixed is a passing test case of its own (`<name>
/// (fixed by the change)`).
pub fn junit_with(m: &Model, h: &Header, r: &CheckResult, b: Option<&super::Before>) -> String {
    use crate::verdict::BaselineState;
    let state = |i: usize| b.and_then(|b| b.comparison.change.get(i).copied().flatten());
    let mut s = view::summary(r);
    let unchanged = (0..r.results.len()).filter(|&i| state(i) == Some(BaselineState::Unchanged)).count();
    let undecided = (0..r.results.len()).filter(|&i| state(i) == Some(BaselineState::Unknown)).count();
    s.violated -= unchanged + undecided;
    s.unknown += undecided;
    let fixed: Vec<&str> =
        b.map_or(Vec::new(), |b| b.comparison.fixed.iter().map(|&i| b.result.results[i].name.as_str()).collect());
    s.intents += fixed.len();
    let time = format!("{:.3}", r.effort.seconds);
    let name = xml_escape(&r.model);
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o += &format!(
        "<testsuites name=\"kbmc\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{time}\">\n",
        s.intents, s.violated, s.unknown
    );
    o += &format!(
        "  <testsuite name=\"kbmc check {name}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{unchanged}\" time=\"{time}\">\n",
        s.intents, s.violated, s.unknown
    );
    // What the check rests on beyond the model: where its spec came from and what
    // --allow-unmodeled dropped (one property per dropped object or field).
    o += "    <properties>\n";
    o += &format!("      <property name=\"kbmc.spec\" value=\"{}\"/>\n", h.spec);
    for d in &h.dropped {
        o += &format!("      <property name=\"kbmc.dropped\" value=\"{}\"/>\n", xml_escape(d));
    }
    if let Some(b) = b {
        o += &format!(
            "      <property name=\"kbmc.baseline\" value=\"{}\"/>\n",
            xml_escape(&b.path.display().to_string())
        );
    }
    o += "    </properties>\n";
    for (i, ir) in r.results.iter().enumerate() {
        let line =
            xml_escape(&(verdict_line(&ir.verdict) + &events_text(ir) + &view::assuming_text(m, i, &ir.verdict)));
        o += &format!("    <testcase name=\"{}\" classname=\"kbmc.{name}\" time=\"{time}\">\n", xml_escape(&ir.name));
        match &ir.verdict {
            Verdict::Violated(t) if state(i) == Some(BaselineState::Unchanged) => {
                o += &format!(
                    "      <skipped message=\"baseline: unchanged (violated before the change too): {line}\"/>\n      <system-out>{}</system-out>\n",
                    xml_escape(&trace_lines(t))
                )
            }
            Verdict::Violated(t) if state(i) == Some(BaselineState::Unknown) => {
                o += &format!(
                    "      <error type=\"unknown\" message=\"baseline: unknown before the change (the baseline's check did not decide it: it may or may not be new): {line}\">{}</error>\n",
                    xml_escape(&trace_lines(t))
                )
            }
            Verdict::Violated(t) => {
                let new = if state(i) == Some(BaselineState::New) { "baseline: new (the change adds it): " } else { "" };
                o += &format!(
                    "      <failure type=\"violated\" message=\"{new}{line}\">{}</failure>\n",
                    xml_escape(&trace_lines(t))
                )
            }
            Verdict::Unknown { .. } => o += &format!("      <error type=\"unknown\" message=\"{line}\"/>\n"),
            Verdict::Holds { .. } | Verdict::Proved { .. } => o += &format!("      <system-out>{line}</system-out>\n"),
        }
        o += "    </testcase>\n";
    }
    for f in fixed {
        o += &format!(
            "    <testcase name=\"{} (fixed by the change)\" classname=\"kbmc.{name}\" time=\"{time}\">\n      <system-out>baseline: absent (violated before the change, not with it)</system-out>\n    </testcase>\n",
            xml_escape(f)
        );
    }
    o += "  </testsuite>\n</testsuites>\n";
    o
}

/// The manifest object a violation is about, and what it is (`Deployment/web`, `pool/spot`):
/// the Deployment the intent names, the Deployment of a pod left pending, the pool of a node
/// that panicked; else the first Deployment.
fn involved(m: &Model, intent: &Intent, t: &Trace) -> Option<(Origin, String)> {
    let dep = |d: usize| {
        m.ir.deployments.get(d).map(|d| {
            let kind = if d.stateful.is_some() { "StatefulSet" } else { "Deployment" };
            (d.origin.clone(), format!("{kind}/{}/{}", d.namespace, d.object_name))
        })
    };
    let pool = |p: usize| {
        let p = &m.ir.pools[p];
        (p.origin.clone(), format!("pool/{}", p.name))
    };
    let last = t.states.last()?;
    if let Some(d) = intent.subject() {
        return dep(d.index());
    }
    match intent {
        Intent::PodAlwaysSchedulable => (0..m.ir.groups.len())
            .find(|&g| last.pending[g] > 0)
            .and_then(|g| m.ir.groups[g].deployment())
            .and_then(|d| dep(d.index()))
            .or_else(|| dep(0)),
        Intent::NoKernelPanicLoop { times } => (0..m.nodes())
            .find(|&n| last.panics[n] >= *times)
            .map(|n| pool(m.ir.nodes[n].pool.index()))
            .or_else(|| dep(0)),
        Intent::DrainCompletes => {
            (0..m.nodes()).find(|&n| last.draining[n]).map(|n| pool(m.ir.nodes[n].pool.index())).or_else(|| dep(0))
        }
        Intent::DisruptionsWithinBudget => dep(0),
        Intent::NodeCountWithin { pool: p, .. } | Intent::NoNodeChurn { pool: Some(p) } => Some(pool(p.index())),
        Intent::NoNodeChurn { pool: None } => {
            m.ir.pools.iter().position(|p| p.autoscaling.is_some()).map(pool).or_else(|| dep(0))
        }
        Intent::AllPodsEventuallyRun => (0..m.ir.deployments.len())
            .find(|&d| live_replicas(&Concrete, m, last, d) > running_replicas(&Concrete, m, last, d))
            .and_then(dep)
            .or_else(|| dep(0)),
        // The intents about one Deployment returned above.
        _ => dep(0),
    }
}

/// One SARIF result for a violated intent of `m`: its message, a location at the object the
/// violation is about (the line its YAML document starts at) and a fingerprint of the intent
/// and that object.
fn sarif_result(m: &Model, name: &str, intent: &Intent, v: &Verdict, t: &Trace) -> Value {
    let mut result = json!({
        "ruleId": name,
        "level": "error",
        "message": {"text": format!("{name} {}\n{}", verdict_line(v), trace_lines(t))},
    });
    let subject = involved(m, intent, t);
    // Stable across runs and commits: the intent and the object it is about, never a line
    // number or a trace (code scanning matches results by it).
    let about = subject.as_ref().map_or(String::new(), |(_, what)| what.clone());
    result["partialFingerprints"] = json!({"kbmcIntentSubject/v1": format!("{name}|{about}")});
    if let Some((o, _)) = subject {
        let uri = o.file.to_string_lossy().replace('\\', "/");
        let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": uri}}});
        if o.line > 0 {
            loc["physicalLocation"]["region"] = json!({"startLine": o.line});
        }
        result["locations"] = json!([loc]);
    }
    result
}

fn sarif_rules(m: &Model) -> Vec<Value> {
    m.ir.intents
        .iter()
        .map(|i| {
            let label = m.ir.intent_label(i);
            json!({
                "id": label,
                "name": label,
                "shortDescription": {"text": format!("kbmc intent {label}")},
                "properties": {"kivi_name": i.kivi_name()},
            })
        })
        .collect()
}

/// Why a SARIF result of `check --baseline` has no `baselineState` (property `kbmc.baseline`).
pub const UNKNOWN_BEFORE: &str = "unknown before the change: the baseline's check did not decide this intent for a run like this one (a limit cut it short, or it held only within fewer steps or events), so this violation may or may not be new";

/// SARIF 2.1.0: one rule per intent, one result per violated intent.
pub fn sarif(m: &Model, h: &Header, r: &CheckResult) -> Value {
    sarif_with(m, h, r, None)
}

/// [`sarif`], against a baseline when `b` is given: each result carries its `baselineState`
/// (`new` or `unchanged`), except one the baseline left unknown, which has none (SARIF has no
/// word for it) and says why in its property `kbmc.baseline`; each violation the change fixed
/// is a result of its own with `baselineState: absent`, level `note`, located in the
/// baseline's inputs.
pub fn sarif_with(m: &Model, h: &Header, r: &CheckResult, b: Option<&super::Before>) -> Value {
    use crate::verdict::BaselineState;
    let mut rules = sarif_rules(m);
    let mut results: Vec<Value> = r
        .results
        .iter()
        .zip(&m.ir.intents)
        .enumerate()
        .filter_map(|(i, (ir, intent))| {
            let Verdict::Violated(t) = &ir.verdict else { return None };
            let mut result = sarif_result(m, &ir.name, intent, &ir.verdict, t);
            match b.and_then(|b| b.comparison.change.get(i).copied().flatten()) {
                Some(BaselineState::Unknown) => {
                    result["properties"] = json!({"kbmc.baseline": UNKNOWN_BEFORE});
                }
                Some(state) => result["baselineState"] = json!(state.word()),
                None => {}
            }
            Some(result)
        })
        .collect();
    if let Some(b) = b {
        for &i in &b.comparison.fixed {
            let (ir, intent) = (&b.result.results[i], &b.model.ir.intents[i]);
            let Verdict::Violated(t) = &ir.verdict else { continue };
            let mut result = sarif_result(b.model, &ir.name, intent, &ir.verdict, t);
            result["level"] = json!("note");
            result["baselineState"] = json!("absent");
            result["message"]["text"] =
                json!(format!("fixed by the change; before it: {}", result["message"]["text"].as_str().unwrap_or("")));
            results.push(result);
            // An intent only the baseline had still needs its rule.
            if !rules.iter().any(|rule| rule["id"] == json!(ir.name)) {
                rules.extend(sarif_rules(b.model).into_iter().filter(|rule| rule["id"] == json!(ir.name)));
            }
        }
    }
    // What the results rest on beyond the model, as notifications of the run.
    let mut notes: Vec<Value> = h
        .dropped
        .iter()
        .map(|d| {
            json!({
                "level": "warning",
                "descriptor": {"id": "dropped-inputs"},
                "message": {"text": format!("dropped with --allow-unmodeled, assumed to have no effect: {d}")},
            })
        })
        .collect();
    if h.spec == "inferred" {
        notes.push(json!({
            "level": "note",
            "descriptor": {"id": "inferred-spec"},
            "message": {"text": format!("no Verification given: kbmc inferred one (kbmc init prints it) with intents {}", h.intents.join(", "))},
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kbmc", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "invocations": [{"executionSuccessful": true, "toolExecutionNotifications": notes}],
            "results": results,
        }],
    })
}
