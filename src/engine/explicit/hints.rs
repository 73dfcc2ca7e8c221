//! What the explicit engine may ask of an actor beyond its semantics, to search faster:
//! guards of many labels at once, keys that let it remember guards from state to state, and
//! promises about what a step leaves alone. Every hint is optional (the defaults make the
//! engine evaluate `Controller::guard` label by label and pack every successor whole), and
//! every hint must agree with the semantics: the tests check each against the controller's
//! own guards and updates on the reachable states of every bundled case, and debug builds
//! compare as the search goes. A controller implements this trait next to its semantics and
//! adds one line to [`of`]. Must not change what a step does.

use std::any::Any;

use crate::domain::{Concrete, Domain};
use crate::model::{ClusterState, Controller, Model, Step};

pub trait Hints: Sync {
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
    /// the actor treats nodes with the same static facts (those [`super::static_classes`]
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

/// An actor without hints.
struct None_;

impl Hints for None_ {}

/// The hints of actor `c`: one line per controller or event that has any.
pub fn of<D: Domain>(c: &dyn Controller<D>) -> &'static dyn Hints {
    use crate::model::controllers::{deployment, hpa, kubelet, scheduler, taint_eviction};
    use crate::model::events::{cpu_change, cpu_pattern};
    let c: &dyn Any = c;
    macro_rules! table {
        ($($t:path),* $(,)?) => {
            $(if c.is::<$t>() { return &$t; })*
        };
    }
    table!(
        scheduler::Scheduler,
        deployment::DeploymentController,
        deployment::Victims,
        hpa::Hpa,
        kubelet::Kubelet,
        taint_eviction::TaintEviction,
        taint_eviction::QueuedEviction,
        cpu_change::CpuChange,
        cpu_pattern::CpuPattern,
    );
    &None_
}
