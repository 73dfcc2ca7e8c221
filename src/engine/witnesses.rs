//! Witnesses: a search by depth for the symbolic engine's probes (`symbolic/probe/`). Every
//! state some run of exactly k steps reaches (with canonical choice among identical nodes,
//! the timing policy and, where steps that change nothing are no choices, runs that end),
//! while they are few; then random runs. The steps between exact depths are kept, for lasso
//! hints. The portfolio hands them to the symbolic engine, which advances them frame by
//! frame: their states answer probes ("some run enables this label"), become layer lemmas
//! once Z3 confirms them, and offer runs as hints. It must not ask a solver: witnesses only
//! decide what the symbolic engine asks, never what it drops or asserts.

use std::sync::Arc;

use crate::domain::Concrete;
use crate::engine::simulate::Rng;
use crate::model::relation::{enabled_into, guards_into, twins, EnabledBuf, LabelIndex};
use crate::model::state::Scratch;
use crate::model::{intents, registry, ClusterState, Controller, Model, Step};

/// How many concrete runs look for enabled steps once the states of a depth are too many.
const RUNS: usize = 16;

/// Up to how many states of one depth the witnesses keep all of them, at least.
pub const LAYER: usize = 4096;

/// Up to how many states of one depth the witnesses keep all of them where the states are
/// small ([`layer_for`]): a layer lemma needs every state of its depth, and a small model's
/// widest depth can be wider than [`LAYER`] (C2-fixed's, past 4,096 states at depth 25, where
/// without lemmas the symbolic engine alone stopped near depth 26 of 40 in 20 s; with them it
/// reaches 40).
const LAYER_MAX: usize = 16_384;

/// How many values (states times values per state) a layer may hold beyond [`LAYER`] states.
const LAYER_VALUES: usize = 1 << 22;

/// Up to how many states of one depth the witnesses keep all of them, for states of the
/// model `inits` start it: [`LAYER`], or more, up to [`LAYER_MAX`], while they hold at most
/// [`LAYER_VALUES`] values together (a witness is a whole state: on a large cluster a few
/// thousand are already most of the memory a check may take).
pub fn layer_for(inits: &[ClusterState<Concrete>]) -> usize {
    let values = inits.first().map_or(1, |st| st.packed_len(crate::model::state::Fields::ALL)).max(1);
    (LAYER_VALUES / values).clamp(LAYER, LAYER_MAX)
}

/// How many values the memo of successors may hold ([`Memo`]): each state it holds counts
/// its packed length, each step one.
const MEMO_VALUES: usize = 1 << 22;

/// Up to how many states a depth may have for the witnesses to keep it for lasso hints.
const HISTORY: usize = 1024;

/// How many recorded steps one search for a lasso hint may follow before it gives up.
const LASSO_WORK: usize = 1 << 22;

/// A witness state and the state packed (`ClusterState::pack`: the memo's key, and the
/// layer lemma's), shared by every run and memo entry that holds it: a state new to its depth
/// is a reference taken, not a copy.
struct Packed {
    state: ClusterState<Concrete>,
    key: Vec<i16>,
}

impl Packed {
    fn of(state: ClusterState<Concrete>) -> Arc<Packed> {
        let key = state.pack();
        Arc::new(Packed { state, key })
    }
}

/// A shared witness state looked up by its packing: sets and maps of states hold the state
/// once, not a copy of its key beside it.
#[derive(Clone)]
struct ByKey(Arc<Packed>);

impl std::hash::Hash for ByKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // As `[i16]` hashes, so that a map of `ByKey` is looked up by a key slice.
        self.0.key[..].hash(h)
    }
}

impl PartialEq for ByKey {
    fn eq(&self, other: &ByKey) -> bool {
        self.0.key == other.0.key
    }
}

impl Eq for ByKey {}

impl std::borrow::Borrow<[i16]> for ByKey {
    fn borrow(&self) -> &[i16] {
        &self.0.key
    }
}

/// One witness run: where it is, and how it got there.
#[derive(Clone)]
struct Run {
    at: Arc<Packed>,
    /// The initial state it started from (an index into the initial states), then the labels
    /// of its steps (the stutter as `labels.len()`): the selector values of one path of the
    /// unrolling to its state, a hint for the solver (`hint_to`), never an answer.
    path: Vec<u32>,
}

/// One depth of the exact witness runs, kept for lasso hints: its runs, and every step into
/// it from the depth before (the index of the run it leaves, the label, the index of the run
/// it reaches; the stutter as `labels.len()`).
struct Layer {
    runs: Vec<Run>,
    edges: Vec<(u32, u32, u32)>,
}

/// Each state's successors as [`Witnesses::advance`] worked them out (the same labels,
/// classes and `self_loops` every time, which `of` stands for), each packed and with its
/// label: a state reached at many depths (most of C2-fixed's are in a dozen layers) has its
/// steps computed, and their states packed, once. Successors are a function of the state, so
/// a remembered list is the list. Each state in the lists is held once (`states`), however
/// many states it follows. Holds at most [`MEMO_VALUES`] values; past that, states not in it
/// are worked out each time.
#[derive(Default)]
struct Memo {
    of: Option<(Vec<Step>, Vec<usize>, bool)>,
    succ: rustc_hash::FxHashMap<ByKey, Vec<Successor>>,
    states: rustc_hash::FxHashSet<ByKey>,
    values: usize,
}

/// How many 64-bit words [`Guards`] may hold.
const GUARD_WORDS: usize = 1 << 22;

/// Per state, the labels [`Witnesses::seen`] asked about there and which of them are enabled
/// (canonical choice among identical nodes included), for the labels and classes `of`: a
/// guard is a function of the state, so a state in many depths has each label's guard
/// evaluated once. Holds at most [`GUARD_WORDS`] words; past that, states not in it are
/// evaluated each time.
#[derive(Default)]
struct Guards {
    of: Option<(Vec<Step>, Vec<usize>)>,
    /// Per state: a bit per label asked, then a bit per label enabled.
    known: rustc_hash::FxHashMap<ByKey, Vec<u64>>,
    words: usize,
}

/// A successor of a state: the state (with its packing), and the label of the step to it.
type Successor = (Arc<Packed>, u32);

/// Concrete states some run of exactly k steps reaches (the same semantics, replayed on
/// `Concrete`; runs that reach a state with no step that changes it end, when such steps are
/// not choices): every such state while there are at most [`LAYER`] of them, then random runs.
pub struct Witnesses {
    reg: Vec<Box<dyn Controller<Concrete>>>,
    runs: Vec<Run>,
    /// Every depth so far, while each was exact and at most [`HISTORY`] states (`lasso_to`).
    history: Option<Vec<Layer>>,
    /// Whether `runs` is every state of its depth (no sampling yet).
    exact: bool,
    /// Up to how many states of one depth are kept ([`LAYER`]; tests lower it).
    layer: usize,
    rng: Rng,
    memo: Memo,
    guards: Guards,
}

impl Witnesses {
    pub fn new(inits: &[ClusterState<Concrete>], layer: usize) -> Witnesses {
        let reg = registry::<Concrete>();
        let mut w = Witnesses {
            reg,
            runs: inits.iter().zip(0..).map(|(st, i)| Run { at: Packed::of(st.clone()), path: vec![i] }).collect(),
            history: Some(Vec::new()),
            exact: true,
            layer,
            rng: Rng(0x6b62_6d63),
            memo: Memo::default(),
            guards: Guards::default(),
        };
        w.dedup();
        if w.runs.len() > layer {
            w.sample();
        }
        w.record(Vec::new());
        w
    }

    /// Keeps the current depth in the history, with the steps into it, while the depths are
    /// exact and small; drops the history for good otherwise.
    fn record(&mut self, edges: Vec<(u32, u32, u32)>) {
        if !self.exact || self.runs.len() > HISTORY {
            self.history = None;
        }
        if let Some(h) = &mut self.history {
            h.push(Layer { runs: self.runs.clone(), edges });
        }
    }

    /// One more step: while the states are exact, all their successors (a step enabled under
    /// the timing policy, among the canonical ones for identical nodes; without
    /// `self_loops`, only one that changes the state; a state with no such step ends, or with
    /// `self_loops` stutters). Past [`LAYER`] states, a random one of them per run; an ended
    /// run is replaced by a copy of a live one, which the random choices then set apart.
    /// Once the run's limit has passed (each state's steps take tens of milliseconds on a
    /// large cluster, and a depth may have thousands), the runs advanced so far are kept and
    /// no longer every state of their depth; the symbolic engine asks nothing more anyway.
    pub fn advance(&mut self, m: &Model, labels: &[Step], classes: &[usize], self_loops: bool) {
        let d = Concrete;
        let stutter = labels.len() as u32;
        let exact = self.exact;
        let mut next = Next::default();
        // What every state's enabled steps need, worked out once per depth.
        let index = LabelIndex::of(m, &self.reg, labels);
        let mut buf = EnabledBuf::default();
        let mut rows = Scratch::default();
        let of = (labels.to_vec(), classes.to_vec(), self_loops);
        if self.memo.of.as_ref() != Some(&of) {
            self.memo = Memo { of: Some(of), ..Memo::default() };
        }
        for (pi, Run { at, path }) in std::mem::take(&mut self.runs).into_iter().enumerate() {
            let (st, key) = (&at.state, &at.key);
            if crate::limits::stopped().is_some() {
                self.exact = false;
                self.history = None;
                break;
            }
            let mut own = Vec::new();
            if !self.memo.succ.contains_key(key.as_slice()) {
                st.node_rows(&mut rows);
                enabled_into(m, &self.reg, &index, &twins(classes, &rows), st, &mut buf);
                let mut fresh = Vec::new();
                own = buf
                    .out
                    .iter()
                    .map(|&i| {
                        let s = &labels[i as usize];
                        (intents::observe(&d, m, self.reg[s.actor as usize].update(&d, m, s, st)), i)
                    })
                    .filter(|(n, _)| self_loops || n != st)
                    .map(|(n, i)| {
                        let key = n.pack();
                        match self.memo.states.get(key.as_slice()) {
                            Some(p) => (Arc::clone(&p.0), i),
                            None => {
                                let p = Arc::new(Packed { state: n, key });
                                fresh.push(Arc::clone(&p));
                                (p, i)
                            }
                        }
                    })
                    .collect();
                let values = (fresh.len() + 1) * key.len() + own.len();
                if self.memo.values + values <= MEMO_VALUES {
                    self.memo.values += values;
                    self.memo.states.extend(fresh.into_iter().map(ByKey));
                    self.memo.succ.insert(ByKey(Arc::clone(&at)), std::mem::take(&mut own));
                }
            }
            let succ: &[Successor] = self.memo.succ.get(key.as_slice()).unwrap_or(&own);
            if succ.is_empty() {
                if self_loops {
                    next.add(exact, pi as u32, stutter, &at, &path);
                }
                continue;
            }
            // A state new to its depth is shared, not copied.
            let picked = if exact {
                0..succ.len()
            } else {
                let i = self.rng.below(succ.len());
                i..i + 1
            };
            for (n, i) in &succ[picked] {
                next.add(exact, pi as u32, *i, n, &path);
            }
        }
        self.runs = next.runs;
        if self.exact {
            if self.runs.len() <= self.layer {
                let mut edges: Vec<(u32, u32, u32)> =
                    next.from.iter().zip(&next.ids).map(|(&(p, l), &c)| (p, l, c)).collect();
                edges.sort_unstable();
                edges.dedup();
                self.record(edges);
                return;
            }
            self.sample();
            self.record(Vec::new());
        }
        let alive = self.runs.len();
        for i in 0..RUNS.saturating_sub(alive) {
            if alive > 0 {
                self.runs.push(self.runs[i % alive].clone());
            }
        }
    }

    /// A lasso of exactly as many steps as the witnesses' depth k, through the recorded
    /// depths: a run to a state x of some depth l, then k - l steps back to x, with every
    /// state of the loop satisfying `on_loop` and some step of it `watched` (from, label,
    /// to). Returns the index of its initial state, its k labels and l; `None` without a
    /// history, or when no such lasso exists among the recorded steps. Like `hint_to`, a hint
    /// for the solver, never an answer. Deterministic: the first l, then the first x.
    pub fn lasso_to(
        &self,
        on_loop: impl Fn(&ClusterState<Concrete>) -> bool,
        watched: impl Fn(&ClusterState<Concrete>, u32, &ClusterState<Concrete>) -> bool,
    ) -> Option<(usize, Vec<u32>, usize)> {
        let h = self.history.as_ref()?;
        let k = h.len().checked_sub(1)?;
        let last: std::collections::HashMap<Vec<i16>, u32> =
            h[k].runs.iter().zip(0..).map(|(r, i)| (r.at.key.clone(), i)).collect();
        // Per depth j < k, per run: its steps into depth j + 1 (label, run reached).
        let out: Vec<Vec<Vec<(u32, u32)>>> = (0..k)
            .map(|j| {
                let mut a = vec![Vec::new(); h[j].runs.len()];
                for &(p, l, c) in &h[j + 1].edges {
                    a[p as usize].push((l, c));
                }
                a
            })
            .collect();
        let mut work = 0usize;
        for l in 0..k {
            for (x, run) in h[l].runs.iter().enumerate() {
                let Some(&target) = last.get(&run.at.key) else { continue };
                if !on_loop(&run.at.state) {
                    continue;
                }
                // Breadth-first over (run, watched step seen) depth by depth, each reached
                // pair with the pair and label it was first reached from.
                let mut frontier = vec![(x as u32, false)];
                let mut back: Vec<Reached> = Vec::new();
                for j in l..k {
                    let mut next = std::collections::BTreeMap::new();
                    for &(u, seen) in &frontier {
                        let a = &h[j].runs[u as usize].at.state;
                        for &(lab, c) in &out[j][u as usize] {
                            work += 1;
                            let b = &h[j + 1].runs[c as usize].at.state;
                            if on_loop(b) {
                                next.entry((c, seen || watched(a, lab, b))).or_insert(((u, seen), lab));
                            }
                        }
                    }
                    frontier = next.keys().copied().collect();
                    back.push(next);
                }
                if back.last().is_some_and(|b| b.contains_key(&(target, true))) {
                    let mut labels = Vec::with_capacity(k - l);
                    let mut at = (target, true);
                    for b in back.iter().rev() {
                        let (prev, lab) = b[&at];
                        labels.push(lab);
                        at = prev;
                    }
                    let mut path = run.path[1..].to_vec();
                    path.extend(labels.into_iter().rev());
                    return Some((run.path[0] as usize, path, l));
                }
                if work > LASSO_WORK {
                    return None;
                }
            }
        }
        None
    }

    /// Each run's path (its initial state's index, then its labels), for tests to corrupt.
    #[cfg(test)]
    pub(crate) fn paths_mut(&mut self) -> impl Iterator<Item = &mut Vec<u32>> {
        self.runs.iter_mut().map(|r| &mut r.path)
    }

    /// How many states have their steps in the memo.
    #[cfg(test)]
    pub(crate) fn memo_len(&self) -> usize {
        self.memo.succ.len()
    }

    /// Keeps the first `n` runs only, for tests to make a layer incomplete.
    #[cfg(test)]
    pub(crate) fn keep_first(&mut self, n: usize) {
        self.runs.truncate(n);
    }

    /// Whether the runs are every state of their depth (no sampling yet).
    pub fn exact(&self) -> bool {
        self.exact
    }

    /// The state each run is in.
    pub fn states(&self) -> impl Iterator<Item = &ClusterState<Concrete>> {
        self.runs.iter().map(|r| &r.at.state)
    }

    /// Every state some run reaches, with its packing, found by advancing depth by depth (no
    /// step that changes nothing is a choice) until a depth holds no state an earlier one did
    /// not: from then on every depth's states are successors of states already found. `None`
    /// once a depth is not every state of it, more than `most` states are found, or the run's
    /// limit passed. The witnesses are spent: their runs are at the last depth advanced.
    pub fn reachable(
        &mut self,
        m: &Model,
        labels: &[Step],
        classes: &[usize],
        most: usize,
    ) -> Option<Vec<(ClusterState<Concrete>, Vec<i16>)>> {
        let mut found: rustc_hash::FxHashMap<Vec<i16>, ClusterState<Concrete>> = Default::default();
        let mut depth_added = true;
        while depth_added {
            if !self.exact || crate::limits::stopped().is_some() {
                return None;
            }
            depth_added = false;
            for r in &self.runs {
                if let std::collections::hash_map::Entry::Vacant(e) = found.entry(r.at.key.clone()) {
                    e.insert(r.at.state.clone());
                    depth_added = true;
                }
            }
            if found.len() > most {
                return None;
            }
            if depth_added {
                self.advance(m, labels, classes, false);
            }
        }
        let mut states: Vec<(ClusterState<Concrete>, Vec<i16>)> = found.into_iter().map(|(k, s)| (s, k)).collect();
        // In the order of their keys: a lemma's states, and so its formula, must not depend
        // on the order a hash map keeps them in.
        states.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        Some(states)
    }

    /// The state each run is in, and that state packed (`ClusterState::pack`).
    pub fn packed_states(&self) -> impl Iterator<Item = (&ClusterState<Concrete>, &[i16])> {
        self.runs.iter().map(|r| (&r.at.state, &r.at.key[..]))
    }

    /// A run whose state `bad` holds in, if there is one: the index of its initial state and
    /// the labels of its steps.
    pub fn hint_to(&self, bad: impl Fn(&ClusterState<Concrete>) -> bool) -> Option<(usize, &[u32])> {
        self.runs.iter().find(|r| bad(&r.at.state)).map(|r| (r.path[0] as usize, &r.path[1..]))
    }

    /// Keeps the first run to each state; returns, per run before, the index of the run kept
    /// for its state.
    fn dedup(&mut self) -> Vec<u32> {
        let mut index: rustc_hash::FxHashMap<Vec<i16>, u32> = Default::default();
        let mut ids = Vec::with_capacity(self.runs.len());
        let mut kept = Vec::new();
        for r in std::mem::take(&mut self.runs) {
            let n = kept.len() as u32;
            let id = *index.entry(r.at.key.clone()).or_insert(n);
            if id == n {
                kept.push(r);
            }
            ids.push(id);
        }
        self.runs = kept;
        ids
    }

    /// Keeps [`RUNS`] of the states, picked at random, and samples from then on.
    fn sample(&mut self) {
        self.exact = false;
        let mut kept = Vec::with_capacity(RUNS);
        for _ in 0..RUNS.min(self.runs.len()) {
            let i = self.rng.below(self.runs.len());
            kept.push(self.runs.swap_remove(i));
        }
        self.runs = kept;
    }

    /// Per group of `groups`, per label of it: whether it is enabled at the end of some run,
    /// canonical choice included (a label on a node with a lower-index twin is not, as in the
    /// frames). One pass over the runs for every group (each run's node rows and twins are
    /// worked out once), which ends once every label is seen. Each group's labels are of one
    /// actor (a kind of step). A group's labels not seen yet are
    /// asked together where their actor batches its guards (`ExplicitHints::batch_guard`: the
    /// scheduler scores the nodes once per pod group, not once per label).
    /// What a state's guards gave is kept ([`Guards`]) for the depths the state is in again.
    pub fn seen(&mut self, m: &Model, labels: &[Step], classes: &[usize], groups: &[&[usize]]) -> Vec<Vec<bool>> {
        let mut seen: Vec<Vec<bool>> = groups.iter().map(|g| vec![false; g.len()]).collect();
        let mut unseen: usize = groups.iter().map(|g| g.len()).sum();
        let mut rows = Scratch::default();
        let (mut asked, mut batch): (Vec<usize>, Vec<Step>) = (Vec::new(), Vec::new());
        let mut enabled: Vec<u32> = Vec::new();
        let of = (labels.to_vec(), classes.to_vec());
        if self.guards.of.as_ref() != Some(&of) {
            self.guards = Guards { of: Some(of), ..Guards::default() };
        }
        let words = labels.len().div_ceil(64);
        // Bit `i` of the first half: label `i` asked; of the second: enabled.
        let mut bits: Vec<u64> = Vec::new();
        for Run { at, .. } in &self.runs {
            let st = &at.state;
            if unseen == 0 {
                break;
            }
            bits.clear();
            match self.guards.known.get(at.key.as_slice()) {
                Some(b) => bits.extend_from_slice(b),
                None => bits.resize(2 * words, 0),
            }
            let bit = |b: &[u64], i: usize| b[i / 64] >> (i % 64) & 1 == 1;
            let mut twin: Option<Vec<bool>> = None;
            let mut learnt = false;
            for (group, seen) in groups.iter().zip(&mut seen) {
                asked.clear();
                batch.clear();
                for (j, &i) in group.iter().enumerate() {
                    if seen[j] {
                        continue;
                    }
                    if bit(&bits, i) {
                        if bit(&bits, words * 64 + i) {
                            seen[j] = true;
                            unseen -= 1;
                        }
                        continue;
                    }
                    let s = &labels[i];
                    let twin = twin.get_or_insert_with(|| {
                        st.node_rows(&mut rows);
                        twins(classes, &rows)
                    });
                    bits[i / 64] |= 1 << (i % 64);
                    learnt = true;
                    if !self.reg[s.actor as usize].node_of(s).is_some_and(|n| twin[n]) {
                        asked.push(j);
                        batch.push(*s);
                    }
                }
                let Some(first) = batch.first() else { continue };
                debug_assert!(batch.iter().all(|s| s.actor == first.actor), "a group of more than one actor");
                enabled.clear();
                let ids = asked.iter().map(|&j| j as u32);
                guards_into(&*self.reg[first.actor as usize], m, st, ids, &batch, &mut enabled);
                for &j in &enabled {
                    let i = group[j as usize];
                    bits[words + i / 64] |= 1 << (i % 64);
                    seen[j as usize] = true;
                    unseen -= 1;
                }
            }
            if learnt {
                match self.guards.known.get_mut(at.key.as_slice()) {
                    Some(b) => b.copy_from_slice(&bits),
                    None if self.guards.words + bits.len() <= GUARD_WORDS => {
                        self.guards.words += bits.len();
                        self.guards.known.insert(ByKey(Arc::clone(at)), bits.clone());
                    }
                    None => {}
                }
            }
        }
        seen
    }
}

/// The runs of the next depth as [`Witnesses::advance`] builds them: per step taken, the run
/// it came from and its label (`from`) and the index among `runs` of the state it reached
/// (`ids`). While the depths are exact, a state reached again is not made a run again.
#[derive(Default)]
struct Next {
    runs: Vec<Run>,
    from: Vec<(u32, u32)>,
    ids: Vec<u32>,
    index: rustc_hash::FxHashMap<ByKey, u32>,
}

impl Next {
    /// A step from run `from` by `label` to the state `at`.
    fn add(&mut self, exact: bool, from: u32, label: u32, at: &Arc<Packed>, path: &[u32]) {
        self.from.push((from, label));
        if exact {
            if let Some(&id) = self.index.get(at.key.as_slice()) {
                self.ids.push(id);
                return;
            }
            let id = self.runs.len() as u32;
            self.index.insert(ByKey(Arc::clone(at)), id);
            self.ids.push(id);
        }
        self.runs.push(Run { at: Arc::clone(at), path: extended(path, label) });
    }
}

/// A lasso search's pairs (run, watched step seen) reached at one depth, each with the pair
/// and the label it was first reached from (`Witnesses::lasso_to`).
type Reached = std::collections::BTreeMap<(u32, bool), ((u32, bool), u32)>;

/// `path` followed by label `i`.
fn extended(path: &[u32], i: u32) -> Vec<u32> {
    let mut p = Vec::with_capacity(path.len() + 1);
    p.extend_from_slice(path);
    p.push(i);
    p
}
