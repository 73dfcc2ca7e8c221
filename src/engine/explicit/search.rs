//! The breadth-first search: states expanded in id order from a queue, successors built,
//! keyed (patched from their parent's key where a step changed few nodes, renamed to a
//! canonical form where states are stored up to renaming) and looked up in the visited set
//! several at a time, and the limits (`crate::limits`, the state limit, the depth bound)
//! polled once per expanded state, after its guards and between its successors. It owns the
//! search loop and the graph it fills; it must not decide a verdict (`check.rs` does, through
//! `on_state`).

use std::collections::VecDeque;
use std::time::Instant;

use super::deployments::stored_form;
use super::symmetry::Twins;
use super::{Deployments, Edges, Graph, Options, Store};
use crate::domain::Concrete;
use crate::engine::por::Reduction;
use crate::model::relation::{enabled_into, node_classes, symmetry_classes, EnabledBuf, LabelIndex};
use crate::model::state::{Conditions, Fields, Scratch};
use crate::model::{all_steps, intents, registry, ClusterState, Controller, Model, Step};

/// The fields a search stores: all but the node conditions that no step of the model can
/// change ([`Controller::node_conditions_changed`]) and in which no two initial states
/// differ, so that every reachable state has those of the first. With canonical forms
/// (`classes`) the nodes of each class must also have alike ones: renaming nodes then leaves
/// them as they are.
fn stored_fields(
    reg: &[Box<dyn Controller<Concrete>>],
    labels: &[Step],
    inits: &[ClusterState<Concrete>],
    classes: Option<&[Vec<usize>]>,
) -> Fields {
    let Some(first) = inits.first() else { return Fields::ALL };
    let mut kept = Conditions::NONE;
    for s in labels {
        kept = kept.with(reg[s.actor as usize].node_conditions_changed());
    }
    for i in inits {
        kept = kept.with(i.conditions_differing_from(first));
    }
    for c in classes.unwrap_or_default() {
        for &n in c {
            kept = kept.with(first.conditions_differing_between(n, c[0]));
        }
    }
    Fields { left_out: kept.others() }
}

/// How many successors of a state are built at once (see `Search::successors`).
const CHUNK: usize = 256;

/// How many states a search expands between two looks at the clock for its deadline while
/// they are quick (`Search::past_deadline`).
const LOOK_EVERY: u64 = 64;

/// How long [`LOOK_EVERY`] states may take for the clock to be read that seldom.
const QUICK: std::time::Duration = std::time::Duration::from_millis(1);

/// A successor of the state being expanded: the state (not renamed yet), the key it is
/// looked up by, that key encoded as the store keeps it and its hash, and whether it is
/// renamed to be canonical (by `perm`, a buffer kept from one expansion to the next, like the
/// others).
struct Successor {
    state: ClusterState<Concrete>,
    key: Vec<i16>,
    enc: Vec<u8>,
    hash: u64,
    renamed: bool,
    perm: Vec<usize>,
}

/// Explores the state graph breadth-first from every initial state.
pub fn explore(m: &Model, opts: &Options, on_state: impl FnMut(u32, &ClusterState<Concrete>) -> bool) -> Graph {
    explore_from(m, opts, &m.initial_states(), on_state)
}

/// Explores the state graph breadth-first from `inits`: every reachable state within the
/// bound (`opts.reduction` is not used here).
pub fn explore_from(
    m: &Model,
    opts: &Options,
    inits: &[ClusterState<Concrete>],
    mut on_state: impl FnMut(u32, &ClusterState<Concrete>) -> bool,
) -> Graph {
    let opts = Options { reduction: false, ..opts.clone() };
    explore_with(m, &opts, inits, true, None, true, None, |id, st, _, _| on_state(id, st))
}

/// `explore_from`, storing states up to node renaming only when `canonical` allows it too,
/// and up to a renaming of the interchangeable Deployments `deployments` (see
/// [`symmetric_deployments`]: `check` alone asks for it, as it reads each intent over its
/// orbit; the other searches need every reachable state up to node renaming), and the
/// transitions only with `keep_edges` (only cycles need them: on C8 at 9 nodes they
/// are 80 MB, more than the states). `on_state` is told each new state with the step that
/// first reached it from an expanded state (none for an initial state), and the graph so far,
/// which already holds the state with its parent and depth (so that a run to it can be
/// rebuilt there and then). A `deadline` (the portfolio's share of the time limit) stops the
/// search as the run's limits do.
#[allow(clippy::too_many_arguments)]
pub(super) fn explore_with(
    m: &Model,
    opts: &Options,
    inits: &[ClusterState<Concrete>],
    canonical: bool,
    deployments: Option<Deployments>,
    keep_edges: bool,
    deadline: Option<Instant>,
    on_state: impl FnMut(u32, &ClusterState<Concrete>, Option<&Step>, &Graph) -> bool,
) -> Graph {
    let reg = registry::<Concrete>();
    let labels = all_steps(m, &reg);
    let classes = symmetry_classes(m);
    let renamable = node_classes(m);
    let canonical = (canonical && opts.symmetry && !renamable.is_empty()).then_some(renamable);
    let Some(first) = inits.first() else {
        panic!("model bug: a search needs at least one initial state");
    };
    let fields = stored_fields(&reg, &labels, inits, canonical.as_deref());
    let g = Graph {
        states: Store::of_fields(first, fields),
        canonical,
        deployments,
        left_renaming: false,
        origins: Vec::new(),
        labels: labels.clone(),
        parent: Vec::new(),
        depth: Vec::new(),
        edges: Edges::default(),
        stutters: Vec::new(),
        truncated: false,
        renamed_guards: 0,
        state_limit_at: None,
        stopped_at: None,
        deadline_at: None,
        transitions: 0,
        expanded: 0,
        reduced: None,
        components: Default::default(),
    };
    let mut index = LabelIndex::of(m, &reg, &labels);
    index.rename_guards &= g.canonical.is_none();
    // Partial-order reduction where asked and the model allows it (por.rs).
    let reduction = if opts.reduction { Reduction::new(m, &reg, &labels, first).ok() } else { None };
    let started = Instant::now();
    let mut search = Search {
        m,
        opts,
        reg: &reg,
        labels: &labels,
        fields,
        first,
        keep_edges,
        deadline,
        on_state,
        g,
        queue: VecDeque::new(),
        stop: false,
        scratch: Scratch::default(),
        started,
        reported: started,
        popped: 0,
        next_look: 0,
        looked: started,
        parent_rows: Scratch::default(),
        parent_key: Vec::new(),
        st: first.clone(),
        succ: Vec::new(),
        en: EnabledBuf::remembering(reg.len()),
        index,
        expanded: Twins::new(m, opts, &classes),
        reduction,
        ample: Vec::new(),
        deployment_perm: Vec::new(),
        form_scratch: Scratch::default(),
    };
    search.seed(inits);
    while let Some(u) = search.queue.pop_front() {
        if !search.expand(u) {
            break;
        }
        // The test clock advances by one expanded state (`crate::limits`).
        crate::limits::tick();
    }
    let mut g = search.g;
    g.reduced = search.reduction.as_ref().map(|r| r.reduced);
    g.renamed_guards = search.en.memo.iter().flatten().map(|memo| memo.renamed_hits).sum();
    g
}

/// One breadth-first search under way: what it was asked, the graph it fills, its queue, and
/// the buffers it reuses from one expanded state to the next.
struct Search<'a, F> {
    m: &'a Model,
    opts: &'a Options,
    reg: &'a [Box<dyn Controller<Concrete>>],
    labels: &'a [Step],
    fields: Fields,
    /// The first initial state: every stored state has its node conditions where `fields`
    /// leaves them out.
    first: &'a ClusterState<Concrete>,
    keep_edges: bool,
    /// The caller's deadline, if any (see `explore_with`).
    deadline: Option<Instant>,
    on_state: F,
    g: Graph,
    queue: VecDeque<u32>,
    /// `on_state` asked to stop, or the state limit was reached.
    stop: bool,
    scratch: Scratch,
    /// Progress (a log line, no I/O here) at most once a second, after the first second.
    started: Instant,
    reported: Instant,
    popped: u64,
    /// The deadline is looked at once `popped` reaches this, and was last at `looked`.
    next_look: u64,
    looked: Instant,
    parent_rows: Scratch,
    /// The expanded state's key, which its successors' keys are patched from (with canonical
    /// forms only: the nodes a step changed are known only there).
    parent_key: Vec<i16>,
    /// The state being expanded, unpacked into one reused allocation.
    st: ClusterState<Concrete>,
    /// The expanded state's successors, reused from one expansion to the next.
    succ: Vec<Successor>,
    en: EnabledBuf,
    index: LabelIndex<'a>,
    expanded: Twins<'a>,
    /// Partial-order reduction, where the search was asked for it and the model allows it.
    reduction: Option<Reduction>,
    /// Every enabled step of a state expanded through an ample set (the ample set is then in
    /// `en.out`).
    ample: Vec<u32>,
    /// Buffers of the renaming into a stored form where Deployments are renamed too.
    deployment_perm: Vec<usize>,
    form_scratch: Scratch,
}

impl<F: FnMut(u32, &ClusterState<Concrete>, Option<&Step>, &Graph) -> bool> Search<'_, F> {
    /// Stores the initial states (each canonical where states are) and queues the new ones.
    fn seed(&mut self, inits: &[ClusterState<Concrete>]) {
        let (m, g) = (self.m, &mut self.g);
        let mut key_buf: Vec<i16> = Vec::with_capacity(128);
        for init in inits {
            // Successors are observed from their parents' monitors (intents::observe_after).
            debug_assert!(
                intents::observe(&Concrete, m, init.clone()) == *init,
                "search bug: an initial state whose monitors were not observed"
            );
            let mut canon = init.clone();
            stored_form(
                g.canonical.as_deref(),
                g.deployments.as_ref(),
                &mut canon,
                &mut self.scratch,
                &mut self.deployment_perm,
            );
            canon.pack_fields_into(None, self.fields, &mut key_buf);
            if let Some(id) = g.states.find(&key_buf) {
                g.origins.push((id, init.clone()));
                continue;
            }
            let id = g.states.insert(&key_buf);
            g.origins.push((id, init.clone()));
            g.parent.push(None);
            g.depth.push(0);
            g.stutters.push(false);
            self.stop |= !(self.on_state)(id, &canon, None, g);
            self.queue.push_back(id);
        }
    }

    /// Whether the caller's deadline has passed, looked at before `u` is expanded; then the
    /// search is cut short at `u`'s depth. The clock is read
    /// once every [`LOOK_EVERY`] states while they are quick (its cost stays out of the
    /// search), and before every state once they are slow: on a large cluster one state takes
    /// tens of milliseconds, and 64 of them would overrun the deadline by seconds.
    fn past_deadline(&mut self, u: u32) -> bool {
        let Some(deadline) = self.deadline else { return false };
        if self.popped < self.next_look {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            self.g.truncated = true;
            self.g.deadline_at = Some(self.g.depth[u as usize] as usize);
            return true;
        }
        let slow = now.duration_since(self.looked) > QUICK;
        self.next_look = self.popped + if slow { 1 } else { LOOK_EVERY };
        self.looked = now;
        false
    }

    /// Expands state `u`: its enabled steps, its successors stored and queued. `false` when
    /// the search stops here (asked to, or a limit passed before `u` was expanded).
    fn expand(&mut self, u: u32) -> bool {
        let g = &mut self.g;
        if self.stop {
            g.truncated = true;
            return false;
        }
        if let Some(why) = crate::limits::stopped() {
            g.truncated = true;
            g.stopped_at = Some((why, g.depth[u as usize] as usize));
            return false;
        }
        if self.past_deadline(u) {
            return false;
        }
        let g = &mut self.g;
        self.popped += 1;
        if self.popped.is_multiple_of(4096) && self.reported.elapsed().as_secs() >= 1 {
            self.reported = Instant::now();
            log::info!(
                target: crate::PROGRESS,
                "depth {} of {}: {} states, {} transitions ({:.1} s)",
                g.depth[u as usize],
                self.opts.max_depth,
                g.states.len(),
                g.transitions,
                self.started.elapsed().as_secs_f64()
            );
        }
        debug_assert_eq!(u, g.expanded, "search bug: states expanded out of id order");
        g.expanded = u + 1;
        // Its key as stored is its key: its successors' keys are patched from it.
        g.states.load_keyed(u, &mut self.st, &mut self.parent_key);
        debug_assert!(
            self.parent_key == {
                let mut whole = Vec::new();
                self.st.pack_fields_into(None, self.fields, &mut whole);
                whole
            },
            "search bug: a state's key as stored is not its key"
        );
        // Its node rows (its successors' canonical forms start from them) and twins.
        self.expanded.prepare(&self.st, g.canonical.as_deref(), &mut self.parent_rows);
        enabled_into(self.m, self.reg, &self.index, &self.expanded.twin, &self.st, &mut self.en);
        // A limit passed while the guards were asked leaves them unfinished: not used.
        if let Some(why) = crate::limits::stopped() {
            g.truncated = true;
            g.stopped_at = Some((why, g.depth[u as usize] as usize));
            return false;
        }
        // A step whose outcome depends on the order of Deployments, enabled where states are
        // stored up to renaming them: its successors from this state are not those of every
        // state the stored one stands for, so the search stops (the check searches again
        // without renaming Deployments).
        if let Some(d) = g.deployments.as_ref().filter(|d| !d.watched.is_empty()) {
            if self.en.out.iter().any(|&l| d.watched.contains(&(g.labels[l as usize].actor as usize))) {
                g.left_renaming = true;
                g.truncated = true;
                self.stop = true;
                return false;
            }
        }
        if self.en.out.is_empty() {
            g.stutters[u as usize] = true;
            return true;
        }
        if g.depth[u as usize] as usize >= self.opts.max_depth {
            g.truncated = true;
            return true;
        }
        // An ample set where there are no twin nodes (por.rs): `en.out` becomes it, `ample`
        // keeps every enabled step.
        let reduced = match &mut self.reduction {
            Some(r) if !self.expanded.twin.contains(&true) => r.ample(&self.st, &self.en.out, &mut self.ample),
            _ => false,
        };
        if reduced {
            std::mem::swap(&mut self.en.out, &mut self.ample);
        }
        let back = self.successors(u);
        // The cycle proviso: an ample set that reaches a state discovered no later than `u`
        // may close a cycle, so `u` takes every enabled step (every cycle of the reduced graph
        // then has a fully expanded state).
        if reduced && back && !self.stop {
            let taken = std::mem::take(&mut self.en.out);
            self.en.out.extend(self.ample.iter().copied().filter(|l| !taken.contains(l)));
            if let Some(r) = &mut self.reduction {
                r.reduced -= 1;
            }
            self.successors(u);
        }
        true
    }

    /// Builds and stores the expanded state's successors (`en.out`'s steps) in chunks of
    /// [`CHUNK`]: a successor is a whole state, and a state of thousands of pod groups with
    /// thousands of steps enabled would otherwise hold thousands of them at once. A limit that
    /// has passed, or the caller's deadline, stops the search between two successors (on a
    /// large cluster each is a state of megabytes, and a new one that violates an intent has
    /// its run rebuilt: see [`interruption`]); the state is then only partly expanded (its
    /// depth is what the search covered, as when a limit stops it between two states).
    /// Whether some successor was a state discovered no later than `u`.
    fn successors(&mut self, u: u32) -> bool {
        let n = self.en.out.len();
        let mut back = false;
        let mut lo = 0;
        while lo < n && !self.stop {
            let hi = n.min(lo + CHUNK);
            let built = self.build_successors(lo..hi);
            back |= self.store_successors(u, lo..lo + built);
            if lo + built < hi && !self.stop {
                if let Some(cut) = interruption(self.deadline, true) {
                    cut_at(&mut self.g, u, cut);
                    self.stop = true;
                }
            }
            lo = hi;
        }
        back
    }

    /// Builds every successor of the expanded state, each with its key and hash, prefetching
    /// its table slot, then the stored keys those slots name. On a large store a lookup is
    /// two cache misses in a row, and a state's successors are independent of one another,
    /// so their misses overlap instead of adding up ([`store_successors`](Self::store_successors)
    /// then looks them up in label order, so ids are those of a one-at-a-time search). Returns
    /// how many were built: all of them, unless a limit or the deadline passed first.
    fn build_successors(&mut self, steps: std::ops::Range<usize>) -> usize {
        let (m, fields, st) = (self.m, self.fields, &self.st);
        let mut n = steps.len();
        // States stored as reached: successors on a node of an actor that changes only that
        // node (or of a step that changes no node) get keys patched from their parent's, as
        // it was loaded.
        let patched = self.g.canonical.is_none();
        while self.succ.len() < n {
            self.succ.push(Successor {
                state: self.first.clone(),
                key: Vec::new(),
                enc: Vec::new(),
                hash: 0,
                renamed: false,
                perm: Vec::new(),
            });
        }
        let scratch = &mut self.scratch;
        for (i, (&li, x)) in self.en.out[steps].iter().zip(&mut self.succ).enumerate() {
            if interruption(self.deadline, looks(i)).is_some() {
                n = i;
                break;
            }
            let s = self.labels[li as usize];
            x.state.copy_from(st, fields);
            self.reg[s.actor as usize].update_into(&Concrete, m, &s, st, &mut x.state);
            debug_assert!(
                !x.state.conditions_differing_from(self.first).has(fields.left_out),
                "model bug: {s:?} changes node conditions"
            );
            intents::observe_after(m, st, &mut x.state);
            // Looked up by the key of its canonical renaming; only a state kept is renamed.
            // Its key is its parent's with the nodes the step changed or the renaming moved
            // written over (a step changes few nodes, and a renaming moves few).
            match &self.g.canonical {
                Some(c) => {
                    let only = self.index.patch[li as usize];
                    x.renamed = x.state.canonical_order_after(st, &self.parent_rows, c, only, scratch);
                    let perm = x.renamed.then_some(scratch.perm.as_slice());
                    patch_key(&x.state, &self.parent_key, perm, &scratch.dirty, fields, &mut x.key, || {
                        "search bug: a successor's key patched from its parent's is not its key".into()
                    });
                    if x.renamed {
                        x.perm.clone_from(&scratch.perm);
                    }
                }
                None => {
                    x.renamed = false;
                    match self.index.patch[li as usize].filter(|_| patched) {
                        Some(node) => patch_key(&x.state, &self.parent_key, None, &[node], fields, &mut x.key, || {
                            format!("model bug: {s:?} changes another node than its own")
                        }),
                        None if patched && self.index.no_node[li as usize] => {
                            patch_key(&x.state, &self.parent_key, None, &[], fields, &mut x.key, || {
                                format!("model bug: {s:?} changes a per-node value")
                            })
                        }
                        None => x.state.pack_fields_into(None, fields, &mut x.key),
                    }
                }
            }
            // Interchangeable Deployments: the node-canonical state with its blocks sorted (and
            // its nodes in order again where that moved one), as `stored_form` gives.
            if let Some(deps) = &self.g.deployments {
                if x.renamed {
                    x.state.apply_renaming(&x.perm);
                    x.renamed = false;
                }
                if deps.canonicalize(&mut x.state, &mut self.deployment_perm) {
                    if let Some(c) = &self.g.canonical {
                        x.state.canonicalize(c, &mut self.form_scratch);
                    }
                    x.state.pack_fields_into(None, fields, &mut x.key);
                }
            }
            x.enc.clear();
            self.g.states.encode(&x.key, &mut x.enc);
            x.hash = Store::hash(&x.enc);
            self.g.states.prefetch(x.hash);
        }
        for x in &self.succ[..n] {
            self.g.states.prefetch_match(x.hash);
        }
        n
    }

    /// Looks the successors [`build_successors`](Self::build_successors) built up in label
    /// order, stores and queues the new ones (renamed to be canonical where they are) and
    /// records the transitions from `u`; stops the search at the state limit, or once a limit
    /// of the run has passed (before the next successor). Whether some
    /// successor was a state discovered no later than `u` (`u` itself included).
    fn store_successors(&mut self, u: u32, steps: std::ops::Range<usize>) -> bool {
        let g = &mut self.g;
        let mut back = false;
        for (i, (&li, x)) in self.en.out[steps].iter().zip(&mut self.succ).enumerate() {
            if let Some(cut) = interruption(self.deadline, looks(i)) {
                cut_at(g, u, cut);
                self.stop = true;
                break;
            }
            g.transitions += 1;
            let v = match g.states.find_hashed(&x.enc, x.hash) {
                Some(v) => {
                    back |= v <= u;
                    v
                }
                None => {
                    if g.states.len() >= self.opts.max_states {
                        g.truncated = true;
                        g.state_limit_at = Some(g.depth[u as usize] as usize);
                        self.stop = true;
                        break;
                    }
                    let v = g.states.insert_hashed(&x.enc, x.hash);
                    if x.renamed {
                        x.state.apply_renaming(&x.perm);
                    }
                    g.parent.push(Some((u, li)));
                    g.depth.push(g.depth[u as usize] + 1);
                    g.stutters.push(false);
                    self.stop |= !(self.on_state)(v, &x.state, Some(&self.labels[li as usize]), g);
                    self.queue.push_back(v);
                    v
                }
            };
            if self.keep_edges {
                g.edges.push(u, v, li);
            }
        }
        back
    }
}

/// What cuts a state's expansion short before one of its successors.
enum Cut {
    /// A limit of the run (`crate::limits`) has passed.
    Limit(crate::limits::Stop),
    /// The caller's deadline has passed.
    Deadline,
}

/// How many successors are built or stored between two looks at the clock for the caller's
/// deadline (the run's limits are a flag, looked at before every one).
const DEADLINE_EVERY: usize = 16;

/// Whether the clock is read before the `k`th successor of a chunk: every [`DEADLINE_EVERY`]
/// of them, not before the first (the deadline was looked at before the state, and most
/// states have a few successors: reading the clock for each would slow a quick search).
fn looks(k: usize) -> bool {
    k > 0 && k.is_multiple_of(DEADLINE_EVERY)
}

/// Why the expansion under way stops here, if it does: a limit of the run, or `deadline`
/// where the clock is read (`look`).
fn interruption(deadline: Option<Instant>, look: bool) -> Option<Cut> {
    if let Some(why) = crate::limits::stopped() {
        return Some(Cut::Limit(why));
    }
    (look && deadline.is_some_and(|d| Instant::now() >= d)).then_some(Cut::Deadline)
}

/// Records in `g` that the search stopped in `u`'s expansion, for `cut`.
fn cut_at(g: &mut Graph, u: u32, cut: Cut) {
    g.truncated = true;
    let depth = g.depth[u as usize] as usize;
    match cut {
        Cut::Limit(why) => g.stopped_at = Some((why, depth)),
        Cut::Deadline => g.deadline_at = Some(depth),
    }
}

/// The interchangeable Deployments a check with `opts` stores states up to a renaming of:
/// with symmetry and without partial-order reduction (whose ample sets are worked out on
/// states as reached), where the model has some.
pub(super) fn symmetric_deployments(m: &Model, opts: &Options) -> Option<Deployments> {
    (opts.symmetry && !opts.reduction).then(|| Deployments::of(m)).flatten()
}

/// Expands every state `g`'s search expanded again, without building a successor: unpacks
/// it, works out its node rows and twins, and asks its guards, as the search that made `g`
/// did (`m` and `opts` must be those of that search, with states stored in canonical forms
/// as [`explore`] stores them), and tells `each` the state and its enabled steps (indices
/// into `g.labels`). What this costs is what a search of `g`'s states spends on them before
/// it builds any successor: the `explicit` bench times it (`KBMC_BENCH_EXPAND_FLOOR`) as a
/// floor that no change to successors, keys or the visited set can go below.
pub fn expand_again(m: &Model, opts: &Options, g: &Graph, mut each: impl FnMut(u32, &[u32])) {
    let reg = registry::<Concrete>();
    let classes = symmetry_classes(m);
    let mut index = LabelIndex::of(m, &reg, &g.labels);
    index.rename_guards &= g.canonical.is_none();
    let mut en = EnabledBuf::remembering(reg.len());
    let mut expanded = Twins::new(m, opts, &classes);
    let (mut rows, mut st) = (Scratch::default(), g.states.get(0));
    for u in 0..g.expanded {
        g.states.load(u, &mut st);
        expanded.prepare(&st, g.canonical.as_deref(), &mut rows);
        enabled_into(m, &reg, &index, &expanded.twin, &st, &mut en);
        each(u, &en.out);
    }
}

/// Writes into `key` the key of `st` (renamed by `perm`) from `parent_key`, the key of a state
/// that differs from `st`'s renaming at most at `dirty` (positions of per-node values) and in
/// values that are not per node: only those are packed. Under debug assertions (the test
/// suite) the result is compared with the whole key, and `broken` says what went wrong.
fn patch_key(
    st: &ClusterState<Concrete>,
    parent_key: &[i16],
    perm: Option<&[usize]>,
    dirty: &[usize],
    fields: Fields,
    key: &mut Vec<i16>,
    broken: impl FnOnce() -> String,
) {
    key.clear();
    key.extend_from_slice(parent_key);
    st.pack_dirty_into(perm, dirty, fields, key);
    if cfg!(debug_assertions) {
        let mut whole = Vec::new();
        st.pack_fields_into(perm, fields, &mut whole);
        assert!(*key == whole, "{}", broken());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::relation::enabled_ids;

    /// Expanding a search's states again, as the explicit bench's expansion floor does, asks
    /// the same guards with the same twins: on every bundled case (with and without symmetry,
    /// and cut short by a state limit) it enables, state by state, the steps [`enabled_ids`]
    /// does, and where no limit cut the search short, as many steps as the search took from
    /// the states within the depth bound.
    #[test]
    fn expanding_again_enables_what_the_search_did() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
        let mut dirs: Vec<_> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).collect();
        dirs.sort();
        let reg = registry::<Concrete>();
        for dir in &dirs {
            let (ir, _) = crate::load_model(std::slice::from_ref(dir), false).unwrap();
            let m = Model::new(&ir);
            let classes = symmetry_classes(&m);
            for (symmetry, max_states) in [(true, 3_000_000), (false, 3_000_000), (true, 40)] {
                let opts = Options {
                    max_depth: m.ir.bounds.steps as usize,
                    max_states,
                    symmetry,
                    reduction: false,
                    all: true,
                };
                let g = explore(&m, &opts, |_, _| true);
                let what = format!("{} symmetry {symmetry} limit {max_states}", dir.display());
                let (mut asked, mut took) = (0, 0);
                expand_again(&m, &opts, &g, |u, enabled| {
                    assert_eq!(u, asked, "{what}: states out of order");
                    asked += 1;
                    let st = g.states.get(u);
                    assert_eq!(enabled, enabled_ids(&m, &reg, &g.labels, &classes, symmetry, &st), "{what}: state {u}");
                    if (g.depth[u as usize] as usize) < opts.max_depth {
                        took += enabled.len();
                    }
                });
                assert_eq!(asked, g.expanded, "{what}");
                if g.state_limit_at.is_none() {
                    assert_eq!(g.expanded as usize, g.states.len(), "{what}");
                    assert_eq!(took, g.transitions, "{what}");
                } else {
                    // The limit stopped the search in its last state's steps.
                    assert!(took >= g.transitions && (g.expanded as usize) < g.states.len(), "{what}");
                }
            }
        }
    }
}
