//! Shards of a check (`check --shard I/N`, `kbmc merge`): which check a shard belongs to (its
//! identity: a digest of the model and of every option that shapes a verdict, the shard count
//! and index), and each part's result written losslessly into the shard's JSON report and read
//! back; against a baseline (`--baseline`), the baseline's parts too, dealt to the shards with
//! the change's. A counterexample is written as its start and its steps and rebuilt by running the
//! steps again on the model, so that `merge` renders the very runs the shards found. It owns
//! this format and the checks that a set of shards is one whole check; it must not run a
//! check (lib.rs does) nor word a report (`report`).

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::domain::Concrete;
use crate::error::Error;
use crate::model::{intents, registry, Model, Step};
use crate::trace::Trace;
use crate::verdict::{CheckResult, Effort, IntentResult, Proof, Verdict};

/// The `schema` of the `shard` object of a shard's report.
pub const SHARD_SCHEMA: &str = "kbmc.dev/shard/v1";

/// What a shard is: the check it belongs to and its place among the shards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The digest of the model and of the options that shape a verdict (`digest`).
    pub digest: String,
    pub index: usize,
    pub count: usize,
    /// The parts of the check, all shards together.
    pub parts: usize,
    /// Against a baseline: the parts of the baseline's check, all shards together.
    pub baseline_parts: Option<usize>,
}

/// What `merge` needs to build the check again: the inputs as the shard read them, and the
/// options that shape the model and the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipe {
    pub paths: Vec<PathBuf>,
    pub allow_unmodeled: bool,
    /// `node` or `zone`: the inferred spec's failure scenario.
    pub scenario: String,
    pub steps: usize,
    pub events: i64,
    /// Every other option that shapes a verdict, in words (engine, `--all`, limits on states
    /// and time), for the digest and for the message when two shards differ.
    pub options: String,
    /// `--baseline`: the dump the change was applied over, checked alone.
    pub baseline: Option<BaselineRecipe>,
    /// `--time-limit`, which a report against a baseline states with its shares.
    pub time_limit_ms: Option<u64>,
}

/// The baseline's check in a sharded check against a baseline: its dump, and the steps and
/// event bound its own spec gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineRecipe {
    pub path: PathBuf,
    pub steps: usize,
    pub events: i64,
}

/// Which check of a sharded check against a baseline a part belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The change applied over the baseline (the check without a baseline is this alone).
    Change,
    /// The baseline alone.
    Baseline,
}

/// The digest of a check: FNV-1a (64 bits) over kbmc's version, the models as the inputs built
/// them (their serialized form: the change's, then the baseline's where there is one) and the
/// recipe. Not a defence against forgery: it tells shards of different inputs, options or
/// versions apart.
pub fn digest(models: &[&Model], r: &Recipe) -> Result<String, Error> {
    let mut bytes = Vec::new();
    for m in models {
        bytes.extend(
            serde_json::to_vec(&m.ir).map_err(|e| Error::Internal(format!("the model does not serialize: {e}")))?,
        );
    }
    let mut recipe = format!("{}|{}|{}|{}|{}", r.allow_unmodeled, r.scenario, r.steps, r.events, r.options);
    if let Some(b) = &r.baseline {
        recipe += &format!("|baseline|{}|{}", b.steps, b.events);
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in env!("CARGO_PKG_VERSION").bytes().chain(bytes).chain(recipe.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Ok(format!("{h:016x}"))
}

/// The `shard` object of a shard's report: its identity, its recipe and its parts' results
/// (`baseline`: the baseline's model and this shard's parts of its check).
pub fn json(
    m: &Model,
    id: &Identity,
    recipe: &Recipe,
    results: &[(usize, CheckResult)],
    baseline: Option<(&Model, &[(usize, CheckResult)])>,
) -> Value {
    let mut v = json!({
        "schema": SHARD_SCHEMA,
        "digest": id.digest,
        "index": id.index,
        "count": id.count,
        "parts": id.parts,
        "recipe": {
            "paths": recipe.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "allow_unmodeled": recipe.allow_unmodeled,
            "scenario": recipe.scenario,
            "steps": recipe.steps,
            "events": recipe.events,
            "options": recipe.options,
        },
        "results": results_json(m, results),
    });
    if let Some(t) = recipe.time_limit_ms {
        v["recipe"]["time_limit_ms"] = json!(t);
    }
    if let (Some(b), Some((bm, results))) = (&recipe.baseline, baseline) {
        v["recipe"]["baseline"] = json!({"path": b.path.display().to_string(), "steps": b.steps, "events": b.events});
        v["baseline"] = json!({"parts": id.baseline_parts, "results": results_json(bm, results)});
    }
    v
}

fn results_json(m: &Model, results: &[(usize, CheckResult)]) -> Vec<Value> {
    results.iter().map(|(i, r)| json!({"part": i, "result": result_json(m, r)})).collect()
}

fn result_json(m: &Model, r: &CheckResult) -> Value {
    let e = &r.effort;
    json!({
        "effort": {
            "engine": e.engine, "states": e.states, "transitions": e.transitions, "depth": e.depth,
            "seconds": e.seconds, "conflicts": e.conflicts, "decisions": e.decisions,
            "queries": e.queries, "reduced": e.reduced, "rounds": e.rounds,
        },
        "certificates": r.certificates,
        "verdicts": r.results.iter().map(|x| verdict_json(m, x)).collect::<Vec<_>>(),
    })
}

fn verdict_json(m: &Model, x: &IntentResult) -> Value {
    let mut v = match &x.verdict {
        Verdict::Violated(t) => json!({"verdict": "violated", "trace": trace_json(m, t)}),
        Verdict::Holds { steps, exhaustive } => json!({"verdict": "holds", "steps": steps, "exhaustive": exhaustive}),
        Verdict::Proved { k, by } => json!({"verdict": "proved", "k": k, "by": proof_word(*by)}),
        Verdict::Unknown { reason } => json!({"verdict": "unknown", "reason": reason}),
    };
    v["events_bound"] = json!(x.events_bound);
    v
}

fn proof_word(p: Proof) -> &'static str {
    match p {
        Proof::Induction => "induction",
        Proof::Complete => "complete",
        Proof::Invariant => "invariant",
        Proof::Parts => "parts",
    }
}

/// A run as the index of its first state among the model's initial states and its steps.
fn trace_json(m: &Model, t: &Trace) -> Value {
    let init = m.initial_states().iter().position(|s| Some(s) == t.states.first());
    json!({
        "init": init,
        "steps": t.steps.iter().map(|s| [s.step.actor as i64, s.step.op as i64, s.step.a as i64, s.step.b as i64, s.step.v]).collect::<Vec<_>>(),
        "loop_start": t.loop_start,
        "violation": t.violation,
    })
}

/// One shard's report read back: its identity, recipe and parts' results.
pub struct Shard {
    pub path: PathBuf,
    pub id: Identity,
    pub recipe: Recipe,
    /// The shard's wall time (its report's `effort.seconds`).
    pub seconds: f64,
    /// The parts' results, unread: they need the model, which the recipe builds.
    results: Vec<(usize, Value)>,
    /// Against a baseline: this shard's parts of the baseline's check, unread.
    baseline_results: Vec<(usize, Value)>,
}

/// Reads the shard object of the report at `path`.
pub fn read(path: &std::path::Path) -> Result<Shard, Error> {
    let bad = |what: String| Error::Usage(format!("{}: {what}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not a JSON document: {e}")))?;
    let s = &v["shard"];
    if s.is_null() {
        return Err(bad(
            "not a shard's report: it has no `shard` object (write one with `kbmc check --shard I/N --format json`)"
                .into(),
        ));
    }
    if s["schema"] != SHARD_SCHEMA {
        return Err(bad(format!("shard.schema: expected {SHARD_SCHEMA}, found {}", s["schema"])));
    }
    let field = |name: &str| -> Result<&Value, Error> {
        let f = &s[name];
        if f.is_null() {
            Err(bad(format!("shard.{name}: missing")))
        } else {
            Ok(f)
        }
    };
    let num = |v: &Value, name: &str| {
        v.as_u64().map(|n| n as usize).ok_or_else(|| bad(format!("shard.{name}: expected a whole number")))
    };
    let r = field("recipe")?;
    let recipe = Recipe {
        paths: r["paths"]
            .as_array()
            .ok_or_else(|| bad("shard.recipe.paths: expected a list of paths".into()))?
            .iter()
            .map(|p| p.as_str().map(PathBuf::from).ok_or_else(|| bad("shard.recipe.paths: expected strings".into())))
            .collect::<Result<_, _>>()?,
        allow_unmodeled: r["allow_unmodeled"].as_bool().unwrap_or(false),
        scenario: r["scenario"].as_str().unwrap_or_default().to_string(),
        steps: num(&r["steps"], "recipe.steps")?,
        events: r["events"].as_i64().ok_or_else(|| bad("shard.recipe.events: expected a whole number".into()))?,
        options: r["options"].as_str().unwrap_or_default().to_string(),
        baseline: match &r["baseline"] {
            Value::Null => None,
            b => Some(BaselineRecipe {
                path: PathBuf::from(
                    b["path"].as_str().ok_or_else(|| bad("shard.recipe.baseline.path: expected a path".into()))?,
                ),
                steps: num(&b["steps"], "recipe.baseline.steps")?,
                events: b["events"]
                    .as_i64()
                    .ok_or_else(|| bad("shard.recipe.baseline.events: expected a whole number".into()))?,
            }),
        },
        time_limit_ms: r["time_limit_ms"].as_u64(),
    };
    let id = Identity {
        digest: field("digest")?.as_str().unwrap_or_default().to_string(),
        index: num(field("index")?, "index")?,
        count: num(field("count")?, "count")?,
        parts: num(field("parts")?, "parts")?,
        baseline_parts: match &s["baseline"] {
            Value::Null => None,
            b => Some(num(&b["parts"], "baseline.parts")?),
        },
    };
    let listed = |v: &Value, name: &str| -> Result<Vec<(usize, Value)>, Error> {
        v.as_array()
            .ok_or_else(|| bad(format!("shard.{name}: expected a list")))?
            .iter()
            .map(|x| Ok((num(&x["part"], &format!("{name}[].part"))?, x["result"].clone())))
            .collect()
    };
    let results = listed(field("results")?, "results")?;
    let baseline_results = match &s["baseline"] {
        Value::Null => Vec::new(),
        b => listed(&b["results"], "baseline.results")?,
    };
    let seconds = v["effort"]["seconds"].as_f64().unwrap_or(0.0);
    Ok(Shard { path: path.to_path_buf(), id, recipe, seconds, results, baseline_results })
}

/// Whether `shards` are every shard of one check (`digest`: the check's, as the merge built it
/// again): a missing, repeated or foreign shard is an error that names it.
pub fn one_check(digest: &str, shards: &[Shard]) -> Result<(), Error> {
    let first = shards.first().ok_or_else(|| Error::Usage("no shard report given".into()))?;
    let (count, parts) = (first.id.count, first.id.parts);
    let mut seen: Vec<Option<&PathBuf>> = vec![None; count];
    for s in shards {
        let name = s.path.display();
        if s.id.digest != digest {
            return Err(Error::Usage(format!(
                "{name}: a shard of another check (digest {}, the inputs and options of {} give {digest}): its inputs, options or kbmc version differ",
                s.id.digest,
                first.path.display()
            )));
        }
        if s.id.count != count || s.id.parts != parts || s.id.baseline_parts != first.id.baseline_parts {
            return Err(Error::Usage(format!(
                "{name}: shard {} of {} over {} parts, but {} is one of {count} over {parts}",
                s.id.index,
                s.id.count,
                s.id.parts,
                first.path.display()
            )));
        }
        let slot = seen.get_mut(s.id.index).ok_or_else(|| {
            Error::Usage(format!("{name}: shard index {} is not below its count {count}", s.id.index))
        })?;
        if let Some(other) = slot {
            return Err(Error::Usage(format!(
                "{name}: shard {} of {count} is given twice (also {})",
                s.id.index,
                other.display()
            )));
        }
        *slot = Some(&s.path);
    }
    let missing: Vec<String> = (0..count).filter(|&i| seen[i].is_none()).map(|i| format!("{i}/{count}")).collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!("shard(s) {} missing: give every shard's report", missing.join(", "))));
    }
    Ok(())
}

/// The results of the parts of `side`'s check (`m`: its model) in `shards`, which
/// [`one_check`] found to be one check, in part order.
pub fn gather(m: &Model, shards: &[Shard], side: Side) -> Result<Vec<CheckResult>, Error> {
    let first = shards.first().ok_or_else(|| Error::Usage("no shard report given".into()))?;
    let (parts, of) = match side {
        Side::Change => (first.id.parts, ""),
        Side::Baseline => (first.id.baseline_parts.unwrap_or(0), "the baseline's "),
    };
    let mut results: Vec<Option<CheckResult>> = vec![None; parts];
    for s in shards {
        let listed = match side {
            Side::Change => &s.results,
            Side::Baseline => &s.baseline_results,
        };
        for (i, v) in listed {
            let slot = results.get_mut(*i).ok_or_else(|| {
                Error::Usage(format!("{}: {of}part {i} is not below the check's {parts} parts", s.path.display()))
            })?;
            if slot.is_some() {
                return Err(Error::Usage(format!("{}: {of}part {i} is also in another shard", s.path.display())));
            }
            *slot =
                Some(result_of(m, v).map_err(|e| Error::Usage(format!("{}: {of}part {i}: {e}", s.path.display())))?);
        }
    }
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.ok_or_else(|| Error::Usage(format!("{of}part {i} is in no shard: the shards were not made by one check")))
        })
        .collect()
}

fn result_of(m: &Model, v: &Value) -> Result<CheckResult, String> {
    let e = &v["effort"];
    let n = |x: &Value| x.as_u64().unwrap_or(0);
    let effort = Effort {
        engine: match e["engine"].as_str() {
            Some("explicit") => "explicit",
            Some("symbolic") => "symbolic",
            other => return Err(format!("effort.engine: expected explicit or symbolic, found {other:?}")),
        },
        states: n(&e["states"]) as usize,
        transitions: n(&e["transitions"]) as usize,
        depth: n(&e["depth"]) as usize,
        seconds: e["seconds"].as_f64().unwrap_or(0.0),
        conflicts: n(&e["conflicts"]),
        decisions: n(&e["decisions"]),
        queries: n(&e["queries"]),
        reduced: e["reduced"].as_u64(),
        rounds: e["rounds"].as_bool().unwrap_or(false),
    };
    let certificates = v["certificates"]
        .as_array()
        .map(|c| c.iter().filter_map(|p| Some((p[0].as_str()?.to_string(), p[1].as_str()?.to_string()))).collect())
        .unwrap_or_default();
    let verdicts = v["verdicts"].as_array().ok_or("verdicts: expected a list")?;
    if verdicts.len() != m.ir.intents.len() {
        return Err(format!("{} verdicts for the model's {} intents", verdicts.len(), m.ir.intents.len()));
    }
    let results =
        m.ir.intents
            .iter()
            .zip(verdicts)
            .map(|(intent, x)| {
                Ok(IntentResult {
                    name: m.ir.intent_label(intent),
                    kivi_name: intent.kivi_name(),
                    verdict: verdict_of(m, x)?,
                    events_bound: x["events_bound"].as_i64(),
                })
            })
            .collect::<Result<_, String>>()?;
    Ok(CheckResult { model: m.ir.name.clone(), results, effort, certificates, events: None })
}

fn verdict_of(m: &Model, x: &Value) -> Result<Verdict, String> {
    let n = |f: &str| x[f].as_u64().map(|v| v as usize).ok_or(format!("{f}: expected a whole number"));
    Ok(match x["verdict"].as_str() {
        Some("violated") => Verdict::Violated(trace_of(m, &x["trace"])?),
        Some("holds") => Verdict::Holds { steps: n("steps")?, exhaustive: x["exhaustive"].as_bool().unwrap_or(false) },
        Some("proved") => Verdict::Proved {
            k: n("k")?,
            by: match x["by"].as_str() {
                Some("induction") => Proof::Induction,
                Some("complete") => Proof::Complete,
                Some("invariant") => Proof::Invariant,
                Some("parts") => Proof::Parts,
                other => return Err(format!("by: expected a proof method, found {other:?}")),
            },
        },
        Some("unknown") => Verdict::Unknown { reason: x["reason"].as_str().unwrap_or_default().to_string() },
        other => return Err(format!("verdict: expected violated, holds, proved or unknown, found {other:?}")),
    })
}

/// A run rebuilt from its first state and its steps, each step's update applied again and the
/// intents' monitors updated as after any step (the merge replays it before it reports it, as
/// a check does).
fn trace_of(m: &Model, v: &Value) -> Result<Trace, String> {
    let reg = registry::<Concrete>();
    let inits = m.initial_states();
    let init = v["init"].as_u64().ok_or("trace.init: expected the index of an initial state")? as usize;
    let first = inits.get(init).ok_or(format!("trace.init: no initial state {init}"))?.clone();
    let mut states = vec![first];
    let mut steps = Vec::new();
    for s in v["steps"].as_array().ok_or("trace.steps: expected a list")? {
        let f = |i: usize| s[i].as_i64().ok_or("trace.steps: expected five whole numbers per step");
        let step = Step { actor: f(0)? as u8, op: f(1)? as u8, a: f(2)? as u32, b: f(3)? as u32, v: f(4)? };
        let st = states.last().ok_or("no state")?;
        let next = match reg.get(step.actor as usize) {
            Some(c) => intents::observe(&Concrete, m, c.update(&Concrete, m, &step, st)),
            None => st.clone(),
        };
        states.push(next);
        steps.push(step);
    }
    let mut t = Trace::new(m, &reg, states, steps);
    t.loop_start = v["loop_start"].as_u64().map(|l| l as usize);
    t.violation = v["violation"].as_str().map(str::to_string);
    Ok(t)
}
