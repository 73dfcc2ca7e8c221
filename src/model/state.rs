//! `ClusterState<D>`: the mutable part of the cluster as integer arrays over nodes, with pods as
//! counts per (pod group or usage kind, node) — never pod slots: pods of one group at one
//! usage level are interchangeable, so counting them removes their permutations. No logical
//! clock: a repeated configuration is the same state, so oscillations close into cycles.

use std::hash::BuildHasher;

use crate::domain::{Concrete, Domain};

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

    fn count(self) -> usize {
        self.0.count_ones() as usize
    }
}

pub struct ClusterState<D: Domain> {
    /// Per node slot: part of the topology (fixed during a run).
    pub present: Vec<D::Bool>,
    /// Per node: READY, NOT_READY, PANICKED or DECLARED_NOT_READY.
    pub status: Vec<D::Int>,
    /// Per node: `spec.unschedulable` (cordoned, e.g. by a drain).
    pub cordoned: Vec<D::Bool>,
    /// Per node: being drained for maintenance.
    pub draining: Vec<D::Bool>,
    /// Per node: maintenance done (each node is maintained at most once).
    pub maintained: Vec<D::Bool>,
    /// Per node: kernel panics so far.
    pub panics: Vec<D::Int>,
    /// Per pod group: created, not yet bound.
    pub pending: Vec<D::Int>,
    /// Per pod group and node: bound by the scheduler (or nodeName), not yet started.
    pub bound: Vec<Vec<D::Int>>,
    /// Per usage kind and node: running.
    pub running: Vec<Vec<D::Int>>,
    /// Per pod group and node: deleted or evicted, still stopping.
    pub terminating: Vec<Vec<D::Int>>,
    /// Per pod group and node: running pods a descheduler run has picked to evict and not
    /// evicted yet (which usage kind goes is the eviction steps' choice). No rows unless
    /// some group's pods come in several kinds (`Model::defers_evictions`).
    pub evicting: Vec<Vec<D::Int>>,
    /// Pods a ReplicaSet's scale-down sync has chosen to delete and not deleted yet, per node:
    /// first one row per pod group (pods bound, not started), then one row per usage kind
    /// (running pods). The sync chooses its victims from the ranks of the state it started in
    /// (chosen pods stay active, so the ranks stay the sync's), then deletes them one step
    /// each. No rows in a model with fewer than two nodes or no Deployment controller
    /// (`Model::marks_deletions`).
    pub deleting: Vec<Vec<D::Int>>,
    /// Per pod group and node: pods whose eviction is requested and not done yet, one
    /// eviction step each (`taint_eviction::QueuedEviction`): the pods of a drained node, or
    /// of a NotReady node whose toleration of the unreachable taint ran out. No rows in a
    /// model without either (`Model::queues_evictions`).
    pub queued: Vec<Vec<D::Int>>,
    /// Per Deployment: `spec.replicas`.
    pub desired: Vec<D::Int>,
    /// Per Deployment: index of the current pod template revision.
    pub revision: Vec<D::Int>,
    /// Per HPA: the largest recommendation in the scale-down stabilization window (-1: none).
    pub hpa_window_max: Vec<D::Int>,
    /// Per HPA: the smallest recommendation in the scale-up stabilization window (-1: none).
    pub hpa_window_min: Vec<D::Int>,
    /// Per event: how many more times it may fire.
    pub budget: Vec<D::Int>,
    /// Per intent: its monitor's first stage has been reached (e.g. "replicas reached the minimum").
    pub monitor: Vec<D::Bool>,
    /// Per StatefulSet (`Model::stateful_at`): its current revision (`status.currentRevision`;
    /// the update revision is `revision`), then, where its volumes are zonal, per ordinal
    /// the zone its volume is bound in (an index into `StatefulSet::claim_zones`; -1: none).
    pub stateful: Vec<D::Int>,
    /// Per pod group and node: pending pods whose `status.nominatedNodeName` is the node (a
    /// preemption nominated them; counted in `pending` too). No rows unless the scheduler may
    /// preempt (`Model::preempts`).
    pub nominated: Vec<Vec<D::Int>>,
    /// Per pod group and node: preemption victims chosen and not deleted yet, one deletion
    /// step each (`preemption::PreemptionVictims`). No rows unless `Model::preempts`.
    pub preempting: Vec<Vec<D::Int>>,
    /// Per DaemonSet pod group (`Model::daemon_groups` order) and node: daemon pods created
    /// for that node (a required node affinity on its name) and not yet bound by the
    /// scheduler.
    pub unscheduled: Vec<Vec<D::Int>>,
    /// Per DaemonSet: index of the current pod template revision.
    pub daemon_revision: Vec<D::Int>,
    /// Per node, two rows (none in a model without the cluster autoscaler): row 0 is 1 while
    /// the autoscaler is removing the node (tainted ToBeDeletedByClusterAutoscaler and drained
    /// through the Eviction API); row 1 is 1 while the node is in the autoscaler's unneeded
    /// set (found unneeded at one of its checks and at every check since: upstream's
    /// unneeded-since time runs). Per-node rows of [`pod_rows`](Self::pod_rows), renamed and
    /// packed with them.
    pub scaling_down: Vec<Vec<D::Int>>,
    /// One value (none without the cluster autoscaler): 1 while scale-down is held after a
    /// scale-up (`scale-down-delay-after-add` not yet over), else 0.
    pub scale_up_hold: Vec<D::Int>,
}

impl<D: Domain> ClusterState<D> {
    /// The per-node pod rows, in the order keys and node rows list them: bound, running,
    /// terminating, evicting, deleting, queued, nominated, preempting, unscheduled. Every pass
    /// over all of them goes through here,
    /// so a new row is listed once.
    pub fn pod_rows(&self) -> impl Iterator<Item = &Vec<D::Int>> {
        self.bound
            .iter()
            .chain(&self.running)
            .chain(&self.terminating)
            .chain(&self.evicting)
            .chain(&self.deleting)
            .chain(&self.queued)
            .chain(&self.nominated)
            .chain(&self.preempting)
            .chain(&self.unscheduled)
            .chain(&self.scaling_down)
    }

    /// [`pod_rows`](Self::pod_rows), to write.
    pub fn pod_rows_mut(&mut self) -> impl Iterator<Item = &mut Vec<D::Int>> {
        self.bound
            .iter_mut()
            .chain(&mut self.running)
            .chain(&mut self.terminating)
            .chain(&mut self.evicting)
            .chain(&mut self.deleting)
            .chain(&mut self.queued)
            .chain(&mut self.nominated)
            .chain(&mut self.preempting)
            .chain(&mut self.unscheduled)
            .chain(&mut self.scaling_down)
    }

    /// The same state over another domain, value by value (e.g. a concrete state lifted to
    /// solver constants, or a solver model read back).
    pub fn map<E: Domain>(
        &self,
        fi: &impl Fn(&D::Int) -> E::Int,
        fb: &impl Fn(&D::Bool) -> E::Bool,
    ) -> ClusterState<E> {
        let ints = |v: &Vec<D::Int>| v.iter().map(fi).collect::<Vec<_>>();
        let bools = |v: &Vec<D::Bool>| v.iter().map(fb).collect::<Vec<_>>();
        let grid = |v: &Vec<Vec<D::Int>>| v.iter().map(ints).collect::<Vec<_>>();
        ClusterState {
            present: bools(&self.present),
            status: ints(&self.status),
            cordoned: bools(&self.cordoned),
            draining: bools(&self.draining),
            maintained: bools(&self.maintained),
            panics: ints(&self.panics),
            pending: ints(&self.pending),
            bound: grid(&self.bound),
            running: grid(&self.running),
            terminating: grid(&self.terminating),
            evicting: grid(&self.evicting),
            deleting: grid(&self.deleting),
            queued: grid(&self.queued),
            desired: ints(&self.desired),
            revision: ints(&self.revision),
            hpa_window_max: ints(&self.hpa_window_max),
            hpa_window_min: ints(&self.hpa_window_min),
            budget: ints(&self.budget),
            monitor: bools(&self.monitor),
            stateful: ints(&self.stateful),
            nominated: grid(&self.nominated),
            preempting: grid(&self.preempting),
            unscheduled: grid(&self.unscheduled),
            daemon_revision: ints(&self.daemon_revision),
            scaling_down: grid(&self.scaling_down),
            scale_up_hold: ints(&self.scale_up_hold),
        }
    }
}

// Written out because derive would require `D: Clone` of the domain itself.
impl<D: Domain> Clone for ClusterState<D> {
    fn clone(&self) -> Self {
        ClusterState {
            present: self.present.clone(),
            status: self.status.clone(),
            cordoned: self.cordoned.clone(),
            draining: self.draining.clone(),
            maintained: self.maintained.clone(),
            panics: self.panics.clone(),
            pending: self.pending.clone(),
            bound: self.bound.clone(),
            running: self.running.clone(),
            terminating: self.terminating.clone(),
            evicting: self.evicting.clone(),
            deleting: self.deleting.clone(),
            queued: self.queued.clone(),
            desired: self.desired.clone(),
            revision: self.revision.clone(),
            hpa_window_max: self.hpa_window_max.clone(),
            hpa_window_min: self.hpa_window_min.clone(),
            budget: self.budget.clone(),
            monitor: self.monitor.clone(),
            stateful: self.stateful.clone(),
            nominated: self.nominated.clone(),
            preempting: self.preempting.clone(),
            unscheduled: self.unscheduled.clone(),
            daemon_revision: self.daemon_revision.clone(),
            scaling_down: self.scaling_down.clone(),
            scale_up_hold: self.scale_up_hold.clone(),
        }
    }

    // Reuses this state's allocations: a search copies the expanded state into one buffer
    // per successor.
    fn clone_from(&mut self, o: &Self) {
        self.present.clone_from(&o.present);
        self.status.clone_from(&o.status);
        self.cordoned.clone_from(&o.cordoned);
        self.draining.clone_from(&o.draining);
        self.maintained.clone_from(&o.maintained);
        self.panics.clone_from(&o.panics);
        self.pending.clone_from(&o.pending);
        self.bound.clone_from(&o.bound);
        self.running.clone_from(&o.running);
        self.terminating.clone_from(&o.terminating);
        self.evicting.clone_from(&o.evicting);
        self.deleting.clone_from(&o.deleting);
        self.queued.clone_from(&o.queued);
        self.desired.clone_from(&o.desired);
        self.revision.clone_from(&o.revision);
        self.hpa_window_max.clone_from(&o.hpa_window_max);
        self.hpa_window_min.clone_from(&o.hpa_window_min);
        self.budget.clone_from(&o.budget);
        self.monitor.clone_from(&o.monitor);
        self.stateful.clone_from(&o.stateful);
        self.nominated.clone_from(&o.nominated);
        self.preempting.clone_from(&o.preempting);
        self.unscheduled.clone_from(&o.unscheduled);
        self.daemon_revision.clone_from(&o.daemon_revision);
        self.scaling_down.clone_from(&o.scaling_down);
        self.scale_up_hold.clone_from(&o.scale_up_hold);
    }
}

impl<D: Domain> std::fmt::Debug for ClusterState<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterState")
            .field("present", &self.present)
            .field("status", &self.status)
            .field("cordoned", &self.cordoned)
            .field("pending", &self.pending)
            .field("bound", &self.bound)
            .field("running", &self.running)
            .field("terminating", &self.terminating)
            .field("evicting", &self.evicting)
            .field("deleting", &self.deleting)
            .field("queued", &self.queued)
            .field("desired", &self.desired)
            .field("revision", &self.revision)
            .field("budget", &self.budget)
            .field("monitor", &self.monitor)
            .field("stateful", &self.stateful)
            .field("nominated", &self.nominated)
            .field("preempting", &self.preempting)
            .field("unscheduled", &self.unscheduled)
            .field("daemon_revision", &self.daemon_revision)
            .field("scaling_down", &self.scaling_down)
            .field("scale_up_hold", &self.scale_up_hold)
            .finish()
    }
}

impl ClusterState<Concrete> {
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
        let nn = self.status.len();
        let rows = self.bound.len()
            + self.running.len()
            + self.terminating.len()
            + self.evicting.len()
            + self.deleting.len()
            + self.queued.len()
            + self.nominated.len()
            + self.preempting.len()
            + self.unscheduled.len()
            + self.scaling_down.len();
        nn * (6 - fields.left_out.count() + rows)
            + self.pending.len()
            + self.desired.len()
            + self.revision.len()
            + self.hpa_window_max.len()
            + self.hpa_window_min.len()
            + self.budget.len()
            + self.monitor.len()
            + self.stateful.len()
            + self.daemon_revision.len()
            + self.scale_up_hold.len()
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
        w.condition_bools(Conditions::PRESENT, &self.present);
        w.condition_ints(Conditions::STATUS, &self.status);
        w.condition_bools(Conditions::CORDONED, &self.cordoned);
        w.condition_bools(Conditions::DRAINING, &self.draining);
        w.condition_bools(Conditions::MAINTAINED, &self.maintained);
        w.condition_ints(Conditions::PANICS, &self.panics);
        w.ints(&self.pending, false);
        for row in self.pod_rows() {
            w.ints(row, true);
        }
        w.ints(&self.desired, false);
        w.ints(&self.revision, false);
        w.ints(&self.hpa_window_max, false);
        w.ints(&self.hpa_window_min, false);
        w.ints(&self.budget, false);
        w.bools(&self.monitor, false);
        w.ints(&self.stateful, false);
        w.ints(&self.daemon_revision, false);
        w.ints(&self.scale_up_hold, false);
        debug_assert_eq!(w.at, w.out.len());
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
        let rows = |s: &Self| {
            [
                s.bound.len(),
                s.running.len(),
                s.terminating.len(),
                s.evicting.len(),
                s.deleting.len(),
                s.queued.len(),
                s.nominated.len(),
                s.preempting.len(),
                s.unscheduled.len(),
                s.scaling_down.len(),
            ]
        };
        assert_eq!(rows(self), rows(o), "model bug: a state copied from one of another shape");
        self.copy_conditions_from(o, fields.left_out.others());
        self.pending.copy_from_slice(&o.pending);
        for (a, b) in self.bound.iter_mut().zip(&o.bound) {
            a.copy_from_slice(b);
        }
        for (a, b) in self.running.iter_mut().zip(&o.running) {
            a.copy_from_slice(b);
        }
        for (a, b) in self.terminating.iter_mut().zip(&o.terminating) {
            a.copy_from_slice(b);
        }
        for (a, b) in self.evicting.iter_mut().zip(&o.evicting) {
            a.copy_from_slice(b);
        }
        for (a, b) in self.deleting.iter_mut().zip(&o.deleting) {
            a.copy_from_slice(b);
        }
        for (a, b) in self.queued.iter_mut().zip(&o.queued) {
            a.copy_from_slice(b);
        }
        for (a, b) in self.nominated.iter_mut().zip(&o.nominated) {
            a.copy_from_slice(b);
        }
        for (a, b) in self.preempting.iter_mut().zip(&o.preempting) {
            a.copy_from_slice(b);
        }
        for (a, b) in self.unscheduled.iter_mut().zip(&o.unscheduled) {
            a.copy_from_slice(b);
        }
        for (a, b) in self.scaling_down.iter_mut().zip(&o.scaling_down) {
            a.copy_from_slice(b);
        }
        self.desired.copy_from_slice(&o.desired);
        self.revision.copy_from_slice(&o.revision);
        self.hpa_window_max.copy_from_slice(&o.hpa_window_max);
        self.hpa_window_min.copy_from_slice(&o.hpa_window_min);
        self.budget.copy_from_slice(&o.budget);
        self.monitor.copy_from_slice(&o.monitor);
        self.stateful.copy_from_slice(&o.stateful);
        self.daemon_revision.copy_from_slice(&o.daemon_revision);
        self.scale_up_hold.copy_from_slice(&o.scale_up_hold);
    }

    /// Overwrites node conditions `cs` with `o`'s.
    pub fn copy_conditions_from(&mut self, o: &Self, cs: Conditions) {
        fn copy<T: Copy>(cs: Conditions, c: Conditions, a: &mut [T], b: &[T]) {
            if cs.has(c) {
                a.copy_from_slice(b);
            }
        }
        copy(cs, Conditions::PRESENT, &mut self.present, &o.present);
        copy(cs, Conditions::STATUS, &mut self.status, &o.status);
        copy(cs, Conditions::CORDONED, &mut self.cordoned, &o.cordoned);
        copy(cs, Conditions::DRAINING, &mut self.draining, &o.draining);
        copy(cs, Conditions::MAINTAINED, &mut self.maintained, &o.maintained);
        copy(cs, Conditions::PANICS, &mut self.panics, &o.panics);
    }

    /// The node conditions in which this state and `o` differ at some node `(a, b)` pairs:
    /// this state's node `a` against `o`'s node `b`.
    fn differing(&self, o: &Self, pairs: impl Iterator<Item = (usize, usize)>) -> Conditions {
        let mut d = Conditions::NONE;
        for (a, b) in pairs {
            let diff = [
                (self.present[a] != o.present[b], Conditions::PRESENT),
                (self.status[a] != o.status[b], Conditions::STATUS),
                (self.cordoned[a] != o.cordoned[b], Conditions::CORDONED),
                (self.draining[a] != o.draining[b], Conditions::DRAINING),
                (self.maintained[a] != o.maintained[b], Conditions::MAINTAINED),
                (self.panics[a] != o.panics[b], Conditions::PANICS),
            ];
            for (differs, c) in diff {
                if differs {
                    d = d.with(c);
                }
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
        let x = self.all_ints().find(|&x| i16::try_from(x).is_err()).unwrap_or(i64::MIN);
        panic!("model bug: state value {x} out of the packed range");
    }

    /// Every integer value of the state (for messages).
    fn all_ints(&self) -> impl Iterator<Item = i64> + '_ {
        let grids = self.pod_rows().flatten();
        self.status.iter().chain(&self.panics).chain(&self.pending).chain(grids).copied().chain(
            self.desired
                .iter()
                .chain(&self.revision)
                .chain(&self.hpa_window_max)
                .chain(&self.hpa_window_min)
                .chain(&self.budget)
                .chain(&self.stateful)
                .chain(&self.daemon_revision)
                .chain(&self.scale_up_hold)
                .copied(),
        )
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
        r.condition_bools(Conditions::PRESENT, &mut self.present);
        r.condition_ints(Conditions::STATUS, &mut self.status);
        r.condition_bools(Conditions::CORDONED, &mut self.cordoned);
        r.condition_bools(Conditions::DRAINING, &mut self.draining);
        r.condition_bools(Conditions::MAINTAINED, &mut self.maintained);
        r.condition_ints(Conditions::PANICS, &mut self.panics);
        r.ints(&mut self.pending);
        for row in self.pod_rows_mut() {
            r.ints(row);
        }
        r.ints(&mut self.desired);
        r.ints(&mut self.revision);
        r.ints(&mut self.hpa_window_max);
        r.ints(&mut self.hpa_window_min);
        r.ints(&mut self.budget);
        r.bools(&mut self.monitor);
        r.ints(&mut self.stateful);
        r.ints(&mut self.daemon_revision);
        r.ints(&mut self.scale_up_hold);
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
        // The six condition values ([`row_head`](Self::row_head)), node by node over zipped
        // vectors (`row_head`, a call per node with six bounds checks, took 3 % of C4's instructions).
        let conditions = self.present.iter().zip(&self.status).zip(&self.cordoned).zip(&self.draining);
        let conditions = conditions.zip(&self.maintained).zip(&self.panics);
        for (r, (((((&p, &s), &c), &d), &mt), &pn)) in rows.chunks_exact_mut(stride).zip(conditions) {
            let head = [!p as i64, s, c as i64, d as i64, mt as i64, pn];
            for (x, v) in r[..6].iter_mut().zip(head) {
                *x = narrow(v);
            }
        }
        debug_assert!(
            (0..nn).all(|n| rows[n * stride..n * stride + 6].iter().zip(self.row_head(n)).all(|(&x, v)| x as i64 == v)),
            "search bug: node rows' conditions are not row_head's"
        );
        for (i, row) in self.per_node_counts().enumerate() {
            for (r, &v) in rows.chunks_exact_mut(stride).zip(row) {
                r[6 + i] = narrow(v);
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

    /// The first six values of node `n`'s row: its conditions, absent nodes last.
    fn row_head(&self, n: usize) -> [i64; 6] {
        [
            !self.present[n] as i64,
            self.status[n],
            self.cordoned[n] as i64,
            self.draining[n] as i64,
            self.maintained[n] as i64,
            self.panics[n],
        ]
    }

    /// Values per node row: six node conditions, then one per row of [`per_node_counts`](Self::per_node_counts).
    fn row_len(&self) -> usize {
        6 + self.bound.len()
            + self.running.len()
            + self.terminating.len()
            + self.evicting.len()
            + self.deleting.len()
            + self.queued.len()
            + self.nominated.len()
            + self.preempting.len()
            + self.unscheduled.len()
            + self.scaling_down.len()
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
        mark_changed(changed, &self.status, &before.status);
        mark_changed(changed, &self.panics, &before.panics);
        for (a, b) in self.per_node_counts().zip(before.per_node_counts()) {
            mark_changed(changed, a, b);
        }
        mark_changed(changed, &self.present, &before.present);
        mark_changed(changed, &self.cordoned, &before.cordoned);
        mark_changed(changed, &self.draining, &before.draining);
        mark_changed(changed, &self.maintained, &before.maintained);
    }

    /// Moves every node's state to its position in `scratch.perm` (as left by
    /// [`canonical_order`](Self::canonical_order)).
    pub fn apply_order(&mut self, scratch: &Scratch) {
        self.apply_renaming(&scratch.perm);
    }

    /// Moves every node's state to its position in `perm` (position -> node).
    pub fn apply_renaming(&mut self, perm: &[usize]) {
        let how = Renaming::of(perm);
        how.apply(&mut self.present, perm);
        how.apply(&mut self.status, perm);
        how.apply(&mut self.cordoned, perm);
        how.apply(&mut self.draining, perm);
        how.apply(&mut self.maintained, perm);
        how.apply(&mut self.panics, perm);
        for row in self.pod_rows_mut() {
            how.apply(row, perm);
        }
    }
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
            (None, None) => {
                for (o, &x) in out.iter_mut().zip(xs) {
                    *o = x as i16;
                    wide |= biased(x);
                }
            }
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
