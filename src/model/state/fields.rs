//! What the declaration of `ClusterState`'s fields (the table in `model/state/mod.rs`) says about
//! each field, and what is derived from it alone: the field's shape (what its values are
//! per: nodes, rows of nodes, pod groups, Deployments, ...), from which follow its length in a
//! model, its place in a packed key, its role when nodes or Deployments are renamed, and the
//! names of its solver constants; its range; and borrowed views of a field's values
//! ([`Slot`], [`SlotMut`]) through which code outside the declaration visits fields without
//! naming them. Must not name a field (the table does) nor know any controller.

use crate::domain::Domain;
use crate::model::Model;

use super::Conditions;

/// How a field's values are held: the Rust type of the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Vec<D::Int>`.
    Ints,
    /// `Vec<D::Bool>`.
    Bools,
    /// `Vec<Vec<D::Int>>`: rows of one value per node.
    Grid,
}

/// The objects a field has one value (or, in a grid, one row of per-node values) for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objects {
    /// Pod groups (`ir.groups`). Renamed with their Deployment.
    Groups,
    /// Usage kinds (`Model::kinds`). Renamed with their group's Deployment.
    Kinds,
    /// Pod groups, then usage kinds (two parts of one field). Renamed part by part.
    GroupsThenKinds,
    /// DaemonSet pod groups (`Model::daemon_groups`). Never renamed: Deployment symmetry is
    /// off in a model with DaemonSets (`engine::explicit::deployments`).
    DaemonGroups,
    /// Deployments (`ir.deployments`). Renamed.
    Deployments,
    /// HPAs (`ir.hpas`). Renamed with their target.
    Hpas,
    /// Events (`ir.events`). Renamed with the Deployment they name.
    Events,
    /// Intents (`ir.intents`). Renamed with the Deployment they name.
    Intents,
    /// The StatefulSets' values (`Model::stateful_names`). Never renamed: a swap of two
    /// StatefulSets is never taken for an automorphism.
    StatefulValues,
    /// DaemonSets (`ir.daemon_sets`). Never renamed (as [`Objects::DaemonGroups`]).
    DaemonSets,
    /// Fixed rows, one per label (the label is the row's `{of}` in constant names). Never
    /// renamed.
    Labels(&'static [&'static str]),
    /// One value for the whole cluster. Never renamed.
    One,
}

/// What a field's values are per.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One value per node: a node condition, the bit of [`Conditions`] it is (keys may leave
    /// it out). Renamed with its node.
    PerNode(Conditions),
    /// One value per object.
    Per(Objects),
    /// One row per object, each of one value per node (a per-node row: renamed with its node,
    /// part of a node's row in canonicalisation).
    PerRowAndNode(Objects),
}

impl Shape {
    /// Which part of a packed key the field is in: node conditions (0), per-group counts
    /// (1), per-node rows (2), every other value (3); in declaration order within each part.
    pub const fn pack_part(&self) -> u8 {
        match self {
            Shape::PerNode(_) => 0,
            Shape::Per(Objects::Groups) => 1,
            Shape::PerRowAndNode(_) => 2,
            Shape::Per(_) => 3,
        }
    }

    /// Whether the field's values are per node (a node condition, or rows of per-node
    /// values): what a renaming of nodes moves.
    pub const fn per_node(&self) -> bool {
        !matches!(self, Shape::Per(_))
    }

    /// The node condition the field is, if it is one.
    pub const fn condition(&self) -> Option<Conditions> {
        match self {
            Shape::PerNode(c) => Some(*c),
            _ => None,
        }
    }
}

/// A field's lowest and highest value at index `i` (the object's index, or for a grid its
/// row's), as the induction candidates assume them.
pub type Range = fn(&Model, usize) -> (i64, i64);

/// One row of the declaration.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub shape: Shape,
    /// Its solver constants' names (docs/encoding.md), without the `@<step>` suffix:
    /// `{of}` the object's name, `{node}` the node's, `{[of]}` and `{[node]}` the same with
    /// a dotted name bracketed (`[a.b]`, which no Kubernetes name contains).
    pub pattern: &'static str,
    /// Whether the model has the field's values at all (else it is empty).
    pub when: fn(&Model) -> bool,
    /// Its range (`None` for booleans).
    pub range: Option<Range>,
}

/// A borrowed field, to read.
pub enum Slot<'a, D: Domain> {
    Ints(&'a Vec<D::Int>),
    Bools(&'a Vec<D::Bool>),
    Grid(&'a Vec<Vec<D::Int>>),
}

/// A borrowed field, to write.
pub enum SlotMut<'a, D: Domain> {
    Ints(&'a mut Vec<D::Int>),
    Bools(&'a mut Vec<D::Bool>),
    Grid(&'a mut Vec<Vec<D::Int>>),
}

impl<D: Domain> SlotMut<'_, D> {
    /// Swaps values (or rows) `i` and `j`.
    pub fn swap(&mut self, i: usize, j: usize) {
        match self {
            SlotMut::Ints(v) => v.swap(i, j),
            SlotMut::Bools(v) => v.swap(i, j),
            SlotMut::Grid(v) => v.swap(i, j),
        }
    }

    /// Whether the field holds no values in this model.
    pub fn is_empty(&self) -> bool {
        match self {
            SlotMut::Ints(v) => v.is_empty(),
            SlotMut::Bools(v) => v.is_empty(),
            SlotMut::Grid(v) => v.is_empty(),
        }
    }
}

/// A dotted name bracketed (see [`Field::pattern`]).
fn bracketed(name: &str) -> String {
    if name.contains('.') {
        format!("[{name}]")
    } else {
        name.to_string()
    }
}

impl Objects {
    /// How many of the objects `m` has.
    pub fn count(&self, m: &Model) -> usize {
        let ir = &m.ir;
        match self {
            Objects::Groups => ir.groups.len(),
            Objects::Kinds => m.kinds.len(),
            Objects::GroupsThenKinds => ir.groups.len() + m.kinds.len(),
            Objects::DaemonGroups => m.daemon_groups.len(),
            Objects::Deployments => ir.deployments.len(),
            Objects::Hpas => ir.hpas.len(),
            Objects::Events => ir.events.len(),
            Objects::Intents => ir.intents.len(),
            Objects::StatefulValues => m.stateful_ranges().0.len(),
            Objects::DaemonSets => ir.daemon_sets.len(),
            Objects::Labels(ls) => ls.len(),
            Objects::One => 1,
        }
    }

    /// The objects' names in `m`, each as is and with dotted parts bracketed.
    pub fn names(&self, m: &Model) -> Vec<(String, String)> {
        let ir = &m.ir;
        let plain = |n: String| (n.clone(), bracketed(&n));
        let groups = |gs: &mut dyn Iterator<Item = usize>| gs.map(|g| plain(m.group_name(g))).collect::<Vec<_>>();
        // A usage kind is its group, its CPU usage and whether it is warming up; only the
        // group's part of it can hold a dot.
        let kinds = || {
            m.kinds.iter().map(|k| {
                let g = m.group_name(k.group.index());
                let usage = format!(":{}m{}", k.cpu_usage, if k.warming { "-warming" } else { "" });
                (format!("{g}{usage}"), format!("{}{usage}", bracketed(&g)))
            })
        };
        match self {
            Objects::Groups => groups(&mut (0..ir.groups.len())),
            Objects::Kinds => kinds().collect(),
            Objects::GroupsThenKinds => {
                let mut out = groups(&mut (0..ir.groups.len()));
                out.extend(kinds());
                out
            }
            Objects::DaemonGroups => groups(&mut m.daemon_groups.iter().copied()),
            Objects::Deployments => ir.deployments.iter().map(|d| plain(d.name.clone())).collect(),
            Objects::Hpas => ir.hpas.iter().map(|h| plain(h.name.clone())).collect(),
            Objects::Events => {
                ir.events.iter().enumerate().map(|(e, ev)| plain(format!("{e}.{}", ev.name()))).collect()
            }
            Objects::Intents => {
                ir.intents.iter().enumerate().map(|(i, it)| plain(format!("{i}.{}", it.name()))).collect()
            }
            Objects::StatefulValues => m.stateful_names().into_iter().map(plain).collect(),
            Objects::DaemonSets => ir.daemon_sets.iter().map(|s| plain(s.name.clone())).collect(),
            Objects::Labels(ls) => ls.iter().map(|l| plain(l.to_string())).collect(),
            Objects::One => vec![plain(String::new())],
        }
    }
}

/// `pattern` with its placeholders filled in (see [`Field::pattern`]).
pub fn render(pattern: &str, of: &(String, String), node: Option<&(String, String)>) -> String {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let end =
            rest[at..].find('}').map(|e| at + e).expect("model bug: an unclosed placeholder in a field's pattern");
        let node = || node.expect("model bug: a {node} placeholder in a field that is not per node");
        match &rest[at + 1..end] {
            "of" => out.push_str(&of.0),
            "[of]" => out.push_str(&of.1),
            "node" => out.push_str(&node().0),
            "[node]" => out.push_str(&node().1),
            p => panic!("model bug: unknown placeholder {{{p}}} in a field's pattern"),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

impl Field {
    /// The field's shape in `m`: how many rows (1 unless a grid) of how many values each;
    /// no rows where the model has no such values.
    pub fn size(&self, m: &Model) -> (usize, usize) {
        if !(self.when)(m) {
            return (0, 0);
        }
        match self.shape {
            Shape::PerNode(_) => (1, m.nodes()),
            Shape::Per(o) => (1, o.count(m)),
            Shape::PerRowAndNode(o) => (o.count(m), m.nodes()),
        }
    }

    /// The names of the field's values in `m` (its shape: one per value, row by row for a
    /// grid), as [`Field::pattern`] gives them; empty where the model has no such values.
    pub fn names(&self, m: &Model) -> Vec<Vec<String>> {
        if !(self.when)(m) {
            return Vec::new();
        }
        let nodes: Vec<(String, String)> = m.ir.nodes.iter().map(|n| (n.name.clone(), bracketed(&n.name))).collect();
        let none = (String::new(), String::new());
        match self.shape {
            Shape::PerNode(_) => vec![nodes.iter().map(|n| render(self.pattern, &none, Some(n))).collect()],
            Shape::Per(o) => vec![o.names(m).iter().map(|of| render(self.pattern, of, None)).collect()],
            Shape::PerRowAndNode(o) => {
                o.names(m).iter().map(|of| nodes.iter().map(|n| render(self.pattern, of, Some(n))).collect()).collect()
            }
        }
    }
}
