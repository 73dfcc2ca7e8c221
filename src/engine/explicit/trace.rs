//! Counterexamples out of the explored graph: a path of stored states (a lasso when it closes
//! a loop) turned into a real run of the model. Without canonical states that is the path
//! itself; with them, each stored state stands for its renamings, so the run is rebuilt step
//! by step from the initial state as given. It must not search beyond the one path it is given
//! (`None` when no run follows it, and the caller searches again without renaming). It also
//! renames a run's interchangeable Deployments (`renamed`), which gives another run.

use super::deployments::stored_form;
use super::{Deployments, Graph};
use crate::domain::Concrete;
use crate::model::relation::STUTTER;
use crate::model::state::Scratch;
use crate::model::{intents, ClusterState, Controller, Model, Step};
use crate::trace::{Allowed, Trace};

/// A real run of the model along the graph path `ids`/`steps` (a lasso when `loop_start` is
/// set). Without canonical states that is the path itself. With them, each stored state
/// stands for its renamings: the run starts from the initial state as given and, at each
/// step, takes the enabled step whose outcome is (up to renaming) the next state on the path;
/// a lasso's loop is repeated until the run returns to a state it was in at a loop start.
/// `None` when no such run is found (an actor whose outcome depends on node order without
/// saying so). `allowed` remembers the enabled steps of the states it follows (runs rebuilt
/// from one search share their first states); it must be of `m` and `reg`.
pub(super) fn trace_of(
    m: &Model,
    reg: &[Box<dyn Controller<Concrete>>],
    allowed: &mut Allowed,
    g: &Graph,
    ids: &[u32],
    steps: Vec<Step>,
    loop_start: Option<usize>,
) -> Option<Trace> {
    if g.canonical.is_none() && g.deployments.is_none() {
        let states = ids.iter().map(|&i| g.states.get(i)).collect();
        let mut t = Trace::new(m, reg, states, steps);
        t.loop_start = loop_start;
        return Some(t);
    };
    let d = Concrete;
    let mut scratch = Scratch::default();
    let mut key = Vec::new();
    let mut perm = Vec::new();
    // The step from `cur` whose outcome renames to stored state `target`: `hint` first, then
    // its actor's other steps (where `cur` is a renaming of the stored state the hint was taken
    // in, the step it stands for is the same actor's on renamed nodes), then the rest.
    let mut follow =
        |cur: &ClusterState<Concrete>, target: u32, hint: Step| -> Option<(Step, ClusterState<Concrete>)> {
            if hint == STUTTER {
                return Some((STUTTER, cur.clone()));
            }
            let en = allowed.of(cur);
            let others = |same: bool| en.iter().copied().filter(move |s| *s != hint && (s.actor == hint.actor) == same);
            for s in std::iter::once(hint).filter(|h| en.contains(h)).chain(others(true)).chain(others(false)) {
                let next = intents::observe(&d, m, reg[s.actor as usize].update(&d, m, &s, cur));
                let mut canon = next.clone();
                stored_form(g.canonical.as_deref(), g.deployments.as_ref(), &mut canon, &mut scratch, &mut perm);
                if g.states.find_state(&canon, &mut key) == Some(target) {
                    return Some((s, next));
                }
            }
            None
        };
    let first = g.origins.iter().find(|(id, _)| *id == ids[0]).map(|(_, st)| st.clone())?;
    let mut states = vec![first];
    let mut out = Vec::new();
    for (i, &s) in steps.iter().enumerate() {
        let (t, next) = follow(states.last().expect("a run has a state"), ids[i + 1], s)?;
        out.push(t);
        states.push(next);
    }
    let mut loop_start = loop_start;
    if let Some(l) = loop_start {
        // Loop starts seen so far: (index in the run, state).
        let mut starts = vec![l];
        let body: Vec<(u32, Step)> = ids[l + 1..].iter().copied().zip(steps[l..].iter().copied()).collect();
        // A renaming of n nodes returns to the identity after at most n! rounds; a few
        // thousand rounds cover every class size a model can afford to explore.
        for _ in 0..4096 {
            let last = states.last().expect("a run has a state").pack();
            if let Some(&p) = starts.iter().find(|&&p| states[p].pack() == last) {
                loop_start = Some(p);
                break;
            }
            starts.push(states.len() - 1);
            for &(target, s) in &body {
                let (t, next) = follow(states.last().expect("a run has a state"), target, s)?;
                out.push(t);
                states.push(next);
            }
        }
        let last = states.last().expect("a run has a state").pack();
        if loop_start.is_some_and(|p| states[p].pack() != last) {
            return None;
        }
    }
    let mut t = Trace::new(m, reg, states, out);
    t.loop_start = loop_start;
    Some(t)
}

/// `t`, a real run of the model, with Deployments `a` and `b` (interchangeable, see
/// `deployments.rs`) swapped in every state, and at each step the enabled step that leads
/// from one renamed state to the next: swapping them is an automorphism of the model, so the
/// renamed states are a run too. `None` when no enabled step leads there (a bug: the caller
/// searches again without renaming). The step of the run is tried first, then its actor's
/// other steps (renaming Deployments moves a step to another Deployment's, not to another
/// actor), then the rest: on a large cluster each try builds a state of megabytes.
/// `allowed` remembers the enabled steps across the runs renamed (their initial states are
/// the same: the renaming fixes them); it must be of `m` and `reg`.
pub(super) fn renamed(
    m: &Model,
    reg: &[Box<dyn Controller<Concrete>>],
    allowed: &mut Allowed,
    deps: &Deployments,
    t: &Trace,
    (a, b): (usize, usize),
) -> Option<Trace> {
    let d = Concrete;
    let states: Vec<ClusterState<Concrete>> = t.states.iter().map(|s| deps.swapped(s, a, b)).collect();
    let mut steps = Vec::with_capacity(t.steps.len());
    for (k, s) in t.steps.iter().enumerate() {
        let hint = s.step;
        if hint == STUTTER {
            steps.push(STUTTER);
            continue;
        }
        let want = states[k + 1].pack();
        let en = allowed.of(&states[k]);
        let others = |same: bool| en.iter().copied().filter(move |x| *x != hint && (x.actor == hint.actor) == same);
        let step = std::iter::once(hint)
            .filter(|h| en.contains(h))
            .chain(others(true))
            .chain(others(false))
            .find(|x| intents::observe(&d, m, reg[x.actor as usize].update(&d, m, x, &states[k])).pack() == want)?;
        steps.push(step);
    }
    let mut r = Trace::new(m, reg, states, steps);
    r.loop_start = t.loop_start;
    Some(r)
}
