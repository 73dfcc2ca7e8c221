//! `kbmc scale` output: one row per cluster size (topologies covered, depth, result, time),
//! then the conclusion: the smallest violating topology with its counterexample, or exactly
//! what was covered.

use std::fmt::Write;

use crate::model::Model;
use crate::scale::{Conclusion, Level, Outcome, ScaleResult};

fn outcome(engine: &str, l: &Level) -> String {
    match &l.outcome {
        Outcome::Holds { every_run: true } if engine == "symbolic" => "holds in every run (proved)".into(),
        Outcome::Holds { every_run: true } => "holds (every reachable state)".into(),
        Outcome::Holds { every_run: false } => format!("holds within {} steps", l.depth),
        Outcome::Violated => "violated".into(),
        Outcome::Unknown(r) => format!("unknown: {r}"),
    }
}

/// `steps`: the search's step bound, for the counterexample's header.
pub fn render(m: &Model, r: &ScaleResult, steps: usize, color: bool) -> String {
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(w, "kbmc scale {} (engine {})", r.model, r.engine);
    if let Some(b) = events_bound(m) {
        let _ = writeln!(
            w,
            "every size checked with up to {} in one run (--events or spec.bounds.events)",
            crate::count(b, "event", "events")
        );
    }
    let _ = writeln!(w, "{:>5} {:>10} {:>9}  result", "nodes", "topologies", "time");
    for l in &r.levels {
        let _ = writeln!(w, "{:>5} {:>10} {:>8.3}s  {}", l.nodes, l.topologies, l.seconds, outcome(r.engine, l));
    }
    match &r.conclusion {
        Conclusion::Violated { described, result, .. } => {
            let names: Vec<&str> = result
                .results
                .iter()
                .filter(|x| matches!(x.verdict, crate::verdict::Verdict::Violated(_)))
                .map(|x| x.name.as_str())
                .collect();
            let _ = writeln!(w, "smallest violating topology: {described} ({} violated)", names.join(", "));
            let _ = writeln!(w, "in {:.3} s\n", r.seconds);
            let h = super::view::header(m, result.effort.engine, steps);
            o.push_str(&super::check::render(m, &h, result, color));
        }
        Conclusion::Holds { statement } => {
            let _ = writeln!(w, "{statement}");
            let _ = writeln!(w, "in {:.3} s", r.seconds);
        }
        Conclusion::Unknown { statement } => {
            let _ = writeln!(w, "unknown: {statement}");
            let _ = writeln!(w, "in {:.3} s", r.seconds);
        }
    }
    o
}

pub const SCALE_SCHEMA: &str = "kbmc.dev/scale/v2";

/// The machine-readable form: every size's row, and the conclusion; for a violation, the
/// check of the smallest violating topology in the `kbmc check --format json` form.
pub fn json(m: &Model, r: &ScaleResult, steps: usize) -> serde_json::Value {
    use serde_json::json;
    let ms = |s: f64| (s * 1000.0).round() / 1000.0;
    let levels: Vec<serde_json::Value> = r
        .levels
        .iter()
        .map(|l| {
            let (word, reason) = match &l.outcome {
                Outcome::Holds { .. } => ("holds", None),
                Outcome::Violated => ("violated", None),
                Outcome::Unknown(why) => ("unknown", Some(why.clone())),
            };
            json!({
                "nodes": l.nodes,
                "topologies": l.topologies,
                "depth": l.depth,
                "outcome": word,
                "exhaustive": r.engine == "explicit" && matches!(l.outcome, Outcome::Holds { every_run: true }),
                "proved": r.engine == "symbolic" && matches!(l.outcome, Outcome::Holds { every_run: true }),
                "reason": reason,
                "seconds": ms(l.seconds),
            })
        })
        .collect();
    let conclusion = match &r.conclusion {
        Conclusion::Violated { described, result, .. } => {
            let h = super::view::header(m, result.effort.engine, steps);
            json!({"verdict": "violated", "topology": described, "check": super::machine::json(m, &h, result)})
        }
        Conclusion::Holds { statement } => json!({"verdict": "holds", "statement": statement}),
        Conclusion::Unknown { statement } => json!({"verdict": "unknown", "statement": statement}),
    };
    json!({
        "schema": SCALE_SCHEMA,
        "kbmc": env!("CARGO_PKG_VERSION"),
        "model": r.model,
        "engine": r.engine,
        "exit_code": r.exit_code(),
        "seconds": ms(r.seconds),
        "events_bound": events_bound(m),
        "levels": levels,
        "conclusion": conclusion,
    })
}

/// The bound on events in one run every size was checked under, where it restricts the
/// spec's budgets.
fn events_bound(m: &Model) -> Option<i64> {
    m.events_bound.filter(|&b| b < crate::model::events::total_budget(m))
}

/// One line on stderr per size decided.
pub fn progress(engine: &str, l: &Level) -> String {
    format!("scale: {} node(s), {} topologies: {} ({:.1} s)", l.nodes, l.topologies, outcome(engine, l), l.seconds)
}
