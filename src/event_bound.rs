//! Event-bounded checking: how many events (a node failure, a drain, a rollout restart, a
//! load change: every budgeted event of the spec, all kinds together) one run may hold. Real
//! incidents involve one or two disruptions, while an inferred spec on a real cluster gives
//! dozens of independent events whose interleavings multiply. With a bound from the spec
//! (`bounds.events`) or the command line (`--events`), one check runs under it. Without one,
//! kbmc deepens it as `scale` deepens cluster size: every intent is checked with up to one
//! event, then two, and so on while time remains, up to what every event's own budget allows
//! (where the bound no longer restricts anything, and the check means what it means without
//! one). A violation found under a bound stands as found, with the fewest events any
//! violation of that intent needs, once it replays on the model without the bound: a bound
//! only removes runs, but a lasso that ends stuck may be stuck only because the bound keeps
//! an event from acting (`beyond_the_bound`), and is then left to the next level. An
//! intent that holds under bound `b` is checked again under `b + 1`; where that level ends
//! without a verdict (a limit), it keeps the verdict of `b` and says so.
//!
//! Each level is made of parts (`crate::parts`: one per set of as many events as the bound),
//! run by the caller's `run` on as many threads as asked and combined in part order; a
//! sharded check runs some of the parts of one level (`run_parts`) and `kbmc merge` combines
//! them as `at_bound` does here.
//!
//! The bound is a guard of the model (`model::events::may_fire`), so every engine checks it
//! as it checks any step. This module owns the levels, which verdict stands from which, and
//! the effort they add up to; it must not know an engine (the caller's `run` checks a model)
//! nor word a verdict (the report states the bound).

use crate::domain::Concrete;
use crate::error::Error;
use crate::model::{events, registry, Model};
use crate::parts::{self, Part};
use crate::trace;
use crate::verdict::{CheckResult, EventBound, IntentResult, Verdict};

/// How a check of one part runs, on the part's model.
pub trait Run: Fn(&Model) -> Result<CheckResult, Error> + Sync {}
impl<F: Fn(&Model) -> Result<CheckResult, Error> + Sync> Run for F {}

/// Checks `m` under `bound` (`None`: deepened from one event), each part of each level by
/// `run` on up to `threads` threads (`crate::parts`). `stop_at_first`: the check stops at its
/// first violation (no `--all`), so a level that finds one ends the deepening.
pub fn check(
    m: &Model,
    bound: Option<i64>,
    stop_at_first: bool,
    threads: usize,
    run: impl Run,
) -> Result<CheckResult, Error> {
    let total = events::total_budget(m);
    if let Some(b) = bound {
        let start = std::time::Instant::now();
        let all: Vec<usize> = (0..level_parts(m, b).len()).collect();
        let results = run_parts(m, b, &all, threads, &run)?;
        let mut r = at_bound(m, b, results.into_iter().map(|(_, r)| r).collect());
        r.effort.seconds = start.elapsed().as_secs_f64();
        return Ok(r);
    }
    if total <= 1 {
        let mut level = m.clone();
        level.events_bound = None;
        return run(&level);
    }
    let mut best: Option<CheckResult> = None;
    // The states of the last level, where its search explored every reachable state.
    let mut explored: Option<usize> = None;
    let start = std::time::Instant::now();
    for b in 1..=total {
        if b > 1 && crate::limits::stopped().is_some() {
            break;
        }
        let level_start = std::time::Instant::now();
        let parts = level_parts(m, b);
        let all: Vec<usize> = (0..parts.len()).collect();
        let results = run_parts(m, b, &all, threads, &run)?;
        let mut r = parts::combine(m, &parts, results.into_iter().map(|(_, r)| r).collect());
        // The level's wall time: its parts may have run side by side.
        r.effort.seconds = level_start.elapsed().as_secs_f64();
        // Only a level of one part (every event) is compared with the last: parts explore the
        // states of the events they let fire each, and their counts add up to no state set.
        let whole = every_state(&r).filter(|_| parts.len() == 1);
        if whole.is_some() && whole == explored {
            // The same reachable states under bound b as under b - 1: no state reached under b
            // has fired b events (it would not be reachable under b - 1), so the bound kept no
            // event from acting and no higher bound reaches more. The verdicts are those of
            // the model without the bound.
            let mut r = r;
            r.results.iter_mut().for_each(|x| x.events_bound = None);
            if let Some(prev) = best.as_mut() {
                merge(prev, r);
            }
            break;
        }
        explored = whole;
        let (so_far, cut) = match best.as_mut() {
            Some(prev) => {
                let cut = merge(prev, r);
                (prev, cut)
            }
            None => {
                let cut = r.results.iter().any(|x| open(x) == Open::Cut);
                (best.insert(r), cut)
            }
        };
        if cut || !go_on(so_far, stop_at_first) {
            break;
        }
        said_so_far(so_far, b, total, start);
    }
    let mut r = best.ok_or_else(|| Error::Internal("an event-bounded check ran no level".into()))?;
    let reached = r
        .results
        .iter()
        .filter(|x| !matches!(x.verdict, Verdict::Violated(_)))
        .map(|x| x.events_bound.unwrap_or(total))
        .min()
        .unwrap_or(total);
    r.events = (reached < total).then_some(EventBound { reached, total, deepened: true });
    Ok(r)
}

/// The parts of the level at bound `b` (one part, every event, at the events' total).
pub fn level_parts(m: &Model, b: i64) -> Vec<Part> {
    parts::of(m, (b < events::total_budget(m)).then_some(b))
}

/// Runs the parts `which` (indices into [`level_parts`]) of the level at bound `b`, each
/// violation replayed on the model without the bound (`beyond_the_bound`), in the order of
/// `which`. A part that is a renaming of identical nodes of an earlier one
/// (`parts::renamings`) is not run: it has the earlier part's verdicts, and no work of its
/// own, so that the work adds up to what was done however the parts are spread over shards.
pub fn run_parts(
    m: &Model,
    b: i64,
    which: &[usize],
    threads: usize,
    run: &impl Run,
) -> Result<Vec<(usize, CheckResult)>, Error> {
    let total = events::total_budget(m);
    let parts = level_parts(m, b);
    let first = parts::renamings(m, &parts);
    // The parts run: the first of each kind `which` holds (in a shard, the first may be
    // another shard's: it is run here too, and its work said there).
    let mut checked: Vec<usize> = which.iter().map(|&i| first[i]).collect();
    checked.sort_unstable();
    checked.dedup();
    if checked.len() < which.len() {
        log::debug!(
            "{} of {} part(s) are renamings of identical nodes of another: not run",
            which.len() - checked.len(),
            which.len()
        );
    }
    // The cheapest parts first, so that the costliest start last with what the others left
    // (a drain's part may need most of the time limit; a rollout's takes a moment).
    let costs = parts::costs(m, &parts);
    let mut order: Vec<usize> = (0..checked.len()).collect();
    order.sort_by_key(|&i| (costs[checked[i]], i));
    let bound = (b < total).then_some(b);
    let results = parts::run(&order, threads, |i| {
        // Each part's model is made when the part starts, and not past a limit: on a large
        // cluster a model and its engines' tables are megabytes and take a while, and a level
        // may have hundreds of parts.
        if let Some(why) = crate::limits::stopped() {
            return Ok(parts::not_begun(m, bound, why));
        }
        let started = std::time::Instant::now();
        let mut p = parts[checked[i]].model(m);
        p.events_bound = bound;
        let mut r = run(&p)?;
        // Which parts take a check's time: what `RUST_LOG=kbmc=debug` shows per part.
        log::debug!(
            "part {} ({}): {:.1} s, {} states, {} intent(s) open",
            checked[i],
            parts[checked[i]].describe(m),
            started.elapsed().as_secs_f64(),
            r.effort.states,
            r.results.iter().filter(|x| matches!(x.verdict, crate::verdict::Verdict::Unknown { .. })).count()
        );
        if b < total {
            beyond_the_bound(m, &registry::<Concrete>(), b, &mut r);
        }
        Ok(r)
    })?;
    let of =
        |part: usize| &results[checked.binary_search(&part).unwrap_or_else(|_| unreachable!("every first is run"))];
    Ok(which
        .iter()
        .map(|&i| {
            let mut r = of(first[i]).clone();
            if first[i] != i {
                r.effort = r.effort.none_done();
                r.certificates.clear();
            }
            (i, r)
        })
        .collect())
}

/// The check at bound `b` (given, not deepened) from the results of every part of its level,
/// in part order.
pub fn at_bound(m: &Model, b: i64, results: Vec<CheckResult>) -> CheckResult {
    let total = events::total_budget(m);
    let mut r = parts::combine(m, &level_parts(m, b), results);
    r.events = (b < total).then_some(EventBound { reached: b, total, deepened: false });
    r
}

/// A progress line once a level is done and the next begins: what is decided so far, so that
/// a person watching a long check knows the answers with `b` events are in (the deepening goes
/// on until the time limit, and `--events b` would have stopped here).
fn said_so_far(r: &CheckResult, b: i64, total: i64, start: std::time::Instant) {
    let violated = r.results.iter().filter(|x| open(x) == Open::No).count();
    let holds = r.results.iter().filter(|x| open(x) == Open::Holds).count();
    let left = r.results.len() - violated - holds;
    log::info!(
        target: crate::PROGRESS,
        "with up to {b} of {total} events: {violated} violated, {holds} hold, {left} open ({:.1} s); now {} events in a run (--events {b} stops here)",
        start.elapsed().as_secs_f64(),
        b + 1
    );
}

/// The states a level's search stored, where it explored every reachable state: no intent
/// unknown, and every one that holds holds exhaustively (the explicit search's "every reachable
/// state was explored", which the default engine's explicit search gives too).
fn every_state(r: &CheckResult) -> Option<usize> {
    let whole = r.results.iter().all(|x| match &x.verdict {
        Verdict::Violated(_) => true,
        Verdict::Holds { exhaustive, .. } => *exhaustive,
        Verdict::Proved { .. } | Verdict::Unknown { .. } => false,
    });
    let holds = r.results.iter().any(|x| matches!(x.verdict, Verdict::Holds { .. }));
    (whole && holds && r.effort.states > 0).then_some(r.effort.states)
}

/// Said of a counterexample found under a bound that is no run of the model without it.
const BEYOND: &str =
    "its only counterexample found within the bound ends stuck where an event beyond the bound may still act";

/// A lasso that ends in a stutter under a bound can be one only because the bound keeps an
/// event from acting (a runbook's force-delete after a node failure, say): without the bound
/// the cluster is not stuck there. Such a counterexample is replayed on the model without the
/// bound; where it is no run of it, the intent is left open for the next level, which may
/// find another counterexample or none.
fn beyond_the_bound(m: &Model, reg: &[Box<dyn crate::model::Controller<Concrete>>], b: i64, r: &mut CheckResult) {
    let mut replay = trace::Replay::new(m, reg);
    for x in &mut r.results {
        if let Verdict::Violated(t) = &x.verdict {
            if replay.check(t).is_err() {
                let left = events_left(m, reg, t);
                let which = if left.is_empty() { String::new() } else { format!(" ({})", left) };
                x.verdict =
                    Verdict::Unknown { reason: format!("not decided with up to {b} event(s): {BEYOND}{which}") };
                x.events_bound = Some(b);
            }
        }
    }
}

/// The events of `m` (the model without the bound) that may act where `t` stutters, as their
/// steps describe them, so that the reader sees what the check took to be still to come: the
/// first three, and how many more.
fn events_left(m: &Model, reg: &[Box<dyn crate::model::Controller<Concrete>>], t: &trace::Trace) -> String {
    let Some(i) = t.steps.iter().rposition(|s| reg.get(s.step.actor as usize).is_none()) else {
        return String::new();
    };
    let (d, st) = (Concrete, &t.states[i]);
    let mut left: Vec<String> = crate::model::all_steps(m, reg)
        .iter()
        .filter(|s| reg[s.actor as usize].class() == crate::model::Class::Event)
        .filter(|s| reg[s.actor as usize].guard(&d, m, s, st))
        .map(|s| {
            let c = &reg[s.actor as usize];
            c.describe(m, s, st, &c.update(&d, m, s, st))
        })
        .collect();
    left.sort();
    left.dedup();
    let more = left.len().saturating_sub(3);
    left.truncate(3);
    let mut text = left.join("; ");
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    text
}

/// What a verdict leaves to another level.
#[derive(PartialEq, Eq)]
enum Open {
    /// Decided for good: a violation.
    No,
    /// Holds (or is proved) under this level's bound: the next level asks again.
    Holds,
    /// Not decided at this level for a reason the next level may not have: the check stopped
    /// at another intent's violation, or its counterexample needs the bound.
    Again,
    /// A limit cut the level short.
    Cut,
}

fn open(x: &IntentResult) -> Open {
    match &x.verdict {
        Verdict::Violated(_) => Open::No,
        Verdict::Holds { .. } | Verdict::Proved { .. } => Open::Holds,
        Verdict::Unknown { reason } if is_limit(reason) => Open::Cut,
        Verdict::Unknown { .. } => Open::Again,
    }
}

/// Whether an unknown verdict's reason is a limit that cut its check short, rather than a
/// reason another level may not have (the check stopped at another intent's violation, or the
/// counterexample needs the bound).
pub fn is_limit(reason: &str) -> bool {
    !(reason.contains("first violation") || reason.contains(BEYOND))
}

/// Whether another level may decide more: some intent is not violated, no limit cut the
/// level short, and the check did not stop at a first violation.
fn go_on(r: &CheckResult, stop_at_first: bool) -> bool {
    let found = r.results.iter().any(|x| open(x) == Open::No);
    let more = r.results.iter().any(|x| matches!(open(x), Open::Holds | Open::Again));
    more && !(stop_at_first && found)
}

/// The next level's verdicts over the previous ones: a violation stands (fewer events), and
/// where the new level gives no verdict the previous one stays, with its bound. Returns
/// whether a limit cut the new level short (deepening further is then pointless). The
/// efforts add up; certificates are the last level's.
fn merge(prev: &mut CheckResult, next: CheckResult) -> bool {
    let mut cut = false;
    for (p, n) in prev.results.iter_mut().zip(next.results) {
        let o = open(&n);
        cut |= o == Open::Cut;
        match (open(p), o) {
            (Open::No, _) => {}
            (Open::Holds, Open::Again | Open::Cut) => {}
            _ => *p = n,
        }
    }
    prev.effort.add(&next.effort);
    prev.certificates = next.certificates;
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::explicit;

    /// What a verdict says, for comparing two checks: its word and a counterexample's length.
    fn said(v: &Verdict) -> (&'static str, Option<usize>) {
        match v {
            Verdict::Violated(t) => ("violated", Some(t.steps.len())),
            Verdict::Holds { exhaustive: true, .. } | Verdict::Proved { .. } => ("holds for every run length", None),
            Verdict::Holds { .. } => ("holds within the bound", None),
            Verdict::Unknown { reason } if reason.contains(BEYOND) => ("needs the bound", None),
            Verdict::Unknown { .. } => ("unknown", None),
        }
    }

    /// A level's parts (one per set of units: events, and events that pick a node per node)
    /// decide what the whole model under the same bound decides: the same verdict per intent,
    /// a violation as short; on bundled cases with node failures, drains, kernel panics and
    /// a zonal StatefulSet, at one and two events, and on a live snapshot at one.
    #[test]
    fn a_levels_parts_decide_what_the_whole_model_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut compared = 0;
        for (input, most) in [
            ("cases/c4-kernel-panic-loop", 2),
            ("cases/c6-maintenance-drain", 2),
            ("cases/c13-statefulset-node-failure-fixed", 2),
            ("cases/c14-statefulset-zone-volume", 2),
            ("cases/c14-statefulset-zone-volume-fixed", 2),
            ("tests/fixtures/live/bookinfo-4n2z", 1),
        ] {
            let (ir, _) = crate::load_model(&[root.join(input)], false).expect("loads");
            let m = Model::new(&ir);
            let steps = ir.bounds.steps as usize;
            let opts = explicit::Options {
                max_depth: steps,
                max_states: 2_000_000,
                symmetry: true,
                reduction: false,
                all: true,
            };
            let total = events::total_budget(&m);
            for b in 1..total.min(most + 1) {
                let mut whole = m.clone();
                whole.events_bound = Some(b);
                let mut want = explicit::check(&whole, &opts);
                beyond_the_bound(&m, &registry::<Concrete>(), b, &mut want);
                let all: Vec<usize> = (0..level_parts(&m, b).len()).collect();
                let got = run_parts(&m, b, &all, 1, &|p: &Model| Ok(explicit::check(p, &opts))).expect("runs");
                let got = at_bound(&m, b, got.into_iter().map(|(_, r)| r).collect());
                for (w, g) in want.results.iter().zip(&got.results) {
                    assert_eq!(said(&g.verdict), said(&w.verdict), "{input}, {b} event(s): {}", w.name);
                }
                compared += 1;
            }
        }
        assert!(compared >= 4, "{compared} levels compared");
    }
}
