//! A check's parts: under an event bound `b` below what the events' budgets allow, every run
//! fires at most `b` distinct budgeted events, so the runs of the check are the union of the
//! runs of its parts, one per set of `b` events, each part letting only its own events fire
//! (`Model::events_allowed`). The parts are independent checks: they run on as many threads
//! as asked (`--threads`), split into shards that run as separate processes (`--shard`,
//! `kbmc merge`), and their verdicts combine into the check's (`combine`), in the parts' order
//! whatever ran them, so that the report never depends on how the work was spread.
//!
//! Why the union is the check: a run of the model under bound `b` is a run of the part that
//! holds its events (its steps are all allowed there); a lasso that ends stuck in the model is
//! stuck in the part too (a part has fewer enabled steps). So an intent that holds in every
//! part holds in the check. A part's violation is a run of the model (a part's states are the
//! model's); one that ends stuck only because the part leaves some event out is caught by the
//! same replay on the model without the bound that `event_bound` applies to any level.
//!
//! It owns which parts a check has, their cost estimate and shard assignment, running them and
//! combining their verdicts; it must not know an engine (the caller's `run` checks a part) nor
//! word a verdict beyond naming a part's events.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::error::Error;
use crate::ir::Event;
use crate::model::{events, Model};
use crate::verdict::{CheckResult, Effort, IntentResult, Proof, Verdict};

/// Most parts one level is split into: past it (sets of two among hundreds of events) the
/// level is one part, all events together, as a check without parts is.
pub const MAX_PARTS: usize = 4096;

/// One part: the budgeted events it lets fire (events without a budget, lifecycles such as a
/// CPU pattern, act in every part). `all`: every event, the model itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub events: Vec<usize>,
    pub all: bool,
}

/// The budgeted events of `m`, in spec order.
fn budgeted(m: &Model) -> Vec<usize> {
    (0..m.ir.events.len()).filter(|&e| events::initial_budget(&m.ir.events[e]) > 0).collect()
}

/// The parts of a check of `m` under event bound `bound` (`None`: no bound): every set of
/// `bound` budgeted events, in lexicographic order of their spec indices; one part holding
/// every event where the bound is no smaller than their number, where there is no bound, or
/// where the sets would be more than [`MAX_PARTS`].
pub fn of(m: &Model, bound: Option<i64>) -> Vec<Part> {
    let all = budgeted(m);
    let whole = || vec![Part { events: all.clone(), all: true }];
    let Some(b) = bound.map(|b| b.max(0) as usize) else { return whole() };
    if b >= all.len() || choose(all.len(), b) > MAX_PARTS as u128 {
        return whole();
    }
    sets(all.len(), b)
        .into_iter()
        .map(|set| Part { events: set.iter().map(|&i| all[i]).collect(), all: false })
        .collect()
}

/// Every set of `b` among `0..n`, each ascending, in lexicographic order.
fn sets(n: usize, b: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut pick: Vec<usize> = (0..b).collect();
    loop {
        out.push(pick.clone());
        // The next set: the last position that can move, moved, and the ones after it right
        // behind.
        let Some(i) = (0..b).rev().find(|&i| pick[i] < n - b + i) else { return out };
        pick[i] += 1;
        for j in i + 1..b {
            pick[j] = pick[j - 1] + 1;
        }
    }
}

/// `n` choose `k`, saturating.
fn choose(n: usize, k: usize) -> u128 {
    (0..k as u128).fold(1u128, |acc, i| acc.saturating_mul(n as u128 - i) / (i + 1))
}

impl Part {
    /// The model of this part: `m` letting only the part's budgeted events fire.
    pub fn model(&self, m: &Model) -> Model {
        let mut p = m.clone();
        if !self.all {
            let mut allowed: Vec<bool> = m.ir.events.iter().map(|e| events::initial_budget(e) == 0).collect();
            for &e in &self.events {
                allowed[e] = true;
            }
            p.events_allowed = Some(allowed.into());
        }
        p
    }

    /// The part's events in words (`nodeFailure + rolloutRestart(web)`), for a reason that
    /// concerns one part.
    pub fn describe(&self, m: &Model) -> String {
        let names: Vec<String> = self.events.iter().map(|&e| event_name(m, &m.ir.events[e])).collect();
        if names.is_empty() {
            "no event".into()
        } else {
            names.join(" + ")
        }
    }

    /// A rough measure of the part's work, for balancing shards: each event weighs one more
    /// than the pods it may move (a node event: every pod, since any node may be the one; a
    /// Deployment's event: its replicas), and a part's events multiply (their consequences
    /// interleave).
    pub fn cost(&self, m: &Model) -> u128 {
        let pods: i64 = m.ir.deployments.iter().map(|d| d.replicas.max).sum();
        self.events
            .iter()
            .map(|&e| {
                let ev = &m.ir.events[e];
                let moved = match ev.deployment() {
                    Some(d) => m.ir.deployments[d.index()].replicas.max,
                    None => pods,
                };
                (1 + moved.max(0)) as u128
            })
            .fold(1u128, |acc, w| acc.saturating_mul(w))
    }
}

/// An event named as the spec's kinds name it, with the Deployment it concerns.
fn event_name(m: &Model, e: &Event) -> String {
    match e.deployment() {
        Some(d) => format!("{}({})", e.name(), m.ir.deployments[d.index()].name),
        None => e.name().to_string(),
    }
}

/// The parts of `parts` that shard `index` of `count` runs: the parts taken from the costliest
/// down (ties in part order), each to the shard with the least cost so far (ties to the lowest
/// index), so that shards are balanced by the estimate rather than by count. Deterministic:
/// every shard computes the same assignment. In part order.
pub fn shard(m: &Model, parts: &[Part], index: usize, count: usize) -> Vec<usize> {
    let mut order: Vec<(u128, usize)> = parts.iter().enumerate().map(|(i, p)| (p.cost(m), i)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut load = vec![0u128; count.max(1)];
    let mut mine = Vec::new();
    for (cost, i) in order {
        let to = (0..load.len()).min_by_key(|&s| (load[s], s)).unwrap_or(0);
        load[to] = load[to].saturating_add(cost);
        if to == index {
            mine.push(i);
        }
    }
    mine.sort_unstable();
    mine
}

/// Runs `run` on the parts `order` lists (indices `0..n`, each once), taken in that order by
/// up to `threads` threads, and returns the results in index order. The caller orders the
/// cheapest first, so that the costliest parts start last, with what the cheap ones left.
/// Each part is given a share of the time the run's limit leaves when it starts
/// (`limits::part`): what is left, over the parts not yet started per thread, so that a costly
/// part cannot take the time of every other; where no more parts are ahead than threads, the
/// run's own limit is the part's.
pub fn run(
    order: &[usize],
    threads: usize,
    run: impl Fn(usize) -> Result<CheckResult, Error> + Sync,
) -> Result<Vec<CheckResult>, Error> {
    let n = order.len();
    // The test clock counts the work of every thread together: one part at a time keeps a
    // test's cut at the same state on every machine.
    let threads = if crate::limits::test_clock() { 1 } else { threads.clamp(1, n.max(1)) };
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<CheckResult, Error>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    // Each thread takes the next part in `order` until none is left.
    let work = || loop {
        let k = next.fetch_add(1, Ordering::SeqCst);
        let Some(&i) = order.get(k) else { return };
        let ahead = n - k;
        let _share = (ahead > threads)
            .then(crate::limits::left)
            .flatten()
            .and_then(|left| crate::limits::part(left.mul_f64(threads as f64 / ahead as f64)));
        let r = run(i);
        *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
    };
    if threads == 1 {
        work();
    } else {
        std::thread::scope(|scope| -> Result<(), Error> {
            for t in 0..threads {
                // The explicit search's cycle detection and Z3 recurse deeply on large models:
                // each thread gets the stack the main thread has and more.
                std::thread::Builder::new()
                    .name(format!("kbmc-part-{t}"))
                    .stack_size(64 << 20)
                    .spawn_scoped(scope, work)
                    .map_err(|e| Error::Internal(format!("could not start a thread: {e}")))?;
            }
            Ok(())
        })?;
    }
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err(Error::Internal(format!("part {i} was not run"))))
        })
        .collect()
}

/// The check's result from its parts' results (`parts[i]` gave `results[i]`), per intent:
/// a violation where any part found one (the shortest run, the first part's among equals);
/// else unknown where any part left it so (a limit's reason first, so that the deepening sees
/// a limit, then the first part's, with the part's events and how many others are open); else
/// it holds, as weakly as its
/// weakest part says (a bounded "holds" within the fewest steps any part covered; "proved" by
/// one method where every part used it; else proved part by part).
pub fn combine(m: &Model, parts: &[Part], results: Vec<CheckResult>) -> CheckResult {
    if results.len() == 1 {
        return results.into_iter().next().unwrap_or_else(|| unreachable!());
    }
    let named = |i: usize, reason: &str, others: usize| {
        let more = match others {
            0 => String::new(),
            n => format!("; {} other part(s) left it undecided too", n),
        };
        format!("{reason} (in the part of the check where the events are {}{more})", parts[i].describe(m))
    };
    let ni = results.first().map_or(0, |r| r.results.len());
    let intents: Vec<IntentResult> = (0..ni)
        .map(|k| {
            let each: Vec<&IntentResult> = results.iter().map(|r| &r.results[k]).collect();
            let verdict = one_verdict(&each, &named);
            IntentResult { verdict, ..each[0].clone() }
        })
        .collect();
    let mut effort = Effort::default();
    let mut certificates = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let e = &r.effort;
        if effort.engine.is_empty() || e.engine == "symbolic" {
            effort.engine = e.engine;
        }
        effort.states += e.states;
        effort.transitions += e.transitions;
        effort.depth = effort.depth.max(e.depth);
        effort.seconds += e.seconds;
        effort.conflicts += e.conflicts;
        effort.decisions += e.decisions;
        effort.queries += e.queries;
        effort.reduced = match (effort.reduced, e.reduced) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        certificates.extend(r.certificates.iter().map(|(name, smt)| (format!("part{i}-{name}"), smt.clone())));
    }
    CheckResult { model: results[0].model.clone(), results: intents, effort, certificates, events: None }
}

/// One intent's verdict from each part's (see [`combine`]).
fn one_verdict(each: &[&IntentResult], named: &impl Fn(usize, &str, usize) -> String) -> Verdict {
    let shortest = each
        .iter()
        .filter_map(|r| match &r.verdict {
            Verdict::Violated(t) => Some(t),
            _ => None,
        })
        .min_by_key(|t| t.steps.len());
    if let Some(t) = shortest {
        return Verdict::Violated(t.clone());
    }
    let unknown = |limit: bool| {
        each.iter().enumerate().find_map(|(i, r)| match &r.verdict {
            Verdict::Unknown { reason } if !limit || crate::event_bound::is_limit(reason) => Some((i, reason)),
            _ => None,
        })
    };
    // Parts that stopped at their first violation: the earliest such stop says it of the
    // check (every other part stopped later, or decided the intent, or was cut by a limit,
    // whose reason comes first), in the words the report groups such intents by.
    if unknown(true).is_none() {
        let earliest = each
            .iter()
            .filter_map(|r| match &r.verdict {
                Verdict::Unknown { reason } => first_violation_at(reason).map(|step| (step, reason)),
                _ => None,
            })
            .min_by_key(|(step, _)| *step);
        if let Some((_, reason)) = earliest {
            return Verdict::Unknown { reason: reason.clone() };
        }
    }
    if let Some((i, reason)) = unknown(true).or_else(|| unknown(false)) {
        let open = each.iter().filter(|r| matches!(r.verdict, Verdict::Unknown { .. })).count();
        return Verdict::Unknown { reason: named(i, reason, open - 1) };
    }
    let bounded = each
        .iter()
        .filter_map(|r| match r.verdict {
            Verdict::Holds { steps, exhaustive: false } => Some(steps),
            _ => None,
        })
        .min();
    if let Some(steps) = bounded {
        return Verdict::Holds { steps, exhaustive: false };
    }
    // Every part holds for every run length: by an exhaustive search, or a proof.
    let k = each
        .iter()
        .map(|r| match r.verdict {
            Verdict::Holds { steps, .. } => steps,
            Verdict::Proved { k, .. } => k,
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    let by: Vec<Option<Proof>> = each
        .iter()
        .map(|r| match r.verdict {
            Verdict::Proved { by, .. } => Some(by),
            _ => None,
        })
        .collect();
    match by[0] {
        _ if by.iter().any(|b| *b != by[0]) => Verdict::Proved { k, by: Proof::Parts },
        None => Verdict::Holds { steps: k, exhaustive: true },
        Some(by) => Verdict::Proved { k, by },
    }
}

/// The step of the first violation a part's check stopped at, from an intent's reason for
/// being left open (`not decided: the check stopped at the first violation, found at step K
/// ...`, both engines' words).
fn first_violation_at(reason: &str) -> Option<usize> {
    let rest = reason.strip_prefix("not decided: the check stopped at the first violation, found at step ")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The result of a part not begun because a limit had passed: every intent unknown under
/// `bound`, saying so.
pub fn not_begun(m: &Model, bound: Option<i64>, why: crate::limits::Stop) -> CheckResult {
    unknown(m, bound, &format!("{why} was reached before this part was begun"))
}

/// A result with every intent of `m` unknown under `bound`, for `reason`, and no work done.
pub fn unknown(m: &Model, bound: Option<i64>, reason: &str) -> CheckResult {
    CheckResult {
        model: m.ir.name.clone(),
        results: m
            .ir
            .intents
            .iter()
            .map(|i| IntentResult {
                name: m.ir.intent_label(i),
                kivi_name: i.kivi_name(),
                verdict: Verdict::Unknown { reason: reason.to_string() },
                events_bound: bound,
            })
            .collect(),
        effort: Effort { engine: "explicit", ..Effort::default() },
        certificates: Vec::new(),
        events: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_of_events_in_lexicographic_order() {
        assert_eq!(choose(16, 2), 120);
        assert_eq!(choose(5, 0), 1);
        assert_eq!(sets(4, 2), vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]);
        assert_eq!(sets(3, 1), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(sets(3, 0), vec![Vec::<usize>::new()]);
        assert_eq!(sets(5, 3).len() as u128, choose(5, 3));
    }
}
