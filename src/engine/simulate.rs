//! One random run of the model (`kbmc simulate`): from an initial state picked among the
//! spec's topologies, each step picked uniformly among the enabled ones (after the timing
//! policy), with every intent evaluated along the run. A run shows what can happen; it proves
//! nothing about the runs it did not take. Seeded, so a run can be repeated exactly.

use crate::domain::Concrete;
use crate::ir::Intent;
use crate::model::intents::{self, Property, Watch};
use crate::model::relation::STUTTER;
use crate::model::{all_steps, registry, ClusterState, Model, Step};
use crate::trace::{allowed_in, Trace};

/// What the run showed about one intent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The state after `step` violates the safety intent.
    ViolatedAt { step: usize, why: String },
    /// The run returned at step `to` to the state it had before step `from`, with the watched
    /// change in between: a cycle that can repeat forever.
    Cycle { from: usize, to: usize },
    /// The run ended with nothing able to act in a state a loop-state intent forbids to last
    /// (pods not running, a drain under way): it lasts forever.
    Stuck,
    /// Not violated along this run.
    NotSeen,
}

pub struct Simulation {
    pub trace: Trace,
    /// Per step taken, the steps it was picked among (`trace::allowed_in` of the state it was
    /// taken in), for the replay (`trace::Replay::check_along`).
    pub allowed: Vec<Vec<Step>>,
    /// Per intent, its label (`noEvictionCycle(web)`) and what the run showed.
    pub seen: Vec<(String, Seen)>,
    /// The run stopped early because nothing could act any more.
    pub quiet: bool,
    /// The run was cut short by the time or memory limit before the steps asked for.
    pub stopped: Option<crate::limits::Stop>,
}

/// splitmix64: a small, well-mixed generator, so runs do not depend on a crate's algorithm.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn simulate(m: &Model, seed: u64, steps: usize) -> Simulation {
    let d = Concrete;
    let reg = registry::<Concrete>();
    let labels = all_steps(m, &reg);
    let mut rng = Rng(seed);
    let inits = m.initial_states();
    let mut st = inits[rng.below(inits.len())].clone();
    let mut states = vec![st.clone()];
    // Which states repeat, found as the run goes (within its limits: packing a state of a
    // large cluster takes a while, and a run may have thousands).
    let mut first = FirstEqual::default();
    first.add(&st);
    let mut taken: Vec<Step> = Vec::new();
    let mut allowed: Vec<Vec<Step>> = Vec::new();
    let mut quiet = false;
    let mut stopped = None;
    for _ in 0..steps {
        let en = allowed_in(m, &reg, &labels, &st);
        // A limit passed while the guards were asked or the step was taken: that step is
        // not used (it may be unfinished).
        if let Some(why) = crate::limits::stopped() {
            stopped = Some(why);
            break;
        }
        if en.is_empty() {
            quiet = true;
            break;
        }
        let s = en[rng.below(en.len())];
        let next = intents::observe(&d, m, reg[s.actor as usize].update(&d, m, &s, &st));
        if let Some(why) = crate::limits::stopped() {
            stopped = Some(why);
            break;
        }
        st = next;
        taken.push(s);
        allowed.push(en);
        first.add(&st);
        states.push(st.clone());
    }
    let run = Run { first: first.first, states: &states, steps: &taken, quiet };
    let seen =
        m.ir.intents
            .iter()
            .enumerate()
            .map(|(i, intent)| (m.ir.intent_label(intent), judge(m, &reg, i, intent, &run)))
            .collect();
    let mut trace_steps = taken;
    let mut trace_states = states;
    if quiet {
        // Make the end of the run explicit: the cluster stays as it is.
        trace_steps.push(STUTTER);
        trace_states.push(trace_states.last().expect("a run has a state").clone());
    }
    Simulation { trace: Trace::new(m, &reg, trace_states, trace_steps), allowed, seen, quiet, stopped }
}

/// A run as the intents are judged on it: its states and steps, whether it went quiet, and per
/// state the first state of the run equal to it (packed once for every intent: on a large
/// cluster a state packs into megabytes, and a run may have thousands).
struct Run<'a> {
    states: &'a [ClusterState<Concrete>],
    steps: &'a [Step],
    quiet: bool,
    first: Vec<usize>,
}

/// Per state of a run so far, the index of the first one equal to it.
#[derive(Default)]
struct FirstEqual {
    seen: std::collections::HashMap<Vec<i16>, usize>,
    first: Vec<usize>,
}

impl FirstEqual {
    /// The run's next state.
    fn add(&mut self, st: &ClusterState<Concrete>) {
        let k = self.first.len();
        self.first.push(*self.seen.entry(st.pack()).or_insert(k));
    }
}

fn judge(m: &Model, reg: &[Box<dyn crate::model::Controller<Concrete>>], i: usize, intent: &Intent, run: &Run) -> Seen {
    let (d, states, steps) = (Concrete, run.states, run.steps);
    let Property::Cycle(watch) = intents::property(intent) else {
        return match states.iter().position(|st| intents::violated(&d, m, st, i)) {
            Some(k) => Seen::ViolatedAt { step: k.saturating_sub(1), why: intents::explain(m, intent, &states[k]) },
            None => Seen::NotSeen,
        };
    };
    let waiting = |st: &ClusterState<Concrete>| intents::loop_state(&d, m, st, intent) == Some(true);
    if run.quiet && waiting(states.last().expect("a run has a state")) {
        return Seen::Stuck;
    }
    // Every pair of equal states, the later one first: per state, the earlier ones equal to it.
    let mut earlier: std::collections::HashMap<usize, Vec<usize>> = std::collections::HashMap::new();
    for (to, &first) in run.first.iter().enumerate() {
        let equal = earlier.entry(first).or_default();
        for &from in equal.iter() {
            let segment = from..to;
            // As the engines watch it (for noEvictionCycle: an eviction that adds terminating
            // pods of this Deployment, not any eviction step).
            let watched = match watch {
                Watch::Rises { measure, by } => segment.clone().any(|k| {
                    let s = &steps[k];
                    by.is_none_or(|kind| reg.get(s.actor as usize).is_some_and(|c| kind.of(c.as_ref(), s)))
                        && measure.value_of(m, &states[k + 1]) > measure.value_of(m, &states[k])
                }),
                Watch::Changes(measure) => {
                    segment.clone().any(|k| measure.value_of(m, &states[k + 1]) != measure.value_of(m, &states[k]))
                }
                Watch::EveryState => (from..=to).all(|k| waiting(&states[k])),
            };
            if watched {
                return Seen::Cycle { from, to: to - 1 };
            }
        }
        equal.push(to);
    }
    Seen::NotSeen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    /// A pod that fits no node leaves the run with nothing able to act: allPodsEventuallyRun
    /// is violated (the pod waits forever), and the run says it went quiet.
    #[test]
    fn a_run_that_goes_quiet_with_waiting_pods_violates_eventual_running() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"2\", memory: 8Gi}}]\n  intents: [{type: allPodsEventuallyRun}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1500m", "1Gi", "")));
        let sim = simulate(&m, 7, 20);
        assert!(sim.quiet);
        assert_eq!(sim.seen, vec![("allPodsEventuallyRun".to_string(), Seen::Stuck)]);
        // The same seed gives the same run.
        let again = simulate(&m, 7, 20);
        assert_eq!(again.trace.steps.len(), sim.trace.steps.len());
    }

    /// A run that returns to a state through an eviction of web's pods is an eviction cycle
    /// for web, not for db, whose pods no step evicted: an eviction counts only for the
    /// Deployment whose pod it evicts.
    #[test]
    fn an_eviction_cycle_is_one_of_the_watched_deployment() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 1}]}, {deployment: db, placement: [{node: n-1, count: 1}]}]\n";
        let m =
            model(&format!("{}{}{spec}", deployment("web", 1, "1", "1Gi", ""), deployment("db", 1, "1", "1Gi", "")));
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let evicting = *labels.iter().find(|s| reg[s.actor as usize].evicts(s)).expect("some step evicts");
        let other = *labels.iter().find(|s| !reg[s.actor as usize].evicts(s)).expect("some step does not");
        let web = m.ir.deployments.iter().position(|d| d.name == "web").unwrap();
        let g = m.groups_of[web][0];
        // web's pod is evicted, then (as far as this check is concerned) the run is back.
        let s0 = m.initial_state(&[2]);
        let mut s1 = s0.clone();
        s1.terminating[g][0] += 1;
        let states = vec![s0.clone(), s1, s0];
        let steps = vec![evicting, other];
        let watch = |name: &str| Intent::NoEvictionCycle {
            deployment: crate::ir::DeploymentId(m.ir.deployments.iter().position(|d| d.name == name).unwrap() as u32),
        };
        let mut first = FirstEqual::default();
        states.iter().for_each(|st| first.add(st));
        let run = Run { first: first.first, states: &states, steps: &steps, quiet: false };
        assert_eq!(run.first, vec![0, 1, 0]);
        assert_eq!(judge(&m, &reg, 0, &watch("web"), &run), Seen::Cycle { from: 0, to: 1 });
        assert_eq!(judge(&m, &reg, 0, &watch("db"), &run), Seen::NotSeen);
    }
}
