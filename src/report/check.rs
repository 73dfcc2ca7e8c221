//! `kbmc check` output for people: a verdict line per intent (stating its bound), the
//! engine's effort, then each counterexample as a story of controller actions, one line per
//! step, with the loop start of a lasso marked.

use std::fmt::Write;

use crate::verdict::{CheckResult, Verdict};

pub fn render(r: &CheckResult) -> String {
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(w, "kbmc check {} (engine {})", r.model, r.effort.engine);
    for ir in &r.results {
        let alias = ir.kivi_name.map(|k| format!(" [Kivi: {k}]")).unwrap_or_default();
        let line = match &ir.verdict {
            Verdict::Violated(t) => match t.loop_start {
                Some(l) => format!("violated: a reachable cycle of {} step(s) starting at step {l}", t.steps.len() - l),
                None => format!("violated after {} step(s)", t.steps.len()),
            },
            Verdict::Holds { exhaustive: true, .. } => "holds: every reachable state was explored (no bound needed for this cluster)".to_string(),
            Verdict::Holds { steps, exhaustive: false } => format!("holds within {steps} steps (no violation in any run of at most {steps} steps; longer runs were not explored)"),
            Verdict::Unknown { reason } => format!("unknown: {reason}"),
        };
        let _ = writeln!(w, "{}: {line}{alias}", ir.name);
    }
    let e = &r.effort;
    if e.engine == "symbolic" {
        let _ = writeln!(w, "unrolled {} steps with Z3, in {:.3} s", e.depth, e.seconds);
    } else {
        let _ = writeln!(
            w,
            "explored {} states, {} transitions, depth {}, in {:.3} s",
            e.states, e.transitions, e.depth, e.seconds
        );
    }
    for ir in &r.results {
        let Verdict::Violated(t) = &ir.verdict else { continue };
        let _ = writeln!(w, "\ncounterexample for {}:", ir.name);
        if let Some(start) = &t.start {
            let _ = writeln!(w, "  starting from {start}");
        }
        for (i, s) in t.steps.iter().enumerate() {
            if t.loop_start == Some(i) {
                let _ = writeln!(w, "  -- loop starts here --");
            }
            let _ = writeln!(w, "  [{i}][{}] {}", s.actor, s.text);
        }
        if let Some(l) = t.loop_start {
            let _ = writeln!(w, "  -- back to the state before step {l}: the cycle repeats forever --");
        }
        if let Some(v) = &t.violation {
            let _ = writeln!(w, "  violated: {v}");
        }
    }
    o
}

pub fn text(r: &CheckResult) {
    print!("{}", render(r));
}
