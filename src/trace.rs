//! Traces: the steps of a counterexample with the concrete states around them, and `replay`,
//! which re-executes a trace on the concrete semantics. A trace that does not replay is a bug
//! in kbmc, never a violation to report.

use crate::domain::Concrete;
use crate::model::{intents, ClusterState, Controller, Model, Step};

#[derive(Clone, Debug)]
pub struct TraceStep {
    pub step: Step,
    pub actor: &'static str,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Trace {
    /// `states[0]` is initial; `states[i + 1]` follows `steps[i]`.
    pub states: Vec<ClusterState<Concrete>>,
    pub steps: Vec<TraceStep>,
    /// For a lasso: the index of the state the last step returns to.
    pub loop_start: Option<usize>,
    /// Why the last state violates the intent (safety intents).
    pub violation: Option<String>,
    /// The cluster the run starts from, when the spec allows more than one.
    pub start: Option<String>,
}

impl Trace {
    /// Builds a trace from states and the steps between them, describing each step.
    pub fn new(
        m: &Model,
        reg: &[Box<dyn Controller<Concrete>>],
        states: Vec<ClusterState<Concrete>>,
        steps: Vec<Step>,
    ) -> Trace {
        let steps = steps
            .into_iter()
            .enumerate()
            .map(|(i, s)| match reg.get(s.actor as usize) {
                Some(c) => TraceStep { step: s, actor: c.name(), text: c.describe(m, &s, &states[i], &states[i + 1]) },
                None => TraceStep {
                    step: s,
                    actor: "stutter",
                    text: "no controller or event can act: the cluster stays as it is".into(),
                },
            })
            .collect();
        let start = (!m.single_topology()).then(|| m.describe_topology(&m.topology_of(&states[0])));
        Trace { states, steps, loop_start: None, violation: None, start }
    }
}

/// Re-executes `trace` on the concrete semantics: every step's guard must hold and its update
/// must produce the next state; a lasso's last state must equal its loop start.
pub fn replay(m: &Model, reg: &[Box<dyn Controller<Concrete>>], trace: &Trace) -> Result<(), String> {
    let d = Concrete;
    let labels = crate::model::all_steps(m, reg);
    let first = trace.states.first().ok_or("the trace has no states")?.pack();
    if !m.initial_states().iter().any(|s| s.pack() == first) {
        return Err("the trace does not start from an initial state of any topology the spec allows".into());
    }
    for (i, ts) in trace.steps.iter().enumerate() {
        let st = &trace.states[i];
        let Some(c) = reg.get(ts.step.actor as usize) else {
            // A stutter step: nothing may be enabled and the state stays.
            if let Some(s) = labels.iter().find(|s| reg[s.actor as usize].guard(&d, m, s, st)) {
                return Err(format!("step {i} stutters although {} can act", reg[s.actor as usize].name()));
            }
            if trace.states[i + 1].pack() != st.pack() {
                return Err(format!("step {i} stutters but the state changes"));
            }
            continue;
        };
        if !c.guard(&d, m, &ts.step, st) {
            return Err(format!("step {i} ({}: {}) is not enabled", ts.actor, ts.text));
        }
        let next = intents::observe(&d, m, c.update(&d, m, &ts.step, st));
        if next.pack() != trace.states[i + 1].pack() {
            return Err(format!("step {i} ({}: {}) does not lead to the recorded state", ts.actor, ts.text));
        }
    }
    if let Some(l) = trace.loop_start {
        let last = trace.states.last().expect("a trace has an initial state");
        if trace.states.get(l).map(|s| s.pack()) != Some(last.pack()) {
            return Err(format!("the lasso does not return to the state at step {l}"));
        }
    }
    Ok(())
}
