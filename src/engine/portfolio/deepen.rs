//! The deepening loop: bounded model checking one depth after another, on the symbolic
//! engine's one solver (`symbolic::Bmc`). Per depth: the run's limits first; then each open
//! intent's query, a violation decoded into a trace, a refutation followed by the intent's
//! k-induction step case; then, with `--prove`, the recurrence-diameter query, whose
//! refutation proves every intent still open. It owns when deepening stops and the wording
//! of what it leaves unknown; it must not pose a query itself.

use std::time::Instant;

use super::{shares, Check};
use crate::engine::symbolic::{self, Answer, InductionStep, Outcome};
use crate::verdict::{Proof, Verdict};

impl Check<'_> {
    /// Deepens from depth 0 to the depth bound, until every intent is decided, a limit
    /// passes, the first violation is found (without `--all`), the recurrence diameter
    /// proves the rest, or every run has ended.
    pub(super) fn deepen(&mut self) {
        for k in 0..=self.opts.max_depth {
            // Past a limit the next frame is not begun (on a large cluster its fresh variables
            // alone take a while): `out_of_time` ends the check at depth k without it.
            let passed = crate::limits::stopped().is_some() || self.shares.passed();
            if k > 0 && !passed {
                self.bmc.deepen(self.shares.deadline());
            }
            self.depth_reached = k;
            // Every run has ended before this depth: each query from here to the depth bound
            // is unsatisfiable, so the intents still open hold within it without asking (with
            // --prove the recurrence-diameter query below proves them instead).
            if self.opts.prove.is_none() && self.bmc.ended() && !self.out_of_time(k) {
                self.depth_reached = self.opts.max_depth;
                log::debug!(
                    "every run has ended before depth {k}: no query to depth {} can be satisfied",
                    self.opts.max_depth
                );
                break;
            }
            if self.out_of_time(k) || !self.ask_open(k) || self.results.iter().all(Option::is_some) {
                break;
            }
            if self.complete_at(k) {
                break;
            }
            if self.shares.elapsed().as_secs() >= 1 {
                log::info!(
                    target: crate::PROGRESS,
                    "depth {k} of {}: no violation of {} open intent(s) yet ({:.1} s)",
                    self.opts.max_depth,
                    self.results.iter().filter(|r| r.is_none()).count(),
                    self.shares.elapsed().as_secs_f64()
                );
            }
        }
    }

    /// Whether the run's time or memory limit (`crate::limits`), which may have cut the
    /// unrolling of frame `k` short, or the check's time limit has passed: then nothing of
    /// depth `k` is asked, and every open intent is unknown.
    fn out_of_time(&mut self, k: usize) -> bool {
        // Depth 0 not finished: no run length is covered for every intent.
        let covered = match k {
            0 => "the initial states not checked against every intent".to_string(),
            _ => format!("no violation within {} step(s)", k - 1),
        };
        let reason = if let Some(why) = crate::limits::stopped() {
            format!("{why} was reached at depth {k} of {}: {covered}, longer runs not covered", self.opts.max_depth)
        } else if self.shares.passed() {
            let spent = self.shares.elapsed().as_secs_f64();
            format!(
                "the time limit ran out after {spent:.0} s: {covered}, depth {k} not finished (raise --time-limit, or try --engine explicit)"
            )
        } else {
            return false;
        };
        for r in self.results.iter_mut().filter(|r| r.is_none()) {
            *r = Some(Verdict::Unknown { reason: reason.clone() });
        }
        true
    }

    /// Asks each open intent's query at depth `k`. `false` when the check stops at a
    /// violation (without `--all`), or a limit passes between two queries: every intent still
    /// open is then unknown (a depth of many intents holds many queries, and building each
    /// takes time even where the solver's answer takes none).
    fn ask_open(&mut self, k: usize) -> bool {
        for i in 0..self.m.ir.intents.len() {
            if self.results[i].is_some() {
                continue;
            }
            if self.out_of_time(k) {
                return false;
            }
            self.ask(i, k);
            if !self.opts.all && matches!(self.results[i], Some(Verdict::Violated(_))) {
                for r in self.results.iter_mut().filter(|r| r.is_none()) {
                    *r = Some(Verdict::Unknown {
                        reason: format!(
                            "not decided: the check stopped at the first violation, found at step {k} (no violation of it within {} step(s)); --all decides every intent",
                            k.saturating_sub(1)
                        ),
                    });
                }
                return false;
            }
        }
        true
    }

    /// Intent `i`'s query at depth `k` (it may take all the time limit leaves), and with a
    /// refutation (no violation within k steps: the base case) its step case.
    fn ask(&mut self, i: usize, k: usize) {
        let shares = self.shares;
        let (outcome, pending) = self.bmc.ask(i, k, &|| shares.bounded());
        match outcome {
            Outcome::Violated(t) => self.results[i] = Some(Verdict::Violated(t)),
            Outcome::Refuted => self.step_case(i, k),
            Outcome::Unknown(reason) => {
                let reason = if self.shares.reached() {
                    format!(
                        "the time limit ran out at depth {k}: no violation within {} step(s) (raise --time-limit, or try --engine explicit)",
                        k.saturating_sub(1)
                    )
                } else {
                    format!("Z3 gave up at depth {k} (no violation within {} step(s)): {reason}", k.saturating_sub(1))
                };
                self.results[i] = Some(Verdict::Unknown { reason });
            }
        }
        self.bmc.close(pending);
    }

    /// The k-induction step case of intent `i` at `k`, where it has one: with the base case
    /// refuted, a refuted step case proves the intent for every run length. A step query may
    /// take an eighth of what is left (it gives up for good when it times out), so deepening
    /// goes on after it.
    fn step_case(&mut self, i: usize, k: usize) {
        let Some(sc) = self.steps[i].as_mut() else { return };
        let name = self.m.ir.intents[i].name();
        let asked = Instant::now();
        let step = sc.check(self.q, k, self.shares.of(shares::INDUCTION));
        log::debug!("depth {k}, {name}: step case in {:.3} s", asked.elapsed().as_secs_f64());
        match step {
            InductionStep::Proved => {
                self.results[i] = Some(Verdict::Proved { k, by: Proof::Induction });
                if self.opts.prove.is_some_and(|p| p.certificates) {
                    self.certificates.extend(symbolic::certificates(self.q, i, k, &sc.distinct, self.inv.as_ref()));
                }
            }
            InductionStep::NotYet => {}
            InductionStep::Unknown(why) => {
                log::info!(target: crate::PROGRESS, "{name}: {why}; bounded checking goes on");
                self.steps[i] = None;
            }
        }
    }

    /// Completeness by the recurrence diameter: when no path of k steps from an initial state
    /// visits k + 1 distinct states, every reachable state lies on a path of at most k - 1
    /// steps and every reachable lasso (a simple stem and a simple cycle through the watched
    /// step) closes within k steps, so the bounded checks at depths 0..=k, all unsatisfiable
    /// for the intents still open, decide them for every run length. A real path of k steps
    /// without a repeated state answers the query at k already; a search that enumerated
    /// every such path knows the answer, and Z3 is asked only beyond what the search saw (on
    /// these models it takes minutes to refute what the search enumerates in milliseconds).
    /// `true` when the open intents are proved.
    fn complete_at(&mut self, k: usize) -> bool {
        let Some(sp) = self.simple.as_mut().filter(|_| k > self.witnessed) else { return false };
        let asked = Instant::now();
        let answer = if self.diameter_exact {
            Answer::Unsat
        } else {
            self.bmc.simple_path(sp, k, self.shares.of(shares::DIAMETER))
        };
        log::debug!(
            "depth {k}, simple path of {k} steps: {answer:?} in {:.3} s ({} distinct pair(s) asserted)",
            asked.elapsed().as_secs_f64(),
            sp.pairs()
        );
        match answer {
            Answer::Unsat => {
                let certificates = self.opts.prove.is_some_and(|p| p.certificates);
                for i in 0..self.results.len() {
                    if self.results[i].is_none() {
                        self.results[i] = Some(Verdict::Proved { k, by: Proof::Complete });
                        if certificates {
                            let name = self.m.ir.intents[i].name();
                            let base = symbolic::base_certificate(self.q, i, k);
                            self.certificates.push((format!("{name}-base-k{k}.smt2"), base));
                        }
                    }
                }
                if certificates {
                    let smt = symbolic::simple_path_certificate(self.q, k);
                    self.certificates.push((format!("no-simple-path-k{k}.smt2"), smt));
                }
                true
            }
            Answer::Sat => false,
            Answer::Unknown => {
                let why = self.bmc.reason_unknown();
                log::info!(target: crate::PROGRESS, "the recurrence-diameter query at k = {k} gave up ({why}); bounded checking goes on");
                self.simple = None;
                false
            }
        }
    }
}
