//! The recurrence diameter: "is there a path of k steps from an initial state whose frames
//! are pairwise distinct?", asked lazily on the bounded check's solver behind one literal,
//! and as a standalone query for certificates. When no such path exists, bounded checking to
//! k is complete. It must not decide what that settles (the portfolio does).

use std::time::{Duration, Instant};

use z3::ast::Bool;
use z3::SatResult;

use super::decode::decode;
use super::frame::{equal, values, Values};
use super::solver::{check, set_timeout};
use super::unroll::Unrolling;
use super::Query;

/// The recurrence-diameter query: is there a path of k steps from an initial state whose
/// frames are pairwise distinct? Distinctness is asserted lazily, behind `literal` (so the
/// bounded queries on the same solver do not see it), and only between frames that a model
/// showed equal: most pairs of a path differ anyway, and asserting all k² pairs up front made
/// the query several times slower.
pub struct Simple {
    literal: Bool,
    /// Pairs of frames asserted distinct so far.
    distinct: Vec<(usize, usize)>,
}

impl Simple {
    /// The query's literal; no distinctness asserted yet.
    pub fn new() -> Simple {
        Simple { literal: Bool::new_const("simple_path"), distinct: Vec::new() }
    }

    /// How many pairs of frames are asserted distinct so far.
    pub fn pairs(&self) -> usize {
        self.distinct.len()
    }

    /// Sat: a path of `k` steps with pairwise distinct frames exists; Unsat: none does. The
    /// timeout bounds the whole question, however many repeated frames it rules out.
    pub(super) fn check(&mut self, u: &Unrolling, k: usize, timeout_ms: Option<u64>) -> SatResult {
        let deadline = timeout_ms.map(|ms| Instant::now() + Duration::from_millis(ms));
        let frames = &u.frames[..=k];
        loop {
            if let Some(d) = deadline {
                let left = d.saturating_duration_since(Instant::now()).as_millis() as u64;
                if left == 0 {
                    return SatResult::Unknown;
                }
                set_timeout(&u.solver, left);
            }
            let answer = check(&u.solver, std::slice::from_ref(&self.literal));
            if answer != SatResult::Sat {
                return answer;
            }
            let model = u.solver.get_model().expect("sat gives a model");
            let states: Vec<Values> = frames.iter().map(|f| values(&decode(&model, f))).collect();
            let mut repeated = false;
            for j in 1..states.len() {
                for i in 0..j {
                    if states[i] == states[j] {
                        u.solver.assert(self.literal.implies(equal(&frames[i], &frames[j]).not()));
                        self.distinct.push((i, j));
                        repeated = true;
                    }
                }
            }
            if !repeated {
                return SatResult::Sat;
            }
        }
    }
}

/// "Some path of `k` steps from `inits` visits `k + 1` distinct states" (unsatisfiable when
/// the recurrence diameter is below `k`).
fn simple_path_query(q: &Query, k: usize) -> Unrolling {
    let mut u = q.unroll();
    q.extend_to(&mut u, k);
    for j in 1..=k {
        for i in 0..j {
            u.solver.assert(equal(&u.frames[i], &u.frames[j]).not());
        }
    }
    u
}

/// "Some path of `k` steps from `inits` visits `k + 1` distinct states" as SMT-LIB (a
/// certificate: unsatisfiable when the recurrence diameter is below `k`).
pub fn simple_path_certificate(q: &Query, k: usize) -> String {
    simple_path_query(q, k).solver.to_smt2()
}
