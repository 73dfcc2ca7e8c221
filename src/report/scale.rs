//! `kbmc scale` output: one row per cluster size (topologies covered, depth, result, time),
//! then the conclusion: the smallest violating topology with its counterexample, or exactly
//! what was covered.

use std::fmt::Write;

use crate::scale::{Conclusion, Level, Outcome, ScaleResult};

fn outcome(l: &Level) -> String {
    match &l.outcome {
        Outcome::Holds { exhaustive: true } => "holds (every reachable state)".into(),
        Outcome::Holds { exhaustive: false } => format!("holds within {} steps", l.depth),
        Outcome::Violated => "violated".into(),
        Outcome::Unknown(r) => format!("unknown: {r}"),
    }
}

pub fn render(r: &ScaleResult) -> String {
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(w, "kbmc scale {} (engine {})", r.model, r.engine);
    let _ = writeln!(w, "{:>5} {:>10} {:>9}  result", "nodes", "topologies", "time");
    for l in &r.levels {
        let _ = writeln!(w, "{:>5} {:>10} {:>8.3}s  {}", l.nodes, l.topologies, l.seconds, outcome(l));
    }
    match &r.conclusion {
        Conclusion::Violated { described, result, .. } => {
            let names: Vec<&str> = result
                .results
                .iter()
                .filter(|x| matches!(x.verdict, crate::verdict::Verdict::Violated(_)))
                .map(|x| x.name)
                .collect();
            let _ = writeln!(w, "smallest violating topology: {described} ({} violated)", names.join(", "));
            let _ = writeln!(w, "in {:.3} s\n", r.seconds);
            o.push_str(&super::check::render(result));
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

pub fn text(r: &ScaleResult) {
    print!("{}", render(r));
}

/// One line on stderr per size decided.
pub fn progress(l: &Level) {
    eprintln!("kbmc scale: {} node(s), {} topologies: {} ({:.1} s)", l.nodes, l.topologies, outcome(l), l.seconds);
}
