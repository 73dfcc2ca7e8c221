//! The step relation both engines explore: what is enabled in a state under the timing policy
//! (atomic steps first, then under `urgent` the fast actors, then the rest), the stutter step
//! (nothing else can happen; time passes), canonical choice among identical nodes (a label on
//! a node with a lower-index twin left out; the classes are `symmetry.rs`'s), guards batched
//! or remembered where an actor's hints allow (`memo.rs`), and the one-step successors of a
//! state. The explicit search expands states with it, the symbolic engine unrolls it and
//! replays it on concrete states. It must not store or count states.

mod memo;
mod symmetry;

pub use symmetry::{node_classes, static_classes, symmetry_classes, twins};

use crate::domain::Concrete;
use crate::ir::Timing;
use crate::model::hints::{ExplicitHints, NoHints};
use crate::model::state::Scratch;
use crate::model::{intents, Class, ClusterState, Controller, Model, Step};
use memo::GuardMemo;

/// The label of a stutter step (nothing else can happen; time passes).
pub const STUTTER: Step = Step { actor: u8::MAX, op: 0, a: 0, b: 0, v: 0 };

/// The explicit hints of actor `c`: its own, or the defaults.
pub fn hints_of(c: &dyn Controller<Concrete>) -> &dyn ExplicitHints {
    c.explicit_hints().unwrap_or(&NoHints)
}

/// The steps enabled in `st` under the timing policy, with symmetric duplicates removed.
pub fn enabled(
    m: &Model,
    reg: &[Box<dyn Controller<Concrete>>],
    labels: &[Step],
    classes: &[usize],
    symmetry: bool,
    st: &ClusterState<Concrete>,
) -> Vec<Step> {
    enabled_ids(m, reg, labels, classes, symmetry, st).into_iter().map(|i| labels[i as usize]).collect()
}

/// [`enabled`], as indices into `labels`.
pub fn enabled_ids(
    m: &Model,
    reg: &[Box<dyn Controller<Concrete>>],
    labels: &[Step],
    classes: &[usize],
    symmetry: bool,
    st: &ClusterState<Concrete>,
) -> Vec<u32> {
    let twin = if symmetry {
        let mut rows = Scratch::default();
        st.node_rows(&mut rows);
        twins(classes, &rows)
    } else {
        vec![false; m.nodes()]
    };
    let mut buf = EnabledBuf::default();
    enabled_into(m, reg, &LabelIndex::of(m, reg, labels), &twin, st, &mut buf);
    buf.out
}

/// What [`enabled_into`] asks of the labels, worked out once per search rather than once per
/// state: where each actor's labels begin and end, and the node each label's step is on.
pub(crate) struct LabelIndex<'a> {
    labels: &'a [Step],
    /// Per actor with labels: its index, the pass it is asked in and its labels' range
    /// (all_steps groups them so).
    actors: Vec<(u8, Pass, std::ops::Range<usize>)>,
    /// Per label: the node its step is on ([`Controller::node_of`]).
    node: Vec<Option<usize>>,
    /// Per label: its node, where its actor changes the per-node values of that node only
    /// ([`Hints::changes_only_its_node`](ExplicitHints::changes_only_its_node)): a successor's
    /// key is its parent's with that node's values and the values that are not per node written
    /// over.
    pub(crate) patch: Vec<Option<usize>>,
    /// Per label: whether its step is on no node and changes no per-node value
    /// ([`changes_no_node`](ExplicitHints::changes_no_node)): a successor's key is its
    /// parent's with the values that are not per node written over.
    pub(crate) no_node: Vec<bool>,
    /// The model's [`static_classes`] (guards may be remembered up to renaming them).
    classes: Vec<usize>,
    /// Guards may be remembered up to renaming nodes of a static class where an actor allows
    /// it: some class has two nodes, and the search stores states as reached (states stored
    /// up to renaming share guard keys as they stand).
    pub(crate) rename_guards: bool,
}

impl<'a> LabelIndex<'a> {
    /// Whether the labels of `range` come in blocks of one label per node, in node order.
    fn node_blocks(&self, range: std::ops::Range<usize>) -> bool {
        let nn = self.classes.len();
        nn > 0 && range.len().is_multiple_of(nn) && range.clone().all(|i| self.node[i] == Some((i - range.start) % nn))
    }

    pub(crate) fn of(m: &Model, reg: &[Box<dyn Controller<Concrete>>], labels: &'a [Step]) -> Self {
        let mut actors: Vec<(u8, Pass, std::ops::Range<usize>)> = Vec::new();
        for (i, s) in labels.iter().enumerate() {
            match actors.last_mut() {
                Some((a, _, r)) if *a == s.actor => r.end = i + 1,
                _ => {
                    let pass = match reg[s.actor as usize].class() {
                        Class::Atomic => Pass::Atomic,
                        Class::Fast => Pass::Fast,
                        Class::Periodic | Class::Event => Pass::Rest,
                    };
                    actors.push((s.actor, pass, i..i + 1));
                }
            }
        }
        let node: Vec<Option<usize>> = labels.iter().map(|s| reg[s.actor as usize].node_of(s)).collect();
        let patch = labels
            .iter()
            .zip(&node)
            .map(|(s, &n)| n.filter(|_| hints_of(&*reg[s.actor as usize]).changes_only_its_node()))
            .collect();
        let no_node = labels
            .iter()
            .zip(&node)
            .map(|(s, &n)| n.is_none() && hints_of(&*reg[s.actor as usize]).changes_no_node(m, s))
            .collect();
        let classes = static_classes(m);
        let rename_guards = classes.iter().enumerate().any(|(n, &c)| c != n);
        LabelIndex { labels, actors, node, patch, no_node, classes, rename_guards }
    }
}

/// The order in which `enabled_into` asks actors, by class.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Atomic,
    Fast,
    Rest,
}

/// The buffers [`enabled_into`] reuses from one expanded state to the next.
#[derive(Default)]
pub(crate) struct EnabledBuf {
    /// The enabled steps, as indices into the labels.
    pub(crate) out: Vec<u32>,
    ids: Vec<u32>,
    batch: Vec<Step>,
    /// Per actor, once asked: the guards remembered by its guard key
    /// ([`Hints::guard_key`](ExplicitHints::guard_key)). Empty: guards are not remembered (a
    /// one-off question).
    pub(crate) memo: Vec<Option<GuardMemo>>,
    /// The guards of one actor's labels, as [`GuardMemo::guards`] leaves them.
    ok: Vec<bool>,
}

impl EnabledBuf {
    /// Buffers that remember the guards of actors with a guard key, for a search.
    pub(crate) fn remembering(actors: usize) -> Self {
        EnabledBuf { memo: (0..actors).map(|_| None).collect(), ..Default::default() }
    }
}

/// [`enabled`], given the state's twins (see [`twins`]), into `buf.out` as indices into
/// `labels`, reusing `buf`'s allocations (a search calls it once per expanded state).
pub(crate) fn enabled_into(
    m: &Model,
    reg: &[Box<dyn Controller<Concrete>>],
    index: &LabelIndex,
    twin: &[bool],
    st: &ClusterState<Concrete>,
    buf: &mut EnabledBuf,
) {
    let EnabledBuf { out, ids, batch, memo, ok } = buf;
    out.clear();
    // Labels' nodes are asked for only when some node is a twin (a call per label otherwise).
    let any_twin = twin.contains(&true);
    // Steps that finish another actor's step (Class::Atomic) pre-empt every other actor.
    // Under `urgent` timing the fast actors go next, and the others' guards (the HPA's and
    // the descheduler's are costly) are not even evaluated while a fast step is enabled.
    let labels = index.labels;
    for pass in [Pass::Atomic, Pass::Fast, Pass::Rest] {
        // One batch per actor.
        for (actor, range) in index.actors.iter().filter(|a| a.1 == pass).map(|a| (a.0, a.2.clone())) {
            let (start, end) = (range.start, range.end);
            let c = &reg[actor as usize];
            // Canonical choice: a lower-index twin in the same state takes a step on a node
            // instead of it.
            let by_twin = |i: usize| any_twin && index.node[i].is_some_and(|n| twin[n]);
            let remembered =
                memo.get_mut(actor as usize).is_some_and(|slot| {
                    slot.get_or_insert_with(|| GuardMemo::new(index.rename_guards && index.node_blocks(start..end)))
                        .guards(c.as_ref(), m, &index.classes, st, &labels[start..end], ok)
                });
            if remembered {
                out.extend((start..end).zip(ok.iter()).filter(|&(i, &ok)| ok && !by_twin(i)).map(|(i, _)| i as u32));
            } else if any_twin {
                ids.clear();
                batch.clear();
                for i in (start..end).filter(|&i| !by_twin(i)) {
                    ids.push(i as u32);
                    batch.push(labels[i]);
                }
                guards_into(c.as_ref(), m, st, ids.iter().copied(), batch, out);
            } else {
                guards_into(c.as_ref(), m, st, start as u32..end as u32, &labels[start..end], out);
            }
        }
        let preempts = pass == Pass::Atomic || (pass == Pass::Fast && m.ir.timing == Timing::Urgent);
        if preempts && !out.is_empty() {
            break;
        }
    }
}

/// Appends to `out` the ids (one per label of `batch`, in order) of the labels of actor `c`
/// enabled in `st`.
pub(crate) fn guards_into(
    c: &dyn Controller<Concrete>,
    m: &Model,
    st: &ClusterState<Concrete>,
    ids: impl Iterator<Item = u32>,
    batch: &[Step],
    out: &mut Vec<u32>,
) {
    match hints_of(c).batch_guard(m, batch, st) {
        Some(ok) => out.extend(ids.zip(ok).filter(|(_, ok)| *ok).map(|(i, _)| i)),
        None => out.extend(ids.zip(batch).filter(|(_, s)| c.guard(&Concrete, m, s, st)).map(|(i, _)| i)),
    }
}

/// The states the canonical-choice relation reaches from `st` in one step (what
/// [`enabled`] allows, each update observed by the intents' monitors), or `st` itself when
/// nothing is enabled (it stutters). The relation the symbolic engine unrolls, for searches
/// other than the breadth-first one (which canonicalizes and stores as it goes).
pub fn next_states(
    m: &Model,
    reg: &[Box<dyn Controller<Concrete>>],
    labels: &[Step],
    classes: &[usize],
    st: &ClusterState<Concrete>,
) -> Vec<ClusterState<Concrete>> {
    let d = Concrete;
    let en = enabled(m, reg, labels, classes, true, st);
    if en.is_empty() {
        return vec![st.clone()];
    }
    en.iter().map(|s| intents::observe(&d, m, reg[s.actor as usize].update(&d, m, s, st))).collect()
}
