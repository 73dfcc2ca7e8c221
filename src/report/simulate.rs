//! `kbmc simulate` output: the header, what the run showed about each intent (never more than
//! that run), then the run as a trace with its per-step table.

use std::fmt::Write;

use super::check::{header_lines, table};
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
                "{}: the run ends with pods waiting and nothing able to act, so they wait forever",
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
    o
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
