//! `kbmc simulate` output: the header, what the run showed about each intent (never more than
//! that run), then the run as a trace with its per-step table.

use std::fmt::Write;

use super::check::{assumption_lines, header_lines, table};
use super::machine::trace_lines;
use super::view::Header;
use crate::engine::simulate::{Seen, Simulation};
use crate::model::Model;

pub fn render(m: &Model, h: &Header, seed: u64, sim: &Simulation, color: bool) -> String {
    let mut o = header_lines("simulate", h);
    let w = &mut o;
    let red = |s: &str| if color { format!("\x1b[31m{s}\x1b[0m") } else { s.to_string() };
    for (name, seen) in &sim.seen {
        let line = match seen {
            Seen::ViolatedAt { step, why } => format!("{} at step {step} in this run: {why}", red("violated")),
            Seen::Stuck => format!(
                "{}: the run ends with nothing able to act while pods wait or a drain is under way, so that lasts forever",
                red("violated")
            ),
            Seen::Cycle { from, to } => format!(
                "{}: after step {to} the run is back in the state it had before step {from}; that cycle can repeat forever",
                red("violated")
            ),
            Seen::NotSeen => "not violated along this run (one run shows nothing about the others: kbmc check explores them all)".into(),
        };
        let _ = writeln!(w, "{name}: {line}");
    }
    let taken = sim.trace.steps.len() - usize::from(sim.quiet);
    let end = match (sim.quiet, sim.stopped) {
        (true, _) => ", then nothing could act any more".to_string(),
        (false, Some(why)) => format!(", then {why} cut the run short (unknown: {})", why.kind()),
        (false, None) => String::new(),
    };
    let _ = writeln!(w, "\nrun with seed {seed}: {taken} step(s){end}");
    for l in trace_lines(&sim.trace).lines() {
        let _ = writeln!(w, "  {l}");
    }
    w.push_str(&table(m, &sim.trace));
    w.push_str(&assumption_lines(h));
    o
}

/// What the run showed about one intent, in a word: `violated` or `not-seen`.
fn seen_word(s: &Seen) -> &'static str {
    if *s == Seen::NotSeen {
        "not-seen"
    } else {
        "violated"
    }
}

/// Why the run violates an intent, in words (`None` when it does not).
fn seen_why(s: &Seen) -> Option<String> {
    match s {
        Seen::ViolatedAt { step, why } => Some(format!("at step {step}: {why}")),
        Seen::Stuck => Some(
            "the run ends with nothing able to act while pods wait or a drain is under way, so that lasts forever"
                .into(),
        ),
        Seen::Cycle { from, to } => {
            Some(format!("after step {to} the run is back in the state it had before step {from}"))
        }
        Seen::NotSeen => None,
    }
}

/// The schema of `kbmc simulate --format json`.
pub const SIMULATE_SCHEMA: &str = "kbmc.dev/simulate/v1";

/// `kbmc simulate --format json`: header, seed, per intent what the run showed, and the run
/// as a trace in the form of `check --format json`.
pub fn json(m: &Model, h: &Header, seed: u64, sim: &Simulation) -> serde_json::Value {
    let intents: Vec<serde_json::Value> = sim
        .seen
        .iter()
        .map(|(name, s)| {
            let step = match s {
                Seen::ViolatedAt { step, .. } => Some(*step),
                Seen::Cycle { to, .. } => Some(*to),
                Seen::Stuck | Seen::NotSeen => None,
            };
            serde_json::json!({"intent": name, "seen": seen_word(s), "step": step, "why": seen_why(s)})
        })
        .collect();
    serde_json::json!({
        "schema": SIMULATE_SCHEMA,
        "kbmc": env!("CARGO_PKG_VERSION"),
        "header": h,
        "seed": seed,
        "steps_taken": sim.trace.steps.len() - usize::from(sim.quiet),
        "quiet": sim.quiet,
        "stopped": sim.stopped.as_ref().map(|s| s.to_string()),
        "exit_code": exit_code(sim),
        "intents": intents,
        "trace": super::machine::trace_json(m, &sim.trace),
    })
}

/// `kbmc simulate --format itf`: the run as one ITF document; `#meta.intent` lists the
/// intents it violates (empty when none).
pub fn itf(m: &Model, sim: &Simulation) -> serde_json::Value {
    let violated: Vec<&str> = sim.seen.iter().filter(|(_, s)| *s != Seen::NotSeen).map(|(n, _)| n.as_str()).collect();
    super::machine::itf(m, &violated.join(", "), &sim.trace)
}

/// 1 when the run violated some intent, else 3 when a limit cut the run short, else 0
/// (which is no proof).
pub fn exit_code(sim: &Simulation) -> i32 {
    if sim.seen.iter().any(|(_, s)| *s != Seen::NotSeen) {
        crate::exit::VIOLATED
    } else if sim.stopped.is_some() {
        crate::exit::INCONCLUSIVE
    } else {
        crate::exit::HOLDS
    }
}
