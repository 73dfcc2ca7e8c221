//! ClusterState<D>: the mutable part of the cluster as integer arrays over nodes, with pods as
//! counts per (pod group or usage kind, node) — never pod slots: pods of one group at one
//! usage level are interchangeable, so counting them removes their permutations. No logical
//! clock: a repeated configuration is the same state, so oscillations close into cycles.

use crate::domain::{Concrete, Domain};

/// Node status values.
pub const READY: i64 = 0;
/// NotReady after a node failure.
pub const NOT_READY: i64 = 1;
/// NotReady after a kernel panic.
pub const PANICKED: i64 = 2;

pub struct ClusterState<D: Domain> {
    /// Per node slot: part of the topology (fixed during a run).
    pub present: Vec<D::Bool>,
    /// Per node: READY, NOT_READY or PANICKED.
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
}

impl<D: Domain> ClusterState<D> {
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
            desired: ints(&self.desired),
            revision: ints(&self.revision),
            hpa_window_max: ints(&self.hpa_window_max),
            hpa_window_min: ints(&self.hpa_window_min),
            budget: ints(&self.budget),
            monitor: bools(&self.monitor),
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
            desired: self.desired.clone(),
            revision: self.revision.clone(),
            hpa_window_max: self.hpa_window_max.clone(),
            hpa_window_min: self.hpa_window_min.clone(),
            budget: self.budget.clone(),
            monitor: self.monitor.clone(),
        }
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
            .field("desired", &self.desired)
            .field("revision", &self.revision)
            .field("budget", &self.budget)
            .field("monitor", &self.monitor)
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
        v.clear();
        let b = |x: &bool| *x as i16;
        let i = |x: &i64| {
            i16::try_from(*x).unwrap_or_else(|_| panic!("model bug: state value {x} out of the packed range"))
        };
        v.extend(self.present.iter().map(b));
        v.extend(self.status.iter().map(i));
        v.extend(self.cordoned.iter().map(b));
        v.extend(self.draining.iter().map(b));
        v.extend(self.maintained.iter().map(b));
        v.extend(self.panics.iter().map(i));
        v.extend(self.pending.iter().map(i));
        for row in self.bound.iter().chain(&self.running).chain(&self.terminating) {
            v.extend(row.iter().map(i));
        }
        v.extend(self.desired.iter().map(i));
        v.extend(self.revision.iter().map(i));
        v.extend(self.hpa_window_max.iter().map(i));
        v.extend(self.hpa_window_min.iter().map(i));
        v.extend(self.budget.iter().map(i));
        v.extend(self.monitor.iter().map(b));
    }

    /// Overwrites every value with those of a key made by [`pack_into`](Self::pack_into) from a
    /// state of the same model (same shape), reusing this state's allocations.
    pub fn unpack_from(&mut self, key: &[i16]) {
        let mut it = key.iter().copied();
        let mut next = || it.next().expect("model bug: packed key shorter than the state");
        let bools = |v: &mut Vec<bool>, next: &mut dyn FnMut() -> i16| v.iter_mut().for_each(|x| *x = next() != 0);
        let ints = |v: &mut Vec<i64>, next: &mut dyn FnMut() -> i16| v.iter_mut().for_each(|x| *x = next() as i64);
        bools(&mut self.present, &mut next);
        ints(&mut self.status, &mut next);
        bools(&mut self.cordoned, &mut next);
        bools(&mut self.draining, &mut next);
        bools(&mut self.maintained, &mut next);
        ints(&mut self.panics, &mut next);
        ints(&mut self.pending, &mut next);
        for row in self.bound.iter_mut().chain(&mut self.running).chain(&mut self.terminating) {
            ints(row, &mut next);
        }
        ints(&mut self.desired, &mut next);
        ints(&mut self.revision, &mut next);
        ints(&mut self.hpa_window_max, &mut next);
        ints(&mut self.hpa_window_min, &mut next);
        ints(&mut self.budget, &mut next);
        bools(&mut self.monitor, &mut next);
        assert!(it.next().is_none(), "model bug: packed key longer than the state");
    }

    /// Orders nodes by their per-node state: present nodes first, then by status, flags and
    /// pod counts.
    fn cmp_nodes(&self, a: usize, b: usize) -> std::cmp::Ordering {
        self.present[b]
            .cmp(&self.present[a])
            .then(self.status[a].cmp(&self.status[b]))
            .then(self.cordoned[a].cmp(&self.cordoned[b]))
            .then(self.draining[a].cmp(&self.draining[b]))
            .then(self.maintained[a].cmp(&self.maintained[b]))
            .then(self.panics[a].cmp(&self.panics[b]))
            .then_with(|| {
                self.bound
                    .iter()
                    .chain(&self.running)
                    .chain(&self.terminating)
                    .map(|row| row[a].cmp(&row[b]))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    }

    /// Renames the nodes of each class (node indices no static fact tells apart, at most 64
    /// per class) so that their per-node states are in [`cmp_nodes`](Self::cmp_nodes) order:
    /// states that differ only by such a renaming become equal. `order` is scratch space.
    pub fn canonicalize(&mut self, classes: &[Vec<usize>], order: &mut Vec<usize>) {
        for class in classes {
            order.clear();
            order.extend_from_slice(class);
            order.sort_unstable_by(|&a, &b| self.cmp_nodes(a, b));
            if order == class {
                continue;
            }
            permute(&mut self.present, class, order);
            permute(&mut self.status, class, order);
            permute(&mut self.cordoned, class, order);
            permute(&mut self.draining, class, order);
            permute(&mut self.maintained, class, order);
            permute(&mut self.panics, class, order);
            for row in self.bound.iter_mut().chain(&mut self.running).chain(&mut self.terminating) {
                permute(row, class, order);
            }
        }
    }

    /// Whether nodes `a` and `b` are in the same per-node state (for symmetry between
    /// identical nodes).
    pub fn same_node_state(&self, a: usize, b: usize) -> bool {
        self.present[a] == self.present[b]
            && self.status[a] == self.status[b]
            && self.cordoned[a] == self.cordoned[b]
            && self.draining[a] == self.draining[b]
            && self.maintained[a] == self.maintained[b]
            && self.panics[a] == self.panics[b]
            && self.bound.iter().chain(&self.running).chain(&self.terminating).all(|row| row[a] == row[b])
    }
}

/// `v[class[i]] = old v[order[i]]` for every i (`order` a permutation of `class`, at most 64 long).
fn permute<T: Copy + Default>(v: &mut [T], class: &[usize], order: &[usize]) {
    let mut tmp = [T::default(); 64];
    for (i, &o) in order.iter().enumerate() {
        tmp[i] = v[o];
    }
    for (i, &c) in class.iter().enumerate() {
        v[c] = tmp[i];
    }
}
