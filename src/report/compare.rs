//! `kbmc compare`: both engines' verdicts side by side, per intent, with trace length, time
//! and effort, and whether they agree. Agreement: both find a violation (of the same length
//! for safety intents, where both searches are shortest-first; under step semantics the
//! symbolic run is shortest in rounds, so it may be longer in steps, never shorter), or
//! neither does; a violation longer than the other engine's bound beside its bounded "holds"
//! is inconclusive, not a disagreement.

use std::fmt::Write;

use crate::verdict::{CheckResult, Proof, Verdict};

pub struct Row {
    /// The intent and what it is about (`noEvictionCycle(web)`).
    pub intent: String,
    pub explicit: String,
    pub symbolic: String,
    /// `violated`, `holds`, `proved` or `unknown`, per engine.
    pub explicit_verdict: &'static str,
    pub symbolic_verdict: &'static str,
    /// `None`: one side is inconclusive.
    pub agree: Option<bool>,
}

pub struct Comparison {
    pub model: String,
    pub rows: Vec<Row>,
    pub explicit_effort: String,
    pub symbolic_effort: String,
}

impl Comparison {
    /// 0 all agree, 3 something inconclusive, 4 a disagreement (a bug in kbmc).
    pub fn exit_code(&self) -> i32 {
        if self.rows.iter().any(|r| r.agree == Some(false)) {
            crate::exit::INTERNAL
        } else if self.rows.iter().any(|r| r.agree.is_none()) {
            crate::exit::INCONCLUSIVE
        } else {
            crate::exit::HOLDS
        }
    }
}

fn describe(v: &Verdict) -> String {
    match v {
        Verdict::Violated(t) => match t.loop_start {
            Some(l) => format!("violated: cycle of {} step(s) after {l}", t.steps.len() - l),
            None => format!("violated after {} step(s)", t.steps.len()),
        },
        Verdict::Holds { exhaustive: true, .. } => "holds (every reachable state)".into(),
        Verdict::Holds { steps, .. } => format!("holds within {steps} steps"),
        Verdict::Proved { k, by: Proof::Induction } => format!("proved (k-induction, k = {k})"),
        Verdict::Proved { k, by: Proof::Complete } => format!("proved (complete at k = {k})"),
        Verdict::Proved { by: Proof::Invariant, .. } => "proved (inductive invariant)".to_string(),
        Verdict::Proved { by: Proof::Parts, .. } => "proved (each set of events on its own)".to_string(),
        Verdict::Unknown { reason } => format!("unknown ({reason})"),
    }
}

pub fn compare(explicit: &CheckResult, symbolic: &CheckResult) -> Comparison {
    let rounds = symbolic.effort.rounds;
    let rows = explicit
        .results
        .iter()
        .zip(&symbolic.results)
        .map(|(e, s)| {
            let agree = match (&e.verdict, &s.verdict) {
                (Verdict::Unknown { .. }, _) | (_, Verdict::Unknown { .. }) => None,
                (Verdict::Violated(a), Verdict::Violated(b)) => Some(
                    a.loop_start.is_some()
                        || a.steps.len() == b.steps.len()
                        || (rounds && a.steps.len() < b.steps.len()),
                ),
                // A violation longer than the other engine's bound is consistent with its
                // "no violation within k steps": neither confirms the other.
                (Verdict::Violated(t), Verdict::Holds { exhaustive: false, steps })
                | (Verdict::Holds { exhaustive: false, steps }, Verdict::Violated(t))
                    if t.steps.len() > *steps =>
                {
                    None
                }
                (Verdict::Holds { .. } | Verdict::Proved { .. }, Verdict::Holds { .. } | Verdict::Proved { .. }) => {
                    Some(true)
                }
                _ => Some(false),
            };
            Row {
                intent: e.name.clone(),
                explicit: describe(&e.verdict),
                symbolic: describe(&s.verdict),
                explicit_verdict: super::machine::verdict_word(&e.verdict),
                symbolic_verdict: super::machine::verdict_word(&s.verdict),
                agree,
            }
        })
        .collect();
    Comparison {
        model: explicit.model.clone(),
        rows,
        explicit_effort: format!(
            "{} states, {} transitions, {:.3} s",
            explicit.effort.states, explicit.effort.transitions, explicit.effort.seconds
        ),
        symbolic_effort: format!(
            "{} {} unrolled, {} conflicts, {} decisions, {:.3} s",
            symbolic.effort.depth,
            if symbolic.effort.rounds { "rounds of independent steps" } else { "steps" },
            symbolic.effort.conflicts,
            symbolic.effort.decisions,
            symbolic.effort.seconds
        ),
    }
}

pub fn render(c: &Comparison) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "kbmc compare {}", c.model);
    for r in &c.rows {
        let verdict = match r.agree {
            Some(true) => "agree",
            Some(false) => "DISAGREE (a bug in kbmc: please report it)",
            None => "inconclusive",
        };
        let _ = writeln!(o, "{}: {verdict}\n  explicit: {}\n  symbolic: {}", r.intent, r.explicit, r.symbolic);
    }
    let _ = writeln!(o, "explicit engine: {}\nsymbolic engine: {}", c.explicit_effort, c.symbolic_effort);
    o
}

/// The schema of `kbmc compare --format json`.
pub const COMPARE_SCHEMA: &str = "kbmc.dev/compare/v1";

/// `kbmc compare --format json`: per intent both engines' verdicts and whether they agree.
pub fn json(c: &Comparison) -> serde_json::Value {
    let intents: Vec<serde_json::Value> = c
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "intent": r.intent,
                "explicit": {"verdict": r.explicit_verdict, "message": r.explicit},
                "symbolic": {"verdict": r.symbolic_verdict, "message": r.symbolic},
                "agree": r.agree,
            })
        })
        .collect();
    serde_json::json!({
        "schema": COMPARE_SCHEMA,
        "kbmc": env!("CARGO_PKG_VERSION"),
        "model": c.model,
        "exit_code": c.exit_code(),
        "intents": intents,
        "effort": {"explicit": c.explicit_effort, "symbolic": c.symbolic_effort},
    })
}
