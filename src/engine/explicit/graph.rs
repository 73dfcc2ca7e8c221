//! The explored state graph a search leaves behind: the visited states with each one's first
//! parent, depth and stutter flag, the transitions grouped by source state, and the path back
//! from a state to an initial one. It owns how the graph is laid out in memory; it must not
//! search (the search loop fills it) nor know what a state means.

use super::{Deployments, Store};
use crate::domain::Concrete;
use crate::model::{ClusterState, Step};

/// The explored state graph.
pub struct Graph {
    /// The explored states, packed; ids are indices. With `canonical`, each stands for every
    /// state that differs from it only by a renaming of identical nodes.
    pub states: Store,
    /// The classes of identical nodes states are canonical over (see
    /// [`ClusterState::canonicalize`]); `None`: states are stored as reached.
    pub canonical: Option<Vec<Vec<usize>>>,
    /// The classes of interchangeable Deployments states are also canonical over (see
    /// `deployments.rs`); `None`: Deployments are stored as reached.
    pub deployments: Option<Deployments>,
    /// States were stored up to a renaming of Deployments, and the search met one where a step
    /// whose outcome depends on their order is enabled (`Deployments::watched`): it stopped
    /// there, and what it found stands for nothing (the caller searches again without that
    /// renaming).
    pub left_renaming: bool,
    /// The initial states as given, with the id each was stored under.
    pub origins: Vec<(u32, ClusterState<Concrete>)>,
    /// Every step label of the model (what `edges` and `parent` index).
    pub labels: Vec<Step>,
    /// Per state: the state it was first reached from, and the index of the step's label.
    pub parent: Vec<Option<(u32, u32)>>,
    pub depth: Vec<u32>,
    /// Empty when the search was told no cycle would be looked for (see `explore_with`).
    pub edges: Edges,
    /// Per state: the enabled steps (after the timing policy) are none, so it stutters.
    pub stutters: Vec<bool>,
    /// Some state at the depth bound still had enabled steps.
    pub truncated: bool,
    /// How many times guards remembered up to renaming identical nodes were used (see
    /// [`Hints::guard_key`](super::Hints::guard_key)).
    pub renamed_guards: u64,
    /// The state limit stopped the search while expanding a state at this depth: every state
    /// within this many steps was reached, not every transition beyond.
    pub state_limit_at: Option<usize>,
    /// The time or memory limit ([`crate::limits`]) stopped the search while expanding a
    /// state at this depth: every state within this many steps was reached, as above.
    pub stopped_at: Option<(crate::limits::Stop, usize)>,
    /// The caller's deadline (the portfolio's share of the time limit for the explicit
    /// search) stopped the search while expanding a state at this depth, as above.
    pub deadline_at: Option<usize>,
    pub transitions: usize,
    /// How many states were expanded (ids `0..expanded`: states are expanded in id order); a
    /// search the state limit stopped leaves the rest unexpanded.
    pub expanded: u32,
    /// With partial-order reduction: how many states were expanded through an ample set
    /// smaller than their enabled steps. `None`: the search took every enabled step.
    pub reduced: Option<u64>,
    /// The strongly connected components over every edge, and the states with an edge inside
    /// their own component in id order, worked out by the first cycle intent that needs them
    /// (`cycles.rs`) and shared by the others: one pass over a graph of millions of states,
    /// not one per intent.
    pub components: std::cell::OnceCell<(Vec<u32>, Vec<u32>)>,
}

/// The explored transitions grouped by source state, eight bytes each: a search expands
/// states in id order, so a state's successors are one slice of `to` (and of `label`, the
/// index of each step's label) rather than a vector per state. The slices live in chunks of
/// at most `EDGE_CHUNK` (2^20) transitions that are never copied once full (growing one flat
/// vector of ten million transitions copied it and faulted in twice its memory); a state's
/// transitions never straddle two chunks.
#[derive(Default)]
pub struct Edges {
    /// Per state whose expansion began: the chunk and the index in it of its first transition.
    start: Vec<(u32, u32)>,
    to: Vec<Vec<u32>>,
    label: Vec<Vec<u32>>,
}

/// Transitions per chunk of [`Edges`] (4 MiB of each of `to` and `label`).
const EDGE_CHUNK: usize = 1 << 20;

impl Edges {
    fn range(&self, u: u32) -> (usize, std::ops::Range<usize>) {
        let u = u as usize;
        let Some(&(c, first)) = self.start.get(u) else {
            return (0, 0..0);
        };
        let end = match self.start.get(u + 1) {
            Some(&(next_c, next)) if next_c == c => next as usize,
            _ => self.to[c as usize].len(),
        };
        (c as usize, first as usize..end)
    }

    /// Adds the transition `u -> v` by label `label`; `u` is the state being expanded, which
    /// is never lower than a state expanded before it.
    pub fn push(&mut self, u: u32, v: u32, label: u32) {
        assert!(u as usize + 1 >= self.start.len(), "search bug: transitions out of source order");
        if self.to.is_empty() {
            self.to.push(Vec::new());
            self.label.push(Vec::new());
        }
        let mut c = self.to.len() - 1;
        while self.start.len() <= u as usize {
            self.start.push((c as u32, self.to[c].len() as u32));
        }
        if self.to[c].len() == self.to[c].capacity() && self.to[c].capacity() >= EDGE_CHUNK {
            // The chunk is full: `u`'s transitions so far move to a new one with it.
            let from = self.start[u as usize].1 as usize;
            let mut to = Vec::with_capacity(EDGE_CHUNK.max(2 * (self.to[c].len() - from)));
            let mut label = Vec::with_capacity(to.capacity());
            to.extend_from_slice(&self.to[c][from..]);
            label.extend_from_slice(&self.label[c][from..]);
            self.to[c].truncate(from);
            self.label[c].truncate(from);
            self.to.push(to);
            self.label.push(label);
            c += 1;
            self.start[u as usize] = (c as u32, 0);
        }
        self.to[c].push(v);
        self.label[c].push(label);
    }

    /// The states `u` has transitions to.
    pub fn targets(&self, u: u32) -> &[u32] {
        let (c, r) = self.range(u);
        self.to.get(c).map_or(&[], |to| &to[r])
    }

    /// The labels (indices) of `u`'s transitions, in the order of [`targets`](Self::targets).
    pub(super) fn labels(&self, u: u32) -> &[u32] {
        let (c, r) = self.range(u);
        self.label.get(c).map_or(&[], |label| &label[r])
    }
}

impl Graph {
    /// The transitions out of `u`: each target state with its step.
    pub fn successors(&self, u: u32) -> impl Iterator<Item = (u32, Step)> + '_ {
        self.edges.targets(u).iter().zip(self.edges.labels(u)).map(|(&v, &l)| (v, self.labels[l as usize]))
    }
}

/// The path of states and steps from an initial state to `v`.
pub fn path_to(g: &Graph, v: u32) -> (Vec<u32>, Vec<Step>) {
    let mut ids = vec![v];
    let mut steps = Vec::new();
    let mut cur = v;
    while let Some((p, s)) = g.parent[cur as usize] {
        ids.push(p);
        steps.push(g.labels[s as usize]);
        cur = p;
    }
    ids.reverse();
    steps.reverse();
    (ids, steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Transitions read back per source state across chunk boundaries, including a state
    /// whose transitions began in a full chunk and states with none.
    #[test]
    fn edges_read_back_across_chunks() {
        let mut e = Edges::default();
        // Out-degree of state u: 0 for every fifth state, else 1 + u % 7.
        let degree = |u: u32| if u.is_multiple_of(5) { 0 } else { 1 + u % 7 };
        let mut total = 0;
        let mut u = 0;
        while total < 2 * EDGE_CHUNK + 10 {
            for i in 0..degree(u) {
                e.push(u, u.wrapping_mul(31).wrapping_add(i), i);
                total += 1;
            }
            u += 1;
        }
        assert!(e.to.len() >= 3, "the test crosses two chunk boundaries");
        for w in 0..u + 3 {
            let d = if w < u { degree(w) } else { 0 };
            let want: Vec<u32> = (0..d).map(|i| w.wrapping_mul(31).wrapping_add(i)).collect();
            assert_eq!(e.targets(w), want.as_slice(), "targets of {w}");
            assert_eq!(e.labels(w), (0..d).collect::<Vec<_>>().as_slice(), "labels of {w}");
        }
    }
}
