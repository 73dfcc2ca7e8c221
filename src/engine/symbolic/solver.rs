//! The solver's settings and counters: the solver every query of the symbolic engine is
//! posed to, with the parameters it is created with and its per-query timeout (kept by the
//! `watchdog`), the one check they all go through, Z3's resource count and its conflicts and
//! decisions, and the three-valued answer the engines outside this folder read instead of
//! z3's type. It must not build a query.

use std::cell::Cell;
use std::time::{Duration, Instant};

use z3::{Params, SatResult};

use super::watchdog;

/// The solver's parameters. Bound propagation in the arithmetic solver is off: these queries
/// are dominated by simplex work on long sums over nodes (C3-fixed at 39 nodes: 86 M pivot
/// cells for 7 K conflicts at depth 9). Without it, and with each refuted depth kept as a fact
/// (`Bmc::close`), C3-fixed reaches depth 13-16 in 20 s against 10-11, C1 and C4 one depth
/// further, the others unchanged; alone it cost C4 three depths (`cargo bench --bench
/// symbolic`, `--time-limit 20`).
pub(super) fn params() -> Params {
    let mut p = Params::new();
    p.set_u32("smt.arith.propagation_mode", 0);
    p
}

/// Bounds each later `check` of `solver` to `ms` milliseconds, and never past what the run's
/// time limit leaves when it starts (`crate::limits::left`): a query cannot outlast the run,
/// whatever share its caller computed (the limit is polled only between Z3 calls, so a query
/// without that cap could overrun it by its whole timeout). `u32::MAX`: no timeout but the
/// run's.
pub(super) fn set_timeout(solver: &Solver, ms: u64) {
    solver.timeout_ms.set(Some(ms));
}

/// A Z3 solver and the timeout of its checks, which [`check`] keeps through the `watchdog`
/// rather than by Z3's `timeout` parameter (the watchdog's module says why). Everything else
/// is z3's solver's.
pub(super) struct Solver {
    inner: z3::Solver,
    timeout_ms: Cell<Option<u64>>,
    /// Whether the last check was interrupted at its deadline (Z3 then says "canceled").
    timed_out: Cell<bool>,
}

impl Solver {
    /// Z3's default solver.
    pub(super) fn new() -> Solver {
        Solver::of(z3::Solver::new())
    }

    /// A solver for `logic` (Z3's default where it has none for it).
    pub(super) fn new_for_logic(logic: &str) -> Solver {
        Solver::of(z3::Solver::new_for_logic(logic).unwrap_or_default())
    }

    fn of(inner: z3::Solver) -> Solver {
        Solver { inner, timeout_ms: Cell::new(None), timed_out: Cell::new(false) }
    }

    /// Why the last check was unknown: "timeout" where its deadline passed, as Z3 says of its
    /// own timeouts.
    pub(super) fn get_reason_unknown(&self) -> Option<String> {
        match self.timed_out.get() {
            true => Some("timeout".into()),
            false => self.inner.get_reason_unknown(),
        }
    }
}

impl std::ops::Deref for Solver {
    type Target = z3::Solver;

    fn deref(&self) -> &z3::Solver {
        &self.inner
    }
}

/// `ms`, at most what the run's time limit leaves, and at least 1 (Z3 reads 0 as no timeout).
pub(super) fn capped(ms: u64) -> u64 {
    match crate::limits::left() {
        Some(left) => ms.min(left.as_millis() as u64).max(1),
        None => ms.max(1),
    }
}

/// Runs `f` in a Z3 context of its own, made for it and dropped after: what it asks and gets
/// then does not depend on what the thread asked Z3 before (term ids, and with them the
/// models Z3 returns), so that a check gives the same counterexamples whichever thread, and
/// after whichever other check, runs it (`crate::parts`, `--threads`, `--shard`).
pub fn fresh_context<R: Send + Sync>(f: impl FnOnce() -> R + Send + Sync) -> R {
    z3::with_z3_config(&z3::Config::new(), || {
        let r = f();
        crate::domain::symbolic::forget_numerals();
        r
    })
}

std::thread_local! {
    /// Solver checks made on this thread (a check runs on one thread: Z3 values are !Send).
    static QUERIES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// `solver`'s check under `assumptions` (none: a plain check), counted for [`queries`] (and
/// for the test clock, `crate::limits::tick`), interrupted at its timeout ([`set_timeout`]).
pub(super) fn check(solver: &Solver, assumptions: &[z3::ast::Bool]) -> SatResult {
    QUERIES.with(|q| q.set(q.get() + 1));
    crate::limits::tick();
    let ms = solver.timeout_ms.get().filter(|&ms| ms < u32::MAX as u64 || crate::limits::left().is_some());
    let deadline = ms.map(|ms| Instant::now() + Duration::from_millis(capped(ms)));
    let ticket = deadline.and_then(|d| watchdog::arm(solver.get_context().get_z3_context(), d));
    if let (Some(ms), None) = (ms, &ticket) {
        // No watchdog thread: Z3's own timeout, with the risk the watchdog's module names.
        let mut p = params();
        p.set_u32("timeout", capped(ms).min(u32::MAX as u64) as u32);
        solver.set_params(&p);
    }
    let answer = match assumptions.is_empty() {
        true => solver.inner.check(),
        false => solver.inner.check_assumptions(assumptions),
    };
    let interrupted = ticket.is_some_and(watchdog::Ticket::disarm);
    solver.timed_out.set(interrupted && answer == SatResult::Unknown);
    if interrupted {
        // An interrupt that landed after the check returned leaves the context cancelled; a
        // check resets it (Z3 clears the cancellation as each check ends).
        z3::Solver::new().check();
    }
    answer
}

/// The solver checks made on this thread so far: the difference over one check is its
/// number of queries, a deterministic measure of its work (the tests' work budgets).
pub fn queries() -> u64 {
    QUERIES.with(|q| q.get())
}

/// Z3's resource count so far on `solver`: its deterministic measure of work, logged per
/// query next to the time (the ratio varies from 300 to 4000 units per millisecond on the
/// bundled cases, so it cannot stand in for a time budget).
pub(super) fn rlimit_count(solver: &Solver) -> u64 {
    match solver.get_statistics().value("rlimit count") {
        Some(z3::StatisticsValue::UInt(v)) => v as u64,
        Some(z3::StatisticsValue::Double(v)) => v as u64,
        None => 0,
    }
}

/// Z3's conflicts and decisions so far on `solver`.
pub(super) fn statistics(solver: &Solver) -> (u64, u64) {
    let stats = solver.get_statistics();
    let get = |key: &str| match stats.value(key) {
        Some(z3::StatisticsValue::UInt(v)) => v as u64,
        Some(z3::StatisticsValue::Double(v)) => v as u64,
        None => 0,
    };
    (get("conflicts"), get("decisions"))
}

/// A solver's answer as the engines outside this folder read it (they import no z3): the
/// same three values, printed as z3 prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Sat,
    Unsat,
    Unknown,
}

impl From<SatResult> for Answer {
    fn from(r: SatResult) -> Answer {
        match r {
            SatResult::Sat => Answer::Sat,
            SatResult::Unsat => Answer::Unsat,
            SatResult::Unknown => Answer::Unknown,
        }
    }
}
