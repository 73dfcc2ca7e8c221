//! What an engine may ask of an actor beyond its semantics, declared by the model so that a
//! controller offers its hints next to its semantics (`Controller::explicit_hints`,
//! `Controller::symbolic_hints`) and no engine names a controller type to find them.
//! [`ExplicitHints`]: guards of many labels at once in a concrete state, keys that let a
//! search remember guards from state to state, and promises about what a step leaves alone.
//! [`SymbolicHints`]: cheaper formulas for "some label is enabled" and guards built at once.
//! Every hint is optional (the defaults are `Controller::guard` label by label and every
//! successor packed whole) and must agree with the semantics: the engines' tests check each
//! against the controller's own guards and updates on the reachable states of every bundled
//! case. Must not change what a step does; imports no engine and no solver (the formulas are
//! built through the value domain).

use crate::domain::{Concrete, Domain};
use crate::model::{ClusterState, Model, Step};

pub trait ExplicitHints: Sync {
    /// The guards of many of this actor's labels at once, in a concrete state, for
    /// controllers whose guards share work (the scheduler scores every node once per pod
    /// group, not once per label). `None`: evaluate `guard` per label. Must agree with `guard`
    /// (a test checks it on every bundled case).
    fn batch_guard(&self, _m: &Model, _labels: &[Step], _st: &ClusterState<Concrete>) -> Option<Vec<bool>> {
        None
    }
    /// What this actor's guards read of a concrete state, written into `key`, for a search
    /// that remembers guards from one state to the next: two states with equal keys must
    /// enable the same labels of this actor (a test checks it on the reachable states of
    /// every bundled case). Worth having where guards are costly and read aggregates that
    /// many states share (the scheduler reads node loads, not which usage kind a running pod
    /// has). `None`: no key; the guards are evaluated in every state.
    ///
    /// `Some(w)` with `w > 0` says more: the key ends with one row of `w` values per node, in
    /// node order; the actor's labels come in blocks of one label per node, in node order; and
    /// the actor treats nodes with the same static facts (those `model::relation::static_classes`
    /// groups) alike, so that renaming such nodes in a state renames its key's rows and the
    /// guards of its labels on them in the same way. A search then remembers guards up to
    /// such a renaming (a test checks that too). `Some(0)`: the key decides the guards as it
    /// stands.
    fn guard_key(&self, _m: &Model, _st: &ClusterState<Concrete>, _key: &mut Vec<i64>) -> Option<usize> {
        None
    }
    /// Whether every step of this actor that is on a node (`Controller::node_of`) changes
    /// the per-node values of that node only (values that are not per node, such as pending
    /// pods, budgets and monitors, it may change too). A search that stores states as reached
    /// then writes only those into a successor's key, over its parent's, instead of packing
    /// it whole; under debug assertions (the test suite) every such key is compared with the
    /// whole one.
    fn changes_only_its_node(&self) -> bool {
        false
    }
    /// Whether step `s`, which is on no node (`Controller::node_of` is `None`), changes no
    /// per-node value at all, only values that are not per node (pending pods, say): its
    /// successor's key is then its parent's with those written over, as for
    /// [`changes_only_its_node`](Self::changes_only_its_node) (compared with the whole key
    /// under debug assertions).
    fn changes_no_node(&self, _m: &Model, _s: &Step) -> bool {
        false
    }
    /// Whether step `s` leaves alone everything the scheduler's filters read: it moves no pod
    /// between pending, on a node (bound or running), terminating and gone, nor between
    /// groups or nodes (starting a bound pod keeps it on its node, and a change of usage keeps
    /// a pod's requests), and changes no node's presence, status, cordon or taints. Whether a
    /// pending pod has a feasible node (podAlwaysSchedulable) is then the same after the step
    /// as before, and the search does not ask it again of a state such a step reached (under
    /// debug assertions, the test suite, it still does, and compares). A test checks the
    /// promise on every reachable step of every bundled case.
    fn keeps_pod_placement(&self, _s: &Step) -> bool {
        false
    }
}

pub trait SymbolicHints<D: Domain> {
    /// A formula equivalent to "some label of this actor is enabled" (the disjunction of
    /// every label's guard in `st`) that is cheaper for a solver to decide; the symbolic
    /// engine uses it where the timing policy and the stutter ask whether an actor can act.
    /// `None`: the disjunction of the guards.
    fn any_enabled(&self, _d: &D, _m: &Model, _st: &ClusterState<D>) -> Option<D::Bool> {
        None
    }
    /// The guards of `labels` (all this actor's) in `st`, built at once where they share
    /// work: the scheduler scores every node once per pod group, not once per label, which
    /// on a pool of a thousand nodes is the difference between a million terms per frame and
    /// a thousand. `None`: `Controller::guard` per label. Each must be equivalent to the
    /// label's `guard` (a test checks it).
    fn batch_guard(&self, _d: &D, _m: &Model, _labels: &[Step], _st: &ClusterState<D>) -> Option<Vec<D::Bool>> {
        None
    }
}

/// An actor without hints: every default.
pub struct NoHints;

impl ExplicitHints for NoHints {}

impl<D: Domain> SymbolicHints<D> for NoHints {}
