//! Traces: the steps of a counterexample with the concrete states around them, and `replay`,
//! which re-executes a trace on the concrete semantics. A trace that does not replay is a bug
//! in kbmc, never a violation to report. [`Allowed`] remembers what the semantics lets act in
//! the states of several runs, which replaying them (and the explicit engine rebuilding them)
//! asks again and again.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::domain::Concrete;
use crate::model::{intents, Class, ClusterState, Controller, Model, Step};

#[derive(Clone, Debug)]
pub struct TraceStep {
    pub step: Step,
    pub actor: &'static str,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Trace {
    /// `states[0]` is initial; `states[i + 1]` follows `steps[i]`. Shared between the copies
    /// of a trace: on a large cluster a state holds megabytes, and the intents one state
    /// violates each get the same run.
    pub states: Arc<Vec<ClusterState<Concrete>>>,
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
                None => {
                    let mut text = "no controller or event can act: the cluster stays as it is".to_string();
                    for why in crate::model::disruption::blocked_drains(m, &states[i]) {
                        text.push_str(&format!("; {why}"));
                    }
                    TraceStep { step: s, actor: "stutter", text }
                }
            })
            .collect();
        let start = (!m.single_topology()).then(|| m.describe_topology(&m.topology_of(&states[0])));
        Trace { states: Arc::new(states), steps, loop_start: None, violation: None, start }
    }
}

/// How many states [`Allowed`] remembers before it forgets them all: the states runs share
/// are their first ones, and a report's runs are few and short.
const REMEMBERED: usize = 1024;

/// The steps the semantics lets act in a state (the explicit engine's `enabled` without its
/// canonical choice among identical nodes, which is a reduction, not semantics), remembered by
/// state: the runs of one check share states (every one-step run starts from the initial
/// state), and on a large cluster asking every guard is most of what a step of a run costs to
/// replay or rebuild.
pub struct Allowed<'a> {
    m: &'a Model,
    reg: &'a [Box<dyn Controller<Concrete>>],
    labels: Vec<Step>,
    seen: HashMap<Vec<i16>, Vec<Step>>,
}

impl<'a> Allowed<'a> {
    pub fn new(m: &'a Model, reg: &'a [Box<dyn Controller<Concrete>>]) -> Allowed<'a> {
        Allowed { m, reg, labels: crate::model::all_steps(m, reg), seen: HashMap::new() }
    }

    /// Every step label of the model.
    pub fn labels(&self) -> &[Step] {
        &self.labels
    }

    /// The steps that may act in `st`.
    pub fn of(&mut self, st: &ClusterState<Concrete>) -> &[Step] {
        if self.seen.len() >= REMEMBERED {
            self.seen.clear();
        }
        let (m, reg, labels) = (self.m, self.reg, &self.labels);
        self.seen.entry(st.pack()).or_insert_with(|| allowed_in(m, reg, labels, st))
    }
}

/// The steps of `labels` the semantics lets act in `st`, as [`Allowed`] remembers them (and
/// `simulate` picks among them).
pub fn allowed_in(
    m: &Model,
    reg: &[Box<dyn Controller<Concrete>>],
    labels: &[Step],
    st: &ClusterState<Concrete>,
) -> Vec<Step> {
    crate::model::relation::enabled(m, reg, labels, &[], false, st)
}

/// Why step `i`, `ts`, enabled, may not act where only `allowed` may.
fn not_allowed(reg: &[Box<dyn Controller<Concrete>>], allowed: &[Step], i: usize, ts: &TraceStep) -> String {
    let first = allowed.first().map_or("nothing", |s| reg[s.actor as usize].name());
    let why = match allowed.first().map(|s| (reg[s.actor as usize].class(), reg[s.actor as usize].name())) {
        Some((Class::Atomic, "kubelet")) => "an evicted pod's stop on a cordoned node comes first",
        Some((Class::Atomic, _)) => "steps that finish a started run come first (a ReplicaSet sync's victim choices)",
        _ => "fast steps come first under urgent timing",
    };
    format!("step {i} ({}: {}) is enabled but may not act there: {why} ({first} can act)", ts.actor, ts.text)
}

/// Re-executes `trace` on the concrete semantics (see [`Replay::check`]).
pub fn replay(m: &Model, reg: &[Box<dyn Controller<Concrete>>], trace: &Trace) -> Result<(), String> {
    Replay::new(m, reg).check(trace)
}

/// Replays the runs of one check, which share their initial states and often the steps
/// allowed in their first states, and often whole runs: the intents one state violates each
/// have a copy of the run to it, sharing its states, which is replayed once.
pub struct Replay<'a> {
    allowed: Allowed<'a>,
    initial: HashSet<Vec<i16>>,
    /// The runs replayed (their states held, so that no other run's can take their place).
    replayed: Vec<Replayed>,
}

/// A run replayed: its states, steps and loop start.
type Replayed = (Arc<Vec<ClusterState<Concrete>>>, Vec<Step>, Option<usize>);

impl<'a> Replay<'a> {
    pub fn new(m: &'a Model, reg: &'a [Box<dyn Controller<Concrete>>]) -> Replay<'a> {
        let initial = m.initial_states().iter().map(|s| s.pack()).collect();
        Replay { allowed: Allowed::new(m, reg), initial, replayed: Vec::new() }
    }

    /// Re-executes `trace` (see [`check_along`](Self::check_along)), once per run: a copy of a
    /// run replayed before (the same states, steps and loop start) is not replayed again.
    pub fn check(&mut self, trace: &Trace) -> Result<(), String> {
        let steps: Vec<Step> = trace.steps.iter().map(|s| s.step).collect();
        let same =
            |(states, s, l): &Replayed| Arc::ptr_eq(states, &trace.states) && *s == steps && *l == trace.loop_start;
        if self.replayed.iter().any(same) {
            return Ok(());
        }
        self.check_along(trace, &[])?;
        self.replayed.push((trace.states.clone(), steps, trace.loop_start));
        Ok(())
    }

    /// Re-executes `trace`: every step's guard must hold, the step must be one the semantics
    /// lets act there (atomic steps pre-empt every other actor; under urgent timing fast steps
    /// pre-empt the rest: [`Allowed`]), and its update must produce the next state; a lasso's
    /// last state must equal its loop start.
    ///
    /// `given` holds, for the first states of the run, the steps [`allowed_in`] gives there,
    /// where the run's maker already asked (`simulate` picks each step among them): asking
    /// again would repeat the same computation on the same state, every guard of the model (on
    /// a large cluster, tens of milliseconds a state, as long as the run took). Each step's
    /// own guard and outcome are still checked. Unlike [`check`](Self::check), it replays the
    /// run every time it is asked.
    pub fn check_along(&mut self, trace: &Trace, given: &[Vec<Step>]) -> Result<(), String> {
        let (m, reg) = (self.allowed.m, self.allowed.reg);
        let d = Concrete;
        let first = trace.states.first().ok_or("the trace has no states")?.pack();
        if !self.initial.contains(&first) {
            return Err("the trace does not start from an initial state of any topology the spec allows".into());
        }
        for (i, ts) in trace.steps.iter().enumerate() {
            let st = &trace.states[i];
            let Some(c) = reg.get(ts.step.actor as usize) else {
                // A stutter step: nothing may be enabled and the state stays.
                if let Some(s) = self.allowed.labels().iter().find(|s| reg[s.actor as usize].guard(&d, m, s, st)) {
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
            let allowed = match given.get(i) {
                Some(steps) => steps.as_slice(),
                None => self.allowed.of(st),
            };
            if !allowed.contains(&ts.step) {
                return Err(not_allowed(reg, allowed, i, ts));
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::registry;
    use crate::model::testkit::{deployment, model};

    /// A run on two nodes where a descheduler run picks a pod of a group with two usage kinds,
    /// and a cpuChange may fire: after the pick the run's Eviction API call (a fast step) comes
    /// first under urgent timing.
    fn picking_model() -> Model {
        let policy = "apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{name: RemoveDuplicates}]\n    plugins: {balance: {enabled: [RemoveDuplicates]}}\n---\n";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 3}]}]\n  events: [{type: cpuChange, deployment: web, delta: {min: \"1\", max: \"1\"}, budget: 1}]\n";
        model(&format!("{}{policy}{spec}", deployment("web", 3, "1", "1Gi", "")))
    }

    /// A step whose guard holds but that the semantics does not let act (here an event while
    /// a descheduler run's calls are pending) does not replay.
    #[test]
    fn a_step_out_of_turn_does_not_replay() {
        let (m, reg, d) = (picking_model(), registry::<Concrete>(), Concrete);
        let labels = crate::model::all_steps(&m, &reg);
        let by = |name: &str| *labels.iter().find(|s| reg[s.actor as usize].name() == name).unwrap();
        let (pick, change) = (by("descheduler"), by("cpu-change"));
        let s0 = m.initial_state(&[2]);
        let s1 = intents::observe(&d, &m, reg[pick.actor as usize].update(&d, &m, &pick, &s0));
        assert!(s1.evicting[0][0] > 0);
        assert!(reg[change.actor as usize].guard(&d, &m, &change, &s1), "the event's own guard holds");
        let s2 = intents::observe(&d, &m, reg[change.actor as usize].update(&d, &m, &change, &s1));
        let t = Trace::new(&m, &reg, vec![s0.clone(), s1.clone(), s2], vec![pick, change]);
        let e = replay(&m, &reg, &t).unwrap_err();
        assert!(e.contains("fast steps come first under urgent timing (descheduler can act)"), "{e}");
        // The picked eviction itself replays.
        let evict = *labels
            .iter()
            .find(|s| {
                let c = &reg[s.actor as usize];
                c.name() == "descheduler" && c.class() == Class::Fast && c.guard(&d, &m, s, &s1)
            })
            .unwrap();
        let s2 = intents::observe(&d, &m, reg[evict.actor as usize].update(&d, &m, &evict, &s1));
        replay(&m, &reg, &Trace::new(&m, &reg, vec![s0.clone(), s1.clone(), s2.clone()], vec![pick, evict])).unwrap();
        // Then the ReplicaSet must replace the evicted pod before an event may fire (urgent).
        assert!(reg[change.actor as usize].guard(&d, &m, &change, &s2));
        let s3 = intents::observe(&d, &m, reg[change.actor as usize].update(&d, &m, &change, &s2));
        let t = Trace::new(&m, &reg, vec![s0, s1, s2, s3], vec![pick, evict, change]);
        let e = replay(&m, &reg, &t).unwrap_err();
        assert!(e.contains("fast steps come first under urgent timing (deployment can act)"), "{e}");
    }

    /// A copy of a run shares its states and is replayed once; a copy whose steps differ is
    /// replayed on its own, and fails where they are wrong.
    #[test]
    fn a_copy_of_a_run_is_replayed_once_unless_its_steps_differ() {
        let (m, reg, d) = (picking_model(), registry::<Concrete>(), Concrete);
        let labels = crate::model::all_steps(&m, &reg);
        let pick = *labels.iter().find(|s| reg[s.actor as usize].name() == "descheduler").unwrap();
        let s0 = m.initial_state(&[2]);
        let s1 = intents::observe(&d, &m, reg[pick.actor as usize].update(&d, &m, &pick, &s0));
        let t = Trace::new(&m, &reg, vec![s0, s1], vec![pick]);
        let mut replay = Replay::new(&m, &reg);
        replay.check(&t).unwrap();
        let mut copy = t.clone();
        copy.violation = Some("another intent".into());
        replay.check(&copy).unwrap();
        assert_eq!(replay.replayed.len(), 1);
        let change = *labels.iter().find(|s| reg[s.actor as usize].name() == "cpu-change").unwrap();
        let mut wrong = t.clone();
        wrong.steps[0].step = change;
        assert!(replay.check(&wrong).is_err());
        assert_eq!(replay.replayed.len(), 1);
    }
}
