//! Time shares: what each question of a check may take of what the time limit leaves. A
//! bounded query may take all of it; the recurrence-diameter query half; each query of the
//! reachable-states invariant a quarter; the k-induction invariant and each step case an
//! eighth (they give up for good when they time out, so deepening goes on after them); the
//! explicit search a default check runs first, half (the symbolic engine gets the rest). Every
//! query's share is also bounded by the per-query timeout, and by what the run's time limit leaves
//! (`crate::limits::left`: a check may start late in a run, as `compare`'s symbolic one
//! does). It must not ask anything itself.

use std::time::Instant;

use crate::engine::symbolic::Options;

/// The recurrence-diameter query's share.
pub(super) const DIAMETER: u128 = 2;
/// Each query of the reachable states as an invariant.
pub(super) const REACHABLE: u128 = 4;
/// The k-induction invariant, and each step case.
pub(super) const INDUCTION: u128 = 8;
/// The explicit search a default check runs first (`first.rs`): half, so that the symbolic
/// engine has at least as long for what it leaves open.
pub(super) const EXPLICIT: u128 = 2;

/// The time limit of one check, from its start.
#[derive(Clone, Copy)]
pub(super) struct Shares<'a> {
    opts: &'a Options,
    start: Instant,
}

impl<'a> Shares<'a> {
    pub(super) fn new(opts: &'a Options, start: Instant) -> Shares<'a> {
        Shares { opts, start }
    }

    /// What the time limit leaves, divided by `share`, in milliseconds (at least 1); `None`
    /// without a time limit.
    fn left(&self, share: u128) -> Option<u64> {
        let own = self.opts.budget.map(|b| b.saturating_sub(self.start.elapsed()));
        let left = match (own, crate::limits::left()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        left.map(|l| (l.as_millis() / share).max(1) as u64)
    }

    /// What the time limit leaves, divided by `share`; `None` without a time limit. For a
    /// search rather than a query: the per-query timeout does not bound it.
    pub(super) fn share_left(&self, share: u128) -> Option<std::time::Duration> {
        self.left(share).map(std::time::Duration::from_millis)
    }

    /// The time a query may take: the per-query timeout and `left` (what the time limit
    /// allows), whichever is smaller; `None` when neither bounds it.
    fn query_ms(&self, left: Option<u64>) -> Option<u64> {
        match (self.opts.timeout_ms > 0, left) {
            (true, Some(l)) => Some(self.opts.timeout_ms.min(l)),
            (true, None) => Some(self.opts.timeout_ms),
            (false, l) => l,
        }
    }

    /// The time a query with `share` may take.
    pub(super) fn of(&self, share: u128) -> Option<u64> {
        self.query_ms(self.left(share))
    }

    /// The time a bounded query may take: all the time limit leaves, within the per-query
    /// timeout. `None` without a time limit: the solver keeps the timeout it has (the
    /// per-query timeout).
    pub(super) fn bounded(&self) -> Option<u64> {
        self.left(1).and_then(|l| self.query_ms(Some(l)))
    }

    /// When the time limit runs out, if there is one (the check's or the run's, whichever
    /// comes first).
    pub(super) fn deadline(&self) -> Option<Instant> {
        let run = crate::limits::left().map(|l| Instant::now() + l);
        match (self.opts.budget.map(|b| self.start + b), run) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The time limit has passed.
    pub(super) fn passed(&self) -> bool {
        self.opts.budget.is_some_and(|b| self.start.elapsed() > b)
    }

    /// The time limit has been reached, the check's or the run's (an answer that came at that
    /// moment is blamed on it).
    pub(super) fn reached(&self) -> bool {
        self.opts.budget.is_some_and(|b| self.start.elapsed() >= b)
            || crate::limits::left().is_some_and(|l| l.is_zero())
    }

    /// The time since the check started.
    pub(super) fn elapsed(&self) -> std::time::Duration {
        self.start.elapsed()
    }
}
