//! Symmetry between interchangeable Deployments: which Deployments no static fact, intent or
//! controller tells apart (their classes), the renaming of a state's per-Deployment parts
//! (each Deployment's block: its pod groups' rows, its usage kinds' rows, its desired
//! replicas and revision, its HPA's windows, its events' budgets, its intents' monitors), the
//! canonical order a state is stored in (each class's blocks sorted), and the orbit of each
//! intent (the intents a renaming maps it to). It must not search, and must not call two
//! Deployments interchangeable that an actor's outcome can tell apart
//! ([`Controller::uses_deployment_order`](crate::model::Controller::uses_deployment_order)),
//! except an actor whose order matters only once one of its steps is enabled: those it names
//! (`watched`), and the search stops renaming where it meets one enabled.
//!
//! Two Deployments `a` and `b` are interchangeable when swapping them is an automorphism of
//! the model: the model with `a` and `b` swapped — their pod groups revision by revision,
//! their HPAs, their VPAs, their events and their intents in the order the spec lists them,
//! and every reference to any of these (spread and affinity selectors and
//! PodDisruptionBudgets as per-group vectors, snapshot pods, event revisions, HPA and VPA
//! targets) renamed — is the model itself, names aside. Swaps that are automorphisms form a
//! group, so "the swap of `a` and `b` is one" is an equivalence relation, and every
//! permutation within its classes is an automorphism.
//!
//! A VerticalPodAutoscaler names its target Deployment and nothing else: its recommendations
//! name revisions of that target by position (which the swap pairs in order), its step labels
//! name it by index (labels are not renamed: a renamed run's steps are found again from its
//! states), and it has no state of its own (the recommendation in force is its target's
//! revision, a per-Deployment value). So a swap renames each VPA's target and exchanges the
//! two Deployments' VPAs; Deployments whose VPAs differ in any other field (the mode too,
//! `Off` included), or that have not as many VPAs, are told apart.

use std::cmp::Ordering;

use crate::domain::Concrete;
use crate::ir::{self, Event, Intent};
use crate::model::intents::{self, Property};
use crate::model::state::{Field, Objects, Scratch, Shape, Slot, FIELDS};
use crate::model::{registry, ClusterState, Model};

/// One Deployment's share of the state's indices.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Block {
    /// Its pod groups, revision by revision.
    groups: Vec<usize>,
    /// Its groups' usage kinds, group by group.
    kinds: Vec<usize>,
    hpa: Option<usize>,
    /// The VPAs whose target it is, in input order (at most one: `ir/build/vpa.rs`).
    vpas: Vec<usize>,
    /// The events that name it, in spec order.
    events: Vec<usize>,
    /// The intents that name it, in spec order.
    intents: Vec<usize>,
}

/// The classes of interchangeable Deployments of a model and how a renaming of them acts on
/// a state.
#[derive(Clone, Debug)]
pub struct Deployments {
    /// Classes of two or more interchangeable Deployments, each in index order.
    pub classes: Vec<Vec<usize>>,
    blocks: Vec<Block>,
    /// Per intent: the intents a renaming maps it to, itself first.
    pub orbits: Vec<Vec<usize>>,
    /// The actors (registry indices) whose steps' outcomes depend on the order of Deployments
    /// but not whether one is enabled
    /// ([`Controller::deployment_order_once_enabled`](crate::model::Controller::deployment_order_once_enabled)):
    /// states stored up to a renaming stand for every renaming only while none of their steps
    /// is enabled, so a search that meets one enabled stops.
    pub watched: Vec<usize>,
    groups: usize,
    /// Per part of a block ([`PARTS`]): the fields compared in it (indices into
    /// [`FIELDS`]), each with the offset of its rows (a kind's row of a field per groups then
    /// kinds comes after the groups'), worked out once rather than per comparison.
    part_fields: Vec<Vec<(usize, usize)>>,
}

/// The Deployment an intent names, if any.
pub fn intent_deployment(i: &Intent) -> Option<usize> {
    i.deployment().map(|d| d.index())
}

/// The Deployment an event names, if any.
fn event_deployment(e: &Event) -> Option<usize> {
    e.deployment().map(|d| d.index())
}

/// Each Deployment's block of `m`.
fn blocks(m: &Model) -> Vec<Block> {
    (0..m.ir.deployments.len())
        .map(|d| Block {
            groups: m.groups_of[d].clone(),
            kinds: m.groups_of[d].iter().flat_map(|&g| m.kinds_of_group[g].iter().copied()).collect(),
            hpa: m.ir.deployments[d].hpa.map(|h| h.index()),
            vpas: (0..m.ir.vpas.len()).filter(|&v| m.ir.vpas[v].target.index() == d).collect(),
            events: (0..m.ir.events.len()).filter(|&e| event_deployment(&m.ir.events[e]) == Some(d)).collect(),
            intents: (0..m.ir.intents.len()).filter(|&i| intent_deployment(&m.ir.intents[i]) == Some(d)).collect(),
        })
        .collect()
}

/// Whether the events of Deployments `a` and `b`, paired in spec order as a swap pairs them,
/// may fire alike in this check (`Model::events_allowed`: a part of a check lets only some
/// events fire, which the model's serialized form does not show).
fn events_alike(m: &Model, blocks: &[Block], a: usize, b: usize) -> bool {
    let Some(allowed) = &m.events_allowed else { return true };
    let (ea, eb) = (&blocks[a].events, &blocks[b].events);
    ea.len() == eb.len() && ea.iter().zip(eb).all(|(&x, &y)| allowed.events[x] == allowed.events[y])
}

/// The parts of the model's serialized form this module knows how to rename. A part in
/// neither this list nor [`OFF`] that is not empty (a kind of object added to the model later)
/// turns the symmetry off as those in [`OFF`] do, until this module renames it too; a test
/// holds the two lists to the model's parts, so that each new part is decided on.
const KNOWN: [&str; 24] = [
    "name",
    "spec_inferred",
    // The inferred spec's failure scenario in words: names no Deployment.
    "scenario",
    "dropped",
    "labels",
    "pools",
    "nodes",
    "deployments",
    "groups",
    "hpas",
    "scheduler",
    "descheduler",
    "controllers",
    "timing",
    "events",
    "intents",
    "bounds",
    "initial_pods",
    "fixed_pods",
    "pdbs",
    // Classes name no Deployment or group (each group carries its priority): nothing to rename.
    "priority_classes",
    // The cluster autoscaler's options name no Deployment or group; its controller treats
    // every group alike (a drain queues every pod of the node): nothing to rename.
    "autoscaler",
    // Renamed with their target (see the module documentation).
    "vpas",
    // A DaemonSet names no Deployment: its revisions are its own pod groups, which a swap of
    // Deployments leaves where they are, and its groups' selector vectors over every group are
    // renamed with every other group's. Its values in the state (per DaemonSet, per DaemonSet
    // pod group, per node: `Objects::DaemonSets`, `Objects::DaemonGroups`) lie outside every
    // block and stay; every actor that reads them is the model's code over the IR and the
    // state, which a swap that is an automorphism maps onto itself (the contract of
    // `Controller::uses_deployment_order`).
    "daemon_sets",
];

/// The parts of the model's serialized form that turn the symmetry off wherever they are not
/// empty: renaming them is not worth it, or not sound. None today.
const OFF: [&str; 0] = [];

/// How many pairs of Deployments [`Deployments::of`] compares at most. A few hundred
/// Deployments in a few dozen kinds (a snapshot of k copies of an application) stay well
/// within it; thousands of Deployments that all differ would not.
pub const COMPARISONS: usize = 20_000;

/// The work [`Deployments::of`] spends at most: comparisons times the model's [`size`]. Each
/// comparison renames and serializes a copy of the whole model, and a model's per-group
/// selector vectors grow with the square of its groups (a spread constraint of every group,
/// system default spreading included, has a vector over every group), so thousands of
/// Deployments would make each comparison cost what a model of hundreds costs in all. The
/// work is counted, not timed, so that the classes (and the state counts) do not depend on
/// the machine.
pub const WORK: usize = COMPARISONS * 1_000;

impl Deployments {
    /// The classes of interchangeable Deployments of `m` (at most [`COMPARISONS`] pairs
    /// compared); `None` when no two are (or some actor's outcome, or whether one of its
    /// steps is enabled, depends on the order of Deployments, or the model has parts this
    /// module cannot rename, or `m.symmetric_deployments` is off).
    pub fn of(m: &Model) -> Option<Deployments> {
        let nd = m.ir.deployments.len();
        let reg = registry::<Concrete>();
        let ordered: Vec<usize> = (0..reg.len()).filter(|&c| reg[c].uses_deployment_order(m)).collect();
        if nd < 2 || !m.symmetric_deployments || ordered.iter().any(|&c| !reg[c].deployment_order_once_enabled(m)) {
            return None;
        }
        let blocks = blocks(m);
        // A check's parts differ only in the events they let fire: the classes by the model's
        // static facts are found once for all of them, then split where a part lets the
        // events of two Deployments fire unlike (an equivalence too, so the split classes are
        // those of both relations at once).
        let fixed = m.deployment_classes.get_or_init(|| static_classes(m, &blocks));
        let mut classes: Vec<Vec<usize>> = Vec::new();
        for c in fixed {
            let mut split: Vec<Vec<usize>> = Vec::new();
            for &d in c {
                match split.iter_mut().find(|s| events_alike(m, &blocks, s[0], d)) {
                    Some(s) => s.push(d),
                    None => split.push(vec![d]),
                }
            }
            classes.extend(split.into_iter().filter(|s| s.len() > 1));
        }
        classes.sort_by_key(|c| c[0]);
        if classes.is_empty() {
            return None;
        }
        let mut orbits: Vec<Vec<usize>> = (0..m.ir.intents.len()).map(|i| vec![i]).collect();
        for c in &classes {
            for &d in c {
                for (k, &i) in blocks[d].intents.iter().enumerate() {
                    orbits[i].extend(c.iter().filter(|&&e| e != d).map(|&e| blocks[e].intents[k]));
                }
            }
        }
        let groups = m.ir.groups.len();
        let part_fields = PARTS
            .iter()
            .map(|part| {
                (0..FIELDS.len())
                    .filter(|&k| in_part(&FIELDS[k], part))
                    .map(|k| match (FIELDS[k].shape, part.0) {
                        (Shape::PerRowAndNode(Objects::GroupsThenKinds), Objects::Kinds) => (k, groups),
                        _ => (k, 0),
                    })
                    .collect()
            })
            .collect();
        Some(Deployments { classes, blocks, orbits, watched: ordered, groups, part_fields })
    }

    /// Compares Deployments `a` and `b`'s blocks of `st` (same class, so the same shape):
    /// their per-Deployment values, then their groups' values, their groups' rows (group by
    /// group), their usage kinds' rows (kind by kind), their HPA's values, their events' and
    /// their intents' values, each object's fields in declaration order.
    fn cmp_blocks(&self, st: &ClusterState<Concrete>, a: usize, b: usize) -> Ordering {
        let slots = st.slots();
        for (part, fields) in PARTS.iter().zip(&self.part_fields) {
            let mut order = Ordering::Equal;
            self.pairs(part.0, a, b, |i, j| {
                for &(k, off) in fields {
                    if order.is_ne() {
                        return;
                    }
                    let (i, j) = (off + i, off + j);
                    order = match &slots[k] {
                        Slot::Ints(v) => v[i].cmp(&v[j]),
                        Slot::Bools(v) => v[i].cmp(&v[j]),
                        Slot::Grid(rows) if rows.is_empty() => Ordering::Equal,
                        // Copies' rows are mostly equal: `==` on integers is one memcmp,
                        // where the lexicographic order walks the row element by element.
                        Slot::Grid(rows) if rows[i] == rows[j] => Ordering::Equal,
                        Slot::Grid(rows) => rows[i].cmp(&rows[j]),
                    };
                }
            });
            if order.is_ne() {
                return order;
            }
        }
        Ordering::Equal
    }

    /// Calls `f` on each pair of indices that a swap of Deployments `a` and `b` exchanges in
    /// a field whose values are per `objects` (none for objects a swap leaves alone).
    fn pairs(&self, objects: Objects, a: usize, b: usize, mut f: impl FnMut(usize, usize)) {
        let (x, y) = (&self.blocks[a], &self.blocks[b]);
        let mut zip = |u: &[usize], w: &[usize], off: usize| u.iter().zip(w).for_each(|(&i, &j)| f(off + i, off + j));
        match objects {
            Objects::Deployments => zip(&[a], &[b], 0),
            Objects::Groups => zip(&x.groups, &y.groups, 0),
            Objects::Kinds => zip(&x.kinds, &y.kinds, 0),
            Objects::GroupsThenKinds => {
                zip(&x.groups, &y.groups, 0);
                zip(&x.kinds, &y.kinds, self.groups);
            }
            Objects::Hpas => {
                if let (Some(h), Some(j)) = (x.hpa, y.hpa) {
                    zip(&[h], &[j], 0)
                }
            }
            Objects::Events => zip(&x.events, &y.events, 0),
            Objects::Intents => zip(&x.intents, &y.intents, 0),
            // A swap of two StatefulSets is never an automorphism (their ordinals' groups are
            // not renamed in `swap_is_automorphism`); DaemonSet values, fixed rows and
            // cluster-wide values are no Deployment's.
            Objects::StatefulValues
            | Objects::DaemonGroups
            | Objects::DaemonSets
            | Objects::Labels(_)
            | Objects::One => {}
        }
    }

    /// The renaming that puts each class's blocks of `st` in order (a stable sort: equal
    /// blocks keep their index order), as `perm` (position -> the Deployment whose block goes
    /// there). Returns whether it moves any block.
    pub fn canonical_order(&self, st: &ClusterState<Concrete>, perm: &mut Vec<usize>) -> bool {
        perm.clear();
        perm.extend(0..self.blocks.len());
        let mut moved = false;
        let mut order = Vec::new();
        for class in &self.classes {
            order.clear();
            order.extend_from_slice(class);
            // Insertion sort: few blocks are out of order in the states a search meets.
            for i in 1..order.len() {
                let x = order[i];
                let mut j = i;
                while j > 0 && self.cmp_blocks(st, x, order[j - 1]) == Ordering::Less {
                    order[j] = order[j - 1];
                    j -= 1;
                }
                order[j] = x;
            }
            for (&p, &src) in class.iter().zip(&order) {
                perm[p] = src;
                moved |= p != src;
            }
        }
        moved
    }

    /// Renames `st`'s Deployments so that each class's blocks are in order; whether any moved.
    pub fn canonicalize(&self, st: &mut ClusterState<Concrete>, perm: &mut Vec<usize>) -> bool {
        let moved = self.canonical_order(st, perm);
        if moved {
            self.apply(st, perm);
        }
        moved
    }

    /// Moves every Deployment's block of `st` to its position in `perm` (position -> the
    /// Deployment whose block goes there; Deployments of one class only), cycle by cycle with
    /// swaps of blocks (a row swap moves two pointers: nothing is copied or allocated).
    pub fn apply(&self, st: &mut ClusterState<Concrete>, perm: &[usize]) {
        let mut done = vec![false; perm.len()];
        for p in 0..perm.len() {
            if done[p] || perm[p] == p {
                continue;
            }
            // new[j] = old[perm[j]] along the cycle through p: each swap puts the block that
            // belongs at j there and carries p's old block on.
            let mut j = p;
            while perm[j] != p {
                self.swap_blocks(st, j, perm[j]);
                done[j] = true;
                j = perm[j];
            }
            done[j] = true;
        }
    }

    /// Swaps Deployments `a` and `b`'s blocks of `st` (one class, so the same shape): every
    /// field's values per the objects a swap exchanges ([`pairs`](Self::pairs)); per-node
    /// values stay.
    fn swap_blocks(&self, st: &mut ClusterState<Concrete>, a: usize, b: usize) {
        for (f, mut slot) in FIELDS.iter().zip(st.slots_mut()) {
            let (Shape::Per(objects) | Shape::PerRowAndNode(objects)) = f.shape else { continue };
            if !slot.is_empty() {
                self.pairs(objects, a, b, |i, j| slot.swap(i, j));
            }
        }
    }

    /// `st` with Deployments `a` and `b` (one class) swapped.
    pub fn swapped(&self, st: &ClusterState<Concrete>, a: usize, b: usize) -> ClusterState<Concrete> {
        let mut perm: Vec<usize> = (0..self.blocks.len()).collect();
        perm.swap(a, b);
        let mut out = st.clone();
        self.apply(&mut out, &perm);
        out
    }

    /// The natural logarithm of the number of renamings within the classes.
    pub fn log_order(&self) -> f64 {
        log_order(&self.classes)
    }

    /// Whether every renaming within the classes maps the set `inits` onto itself (a check
    /// from some topologies only, as `kbmc scale` asks, may start from a set that one does
    /// not): the swaps of neighbours in each class generate every renaming.
    pub fn fixes(&self, inits: &[ClusterState<Concrete>]) -> bool {
        let mut keys: Vec<Vec<i16>> = inits.iter().map(|s| s.pack()).collect();
        keys.sort();
        self.classes.iter().all(|c| {
            c.windows(2).all(|w| inits.iter().all(|s| keys.binary_search(&self.swapped(s, w[0], w[1]).pack()).is_ok()))
        })
    }

    /// The class of Deployment `d`, if it has one.
    pub fn class_of(&self, d: usize) -> Option<&[usize]> {
        self.classes.iter().find(|c| c.contains(&d)).map(|c| c.as_slice())
    }

    /// Whether any class has two or more Deployments.
    pub fn any(&self) -> bool {
        !self.classes.is_empty()
    }
}

/// The natural logarithm of the number of permutations within `classes`: the sum of
/// `ln(k!)` over classes of `k` members.
pub fn log_order(classes: &[Vec<usize>]) -> f64 {
    classes.iter().map(|c| (2..=c.len()).map(|k| (k as f64).ln()).sum::<f64>()).sum()
}

/// Renames `st` into the form states are stored in: its identical nodes into order (`nodes`,
/// [`ClusterState::canonicalize`]), then each class of interchangeable Deployments into block
/// order, then, where that moved a block, its nodes into order again. A deterministic
/// function of the state into the state's own orbit. With one of the two groups it is a
/// canonical form (every renaming of a state gets one form); with both it is not (two
/// renamings of one state may get two forms: a state stored twice, never two states once),
/// which a search may afford but rebuilding runs from stored states may not, so `check`
/// passes one group only.
pub fn stored_form(
    nodes: Option<&[Vec<usize>]>,
    deployments: Option<&Deployments>,
    st: &mut ClusterState<Concrete>,
    scratch: &mut Scratch,
    perm: &mut Vec<usize>,
) {
    if let Some(c) = nodes {
        st.canonicalize(c, scratch);
    }
    if let Some(d) = deployments {
        if d.canonicalize(st, perm) {
            if let Some(c) = nodes {
                st.canonicalize(c, scratch);
            }
        }
    }
}

/// The order [`Deployments::cmp_blocks`] compares a block's parts in: the objects, and
/// whether their values (false) or their per-node rows (true). A field per groups then kinds
/// is compared with the groups' rows, then with the kinds'.
const PARTS: [(Objects, bool); 7] = [
    (Objects::Deployments, false),
    (Objects::Groups, false),
    (Objects::Groups, true),
    (Objects::Kinds, true),
    (Objects::Hpas, false),
    (Objects::Events, false),
    (Objects::Intents, false),
];

/// Whether field `f` is compared in `part` of a block.
fn in_part(f: &Field, part: &(Objects, bool)) -> bool {
    match (f.shape, part) {
        (Shape::Per(o), (p, false)) => o == *p,
        (Shape::PerRowAndNode(Objects::GroupsThenKinds), (Objects::Groups | Objects::Kinds, true)) => true,
        (Shape::PerRowAndNode(o), (p, true)) => o == *p,
        _ => false,
    }
}

/// How many per-group selector vectors the model has.
fn vectors(ir: &ir::Model) -> usize {
    ir.groups
        .iter()
        .map(|g| {
            let a = &g.pod_affinity;
            let terms = a.required.len() + a.required_anti.len() + a.preferred.len() + a.preferred_anti.len();
            2 * (g.spread.len() + terms)
        })
        .sum::<usize>()
        + ir.pdbs.len()
}

/// What one comparison of [`swap_is_automorphism`] costs, in objects: the model's objects,
/// and its per-group selector vectors in words of 64 groups (they are compared as bit
/// strings).
fn size(ir: &ir::Model) -> usize {
    let vectors = vectors(ir) * ir.groups.len();
    ir.deployments.len()
        + ir.groups.len()
        + ir.hpas.len()
        + ir.vpas.len()
        + ir.events.len()
        + ir.intents.len()
        + ir.initial_pods.len()
        + ir.pdbs.len()
        + vectors / 64
}

/// The classes of two or more Deployments of `m` a swap of which is an automorphism of the
/// model, whatever events a part of a check lets fire (at most [`COMPARISONS`] pairs
/// compared, fewer on a large model).
fn static_classes(m: &Model, blocks: &[Block]) -> Vec<Vec<usize>> {
    let nd = m.ir.deployments.len();
    // Without PodDisruptionBudgets and snapshot pods (lists kept sorted, whose members a
    // swap may exchange), a swap is checked object by object (`swap_is_automorphism_here`).
    let here = m.ir.pdbs.is_empty() && m.ir.initial_pods.is_empty();
    let size = if here { vectors(&m.ir) / 16 + 1 } else { size(&m.ir) };
    let budget = COMPARISONS.min(WORK / size);
    if budget == 0 {
        log::info!(target: crate::PROGRESS, "symmetry between Deployments: the model is too large to compare them");
        return Vec::new();
    }
    let Some(base) = normalized(m.ir.clone()) else { return Vec::new() };
    // A Deployment with a safety intent shown as a cycle stays alone (replica
    // oscillation: a cycle of its desired replicas, which this module does not rename).
    let alone = |d: usize| {
        blocks[d]
            .intents
            .iter()
            .any(|&i| matches!(intents::property(&m.ir.intents[i]), Property::Safety { shown_as_cycle: Some(_) }))
    };
    let mut classes: Vec<Vec<usize>> = Vec::new();
    // Each comparison renames a copy of the whole model: on thousands of Deployments that
    // differ, comparing each with every class is quadratic work before the search starts.
    // Past the budget (`COMPARISONS`, fewer on a large model: `WORK`), or once a limit is
    // reached, the Deployments not compared yet stay alone: a class is sound however few
    // members it has.
    let mut compared = 0usize;
    // What two interchangeable Deployments share before any renaming: a Deployment whose
    // signature differs from a class's is not compared with it (and not counted).
    let signatures: Vec<Option<String>> = (0..nd).map(|d| signature(m, &blocks[d], d)).collect();
    for d in (0..nd).filter(|&d| !alone(d)) {
        if compared >= budget || crate::limits::stopped().is_some() {
            log::info!(
                target: crate::PROGRESS,
                "symmetry between Deployments: {compared} comparisons made, the Deployments from {} on are not compared",
                m.ir.deployments[d].name
            );
            break;
        }
        let found = classes.iter_mut().find(|c| {
            if signatures[d].is_none() || signatures[d] != signatures[c[0]] {
                return false;
            }
            compared += 1;
            if here {
                swap_is_automorphism_here(m, blocks, c[0], d)
            } else {
                swap_is_automorphism(m, blocks, &base, c[0], d)
            }
        });
        match found {
            Some(c) => c.push(d),
            None => classes.push(vec![d]),
        }
    }
    classes.retain(|c| c.len() > 1);
    classes
}

/// The fields of a Deployment that only name it. Its namespace is read as a namespace by the
/// descheduler (its namespace filter, its per-namespace limit) and the cluster autoscaler (pods
/// of kube-system); every other reader of a namespace (selectors with their namespaces,
/// PodDisruptionBudgets) is resolved into per-group vectors when the IR is built, and those a
/// swap renames. So copies of one application in namespaces of their own are interchangeable
/// where neither of the two runs.
fn naming_fields(ir: &ir::Model) -> &'static [&'static str] {
    if ir.descheduler.is_some() || ir.autoscaler.is_some() {
        &["name", "object_name"]
    } else {
        &["name", "object_name", "namespace"]
    }
}

/// What a swap leaves of Deployment `d` and its pod groups once their references to each other
/// and to other objects are dropped: its serialized form without its names, revisions and HPA,
/// and each group's without its owner, labels and selector vectors, with its snapshot pods, in
/// revision order. A swap
/// that is an automorphism maps `d`'s onto the other's, so two interchangeable Deployments have
/// equal signatures; `None` where one does not serialize (never compared).
fn signature(m: &Model, block: &Block, d: usize) -> Option<String> {
    let mut dep = serde_json::to_value(&m.ir.deployments[d]).ok()?;
    let o = dep.as_object_mut()?;
    for f in naming_fields(&m.ir).iter().chain(&["revisions", "hpa"]) {
        o.remove(*f);
    }
    let mut out = vec![dep];
    for &g in &block.groups {
        let mut grp = m.ir.groups[g].clone();
        vectors_mut(&mut grp).for_each(Vec::clear);
        let mut v = serde_json::to_value(&grp).ok()?;
        let o = v.as_object_mut()?;
        o.remove("owner");
        o.remove("labels");
        // Where a snapshot has its pods, sorted as `normalized` sorts the list.
        let mut pods: Vec<String> =
            m.ir.initial_pods
                .iter()
                .filter(|p| p.group.index() == g)
                .map(|p| format!("{:?} {:?} {}", p.node, p.phase, p.count))
                .collect();
        pods.sort_unstable();
        o.insert("initial_pods".into(), serde_json::Value::from(pods));
        out.push(v);
    }
    serde_json::to_string(&out).ok()
}

/// A model's [`normalized`] form: its serialized form, and its groups' vectors (group by
/// group; the groups keep their order, so the vectors need not be in the serialized form).
#[derive(PartialEq)]
struct Normal {
    json: serde_json::Value,
    groups: Vec<Vec<String>>,
}

/// Every per-group selector vector of group `g`: its spread constraints', then its inter-pod
/// affinity terms' (required, required anti, preferred, preferred anti), each `selects` then
/// `desched_selects`. The normalized form and the swaps go through them in this order.
fn vectors_mut(g: &mut ir::PodGroup) -> impl Iterator<Item = &mut Vec<bool>> {
    let a = &mut g.pod_affinity;
    let terms = a.required.iter_mut().chain(&mut a.required_anti).chain(&mut a.preferred).chain(&mut a.preferred_anti);
    g.spread
        .iter_mut()
        .flat_map(|c| [&mut c.selects, &mut c.desched_selects])
        .chain(terms.flat_map(|t| [&mut t.selects, &mut t.desched_selects]))
}

/// A per-group vector as the bit string the normalized form holds in its place: serialized
/// as it is, each of its booleans would be a JSON value of its own, and a model of thousands
/// of groups would hold millions of them.
fn bits(v: &mut Vec<bool>) -> String {
    std::mem::take(v).into_iter().map(|b| if b { '1' } else { '0' }).collect()
}

/// The model's serialized form with names left out (they change no behaviour), the lists
/// whose order no behaviour reads (snapshot pods, PodDisruptionBudgets) sorted, and each
/// per-group vector a bit string; `None` when it has a part this module does not know how to
/// rename.
fn normalized(mut ir: ir::Model) -> Option<Normal> {
    use serde_json::Value;
    // Each group's vectors, in the order `put_back` puts them back.
    let mut group_bits: Vec<Vec<String>> = Vec::with_capacity(ir.groups.len());
    for g in &mut ir.groups {
        group_bits.push(vectors_mut(g).map(bits).collect());
    }
    let pdb_bits: Vec<String> = ir.pdbs.iter_mut().map(|p| bits(&mut p.selects)).collect();
    let mut v = serde_json::to_value(&ir).ok()?;
    let obj = v.as_object_mut()?;
    for (k, x) in obj.iter() {
        let empty = x.is_null() || x.as_array().is_some_and(|a| a.is_empty()) || x.as_bool() == Some(false);
        // A part of `OFF`, or of neither list (one added to the model since, which the tests
        // catch), is not renamed.
        let k = k.as_str();
        if !empty && (OFF.contains(&k) || !KNOWN.contains(&k)) {
            return None;
        }
    }
    // A PodDisruptionBudget's bit string goes into its object, which the list is sorted by.
    for (p, b) in obj.get_mut("pdbs").and_then(Value::as_array_mut).into_iter().flatten().zip(pdb_bits) {
        if let Some(o) = p.as_object_mut() {
            o.insert("selects".into(), Value::String(b));
        }
    }
    obj.remove("name");
    obj.remove("dropped");
    let naming = naming_fields(&ir);
    for (list, fields) in [
        ("deployments", naming),
        ("groups", &["labels"]),
        ("hpas", &["name"]),
        ("pdbs", &["name"]),
        ("vpas", &["name"]),
    ] {
        for x in obj.get_mut(list).and_then(|l| l.as_array_mut()).into_iter().flatten() {
            if let Some(o) = x.as_object_mut() {
                for f in fields {
                    o.remove(*f);
                }
            }
        }
    }
    for list in ["initial_pods", "pdbs"] {
        if let Some(a) = obj.get_mut(list).and_then(|l| l.as_array_mut()) {
            a.sort_by_cached_key(|x| x.to_string());
        }
    }
    Some(Normal { json: v, groups: group_bits })
}

/// The renaming that swaps Deployments `a` and `b`: their blocks' groups, HPAs, VPAs, events
/// and intents pair up in order. `None` when the blocks differ in shape (no swap can map one onto
/// the other).
struct Swap {
    deps: [(usize, usize); 1],
    groups: Vec<(usize, usize)>,
    hpas: Vec<(usize, usize)>,
    vpas: Vec<(usize, usize)>,
    events: Vec<(usize, usize)>,
    intents: Vec<(usize, usize)>,
}

impl Swap {
    fn of(m: &Model, blocks: &[Block], a: usize, b: usize) -> Option<Swap> {
        let (x, y) = (&blocks[a], &blocks[b]);
        let shape = |b: &Block| {
            (
                b.groups.iter().map(|&g| m.kinds_of_group[g].len()).collect::<Vec<_>>(),
                b.hpa.is_some(),
                b.vpas.len(),
                b.events.len(),
                b.intents.len(),
            )
        };
        if shape(x) != shape(y) {
            return None;
        }
        let zip = |u: &[usize], w: &[usize]| u.iter().copied().zip(w.iter().copied()).collect::<Vec<_>>();
        Some(Swap {
            deps: [(a, b)],
            groups: zip(&x.groups, &y.groups),
            hpas: x.hpa.zip(y.hpa).into_iter().collect(),
            vpas: zip(&x.vpas, &y.vpas),
            events: zip(&x.events, &y.events),
            intents: zip(&x.intents, &y.intents),
        })
    }

    /// Index `i` under the swap of `pairs`.
    fn index(pairs: &[(usize, usize)], i: usize) -> usize {
        pairs.iter().find_map(|&(p, q)| (i == p).then_some(q).or((i == q).then_some(p))).unwrap_or(i)
    }

    fn dep(&self, d: ir::DeploymentId) -> ir::DeploymentId {
        ir::DeploymentId(Swap::index(&self.deps, d.index()) as u32)
    }

    fn group(&self, g: ir::GroupId) -> ir::GroupId {
        ir::GroupId(Swap::index(&self.groups, g.index()) as u32)
    }

    fn hpa(&self, h: ir::HpaId) -> ir::HpaId {
        ir::HpaId(Swap::index(&self.hpas, h.index()) as u32)
    }

    /// A per-group vector with its swapped groups' entries traded.
    fn per_group(&self, v: &[bool]) -> Vec<bool> {
        (0..v.len()).map(|g| v[Swap::index(&self.groups, g)]).collect()
    }
}

/// [`swap_is_automorphism`] object by object, for a model without PodDisruptionBudgets and
/// snapshot pods. Swapping `a` and `b` changes only the objects of their blocks (which trade
/// places, their references renamed) and, in every other object, the per-group vectors
/// (whose entries of `a`'s and `b`'s groups trade places). So the swap maps the model onto
/// itself exactly when each object of `a`'s block is `b`'s matching object renamed (names
/// aside; the converse follows, the swap being its own inverse) and every other group's
/// vectors agree on each pair of swapped groups. The cost is that of the two blocks and one
/// look at each vector, not of a copy of the model.
fn swap_is_automorphism_here(m: &Model, blocks: &[Block], a: usize, b: usize) -> bool {
    let Some(sw) = Swap::of(m, blocks, a, b) else { return false };
    let ir = &m.ir;
    let (x, y) = (&blocks[a], &blocks[b]);
    let groups = &sw.groups;
    let dep_id = |d: ir::DeploymentId| sw.dep(d);
    let group_id = |g: ir::GroupId| sw.group(g);
    // An object's serialized form with the fields that name it left out.
    let plain = |v: serde_json::Value, names: &[&str]| {
        let mut v = v;
        if let Some(o) = v.as_object_mut() {
            for n in names {
                o.remove(*n);
            }
        }
        v
    };
    let json = |v: Result<serde_json::Value, serde_json::Error>| v.ok();
    // Every other group's vectors: equal on each swapped pair.
    let agree = |v: &[bool]| groups.iter().all(|&(p, q)| v[p] == v[q]);
    fn vectors_of(g: &ir::PodGroup) -> Vec<&Vec<bool>> {
        let t = &g.pod_affinity;
        g.spread
            .iter()
            .flat_map(|c| [&c.selects, &c.desched_selects])
            .chain(
                t.required
                    .iter()
                    .chain(&t.required_anti)
                    .chain(&t.preferred)
                    .chain(&t.preferred_anti)
                    .flat_map(|t| [&t.selects, &t.desched_selects]),
            )
            .collect()
    }
    let outside = |g: usize| !x.groups.contains(&g) && !y.groups.contains(&g);
    if !(0..ir.groups.len()).filter(|&g| outside(g)).all(|g| vectors_of(&ir.groups[g]).into_iter().all(|v| agree(v))) {
        return false;
    }
    // `a`'s block against `b`'s renamed.
    let dep = |d: usize, rename: bool| {
        let mut o = ir.deployments[d].clone();
        if rename {
            o.revisions = o.revisions.iter().map(|&g| group_id(g)).collect();
            o.hpa = o.hpa.map(|h| sw.hpa(h));
        }
        json(serde_json::to_value(&o)).map(|v| plain(v, naming_fields(ir)))
    };
    if dep(a, false).is_none() || dep(a, false) != dep(b, true) {
        return false;
    }
    let group = |g: usize, rename: bool| {
        let mut o = ir.groups[g].clone();
        let mut vectors = Vec::new();
        let permuted = |v: &mut Vec<bool>| -> Vec<bool> {
            let w = std::mem::take(v);
            if rename {
                sw.per_group(&w)
            } else {
                w
            }
        };
        vectors.extend(vectors_mut(&mut o).map(permuted));
        if rename {
            if let ir::Owner::Deployment(d) = o.owner {
                o.owner = ir::Owner::Deployment(dep_id(d));
            }
        }
        json(serde_json::to_value(&o)).map(|v| (plain(v, &["labels"]), vectors))
    };
    for &(g, h) in groups {
        let mine = group(g, false);
        if mine.is_none() || mine != group(h, true) {
            return false;
        }
    }
    if let Some((p, q)) = x.hpa.zip(y.hpa) {
        let hpa = |h: usize, rename: bool| {
            let mut o = ir.hpas[h].clone();
            if rename {
                o.target = dep_id(o.target);
            }
            json(serde_json::to_value(&o)).map(|v| plain(v, &["name"]))
        };
        if hpa(p, false).is_none() || hpa(p, false) != hpa(q, true) {
            return false;
        }
    }
    let vpa = |v: usize, rename: bool| {
        let mut o = ir.vpas[v].clone();
        if rename {
            o.target = dep_id(o.target);
        }
        json(serde_json::to_value(&o)).map(|v| plain(v, &["name"]))
    };
    for &(v, w) in &sw.vpas {
        if vpa(v, false).is_none() || vpa(v, false) != vpa(w, true) {
            return false;
        }
    }
    for (&e, &f) in x.events.iter().zip(&y.events) {
        let mine = json(serde_json::to_value(&ir.events[e]));
        if mine.is_none() || mine != json(serde_json::to_value(ir.events[f].renamed(dep_id, group_id))) {
            return false;
        }
    }
    for (&i, &j) in x.intents.iter().zip(&y.intents) {
        let mut o = ir.intents[j].clone();
        if let Some(d) = o.deployment_mut() {
            *d = dep_id(*d);
        }
        let mine = json(serde_json::to_value(&ir.intents[i]));
        if mine.is_none() || mine != json(serde_json::to_value(&o)) {
            return false;
        }
    }
    true
}

/// Whether swapping Deployments `a` and `b` maps the model onto itself (see the module
/// documentation): `base` is the model's [`normalized`] form.
fn swap_is_automorphism(m: &Model, blocks: &[Block], base: &Normal, a: usize, b: usize) -> bool {
    let Some(sw) = Swap::of(m, blocks, a, b) else { return false };
    let ir = &m.ir;
    let swap = Swap::index;
    let (deps, groups, hpas, vpas) = (&sw.deps[..], &sw.groups, &sw.hpas, &sw.vpas);
    let (events, intents) = (&sw.events, &sw.intents);
    let dep_id = |d: ir::DeploymentId| sw.dep(d);
    let group_id = |g: ir::GroupId| sw.group(g);
    let per_group = |v: &Vec<bool>| sw.per_group(v);
    let mut s = ir.clone();
    s.deployments = (0..ir.deployments.len())
        .map(|d| {
            let mut x = ir.deployments[swap(deps, d)].clone();
            x.revisions = x.revisions.iter().map(|&g| group_id(g)).collect();
            x.hpa = x.hpa.map(|h| sw.hpa(h));
            x
        })
        .collect();
    s.groups = (0..ir.groups.len())
        .map(|g| {
            let mut x = ir.groups[swap(groups, g)].clone();
            if let ir::Owner::Deployment(d) = x.owner {
                x.owner = ir::Owner::Deployment(dep_id(d));
            }
            for v in vectors_mut(&mut x) {
                *v = per_group(v);
            }
            x
        })
        .collect();
    s.hpas = (0..ir.hpas.len())
        .map(|h| {
            let mut x = ir.hpas[swap(hpas, h)].clone();
            x.target = dep_id(x.target);
            x
        })
        .collect();
    s.vpas = (0..ir.vpas.len())
        .map(|v| {
            let mut x = ir.vpas[swap(vpas, v)].clone();
            x.target = dep_id(x.target);
            x
        })
        .collect();
    s.events = (0..ir.events.len()).map(|e| ir.events[swap(events, e)].renamed(dep_id, group_id)).collect();
    s.intents = (0..ir.intents.len())
        .map(|i| {
            let mut x = ir.intents[swap(intents, i)].clone();
            if let Some(d) = x.deployment_mut() {
                *d = dep_id(*d);
            }
            x
        })
        .collect();
    for p in &mut s.initial_pods {
        p.group = group_id(p.group);
    }
    for p in &mut s.pdbs {
        p.selects = per_group(&p.selects);
    }
    normalized(s).as_ref() == Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    const POOL: &str = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n";

    /// The object-by-object check agrees with the whole-model one on every pair of Deployments
    /// of every bundled case, good fixture and live fixture it applies to (no
    /// PodDisruptionBudget, no snapshot pod): they are two ways of asking one question.
    #[test]
    fn swaps_checked_object_by_object_agree_with_the_whole_model() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs: Vec<std::path::PathBuf> = ["cases", "tests/fixtures/good"]
            .iter()
            .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap().map(|e| e.unwrap().path()))
            .collect();
        dirs.sort();
        let mut pairs = 0;
        for dir in dirs {
            let Ok((ir, _)) = crate::load_model(std::slice::from_ref(&dir), false) else { continue };
            let m = Model::new(&ir);
            if !m.ir.pdbs.is_empty() || !m.ir.initial_pods.is_empty() || m.ir.deployments.len() < 2 {
                continue;
            }
            let blocks = blocks(&m);
            let Some(base) = normalized(m.ir.clone()) else { continue };
            for a in 0..blocks.len() {
                for b in a + 1..blocks.len() {
                    assert_eq!(
                        swap_is_automorphism_here(&m, &blocks, a, b),
                        swap_is_automorphism(&m, &blocks, &base, a, b),
                        "{}: Deployments {a} and {b}",
                        dir.display()
                    );
                    pairs += 1;
                }
            }
        }
        assert!(pairs >= 10, "only {pairs} pairs compared");
    }

    /// Deployments alike but for names, each with a spread constraint and an anti-affinity
    /// term selecting its own pods (per-group vectors over every group), are one class; one
    /// whose term selects another Deployment's pods is not in it.
    #[test]
    fn per_group_vectors_are_compared_entry_by_entry() {
        let own = |name: &str, sel: &str| {
            let extra = format!(
                "topologySpreadConstraints: [{{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: {name}}}}}}}]\naffinity: {{podAntiAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: [{{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: {sel}}}}}}}]}}}}"
            );
            deployment(name, 1, "100m", "1Gi", &extra)
        };
        let docs = [own("a", "a"), own("b", "b"), own("c", "c"), own("d", "a")].concat();
        let m = model(&format!("{docs}{}", spec("")));
        let classes = Deployments::of(&m).map(|d| d.classes).unwrap_or_default();
        assert_eq!(classes, vec![vec![1, 2]], "{classes:?}");
    }

    fn spec(extra: &str) -> String {
        format!("{POOL}{extra}")
    }

    /// Every part of the model's serialized form is decided on: renamed (`KNOWN`) or turning
    /// the symmetry off (`OFF`), never both. A part added to `ir::Model` fails here until it is
    /// put in one of the two lists.
    #[test]
    fn every_part_of_the_model_is_known_or_off() {
        let m = model(&format!("{}{}", deployment("a", 1, "1", "1Gi", ""), spec("")));
        let json = serde_json::to_value(&m.ir).unwrap();
        let mut parts: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        parts.sort_unstable();
        let mut decided: Vec<&str> = KNOWN.iter().chain(&OFF).copied().collect();
        decided.sort_unstable();
        let twice: Vec<&&str> = KNOWN.iter().filter(|k| OFF.contains(k)).collect();
        assert!(twice.is_empty(), "both renamed and off: {twice:?}");
        assert_eq!(parts, decided, "each part of ir::Model goes in KNOWN or OFF");
    }

    /// Deployments alike but for names, each with a VerticalPodAutoscaler alike but for its
    /// name and target, are one class; one without a VPA, and one whose VPA caps its
    /// recommendation lower, are each alone. The whole-model check agrees on every pair.
    #[test]
    fn deployments_with_alike_vpas_are_one_class() {
        let vpa = |name: &str, max_cpu: &str| {
            format!(
                "apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {{name: {name}}}\nspec:\n  targetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}\n  updatePolicy: {{updateMode: Recreate, minReplicas: 1}}\n  resourcePolicy:\n    containerPolicies: [{{containerName: \"*\", maxAllowed: {{cpu: \"{max_cpu}\"}}}}]\n---\n"
            )
        };
        let docs = ["a", "b", "c", "d"].map(|n| deployment(n, 2, "1", "1Gi", "")).concat();
        let vpas = [vpa("a", "2"), vpa("b", "2"), vpa("d", "300m")].concat();
        let usage = "  workloads: [{deployment: a, usage: {cpu: 500m}}, {deployment: b, usage: {cpu: 500m}}, {deployment: c, usage: {cpu: 500m}}, {deployment: d, usage: {cpu: 500m}}]\n";
        let m = model(&format!("{docs}{vpas}{}", spec(usage)));
        assert_eq!(m.ir.vpas.len(), 3);
        assert_eq!(Deployments::of(&m).map(|d| d.classes), Some(vec![vec![0, 1]]));
        let blocks = blocks(&m);
        let base = normalized(m.ir.clone()).unwrap();
        for a in 0..blocks.len() {
            for b in a + 1..blocks.len() {
                let here = swap_is_automorphism_here(&m, &blocks, a, b);
                assert_eq!(here, swap_is_automorphism(&m, &blocks, &base, a, b), "Deployments {a} and {b}");
                assert_eq!(here, (a, b) == (0, 1), "Deployments {a} and {b}");
            }
        }
    }

    /// Deployments alike but for their names are one class; one with other requests, or
    /// placed elsewhere at start, or named by an intent the others are not, is alone.
    #[test]
    fn classes_are_deployments_alike_but_for_names() {
        let three = format!(
            "{}{}{}",
            deployment("a", 2, "1", "1Gi", ""),
            deployment("b", 2, "1", "1Gi", ""),
            deployment("c", 2, "2", "1Gi", "")
        );
        let m = model(&format!("{three}{}", spec("")));
        assert_eq!(Deployments::of(&m).unwrap().classes, vec![vec![0, 1]]);
        let placed = "  workloads: [{deployment: a, placement: [{node: a-0, count: 1}]}]\n";
        assert!(Deployments::of(&model(&format!("{three}{}", spec(placed)))).is_none());
        let one = "  intents: [{type: noEvictionCycle, deployment: a}]\n";
        assert!(Deployments::of(&model(&format!("{three}{}", spec(one)))).is_none());
        let both = "  intents: [{type: noEvictionCycle, deployment: a}, {type: replicasWithin, deployment: c, min: 0, max: 2}, {type: noEvictionCycle, deployment: b}]\n";
        let d = Deployments::of(&model(&format!("{three}{}", spec(both)))).unwrap();
        assert_eq!(d.classes, vec![vec![0, 1]]);
        assert_eq!(d.orbits, vec![vec![0, 2], vec![1], vec![2, 0]]);
        // Different bounds on one intent kind: not interchangeable.
        let unlike = "  intents: [{type: replicasWithin, deployment: a, min: 0, max: 2}, {type: replicasWithin, deployment: b, min: 1, max: 2}]\n";
        assert!(Deployments::of(&model(&format!("{three}{}", spec(unlike)))).is_none());
    }

    /// Copies of one application in namespaces of their own, beside a DaemonSet and a
    /// Deployment of a higher priority that may preempt them, as a live cluster runs them: the
    /// copies are one class, and the search watches preemption, whose victim order a renaming
    /// can change. With a descheduler, which reads namespaces (its per-namespace limit), the
    /// copies stay apart. The whole-model check agrees with the object-by-object one.
    #[test]
    fn copies_in_namespaces_beside_a_daemon_set_are_one_class() {
        let copy = |name: &str, ns: &str| {
            deployment(name, 2, "1", "1Gi", "")
                .replace(&format!("{{name: {name}}}"), &format!("{{name: {name}, namespace: {ns}}}"))
        };
        let agent = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: c, image: agent:1, resources: {requests: {cpu: 100m, memory: 64Mi}}}]\n---\n";
        let high = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\n";
        let critical = deployment("critical", 1, "4", "1Gi", "priorityClassName: high\n");
        let docs = format!("{}{}{agent}{high}{critical}", copy("web", "shop-a"), copy("web", "shop-b"));
        let m = model(&format!("{docs}{}", spec("")));
        assert!(m.preempts);
        let d = Deployments::of(&m).expect("the copies are interchangeable");
        assert_eq!(d.classes, vec![vec![0, 1]]);
        let reg = registry::<Concrete>();
        let watched: Vec<&str> = d.watched.iter().map(|&c| reg[c].name()).collect();
        assert_eq!(watched, ["preemption"]);
        let blocks = blocks(&m);
        let base = normalized(m.ir.clone()).unwrap();
        assert!(swap_is_automorphism(&m, &blocks, &base, 0, 1));
        assert!(!swap_is_automorphism(&m, &blocks, &base, 0, 2));
        let policy = "apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{name: RemoveDuplicates}]\n    plugins: {balance: {enabled: [RemoveDuplicates]}}\n---\n";
        assert!(Deployments::of(&model(&format!("{docs}{policy}{}", spec("")))).is_none());
        // (The same copies in one namespace, beside the descheduler: one class.)
        let one = format!("{}{}{agent}{high}{critical}", copy("web", "shop"), copy("api", "shop"));
        assert!(
            Deployments::of(&model(&format!("{one}{policy}{}", spec("")))).is_some_and(|d| d.classes == [vec![0, 1]])
        );
        // Without the preempting Deployment nothing is watched.
        let plain = model(&format!("{}{}{agent}{}", copy("web", "shop-a"), copy("web", "shop-b"), spec("")));
        assert!(Deployments::of(&plain).is_some_and(|d| d.watched.is_empty()));
    }

    /// A spread constraint whose selector matches both Deployments' pods maps onto itself
    /// under the swap; one that matches its own Deployment's pods maps onto the other's.
    #[test]
    fn selectors_are_renamed_with_the_groups() {
        let own = |name: &str| {
            deployment(
                name,
                2,
                "1",
                "1Gi",
                &format!("topologySpreadConstraints:\n  - {{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: {name}}}}}}}"),
            )
        };
        let m = model(&format!("{}{}{}", own("a"), own("b"), spec("")));
        assert_eq!(Deployments::of(&m).unwrap().classes, vec![vec![0, 1]]);
        // a's constraint counts a's pods only, b's counts a's pods too: not alike.
        let odd = deployment(
            "b",
            2,
            "1",
            "1Gi",
            "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: a}}}",
        );
        assert!(Deployments::of(&model(&format!("{}{odd}{}", own("a"), spec("")))).is_none());
    }

    /// A check from every topology of two interchangeable Deployments with replicas ranges
    /// starts from a set every swap maps onto itself; one from a single topology in which
    /// their replicas differ does not.
    #[test]
    fn initial_states_must_be_fixed() {
        let m = model(&format!(
            "{}{}{}",
            deployment("a", 1, "1", "1Gi", ""),
            deployment("b", 1, "1", "1Gi", ""),
            spec("  workloads: [{deployment: a, replicas: {min: 1, max: 2}}, {deployment: b, replicas: {min: 1, max: 2}}]\n")
        ));
        let d = Deployments::of(&m).unwrap();
        let inits = m.initial_states();
        assert_eq!(inits.len(), 4);
        assert!(d.fixes(&inits));
        let uneven: Vec<_> = inits.iter().filter(|s| s.desired == [1, 2]).cloned().collect();
        assert!(!d.fixes(&uneven));
        let even: Vec<_> = inits.iter().filter(|s| s.desired[0] == s.desired[1]).cloned().collect();
        assert!(d.fixes(&even));
    }

    /// Sorting blocks is a renaming: the same state up to it gives one canonical state, and
    /// swapping twice is the identity.
    #[test]
    fn renamed_states_are_one_state() {
        let m = model(&format!(
            "{}{}{}{}",
            deployment("a", 2, "1", "1Gi", ""),
            deployment("b", 2, "1", "1Gi", ""),
            deployment("c", 2, "1", "1Gi", ""),
            spec("  intents: [{type: replicasWithin, deployment: a, min: 0, max: 2}, {type: replicasWithin, deployment: b, min: 0, max: 2}, {type: replicasWithin, deployment: c, min: 0, max: 2}]\n")
        ));
        let d = Deployments::of(&m).unwrap();
        assert_eq!(d.classes, vec![vec![0, 1, 2]]);
        let mut x = m.initial_state(&[2]);
        x.bound[0][1] = 1;
        x.pending[2] = 2;
        x.monitor[0] = true;
        let y = d.swapped(&x, 0, 2);
        assert_eq!((y.bound[2][1], y.pending[0], y.monitor[2]), (1, 2, true));
        assert_eq!(d.swapped(&y, 0, 2).pack(), x.pack());
        // A cycle of three: position p gets the block of perm[p].
        let mut cycled = x.clone();
        d.apply(&mut cycled, &[1, 2, 0]);
        assert_eq!((cycled.pending[1], cycled.bound[2][1], cycled.monitor[2]), (2, 1, true));
        assert_eq!((cycled.pending[0], cycled.bound[0][1], cycled.monitor[0]), (0, 0, false));
        let z = d.swapped(&y, 1, 0);
        let mut perm = Vec::new();
        let (mut cx, mut cz) = (x.clone(), z.clone());
        d.canonicalize(&mut cx, &mut perm);
        d.canonicalize(&mut cz, &mut perm);
        assert_eq!(cx.pack(), cz.pack());
        assert_ne!(x.pack(), z.pack());
    }
}
