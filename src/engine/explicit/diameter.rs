//! The longest path without a repeated state, by depth-first search over the canonical-choice
//! transition relation (the one the symbolic engine unrolls): a lower bound on the recurrence
//! diameter, and the diameter itself when the search finishes within its budget. Used by
//! `check --prove`. It only proposes a length; it must not decide a verdict (the portfolio
//! decides what an exact length settles).

use crate::domain::Concrete;
use crate::model::relation::{next_states, symmetry_classes};
use crate::model::{all_steps, registry, ClusterState, Model};

/// The length of the longest path without a repeated state that a depth-first search from
/// `inits` finds within `budget` expanded states and `max_len` steps, and whether the search
/// finished without reaching either limit (then the length is the recurrence diameter of the
/// model's canonical-choice transition relation, the one the symbolic engine unrolls). A lower
/// bound otherwise, also when the run's time or memory limit passes (`crate::limits`, polled
/// per expanded state). The symbolic engine uses it to skip solver queries whose answer a real
/// path already gives.
pub fn longest_simple_path(
    m: &Model,
    inits: &[ClusterState<Concrete>],
    budget: usize,
    max_len: usize,
) -> (usize, bool) {
    let reg = registry::<Concrete>();
    let labels = all_steps(m, &reg);
    let classes = symmetry_classes(m);
    // A stuttering state's only successor is itself, already on the path.
    let successors = |st: &ClusterState<Concrete>| next_states(m, &reg, &labels, &classes, st);
    let mut longest = 0;
    let mut expanded = 0;
    for init in inits {
        let mut on_path: rustc_hash::FxHashSet<Vec<i16>> = Default::default();
        on_path.insert(init.pack());
        // Per path state: its packed key and the successors not tried yet.
        let mut stack: Vec<(Vec<i16>, Vec<ClusterState<Concrete>>)> = vec![(init.pack(), successors(init))];
        expanded += 1;
        while let Some((_, todo)) = stack.last_mut() {
            match todo.pop() {
                Some(next) => {
                    let key = next.pack();
                    if on_path.contains(&key) {
                        continue;
                    }
                    // A path this long may go on, or the run's limit passed: the search cannot
                    // say it saw them all.
                    if expanded >= budget || stack.len() > max_len || crate::limits::stopped().is_some() {
                        return (longest.max(stack.len() - 1), false);
                    }
                    expanded += 1;
                    on_path.insert(key.clone());
                    let succ = successors(&next);
                    stack.push((key, succ));
                    longest = longest.max(stack.len() - 1);
                }
                None => {
                    let (key, _) = stack.pop().expect("the stack is not empty here");
                    on_path.remove(&key);
                }
            }
        }
    }
    (longest, true)
}
