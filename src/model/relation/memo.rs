//! Guards remembered from state to state: per actor that offers a guard key
//! ([`ExplicitHints::guard_key`](crate::model::hints::ExplicitHints::guard_key)), the guards of its labels by key, optionally
//! up to a renaming of the nodes of a static class, switched off where most lookups miss. It
//! owns the memo and when it gives up; it must not decide what is enabled (every guard it
//! returns is one the actor gave for a state with the same key, and debug builds compare).

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

use super::hints_of;
use crate::domain::Concrete;
use crate::model::{ClusterState, Controller, Model, Step};

/// An actor's guards by guard key: its labels' guards in a state, remembered for every state
/// with the same key, or with a key that is a renaming of it where the actor allows renaming
/// ([`ExplicitHints::guard_key`](crate::model::hints::ExplicitHints::guard_key): rows per node). It stops remembering when
/// most lookups miss (a key that tells most states apart costs more than it saves) and stops
/// growing at [`MEMO_VALUES`].
pub(crate) struct GuardMemo {
    on: bool,
    /// Keys (renamed to canonical order where renamable) and the guards of the state asked,
    /// renamed likewise.
    map: rustc_hash::FxHashMap<Box<[i64]>, Box<[bool]>>,
    /// Key and guard values held, against [`MEMO_VALUES`].
    values: usize,
    lookups: u64,
    misses: u64,
    /// Of those, the lookups and misses of keys with rows (what renaming would change).
    row_lookups: u64,
    row_misses: u64,
    key: Vec<i64>,
    /// Keys with rows may be renamed (see [`ExplicitHints::guard_key`](crate::model::hints::ExplicitHints::guard_key)): the
    /// actor's labels come in blocks of one label per node, in node order, so that a renaming
    /// of nodes is a renaming of labels, and the search stores states as reached.
    renamable: bool,
    /// Keys with rows are renamed: from when most keys as they stand missed.
    renaming: bool,
    /// Lookups of renamed keys that found guards.
    pub(crate) renamed_hits: u64,
    /// A renamable key in canonical order: the key before the rows, then per node in
    /// `order` its static class and row.
    canon: Vec<i64>,
    /// The nodes in canonical order, each after the hash of its class and row.
    order: Vec<(u64, u32)>,
    /// Per node: its place in `order`.
    place: Vec<u32>,
    /// The guards renamed to canonical order, to be remembered.
    renamed: Vec<bool>,
}

/// The most values (key values and guards) one actor's [`GuardMemo`] holds: 8 bytes each at
/// most, 32 MiB.
const MEMO_VALUES: usize = 1 << 22;

impl GuardMemo {
    pub(crate) fn new(renamable: bool) -> Self {
        GuardMemo {
            on: true,
            map: Default::default(),
            values: 0,
            lookups: 0,
            misses: 0,
            row_lookups: 0,
            row_misses: 0,
            key: Vec::new(),
            renamable,
            renaming: false,
            renamed_hits: 0,
            canon: Vec::new(),
            order: Vec::new(),
            place: Vec::new(),
            renamed: Vec::new(),
        }
    }

    /// Writes the guards of `batch` (all of actor `c`'s labels) in `st` into `ok`, from the
    /// memo when a state with the same key, up to renaming nodes of one static class
    /// (`classes`, see [`static_classes`](super::static_classes)) where `c` allows it, was
    /// asked before. `false`: `c` has no guard key, or the memo is off; `ok` is untouched.
    pub(crate) fn guards(
        &mut self,
        c: &dyn Controller<Concrete>,
        m: &Model,
        classes: &[usize],
        st: &ClusterState<Concrete>,
        batch: &[Step],
        ok: &mut Vec<bool>,
    ) -> bool {
        let Some(width) = self.on.then(|| hints_of(c).guard_key(m, st, &mut self.key)).flatten() else {
            self.on = false;
            return false;
        };
        self.lookups += 1;
        self.row_lookups += (width > 0) as u64;
        ok.clear();
        let nn = m.nodes();
        let renamed = self.renaming && width > 0;
        if renamed {
            // Nodes in the order of a hash of their static class and row (ties by index),
            // each written as its class and row: two states whose nodes have the same classes
            // and rows up to renaming get the same key (unless two different rows share a
            // hash, which costs a miss, never a wrong guard: a key found is always a renaming
            // of this state's, within classes since they are in it, and the guards stored with
            // it were renamed likewise). Nodes with equal rows in one class have equal
            // guards, so their order among themselves does not matter.
            let rows_at = self.key.len() - nn * width;
            let rows = &self.key[rows_at..];
            let row = |n: usize| &rows[n * width..(n + 1) * width];
            self.order.clear();
            self.order.extend((0..nn).map(|n| (FxBuildHasher.hash_one((classes[n], row(n))), n as u32)));
            self.order.sort_unstable();
            self.canon.clear();
            self.canon.extend_from_slice(&self.key[..rows_at]);
            self.place.resize(nn, 0);
            for (p, &(_, n)) in self.order.iter().enumerate() {
                self.canon.push(classes[n as usize] as i64);
                self.canon.extend_from_slice(row(n as usize));
                self.place[n as usize] = p as u32;
            }
        }
        let key = if renamed { &self.canon } else { &self.key };
        // Label `i` of a block is on node `i % nn`; renamed, that node is `place[i % nn]`.
        let place = &self.place;
        let at = |i: usize| i - i % nn + place[i % nn] as usize;
        if let Some(known) = self.map.get(key.as_slice()) {
            if renamed {
                self.renamed_hits += 1;
                ok.extend((0..batch.len()).map(|i| known[at(i)]));
            } else {
                ok.extend_from_slice(known);
            }
            debug_assert_eq!(
                *ok,
                batch.iter().map(|s| c.guard(&Concrete, m, s, st)).collect::<Vec<_>>(),
                "search bug: {}'s remembered guards are not its guards",
                c.name()
            );
            return true;
        }
        self.misses += 1;
        self.row_misses += (width > 0) as u64;
        match hints_of(c).batch_guard(m, batch, st) {
            Some(b) => ok.extend(b),
            None => ok.extend(batch.iter().map(|s| c.guard(&Concrete, m, s, st))),
        }
        let guards = if renamed {
            self.renamed.clear();
            self.renamed.resize(ok.len(), false);
            for (i, &g) in ok.iter().enumerate() {
                self.renamed[at(i)] = g;
            }
            &self.renamed
        } else {
            &*ok
        };
        if self.values + key.len() + guards.len() <= MEMO_VALUES {
            self.values += key.len() + guards.len();
            self.map.insert(key.as_slice().into(), guards.as_slice().into());
        }
        if self.lookups.is_multiple_of(4096) {
            if self.renamable && !self.renaming && self.row_misses * 2 > self.row_lookups {
                // Most keys with rows are a state's own as they stand, and may be shared up to
                // renaming: C8 at 39 nodes, whose states are stored as reached, had 1,729
                // keys in its first 2,048 scheduler lookups and 4 up to renaming. Renaming
                // costs a hash and a sort per lookup, wasted where keys as they stand are
                // shared, if only after the first thousand lookups (C8 at 18 nodes: 2.64 s
                // deciding at 4,096 lookups, 2.93 s deciding at 1,024; at 9 nodes 2.03 s
                // without renaming, 2.23 s renaming from the start).
                *self = GuardMemo { renaming: true, ..GuardMemo::new(true) };
            } else if self.misses * 2 > self.lookups {
                // Most states have a key of their own: computing keys only adds work (what
                // renamed keys answered so far is still counted).
                *self = GuardMemo { on: false, renamed_hits: self.renamed_hits, ..GuardMemo::new(false) };
            }
        }
        true
    }
}
