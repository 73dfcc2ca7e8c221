//! `ClusterState<D>`: the mutable part of the cluster as integer arrays over nodes, with pods as
//! counts per (pod group or usage kind, node) — never pod slots: pods of one group at one
//! usage level are interchangeable, so counting them removes their permutations. No logical
//! clock: a repeated configuration is the same state, so oscillations close into cycles.
//!
//! The fields are declared once, in the table below (`state_fields!`): everything that goes
//! over every field (packing, copying, renaming nodes, the solver's frames, equality, ranges,
//! renaming Deployments) is generated from it or iterates it ([`FIELDS`], `slots`), so no
//! other code lists the fields. This module owns the state's layout (packed keys, node rows
//! and canonical node order); it must not give a field a Kubernetes meaning (controllers
//! do) nor know an engine.

mod fields;

use std::hash::BuildHasher;

pub use fields::{Field, Kind, Objects, Range, Shape, Slot, SlotMut};

use crate::domain::{Concrete, Domain};
use crate::model::Model;

/// Node status values.
pub const READY: i64 = 0;
/// NotReady after a node failure.
pub const NOT_READY: i64 = 1;
/// NotReady after a kernel panic.
pub const PANICKED: i64 = 2;
/// NotReady from the start: its Node manifest's Ready condition is not True. No event brings
/// it back (a recovery undoes its own event's failure, not a state the cluster started in).
pub const DECLARED_NOT_READY: i64 = 3;
/// A node the cluster autoscaler added that is not Ready yet: with `present` off, asked of
/// the cloud provider and not registered (an upcoming node); with `present` on, registered
/// and NotReady until its kubelet reports Ready (`events::node_provisioning`).
pub const JOINING: i64 = 4;

/// Which fields a packed key holds and a copy covers: every field but the node conditions
/// (presence, status, cordon, drain, maintenance, panics; see [`Conditions`]) left out. A
/// search leaves out those no step can change, so that every state has its initial state's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields {
    pub left_out: Conditions,
}

impl Fields {
    pub const ALL: Fields = Fields { left_out: Conditions::NONE };
}

/// A set of node conditions, one bit each in the order they are packed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conditions(pub u8);

impl Conditions {
    pub const NONE: Conditions = Conditions(0);
    pub const PRESENT: Conditions = Conditions(1);
    pub const STATUS: Conditions = Conditions(2);
    pub const CORDONED: Conditions = Conditions(4);
    pub const DRAINING: Conditions = Conditions(8);
    pub const MAINTAINED: Conditions = Conditions(16);
    pub const PANICS: Conditions = Conditions(32);
    pub const ALL: Conditions = Conditions(63);

    pub fn has(self, c: Conditions) -> bool {
        self.0 & c.0 != 0
    }

    pub fn with(self, c: Conditions) -> Conditions {
        Conditions(self.0 | c.0)
    }

    /// The conditions not in this set.
    pub fn others(self) -> Conditions {
        Conditions(!self.0 & Conditions::ALL.0)
    }
}

/// The node condition negated in a node's row (see [`ClusterState::node_rows`]): present
/// nodes sort first.
const ROW_NEGATED: Conditions = Conditions::PRESENT;

/// How many node conditions the state has: the fields shaped [`Shape::PerNode`].
pub const CONDITION_COUNT: usize = {
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        if FIELDS[i].shape.condition().is_some() {
            n += 1;
        }
        i += 1;
    }
    n
};

/// Declares `ClusterState`'s fields, one row each, and generates from the rows everything
/// that lists them: the struct, [`FIELDS`] (what each row says, for code that iterates
/// fields), borrowed views of every field in declaration order (`slots`, `slots_mut`) and in
/// packed order, the per-node rows, `map`, `build`, `Clone`, `Debug` and `PartialEq`.
/// Everything else that goes over fields (packing, copying, renaming nodes or Deployments,
/// the solver's frames and equality, induction ranges) iterates these, never a name.
macro_rules! state_fields {
    ($(
        $(#[$doc:meta])*
        $name:ident: $kind:ident, $shape:expr, $pattern:literal, when $when:expr, range $range:expr;
    )*) => {
        pub struct ClusterState<D: Domain> {
            $($(#[$doc])* pub $name: state_fields!(@type $kind),)*
        }

        /// Every field of the state, in declaration order.
        pub const FIELDS: &[Field] = &[$(Field {
            name: stringify!($name),
            kind: Kind::$kind,
            shape: $shape,
            pattern: $pattern,
            when: $when,
            range: $range,
        },)*];

        /// How many fields the state has.
        pub const FIELD_COUNT: usize = [$(stringify!($name)),*].len();

        impl<D: Domain> ClusterState<D> {
            /// Every field, in declaration order ([`FIELDS`]' order).
            pub fn slots(&self) -> [Slot<'_, D>; FIELD_COUNT] {
                [$(Slot::$kind(&self.$name),)*]
            }

            /// Every field, to write, in declaration order.
            pub fn slots_mut(&mut self) -> [SlotMut<'_, D>; FIELD_COUNT] {
                [$(SlotMut::$kind(&mut self.$name),)*]
            }

            /// Calls `f` on every field in the order a packed key holds them
            /// ([`Shape::pack_part`]). Inlined: each call is on a field known at compile time.
            #[inline(always)]
            pub fn for_each_packed<'a>(&'a self, mut f: impl FnMut(Shape, Slot<'a, D>)) {
                $(if const { $shape.pack_part() == 0 } { f($shape, Slot::$kind(&self.$name)); })*
                $(if const { $shape.pack_part() == 1 } { f($shape, Slot::$kind(&self.$name)); })*
                $(if const { $shape.pack_part() == 2 } { f($shape, Slot::$kind(&self.$name)); })*
                $(if const { $shape.pack_part() == 3 } { f($shape, Slot::$kind(&self.$name)); })*
            }

            /// [`for_each_packed`](Self::for_each_packed), to write.
            #[inline(always)]
            pub fn for_each_packed_mut(&mut self, mut f: impl FnMut(Shape, SlotMut<'_, D>)) {
                $(if const { $shape.pack_part() == 0 } { f($shape, SlotMut::$kind(&mut self.$name)); })*
                $(if const { $shape.pack_part() == 1 } { f($shape, SlotMut::$kind(&mut self.$name)); })*
                $(if const { $shape.pack_part() == 2 } { f($shape, SlotMut::$kind(&mut self.$name)); })*
                $(if const { $shape.pack_part() == 3 } { f($shape, SlotMut::$kind(&mut self.$name)); })*
            }

            /// Calls `f` on every field of this state, to write, with the same field of `o`.
            #[inline(always)]
            fn zip_mut(&mut self, o: &Self, mut f: impl FnMut(Shape, SlotMut<'_, D>, Slot<'_, D>)) {
                $(f($shape, SlotMut::$kind(&mut self.$name), Slot::$kind(&o.$name));)*
            }

            /// The per-node rows (every field shaped [`Shape::PerRowAndNode`]), in the order
            /// keys and node rows list them: declaration order. Every pass over all of them
            /// goes through here.
            pub fn pod_rows(&self) -> impl Iterator<Item = &Vec<D::Int>> {
                let rows = std::iter::empty();
                $(state_fields!(@if_grid $kind { let rows = rows.chain(self.$name.iter()); });)*
                rows
            }

            /// [`pod_rows`](Self::pod_rows), to write.
            pub fn pod_rows_mut(&mut self) -> impl Iterator<Item = &mut Vec<D::Int>> {
                let rows = std::iter::empty();
                $(state_fields!(@if_grid $kind { let rows = rows.chain(self.$name.iter_mut()); });)*
                rows
            }

            /// The same state over another domain, value by value (e.g. a concrete state
            /// lifted to solver constants, or a solver model read back), in declaration order.
            pub fn map<E: Domain>(
                &self,
                fi: &impl Fn(&D::Int) -> E::Int,
                fb: &impl Fn(&D::Bool) -> E::Bool,
            ) -> ClusterState<E> {
                ClusterState { $($name: state_fields!(@map $kind, &self.$name, fi, fb),)* }
            }

            /// A state with no values at all (every field empty).
            fn empty() -> Self {
                ClusterState { $($name: Vec::new(),)* }
            }

            /// A state of `m`'s shape whose every value is named (by its field's pattern)
            /// and made by `int` or `boolean` from its name, field by field in declaration
            /// order, row by row (the solver's frames).
            pub fn build(m: &Model, int: &mut impl FnMut(String) -> D::Int, boolean: &mut impl FnMut(String) -> D::Bool) -> Self {
                let mut st = Self::empty();
                for (f, slot) in FIELDS.iter().zip(st.slots_mut()) {
                    let mut names = f.names(m).into_iter();
                    match slot {
                        SlotMut::Ints(v) => v.extend(names.next().into_iter().flatten().map(&mut *int)),
                        SlotMut::Bools(v) => v.extend(names.next().into_iter().flatten().map(&mut *boolean)),
                        SlotMut::Grid(v) => v.extend(names.map(|row| row.into_iter().map(&mut *int).collect())),
                    }
                }
                st
            }
        }

        // Written out because derive would require `D: Clone` of the domain itself.
        impl<D: Domain> Clone for ClusterState<D> {
            fn clone(&self) -> Self {
                ClusterState { $($name: self.$name.clone(),)* }
            }

            // Reuses this state's allocations: a search copies the expanded state into one
            // buffer per successor.
            fn clone_from(&mut self, o: &Self) {
                $(self.$name.clone_from(&o.$name);)*
            }
        }

        impl<D: Domain> std::fmt::Debug for ClusterState<D> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("ClusterState")$(.field(stringify!($name), &self.$name))*.finish()
            }
        }

        impl<D: Domain> PartialEq for ClusterState<D>
        where
            D::Int: PartialEq,
            D::Bool: PartialEq,
        {
            fn eq(&self, o: &Self) -> bool {
                true $(&& self.$name == o.$name)*
            }
        }
    };
    (@type Ints) => { Vec<D::Int> };
    (@type Bools) => { Vec<D::Bool> };
    (@type Grid) => { Vec<Vec<D::Int>> };
    (@if_grid Grid { $($body:tt)* }) => { $($body)* };
    (@if_grid $other:ident { $($body:tt)* }) => {};
    (@map Ints, $v:expr, $fi:ident, $fb:ident) => { $v.iter().map($fi).collect() };
    (@map Bools, $v:expr, $fi:ident, $fb:ident) => { $v.iter().map($fb).collect() };
    (@map Grid, $v:expr, $fi:ident, $fb:ident) => { $v.iter().map(|r| r.iter().map($fi).collect()).collect() };
}

/// The field's values are there in every model.
fn always(_: &Model) -> bool {
    true
}

/// A pod count: at most the model's bound on pods.
fn pods(m: &Model, _: usize) -> (i64, i64) {
    (0, m.max_pods)
}

/// A flag held as 0 or 1.
fn flag(_: &Model, _: usize) -> (i64, i64) {
    (0, 1)
}

/// Replicas as a Deployment may have them.
fn replicas(m: &Model, _: usize) -> (i64, i64) {
    (0, m.ir.bounds.max_pods_per_deployment)
}

/// A stabilization window's recommendation, or -1 for none.
fn window(m: &Model, _: usize) -> (i64, i64) {
    (-1, m.ir.bounds.max_pods_per_deployment)
}

// The state's fields, declared once. A row: the field's doc, name, kind (`Ints`, `Bools`, or
// `Grid`: rows of per-node values), shape (what it is per: see `fields::Shape`, whose
// `Objects` also says how a renaming of Deployments moves it), the names of its solver
// constants (`fields::Field::pattern`), when a model has its values at all, and its range
// (the induction candidates' bounds). Declaration order is the order of `map` and of the
// solver's constants; a packed key holds node conditions first, then per-group counts, then
// per-node rows, then the rest (`Shape::pack_part`). Adding a field is adding a row here
// (and, unless its values start at 0, its initial value in `Model::initial_state`), then the
// controller that uses it.
state_fields! {
    /// Per node slot: part of the topology (fixed during a run).
    present: Bools, Shape::PerNode(Conditions::PRESENT), "node.{node}.present", when always, range None;
    /// Per node: READY, NOT_READY, PANICKED or DECLARED_NOT_READY.
    status: Ints, Shape::PerNode(Conditions::STATUS), "node.{node}.status", when always,
        range Some(|m, _| (READY, if m.ir.autoscaler.is_some() { JOINING } else { DECLARED_NOT_READY }));
    /// Per node: `spec.unschedulable` (cordoned, e.g. by a drain).
    cordoned: Bools, Shape::PerNode(Conditions::CORDONED), "node.{node}.cordoned", when always, range None;
    /// Per node: being drained for maintenance.
    draining: Bools, Shape::PerNode(Conditions::DRAINING), "node.{node}.draining", when always, range None;
    /// Per node: maintenance done (each node is maintained at most once).
    maintained: Bools, Shape::PerNode(Conditions::MAINTAINED), "node.{node}.maintained", when always, range None;
    /// Per node: kernel panics so far.
    panics: Ints, Shape::PerNode(Conditions::PANICS), "node.{node}.panics", when always,
        range Some(|m, _| (0, m.ir.events.iter().map(crate::model::events::initial_budget).sum()));
    /// Per pod group: created, not yet bound.
    pending: Ints, Shape::Per(Objects::Groups), "pod.{of}.pending", when always, range Some(pods);
    /// Per pod group and node: bound by the scheduler (or nodeName), not yet started.
    bound: Grid, Shape::PerRowAndNode(Objects::Groups), "pod.{[of]}.{[node]}.bound", when always, range Some(pods);
    /// Per usage kind and node: running.
    running: Grid, Shape::PerRowAndNode(Objects::Kinds), "pod.{of}.{node}.running", when always, range Some(pods);
    /// Per pod group and node: deleted or evicted, still stopping.
    terminating: Grid, Shape::PerRowAndNode(Objects::Groups), "pod.{[of]}.{[node]}.terminating", when always,
        range Some(pods);
    /// Per pod group and node: pods a descheduler run has picked to evict (its Eviction API
    /// calls not made yet); each `descheduler::Eviction` step makes one, evicting a bound or
    /// running pod of any usage kind or, where the budget refuses or no pod is left, dropping
    /// it. Other controllers act in between, so a pick may outlive its pod. No rows without
    /// a descheduler (`Model::defers_evictions`).
    evicting: Grid, Shape::PerRowAndNode(Objects::Groups), "pod.{[of]}.{[node]}.evicting",
        when |m| m.defers_evictions.contains(&true), range Some(pods);
    /// Pods a ReplicaSet's scale-down sync has chosen to delete and not deleted yet, per node:
    /// first one row per pod group (pods bound, not started), then one row per usage kind
    /// (running pods). The sync chooses its victims from the ranks of the state it started in
    /// (chosen pods stay active, so the ranks stay the sync's), then deletes them one step
    /// each. No rows in a model with fewer than two nodes or no Deployment controller
    /// (`Model::marks_deletions`).
    deleting: Grid, Shape::PerRowAndNode(Objects::GroupsThenKinds), "pod.{[of]}.{[node]}.deleting",
        when |m| m.marks_deletions, range Some(pods);
    /// Per pod group and node: pods whose eviction is requested and not done yet, one
    /// eviction step each (`taint_eviction::QueuedEviction`): the pods of a drained node, or
    /// of a NotReady node whose toleration of the unreachable taint ran out. No rows in a
    /// model without either (`Model::queues_evictions`).
    queued: Grid, Shape::PerRowAndNode(Objects::Groups), "pod.{[of]}.{[node]}.queued",
        when |m| m.queues_evictions, range Some(pods);
    /// Per Deployment: `spec.replicas`.
    desired: Ints, Shape::Per(Objects::Deployments), "deployment.{of}.desired", when always, range Some(replicas);
    /// Per Deployment: index of the current pod template revision.
    revision: Ints, Shape::Per(Objects::Deployments), "deployment.{of}.revision", when always,
        range Some(|m, d| {
            let revisions = m.ir.groups.iter().filter(|g| g.deployment().is_some_and(|x| x.index() == d));
            (0, revisions.map(|g| g.revision as i64).max().unwrap_or(0))
        });
    /// Per HPA: the largest recommendation in the scale-down stabilization window (-1: none).
    hpa_window_max: Ints, Shape::Per(Objects::Hpas), "hpa.{of}.windowMax", when always, range Some(window);
    /// Per HPA: the smallest recommendation in the scale-up stabilization window (-1: none).
    hpa_window_min: Ints, Shape::Per(Objects::Hpas), "hpa.{of}.windowMin", when always, range Some(window);
    /// Per event: how many more times it may fire.
    budget: Ints, Shape::Per(Objects::Events), "event.{of}.budget", when always,
        range Some(|m, e| (0, crate::model::events::initial_budget(&m.ir.events[e])));
    /// Per intent: its monitor's first stage has been reached (e.g. "replicas reached the minimum").
    monitor: Bools, Shape::Per(Objects::Intents), "intent.{of}.monitor", when always, range None;
    /// Per StatefulSet (`Model::stateful_at`): its current revision (`status.currentRevision`;
    /// the update revision is `revision`), then, where a Parallel rolling update makes it
    /// matter, the MaxUnavailableStatefulSet gate (`Model::gate_at`: -1 not chosen yet, 0 off,
    /// 1 on), then, where its volumes are zonal, per ordinal
    /// the zone its volume is bound in (an index into `StatefulSet::claim_zones`; -1: none).
    stateful: Ints, Shape::Per(Objects::StatefulValues), "{of}", when always,
        range Some(|m, i| {
            let (lo, hi) = m.stateful_ranges();
            (lo[i], hi[i])
        });
    /// Per pod group and node: pending pods whose `status.nominatedNodeName` is the node (a
    /// preemption nominated them; counted in `pending` too). No rows unless the scheduler may
    /// preempt (`Model::preempts`).
    nominated: Grid, Shape::PerRowAndNode(Objects::Groups), "pod.{[of]}.{[node]}.nominated",
        when |m| m.preempts, range Some(pods);
    /// Per pod group and node: preemption victims chosen and not deleted yet, one deletion
    /// step each (`preemption::PreemptionVictims`). No rows unless `Model::preempts`.
    preempting: Grid, Shape::PerRowAndNode(Objects::Groups), "pod.{[of]}.{[node]}.preempting",
        when |m| m.preempts, range Some(pods);
    /// Per pod group and node: the pods among `terminating` that a preemption deleted (their
    /// DisruptionTarget condition says PreemptionByScheduler), at most `terminating`. No rows
    /// unless `Model::preempts`.
    preempted: Grid, Shape::PerRowAndNode(Objects::Groups), "pod.{[of]}.{[node]}.preempted",
        when |m| m.preempts, range Some(pods);
    /// Per DaemonSet pod group (`Model::daemon_groups` order) and node: daemon pods created
    /// for that node (a required node affinity on its name) and not yet bound by the
    /// scheduler (at most one per node: controllers/daemonset.rs).
    unscheduled: Grid, Shape::PerRowAndNode(Objects::DaemonGroups), "pod.{[of]}.{[node]}.unscheduled", when always,
        range Some(flag);
    /// Per DaemonSet: index of the current pod template revision.
    daemon_revision: Ints, Shape::Per(Objects::DaemonSets), "daemonset.{[of]}.revision", when always,
        range Some(|m, s| (0, m.ir.daemon_sets[s].revisions.len() as i64 - 1));
    /// Per node, two rows (none in a model without the cluster autoscaler): row 0 is 1 while
    /// the autoscaler is removing the node (tainted ToBeDeletedByClusterAutoscaler and drained
    /// through the Eviction API); row 1 is 1 while the node is in the autoscaler's unneeded
    /// set (found unneeded at one of its checks and at every check since: upstream's
    /// unneeded-since time runs). Per-node rows of [`pod_rows`](Self::pod_rows), renamed and
    /// packed with them.
    scaling_down: Grid, Shape::PerRowAndNode(Objects::Labels(&["scalingDown", "unneeded"])), "node.{node}.{of}",
        when |m| m.ir.autoscaler.is_some(), range Some(flag);
    /// Per node, one row (none unless `Model::pdb_lag`): 1 from the node's failure (or kernel
    /// panic) until the disruption controller's status counts its pods unhealthy
    /// (`disruption::StatusSync`); meanwhile the Eviction API may still count them healthy.
    /// Cleared when the node is Ready again. A per-node row of
    /// [`pod_rows`](Self::pod_rows), renamed and packed with them.
    pdb_stale: Grid, Shape::PerRowAndNode(Objects::Labels(&["pdbStale"])), "node.{node}.{of}",
        when |m| m.pdb_lag, range Some(flag);
    /// One value (none without the cluster autoscaler): 1 while scale-down is held after a
    /// scale-up (`scale-down-delay-after-add` not yet over), else 0.
    scale_up_hold: Ints, Shape::Per(Objects::One), "clusterAutoscaler.scaleUpHold",
        when |m| m.ir.autoscaler.is_some(), range Some(flag);
}

impl ClusterState<Concrete> {
    /// A state of `m`'s shape with every value 0 (or false): where `Model::initial_state`
    /// starts, so that a field whose values start at 0 needs no word there.
    pub fn zeroed(m: &Model) -> Self {
        let mut st = Self::empty();
        for (f, slot) in FIELDS.iter().zip(st.slots_mut()) {
            let (rows, len) = f.size(m);
            match slot {
                SlotMut::Ints(v) => v.resize(rows * len, 0),
                SlotMut::Bools(v) => v.resize(rows * len, false),
                SlotMut::Grid(v) => v.resize(rows, vec![0; len]),
            }
        }
        st
    }

    /// Whether `o` has this state's shape: as many values in every field and row.
    pub fn shaped_as(&self, o: &Self) -> bool {
        self.slots().into_iter().zip(o.slots()).all(|pair| match pair {
            (Slot::Ints(a), Slot::Ints(b)) => a.len() == b.len(),
            (Slot::Bools(a), Slot::Bools(b)) => a.len() == b.len(),
            (Slot::Grid(a), Slot::Grid(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.len() == y.len()),
            _ => false,
        })
    }

    /// Packs the state into a flat vector (the explicit engine's visited-set key).
    pub fn pack(&self) -> Vec<i16> {
        let mut v = Vec::with_capacity(64);
        self.pack_into(&mut v);
        v
    }

    /// Packs the state into `v` (cleared first), reusing its allocation.
    pub fn pack_into(&self, v: &mut Vec<i16>) {
        self.pack_fields_into(None, Fields::ALL, v);
    }

    /// [`pack_into`](Self::pack_into) of this state with its nodes renamed by `perm`
    /// (position -> node, as [`canonical_order`](Self::canonical_order) leaves it): the key
    /// of the renamed state, without renaming this one.
    pub fn pack_renamed_into(&self, perm: &[usize], v: &mut Vec<i16>) {
        self.pack_fields_into(Some(perm), Fields::ALL, v);
    }

    /// The number of values a packed key of `fields` of this state has.
    pub fn packed_len(&self, fields: Fields) -> usize {
        let kept = fields.left_out.others();
        // A grid's rows hold one value per node each (a packer that met another length
        // would stop at its end-of-key check), so its length is a product: this is asked
        // once per key, and summing every row took 2 % of a live snapshot's search.
        let nodes = self.status.len();
        let mut len = 0;
        self.for_each_packed(|shape, slot| {
            len += match slot {
                _ if shape.condition().is_some_and(|c| !kept.has(c)) => 0,
                Slot::Ints(v) => v.len(),
                Slot::Bools(v) => v.len(),
                Slot::Grid(rows) => rows.len() * nodes,
            }
        });
        len
    }

    /// Packs `fields` of the state into `v`, per-node values in `perm` order (`None`: index
    /// order; see [`pack_renamed_into`](Self::pack_renamed_into)).
    pub fn pack_fields_into(&self, perm: Option<&[usize]>, fields: Fields, v: &mut Vec<i16>) {
        // Every key of a model has one length, so after the first state this sets nothing.
        v.resize(self.packed_len(fields), 0);
        self.pack_with(Packer { out: v, at: 0, wide: 0, perm, only: None, kept: fields.left_out.others() });
    }

    /// [`pack_fields_into`](Self::pack_fields_into) over `v`, the key (of the same `fields`)
    /// of a state that differs from this one's renaming by `perm` only at `dirty`, positions
    /// of per-node values: only those and the values that are not per node are written. A
    /// search builds a successor's key from its parent's so, when it knows which nodes the
    /// step changed and where the renaming moved nodes (see
    /// [`canonical_order_after`](Self::canonical_order_after)).
    pub fn pack_dirty_into(&self, perm: Option<&[usize]>, dirty: &[usize], fields: Fields, v: &mut [i16]) {
        assert_eq!(v.len(), self.packed_len(fields), "search bug: a key of another model patched");
        self.pack_with(Packer { out: v, at: 0, wide: 0, perm, only: Some(dirty), kept: fields.left_out.others() });
    }

    // Inlined into each caller, so that the caller's `only` is a constant in every field.
    #[inline(always)]
    fn pack_with(&self, mut w: Packer) {
        self.for_each_packed(|shape, slot| match (shape.condition(), slot) {
            (Some(c), Slot::Ints(xs)) => w.condition_ints(c, xs),
            (Some(c), Slot::Bools(xs)) => w.condition_bools(c, xs),
            (_, Slot::Ints(xs)) => w.ints(xs, false),
            (_, Slot::Bools(xs)) => w.bools(xs, false),
            (_, Slot::Grid(rows)) => {
                for row in rows {
                    w.ints(row, true);
                }
            }
        });
        // Every value written where the key's length said (a row of another length than
        // the node count would end elsewhere: see `packed_len`).
        assert_eq!(w.at, w.out.len(), "model bug: a state's row is not one value per node");
        // One range check for the whole key, after it is written: a check (and its panic
        // path) per value kept the copying loops from vectorizing.
        if !fits_i16(w.wide) {
            self.out_of_range();
        }
    }

    /// Overwrites the values of `fields` with `o`'s, a state of the same model (same shape):
    /// one copy per field, none of `clone_from`'s length and capacity bookkeeping. A search
    /// copies the expanded state into a successor's buffer once per transition.
    pub fn copy_from(&mut self, o: &Self, fields: Fields) {
        let kept = fields.left_out.others();
        self.zip_mut(o, |shape, to, from| match (to, from) {
            _ if shape.condition().is_some_and(|c| !kept.has(c)) => {}
            (SlotMut::Ints(a), Slot::Ints(b)) => a.copy_from_slice(b),
            (SlotMut::Bools(a), Slot::Bools(b)) => a.copy_from_slice(b),
            (SlotMut::Grid(a), Slot::Grid(b)) => {
                assert_eq!(a.len(), b.len(), "model bug: a state copied from one of another shape");
                for (a, b) in a.iter_mut().zip(b) {
                    copy_row(a, b);
                }
            }
            _ => unreachable!("one field is of one kind"),
        });
    }

    /// Overwrites node conditions `cs` with `o`'s.
    pub fn copy_conditions_from(&mut self, o: &Self, cs: Conditions) {
        self.zip_mut(o, |shape, to, from| match (shape.condition(), to, from) {
            (Some(c), SlotMut::Ints(a), Slot::Ints(b)) if cs.has(c) => a.copy_from_slice(b),
            (Some(c), SlotMut::Bools(a), Slot::Bools(b)) if cs.has(c) => a.copy_from_slice(b),
            _ => {}
        });
    }

    /// The node conditions in which this state and `o` differ at some node `(a, b)` pairs:
    /// this state's node `a` against `o`'s node `b`.
    fn differing(&self, o: &Self, pairs: impl Iterator<Item = (usize, usize)> + Clone) -> Conditions {
        let mut d = Conditions::NONE;
        for (f, (x, y)) in FIELDS.iter().zip(self.slots().into_iter().zip(o.slots())) {
            let Some(c) = f.shape.condition() else { continue };
            let differs = match (x, y) {
                (Slot::Ints(x), Slot::Ints(y)) => pairs.clone().any(|(a, b)| x[a] != y[b]),
                (Slot::Bools(x), Slot::Bools(y)) => pairs.clone().any(|(a, b)| x[a] != y[b]),
                _ => unreachable!("a node condition is a vector of values"),
            };
            if differs {
                d = d.with(c);
            }
        }
        d
    }

    /// The node conditions in which this state differs from `o` at some node.
    pub fn conditions_differing_from(&self, o: &Self) -> Conditions {
        self.differing(o, (0..self.status.len()).map(|n| (n, n)))
    }

    /// The node conditions in which nodes `a` and `b` differ.
    pub fn conditions_differing_between(&self, a: usize, b: usize) -> Conditions {
        self.differing(self, std::iter::once((a, b)))
    }

    /// Stops on a value that does not fit the packed range (a model bug: every counter is
    /// bounded well within it), naming the value.
    fn out_of_range(&self) -> ! {
        let wide = |v: &[i64]| v.iter().copied().find(|&x| i16::try_from(x).is_err());
        let x = self.slots().into_iter().find_map(|slot| match slot {
            Slot::Ints(v) => wide(v),
            Slot::Bools(_) => None,
            Slot::Grid(rows) => rows.iter().find_map(|r| wide(r)),
        });
        panic!("model bug: state value {} out of the packed range", x.unwrap_or(i64::MIN));
    }

    /// Overwrites every value with those of a key made by [`pack_into`](Self::pack_into) from a
    /// state of the same model (same shape), reusing this state's allocations.
    pub fn unpack_from(&mut self, key: &[i16]) {
        self.unpack_with(key, Fields::ALL, |k| k as i64);
    }

    /// [`unpack_from`](Self::unpack_from) of a key of `fields` (the others are left as they
    /// are), from the packed values as stored in another form (`value` decodes one).
    pub fn unpack_with<T: Copy>(&mut self, key: &[T], fields: Fields, value: impl Fn(T) -> i64) {
        assert_eq!(key.len(), self.packed_len(fields), "model bug: a packed key of another shape than the state");
        let mut r = Unpacker { key, at: 0, value, kept: fields.left_out.others() };
        self.for_each_packed_mut(|shape, slot| match (shape.condition(), slot) {
            (Some(c), SlotMut::Ints(xs)) => r.condition_ints(c, xs),
            (Some(c), SlotMut::Bools(xs)) => r.condition_bools(c, xs),
            (_, SlotMut::Ints(xs)) => r.ints(xs),
            (_, SlotMut::Bools(xs)) => r.bools(xs),
            (_, SlotMut::Grid(rows)) => {
                for row in rows {
                    r.ints(row);
                }
            }
        });
        assert_eq!(r.at, key.len(), "model bug: a state's row is not one value per node");
    }

    /// Writes each node's per-node state as one row of `scratch.rows` (node `n` at
    /// `n * stride .. (n + 1) * stride`) and a sort key per node into `scratch.keys`, and
    /// returns the stride. Nodes are ordered by (key, row): present nodes first, then by a
    /// hash of the row, then by the row itself, so the order depends only on each node's
    /// state (what canonical forms need) and almost every comparison is one of two integers.
    pub fn node_rows(&self, scratch: &mut Scratch) -> usize {
        let nn = self.status.len();
        let stride = self.row_len();
        let rows = &mut scratch.rows;
        rows.clear();
        rows.resize(nn * stride, 0);
        // Values as i16, as packed, with the same one range check per state: rows a quarter
        // the size of i64 ones to write, hash and compare. (Twins are also found on states
        // that are never packed, so a truncated value here would be a silent wrong twin.)
        let mut wide = 0u64;
        let mut narrow = |v: i64| {
            wide |= biased(v);
            v as i16
        };
        // The condition values ([`row_head`](Self::row_head)), condition by condition: one
        // strided pass per vector, as for the per-node rows below (`row_head`, a call per node
        // with a bounds check per value, took 3 % of C4's instructions).
        let mut i = 0;
        self.for_each_packed(|shape, slot| {
            let Some(c) = shape.condition() else { return };
            match slot {
                Slot::Ints(v) => rows.chunks_exact_mut(stride).zip(v).for_each(|(r, &x)| r[i] = narrow(x)),
                Slot::Bools(v) => {
                    let flip = c == ROW_NEGATED;
                    rows.chunks_exact_mut(stride).zip(v).for_each(|(r, &x)| r[i] = narrow((x != flip) as i64))
                }
                Slot::Grid(_) => unreachable!("a node condition is a vector of values"),
            }
            i += 1;
        });
        debug_assert!(
            (0..nn).all(|n| rows[n * stride..n * stride + CONDITION_COUNT]
                .iter()
                .zip(self.row_head(n))
                .all(|(&x, v)| x as i64 == v)),
            "search bug: node rows' conditions are not row_head's"
        );
        for (i, row) in self.per_node_counts().enumerate() {
            for (r, &v) in rows.chunks_exact_mut(stride).zip(row) {
                r[CONDITION_COUNT + i] = narrow(v);
            }
        }
        if !fits_i16(wide) {
            self.out_of_range();
        }
        scratch.keys.clear();
        scratch.keys.extend(rows.chunks_exact(stride).take(nn).map(row_key));
        static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        scratch.made = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        scratch.copied_from = 0;
        stride
    }

    /// The first values of node `n`'s row: its conditions in declaration order, presence
    /// negated ([`ROW_NEGATED`]: absent nodes last).
    fn row_head(&self, n: usize) -> [i64; CONDITION_COUNT] {
        let mut head = [0; CONDITION_COUNT];
        let mut i = 0;
        self.for_each_packed(|shape, slot| {
            let Some(c) = shape.condition() else { return };
            head[i] = match slot {
                Slot::Ints(v) => v[n],
                Slot::Bools(v) => (v[n] != (c == ROW_NEGATED)) as i64,
                Slot::Grid(_) => unreachable!("a node condition is a vector of values"),
            };
            i += 1;
        });
        head
    }

    /// Values per node row: the node conditions, then one per row of [`per_node_counts`](Self::per_node_counts).
    fn row_len(&self) -> usize {
        CONDITION_COUNT + self.pod_rows().count()
    }

    /// The per-node pod counts, in row order ([`pod_rows`](Self::pod_rows)).
    fn per_node_counts(&self) -> impl Iterator<Item = &Vec<i64>> {
        self.pod_rows()
    }

    /// Renames the nodes of each class (node indices no static fact tells apart, at most 64
    /// per class) so that their per-node states are in [`node_rows`](Self::node_rows) order:
    /// states that differ only by such a renaming become equal.
    pub fn canonicalize(&mut self, classes: &[Vec<usize>], scratch: &mut Scratch) {
        if self.canonical_order(classes, scratch) {
            self.apply_order(scratch);
        }
    }

    /// The renaming [`canonicalize`](Self::canonicalize) would apply, left in `scratch.perm`
    /// (position -> the node whose state goes there) without moving any value. Returns
    /// whether the renaming moves any node. With [`pack_renamed_into`](Self::pack_renamed_into)
    /// a search looks a successor up without permuting its vectors, and permutes only states
    /// it keeps.
    pub fn canonical_order(&self, classes: &[Vec<usize>], scratch: &mut Scratch) -> bool {
        let stride = self.node_rows(scratch);
        let Scratch { order, rows, keys, perm, .. } = scratch;
        perm.clear();
        perm.extend(0..self.status.len());
        let less = row_less(rows, keys, stride);
        let mut moved = false;
        for class in classes {
            order.clear();
            order.extend_from_slice(class);
            // Insertion sort: few nodes are out of order in the states a search meets.
            for i in 1..order.len() {
                let x = order[i];
                let mut j = i;
                while j > 0 && less(x, order[j - 1]) {
                    order[j] = order[j - 1];
                    j -= 1;
                }
                order[j] = x;
            }
            moved |= set_order(perm, class, order);
        }
        moved
    }

    /// [`canonical_order`](Self::canonical_order) of a state a step led to from `before`, a
    /// canonical state whose [`node_rows`](Self::node_rows) are `before_rows`. A step changes
    /// few nodes: the others keep their rows, their keys and, `before` being canonical, their
    /// order, so only the changed nodes' rows are built and placed among them. Leaves in
    /// `scratch.dirty` positions covering every one at which the renamed state differs from
    /// `before` (for [`pack_dirty_into`](Self::pack_dirty_into)): with `before_rows`' runs
    /// of equal rows marked ([`Scratch::mark_runs`]), few more; without, every position
    /// the renaming shifts. With `only`, the step changed no node but that one (its actor's
    /// [`changes_only_its_node`](crate::model::hints::ExplicitHints::changes_only_its_node)): only its
    /// values are compared, not every per-node vector (checked under debug assertions).
    pub fn canonical_order_after(
        &self,
        before: &Self,
        before_rows: &Scratch,
        classes: &[Vec<usize>],
        only: Option<usize>,
        scratch: &mut Scratch,
    ) -> bool {
        let nn = self.status.len();
        let stride = self.row_len();
        debug_assert!(before_rows.made != 0, "search bug: rows of a state were never built");
        debug_assert!(classes.iter().all(|c| c.is_sorted()), "search bug: a class out of index order");
        let Scratch { order, rows, keys, perm, changed, dirty, copied_from, patched, changed_nodes, .. } = scratch;
        changed.clear();
        changed.resize(nn, 0);
        let changed = &mut changed[..nn];
        changed_nodes.clear();
        match only {
            // Told the node: it is the one changed node, if any.
            Some(n) => {
                let differs = self.row_head(n) != before.row_head(n)
                    || self.per_node_counts().zip(before.per_node_counts()).any(|(a, b)| a[n] != b[n]);
                changed[n] = differs as i64;
                if differs {
                    changed_nodes.push(n);
                }
                if cfg!(debug_assertions) {
                    let mut all = vec![0; nn];
                    self.mark_changed_nodes(before, &mut all);
                    assert!(
                        all.iter().zip(changed.iter()).all(|(a, c)| (*a != 0) == (*c != 0)),
                        "model bug: a step said to change no node but {n} changed other nodes than found"
                    );
                }
            }
            // Listed without a branch per node (which one changed is unpredictable).
            None => {
                self.mark_changed_nodes(before, changed);
                changed_nodes.resize(nn, 0);
                let mut k = 0;
                for (n, &c) in changed.iter().enumerate() {
                    changed_nodes[k] = n;
                    k += (c != 0) as usize;
                }
                changed_nodes.truncate(k);
            }
        }
        // `before_rows`' rows: copied once per state a step comes from; for its next
        // successor only the rows the last one wrote over are copied back.
        if *copied_from == before_rows.made && before_rows.made != 0 {
            for &n in patched.iter() {
                rows[n * stride..(n + 1) * stride].copy_from_slice(&before_rows.rows[n * stride..(n + 1) * stride]);
                keys[n] = before_rows.keys[n];
            }
        } else {
            rows.clone_from(&before_rows.rows);
            keys.clone_from(&before_rows.keys);
            *copied_from = before_rows.made;
        }
        debug_assert!(*rows == before_rows.rows && *keys == before_rows.keys, "search bug: stale rows");
        patched.clone_from(changed_nodes);
        let mut wide = 0u64;
        for &n in changed_nodes.iter() {
            let r = &mut rows[n * stride..(n + 1) * stride];
            for (x, v) in r.iter_mut().zip(self.row_head(n).into_iter().chain(self.per_node_counts().map(|row| row[n])))
            {
                wide |= biased(v);
                *x = v as i16;
            }
            keys[n] = row_key(r);
        }
        if !fits_i16(wide) {
            self.out_of_range();
        }
        perm.clear();
        perm.extend(0..nn);
        dirty.clear();
        // Whether `before`'s node n has the row of the node before it in its class (when
        // not known, it is taken to differ: a position is then written needlessly).
        let same_as_previous = |n: usize| before_rows.runs.get(n).copied().unwrap_or(false);
        let less = row_less(rows, keys, stride);
        let order_of = row_order(rows, keys, stride);
        // Whether node u goes before node c: by row, and by index among equal rows (as a
        // stable sort leaves them).
        let before = |u: usize, c: usize| order_of(u, c).then(u.cmp(&c)).is_lt();
        let mut moved = false;
        for class in classes {
            // Where the changed nodes are in the class (classes are in index order).
            let mut changed_at = changed_nodes.iter().filter_map(|c| class.binary_search(c).ok());
            let Some(i) = changed_at.next() else { continue };
            if changed_at.next().is_none() {
                // One changed node (the common case): it moves from position i to where a
                // binary search among the others (in order on each side of it) puts it, and
                // the nodes between shift by one, with no list of the others built.
                let c = class[i];
                let j = match class[..i].partition_point(|&u| before(u, c)) {
                    j if j < i => j,
                    _ => i + class[i + 1..].partition_point(|&u| before(u, c)),
                };
                // A position that gets the row it had is not dirty: where a class is mostly
                // identical nodes (the common case), the shift moves many nodes but changes
                // the values of few positions.
                dirty.push(class[j]);
                if j < i {
                    perm[class[j]] = c;
                    for k in j..i {
                        perm[class[k + 1]] = class[k];
                        if !same_as_previous(class[k + 1]) {
                            dirty.push(class[k + 1]);
                        }
                    }
                } else if j > i {
                    for k in i..j {
                        perm[class[k]] = class[k + 1];
                        if !same_as_previous(class[k + 1]) {
                            dirty.push(class[k]);
                        }
                    }
                    perm[class[j]] = c;
                }
                debug_assert!(
                    class.windows(2).all(|w| !less(perm[w[1]], perm[w[0]])),
                    "search bug: the state a step came from was not canonical"
                );
                moved |= i != j;
                continue;
            }
            // Several changed nodes. The unchanged nodes are in order; each changed one goes in
            // where a binary search puts it.
            order.clear();
            order.extend(class.iter().copied().filter(|&n| changed[n] == 0));
            for c in class.iter().copied().filter(|&n| changed[n] != 0) {
                let at = order.partition_point(|&u| before(u, c));
                order.insert(at, c);
            }
            debug_assert!(
                order.windows(2).all(|w| !less(w[1], w[0])),
                "search bug: the state a step came from was not canonical"
            );
            moved |= set_order(perm, class, order);
            dirty.extend(class.iter().copied().filter(|&p| perm[p] != p));
        }
        // Changed nodes in no class (and again those in one).
        dirty.extend_from_slice(changed_nodes);
        moved
    }

    /// Marks in `changed` (nonzero) every node whose row differs from its row in `before`,
    /// value by value (loops that vectorize), not row by row.
    fn mark_changed_nodes(&self, before: &Self, changed: &mut [i64]) {
        for (f, (a, b)) in FIELDS.iter().zip(self.slots().into_iter().zip(before.slots())) {
            if !f.shape.per_node() {
                continue;
            }
            match (a, b) {
                (Slot::Ints(a), Slot::Ints(b)) => mark_changed(changed, a, b),
                (Slot::Bools(a), Slot::Bools(b)) => mark_changed(changed, a, b),
                (Slot::Grid(a), Slot::Grid(b)) => a.iter().zip(b).for_each(|(a, b)| mark_changed(changed, a, b)),
                _ => unreachable!("one field is of one kind"),
            }
        }
    }

    /// Moves every node's state to its position in `scratch.perm` (as left by
    /// [`canonical_order`](Self::canonical_order)).
    pub fn apply_order(&mut self, scratch: &Scratch) {
        self.apply_renaming(&scratch.perm);
    }

    /// Moves every node's state to its position in `perm` (position -> node).
    pub fn apply_renaming(&mut self, perm: &[usize]) {
        let how = Renaming::of(perm);
        self.for_each_packed_mut(|shape, slot| {
            if !shape.per_node() {
                return;
            }
            match slot {
                SlotMut::Ints(v) => how.apply(v, perm),
                SlotMut::Bools(v) => how.apply(v, perm),
                SlotMut::Grid(rows) => rows.iter_mut().for_each(|row| how.apply(row, perm)),
            }
        });
    }
}

/// `a` overwritten with `b` (of the same length). A row holds one value per node: a few
/// values on most clusters, where a `memcpy` call per row cost more than the copy itself
/// (copying a successor's rows was most of its copy). Rows of up to eight values are copied
/// as arrays, of a length known to the compiler.
#[inline(always)]
fn copy_row(a: &mut [i64], b: &[i64]) {
    #[inline(always)]
    fn fixed<const N: usize>(a: &mut [i64], b: &[i64]) -> bool {
        match (<&mut [i64; N]>::try_from(a), <&[i64; N]>::try_from(b)) {
            (Ok(a), Ok(b)) => {
                *a = *b;
                true
            }
            _ => false,
        }
    }
    let done = match b.len() {
        1 => fixed::<1>(a, b),
        2 => fixed::<2>(a, b),
        3 => fixed::<3>(a, b),
        4 => fixed::<4>(a, b),
        5 => fixed::<5>(a, b),
        6 => fixed::<6>(a, b),
        7 => fixed::<7>(a, b),
        8 => fixed::<8>(a, b),
        _ => false,
    };
    if !done {
        a.copy_from_slice(b);
    }
}

/// `xs` written into `out` (of the same length) as `i16`s, and every value [`biased`], or-ed
/// together. Rows of up to eight values (a row per node) are written as arrays of a length
/// known to the compiler: a loop over a few values spent more in its set-up than in them.
#[inline(always)]
fn narrow_into(out: &mut [i16], xs: &[i64]) -> u64 {
    #[inline(always)]
    fn fixed<const N: usize>(out: &mut [i16], xs: &[i64], wide: &mut u64) -> bool {
        match (<&mut [i16; N]>::try_from(out), <&[i64; N]>::try_from(xs)) {
            (Ok(o), Ok(x)) => {
                for (o, &x) in o.iter_mut().zip(x) {
                    *o = x as i16;
                    *wide |= biased(x);
                }
                true
            }
            _ => false,
        }
    }
    let mut wide = 0;
    let done = match xs.len() {
        1 => fixed::<1>(out, xs, &mut wide),
        2 => fixed::<2>(out, xs, &mut wide),
        3 => fixed::<3>(out, xs, &mut wide),
        4 => fixed::<4>(out, xs, &mut wide),
        5 => fixed::<5>(out, xs, &mut wide),
        6 => fixed::<6>(out, xs, &mut wide),
        7 => fixed::<7>(out, xs, &mut wide),
        8 => fixed::<8>(out, xs, &mut wide),
        _ => false,
    };
    if !done {
        for (o, &x) in out.iter_mut().zip(xs) {
            *o = x as i16;
            wide |= biased(x);
        }
    }
    wide
}

/// `x` moved so that the values of an `i16` are those below 2^16. Or-ing such values and
/// asking [`fits_i16`] of the result is a range check of many values with one branch that
/// vectorizes on baseline x86-64 (64-bit adds and ors; a sign extension from 16 bits, the
/// check it replaces, has no baseline vector instruction and made packing scalar).
#[inline]
fn biased(x: i64) -> u64 {
    (x as u64).wrapping_add(0x8000)
}

/// Whether every value or-ed into `acc` by [`biased`] fits in an `i16`.
#[inline]
fn fits_i16(acc: u64) -> bool {
    acc >> 16 == 0
}

/// Writes a packed key field by field, each field one loop from a slice into a slice, which
/// the compiler vectorizes (an `extend` per field, pushing value by value, did not).
struct Packer<'a> {
    out: &'a mut [i16],
    at: usize,
    /// Every value [`biased`], or-ed together (see [`fits_i16`]).
    wide: u64,
    /// Per-node fields in this order (position -> node), if renamed.
    perm: Option<&'a [usize]>,
    /// Only these positions of per-node fields are written: `out` holds the others already.
    only: Option<&'a [usize]>,
    /// The node conditions the key holds.
    kept: Conditions,
}

impl Packer<'_> {
    #[inline(always)]
    fn next(&mut self, n: usize) -> &mut [i16] {
        let at = self.at;
        self.at += n;
        &mut self.out[at..at + n]
    }

    #[inline(always)]
    fn ints(&mut self, xs: &[i64], per_node: bool) {
        let perm = self.perm.filter(|_| per_node);
        let only = self.only.filter(|_| per_node);
        let mut wide = 0;
        let out = self.next(xs.len());
        match (only, perm) {
            // One node written, as named: a successor's key patched from its parent's, once
            // per row of the state.
            (Some(&[at]), None) => {
                let x = xs[at];
                out[at] = x as i16;
                wide |= biased(x);
            }
            (Some(only), _) => {
                for &at in only {
                    let x = xs[perm.map_or(at, |p| p[at])];
                    out[at] = x as i16;
                    wide |= biased(x);
                }
            }
            (None, Some(p)) => {
                for (o, &j) in out.iter_mut().zip(p) {
                    *o = xs[j] as i16;
                    wide |= biased(xs[j]);
                }
            }
            (None, None) => wide = narrow_into(out, xs),
        }
        self.wide |= wide;
    }

    /// Node condition `c`, if the key holds it.
    #[inline(always)]
    fn condition_ints(&mut self, c: Conditions, xs: &[i64]) {
        if self.kept.has(c) {
            self.ints(xs, true);
        }
    }

    #[inline(always)]
    fn condition_bools(&mut self, c: Conditions, xs: &[bool]) {
        if self.kept.has(c) {
            self.bools(xs, true);
        }
    }

    #[inline(always)]
    fn bools(&mut self, xs: &[bool], per_node: bool) {
        let perm = self.perm.filter(|_| per_node);
        let only = self.only.filter(|_| per_node);
        let out = self.next(xs.len());
        match (only, perm) {
            (Some(only), _) => only.iter().for_each(|&at| out[at] = xs[perm.map_or(at, |p| p[at])] as i16),
            (None, Some(p)) => out.iter_mut().zip(p).for_each(|(o, &j)| *o = xs[j] as i16),
            (None, None) => out.iter_mut().zip(xs).for_each(|(o, &x)| *o = x as i16),
        }
    }
}

/// Reads a packed key back field by field (see [`Packer`]).
struct Unpacker<'a, T, F> {
    key: &'a [T],
    at: usize,
    value: F,
    /// The node conditions the key holds.
    kept: Conditions,
}

impl<'a, T: Copy, F: Fn(T) -> i64> Unpacker<'a, T, F> {
    fn next(&mut self, n: usize) -> &'a [T] {
        let at = self.at;
        self.at += n;
        &self.key[at..at + n]
    }

    fn ints(&mut self, xs: &mut [i64]) {
        let src = self.next(xs.len());
        xs.iter_mut().zip(src).for_each(|(x, &k)| *x = (self.value)(k));
    }

    /// Node condition `c`, if the key holds it (else left as it is).
    fn condition_ints(&mut self, c: Conditions, xs: &mut [i64]) {
        if self.kept.has(c) {
            self.ints(xs);
        }
    }

    fn condition_bools(&mut self, c: Conditions, xs: &mut [bool]) {
        if self.kept.has(c) {
            self.bools(xs);
        }
    }

    fn bools(&mut self, xs: &mut [bool]) {
        let src = self.next(xs.len());
        xs.iter_mut().zip(src).for_each(|(x, &k)| *x = (self.value)(k) != 0);
    }
}

/// The sort key of a node row (see [`ClusterState::node_rows`]): present nodes first, then
/// a hash of the row.
fn row_key(r: &[i16]) -> u64 {
    ((r[0] as u64) << 63) | (rustc_hash::FxBuildHasher.hash_one(r) >> 1)
}

/// The order of node rows: by key, then by the row itself ([`row_order`] is less).
fn row_less<'a>(rows: &'a [i16], keys: &'a [u64], stride: usize) -> impl Fn(usize, usize) -> bool + 'a {
    let order = row_order(rows, keys, stride);
    move |a, b| order(a, b).is_lt()
}

/// How two node rows compare: by key, then by the row itself. Equal keys almost always mean
/// equal rows (identical nodes): one inline comparison settles it, the element-wise ordering
/// only runs on a hash collision. Placing a node asks this once per probe where asking
/// [`row_less`] both ways took two.
fn row_order<'a>(rows: &'a [i16], keys: &'a [u64], stride: usize) -> impl Fn(usize, usize) -> std::cmp::Ordering + 'a {
    move |a, b| {
        keys[a].cmp(&keys[b]).then_with(|| {
            let (ra, rb) = (&rows[a * stride..(a + 1) * stride], &rows[b * stride..(b + 1) * stride]);
            if same_row(ra, rb) {
                std::cmp::Ordering::Equal
            } else {
                ra.cmp(rb)
            }
        })
    }
}

/// Whether two node rows are equal: xor-or over all values, inline (rows are a few dozen
/// bytes, and `==` on slices is a call to the C library's memcmp for each pair).
fn same_row(a: &[i16], b: &[i16]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Accumulates in `diff` (per node, nonzero: changed) the bits in which per-node vectors `a`
/// and `b` differ. Xor and or on whole words, indexed over slices of one length: a loop that
/// vectorizes on any x86-64 (a comparison of `i64`s into `bool`s does not without SSE4.1, nor
/// does a zip of three).
fn mark_changed<T: Copy + Into<i64> + PartialEq>(diff: &mut [i64], a: &[T], b: &[T]) {
    let n = diff.len();
    let (a, b) = (&a[..n], &b[..n]);
    // A step changes few of the vectors: an equal one is skipped after one memcmp (the C
    // library's, which uses the widest vector instructions the machine has).
    if a == b {
        return;
    }
    for i in 0..n {
        diff[i] |= a[i].into() ^ b[i].into();
    }
}

/// Records `order` (the nodes of `class` sorted) in `perm`; whether it moves any node.
fn set_order(perm: &mut [usize], class: &[usize], order: &[usize]) -> bool {
    if order == class {
        return false;
    }
    for (&c, &o) in class.iter().zip(order) {
        perm[c] = o;
    }
    true
}

/// Reused buffers for [`ClusterState::canonicalize`].
#[derive(Default)]
pub struct Scratch {
    order: Vec<usize>,
    pub rows: Vec<i16>,
    pub keys: Vec<u64>,
    /// Per position: the node whose state goes there (see `canonical_order`).
    pub perm: Vec<usize>,
    /// Per node: nonzero when a step changed its row (see `canonical_order_after`).
    changed: Vec<i64>,
    /// Positions at which the renamed state may differ from the state a step came from
    /// (some more than once): every position `perm` gives a row it did not have (see
    /// `canonical_order_after` and [`ClusterState::pack_dirty_into`]).
    pub dirty: Vec<usize>,
    /// Per node: its row equals the row of the node before it in its class, in a canonical
    /// state (see [`Scratch::mark_runs`]); empty until marked.
    runs: Vec<bool>,
    /// Which [`ClusterState::node_rows`] call wrote `rows` and `keys` (unique in the process;
    /// 0: none).
    made: u64,
    /// The `made` of the scratch whose rows `rows` and `keys` were copied from by
    /// `canonical_order_after`, which since has written over those of `patched` only (0: not
    /// a copy). Successors of one state then copy its rows once, not once each.
    copied_from: u64,
    /// The nodes whose rows and keys differ from those of the scratch they were copied from.
    patched: Vec<usize>,
    /// The nodes a step changed, in index order (see `canonical_order_after`).
    changed_nodes: Vec<usize>,
}

impl Scratch {
    /// Marks, after [`ClusterState::node_rows`] of a canonical state, each node whose row
    /// equals the row of the node before it in its class of `classes` (identical nodes with
    /// identical states, as twins are): runs of equal rows, which
    /// [`ClusterState::canonical_order_after`] needs to know which positions a shift leaves
    /// as they were.
    pub fn mark_runs(&mut self, classes: &[Vec<usize>]) {
        let nn = self.keys.len();
        let stride = self.rows.len() / nn.max(1);
        let row = |n: usize| &self.rows[n * stride..(n + 1) * stride];
        self.runs.clear();
        self.runs.resize(nn, false);
        for c in classes {
            let (Some(&first), Some(&last)) = (c.first(), c.last()) else { continue };
            if last + 1 - first == c.len() {
                // A class of consecutive nodes (the common case): neighbours by zipped slices,
                // with no index checked per node.
                let keys = &self.keys[first..=last];
                let rows = &self.rows[first * stride..(last + 1) * stride];
                let pairs = rows.chunks_exact(stride).zip(rows.chunks_exact(stride).skip(1));
                for ((r, k), (a, b)) in self.runs[first + 1..=last].iter_mut().zip(keys.windows(2)).zip(pairs) {
                    *r = k[0] == k[1] && same_row(a, b);
                }
                continue;
            }
            for w in c.windows(2) {
                self.runs[w[1]] = self.keys[w[0]] == self.keys[w[1]] && same_row(row(w[0]), row(w[1]));
            }
        }
    }

    /// What [`mark_runs`](Self::mark_runs) marked.
    pub fn runs(&self) -> &[bool] {
        &self.runs
    }
}

/// What a renaming (position -> the node whose value goes there) does, worked out once for
/// all of a state's per-node vectors: nothing; a rotation by one of positions `a..=b` with
/// every other position fixed (what one changed node moving in its class does, the common
/// case), done in place; or anything else, done value by value.
enum Renaming {
    Identity,
    /// Each position of `a..=b` takes the value after it; the last takes the first.
    Left(usize, usize),
    /// Each position of `a..=b` takes the value before it; the first takes the last.
    Right(usize, usize),
    Other,
}

impl Renaming {
    fn of(perm: &[usize]) -> Renaming {
        let moved = |(i, &p): (usize, &usize)| i != p;
        let Some(a) = perm.iter().enumerate().position(moved) else { return Renaming::Identity };
        let b = perm.iter().enumerate().rposition(moved).expect("a moved position exists");
        if perm[b] == a && (a..b).all(|i| perm[i] == i + 1) {
            Renaming::Left(a, b)
        } else if perm[a] == b && (a + 1..=b).all(|i| perm[i] == i - 1) {
            Renaming::Right(a, b)
        } else {
            Renaming::Other
        }
    }

    fn apply<T: Copy + Default + PartialEq + std::fmt::Debug>(&self, v: &mut [T], perm: &[usize]) {
        let whole = cfg!(debug_assertions).then(|| {
            let mut w = v.to_vec();
            permute(&mut w, perm);
            w
        });
        match *self {
            Renaming::Identity => {}
            Renaming::Left(a, b) => v[a..=b].rotate_left(1),
            Renaming::Right(a, b) => v[a..=b].rotate_right(1),
            Renaming::Other => permute(v, perm),
        }
        if let Some(w) = whole {
            assert_eq!(w, v, "search bug: a renaming applied by rotation");
        }
    }
}

/// `v[i] = old v[perm[i]]` for every i (`perm` a permutation of the indices of `v`).
fn permute<T: Copy + Default>(v: &mut [T], perm: &[usize]) {
    let mut small = [T::default(); 128];
    let mut large = Vec::new();
    let old: &[T] = if v.len() <= small.len() {
        small[..v.len()].copy_from_slice(v);
        &small[..v.len()]
    } else {
        large.extend_from_slice(v);
        &large
    };
    for (x, &p) in v.iter_mut().zip(perm) {
        *x = old[p];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    /// Two Deployments, one with an HPA, on three nodes, with events that queue evictions:
    /// most fields hold values.
    fn sample() -> Model {
        let hpa = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 1\n  maxReplicas: 3\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]\n---\n";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 3, capacity: {cpu: \"8\", memory: 8Gi}}]\n  events: [{type: nodeFailure, budget: 1}, {type: maintenance, budget: 1}]\n  intents: [{type: podAlwaysSchedulable}]\n";
        model(&format!("{}{}{hpa}{spec}", deployment("web", 2, "1", "1Gi", ""), deployment("api", 1, "1", "1Gi", "")))
    }

    /// A state of `m` whose integer values all differ (1, 2, ...) and whose booleans alternate.
    fn numbered(m: &Model) -> ClusterState<Concrete> {
        let mut st = m.initial_states().swap_remove(0);
        let (mut next, mut flip) = (0, false);
        let mut int = || {
            next += 1;
            next
        };
        for slot in st.slots_mut() {
            match slot {
                SlotMut::Ints(v) => v.iter_mut().for_each(|x| *x = int()),
                SlotMut::Bools(v) => v.iter_mut().for_each(|x| {
                    flip = !flip;
                    *x = flip
                }),
                SlotMut::Grid(rows) => rows.iter_mut().flatten().for_each(|x| *x = int()),
            }
        }
        st
    }

    /// The layout of a packed key and of a node's row, field by field as it has always been:
    /// keys are stored and compared, so the declaration's order must keep it.
    #[test]
    fn keys_and_node_rows_keep_their_layout() {
        let m = sample();
        let st = numbered(&m);
        assert!(!st.queued.is_empty() && !st.deleting.is_empty() && !st.hpa_window_min.is_empty());
        let b = |v: &[bool]| v.iter().map(|&x| x as i16).collect::<Vec<_>>();
        let i = |v: &[i64]| v.iter().map(|&x| x as i16).collect::<Vec<_>>();
        let mut want = Vec::new();
        for part in [b(&st.present), i(&st.status), b(&st.cordoned), b(&st.draining), b(&st.maintained), i(&st.panics)]
        {
            want.extend(part);
        }
        want.extend(i(&st.pending));
        let grids = [
            &st.bound,
            &st.running,
            &st.terminating,
            &st.evicting,
            &st.deleting,
            &st.queued,
            &st.nominated,
            &st.preempting,
            &st.preempted,
            &st.unscheduled,
            &st.scaling_down,
        ];
        for rows in grids {
            rows.iter().for_each(|r| want.extend(i(r)));
        }
        for v in [&st.desired, &st.revision, &st.hpa_window_max, &st.hpa_window_min, &st.budget] {
            want.extend(i(v));
        }
        want.extend(b(&st.monitor));
        for v in [&st.stateful, &st.daemon_revision, &st.scale_up_hold] {
            want.extend(i(v));
        }
        assert_eq!(st.pack(), want);
        assert_eq!(st.packed_len(Fields::ALL), want.len());
        let mut scratch = Scratch::default();
        let stride = st.node_rows(&mut scratch);
        for n in 0..m.nodes() {
            let mut row = vec![
                !st.present[n] as i16,
                st.status[n] as i16,
                st.cordoned[n] as i16,
                st.draining[n] as i16,
                st.maintained[n] as i16,
                st.panics[n] as i16,
            ];
            row.extend(grids.iter().flat_map(|rows| rows.iter().map(|r| r[n] as i16)));
            assert_eq!(&scratch.rows[n * stride..(n + 1) * stride], row.as_slice(), "node {n}");
        }
    }

    /// Unpacking a key gives the state back; a key that leaves conditions out gives them back
    /// as the state unpacked into has them; copying does the same.
    #[test]
    fn packing_and_copying_round_trip() {
        let m = sample();
        let (st, init) = (numbered(&m), m.initial_states().swap_remove(0));
        let mut back = init.clone();
        back.unpack_from(&st.pack());
        assert!(back == st);
        let fields = Fields { left_out: Conditions::CORDONED.with(Conditions::PANICS) };
        let mut key = Vec::new();
        st.pack_fields_into(None, fields, &mut key);
        assert_eq!(key.len(), st.packed_len(Fields::ALL) - 2 * m.nodes());
        let mut back = init.clone();
        back.unpack_with(&key, fields, |k| k as i64);
        let mut copy = init.clone();
        copy.copy_from(&st, fields);
        for s in [&back, &copy] {
            assert!(s.cordoned == init.cordoned && s.panics == init.panics);
            assert!(s.status == st.status && s.bound == st.bound && s.monitor == st.monitor);
            assert_eq!(s.conditions_differing_from(&st), fields.left_out);
        }
        copy.copy_from(&st, Fields::ALL);
        assert!(copy == st && st.clone() == st && st.map::<Concrete>(&|x| *x, &|b| *b) == st);
    }

    /// A renaming of nodes moves every per-node value, and nothing else.
    #[test]
    fn renaming_nodes_moves_per_node_values_only() {
        let m = sample();
        let st = numbered(&m);
        let perm = [2, 0, 1];
        let mut renamed = st.clone();
        renamed.apply_renaming(&perm);
        for (p, &n) in perm.iter().enumerate() {
            assert_eq!(
                (renamed.present[p], renamed.status[p], renamed.panics[p]),
                (st.present[n], st.status[n], st.panics[n])
            );
            for (a, b) in renamed.pod_rows().zip(st.pod_rows()) {
                assert_eq!(a[p], b[n]);
            }
        }
        assert!(renamed.pending == st.pending && renamed.desired == st.desired && renamed.budget == st.budget);
        let mut key = Vec::new();
        st.pack_renamed_into(&perm, &mut key);
        assert_eq!(key, renamed.pack());
    }
}
