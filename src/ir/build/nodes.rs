//! Nodes and pools: the Verification's `spec.nodePools` (a pool of `count` alike nodes, or
//! one that names v1 Node manifests) and the Node manifests (each a pool of its own unless a
//! spec pool names it) -> `Pool`s and `Node`s: allocatable resources as the scheduler's
//! NodeInfo reads them, labels (with the kubelet's `kubernetes.io/hostname`), taints,
//! `unschedulable` and the Ready condition; a multi-zone node group's slots (`autoscaling.zones`)
//! with their zone labels. Owns node names and refusing the nodes kbmc cannot
//! represent (duplicates, unlike nodes in one pool, pressure conditions, deletion); must not
//! read workloads or decide where pods go.

use std::collections::BTreeMap;

use super::{convert, quantity, Builder, Diag, BETA_ZONE, HOSTNAME, ZONE};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::pod;
use crate::ir::{LabelKey, LabelValue, Node, NodeId, Pool, PoolId, Range, Resources, Taint, ZoneDistribution, Zones};
use crate::manifest::Object;
use crate::spec;

/// Allocatable resources from a cpu/memory/pods map, as the scheduler's NodeInfo reads them:
/// `MilliValue()` of cpu, `Value()` of memory (bytes) and pods, each rounded up.
fn allocatable(
    cpu: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    memory: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    pods: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    origin: &Origin,
    prefix: &str,
    diag: &mut Diag,
) -> Resources {
    let mut r = Resources { cpu_milli: 0, memory: 0, pods: 110 };
    match cpu {
        Some(q) => {
            let f = format!("{prefix}.cpu");
            let p = quantity(q, origin, &f, diag);
            r.cpu_milli = convert(p, |q| q.milli_value(), origin, &f, diag);
        }
        None => diag.error(InputError::at(
            origin,
            InputClass::MissingOrMistyped,
            format!("{prefix}.cpu"),
            "missing; expected a CPU quantity such as \"64\" or \"3500m\"",
        )),
    }
    match memory {
        Some(q) => {
            let f = format!("{prefix}.memory");
            let p = quantity(q, origin, &f, diag);
            r.memory = convert(p, |q| q.value(), origin, &f, diag);
        }
        None => diag.error(InputError::at(
            origin,
            InputClass::MissingOrMistyped,
            format!("{prefix}.memory"),
            "missing; expected a memory quantity such as \"64Gi\"",
        )),
    }
    if let Some(q) = pods {
        let f = format!("{prefix}.pods");
        let p = quantity(q, origin, &f, diag);
        r.pods = convert(p, |q| q.value(), origin, &f, diag);
    }
    r
}

impl Builder<'_> {
    fn add_node_labels(&mut self, map: &BTreeMap<String, String>, name: &str) -> Vec<(LabelKey, LabelValue)> {
        let mut out: Vec<(LabelKey, LabelValue)> =
            map.iter().map(|(k, v)| (self.labels.key(k), self.labels.value(v))).collect();
        if !map.contains_key(HOSTNAME) {
            // The kubelet sets this label on every node.
            out.push((self.labels.key(HOSTNAME), self.labels.value(name)));
        }
        out.sort();
        out
    }

    fn taints(
        &mut self,
        list: impl Iterator<Item = (String, Option<String>, String)>,
        origin: &Origin,
        prefix: &str,
    ) -> Vec<Taint> {
        let mut out = Vec::new();
        for (i, (key, value, effect)) in list.enumerate() {
            match pod::parse_effect(&effect) {
                Some(e) => out.push(Taint { key, value: value.unwrap_or_default(), effect: e }),
                None => self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{prefix}[{i}].effect"),
                    format!("unknown effect {effect:?}; expected NoSchedule, PreferNoSchedule or NoExecute"),
                )),
            }
        }
        out
    }

    /// The Verification's pools: each a pool of `count` alike nodes named `<pool>-<i>`, built
    /// here, or one naming Node manifests, built with them (`pools_from_nodes`) and only
    /// checked here for the node facts it must leave to them.
    pub(super) fn pools_from_spec(&mut self, pools: &[spec::NodePool]) {
        for (pi, p) in pools.iter().enumerate() {
            let f = format!("spec.nodePools[{pi}]");
            if self.pools.iter().any(|q| q.name == p.name) || pools[..pi].iter().any(|q| q.name == p.name) {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    format!("{f}.name"),
                    format!("duplicate pool name {:?}", p.name),
                ));
            }
            if p.nodes.is_empty() {
                self.pool_from_spec(p, &f);
            } else {
                self.check_manifest_pool(p, &f);
            }
        }
    }

    /// A pool of Node manifests (`nodes`) takes every node fact from them: an error at `f`'s
    /// first field that gives one itself.
    fn check_manifest_pool(&mut self, p: &spec::NodePool, f: &str) {
        let given: Vec<&str> = [
            (p.count.is_some(), "count"),
            (p.capacity.is_some(), "capacity"),
            (!p.labels.is_empty(), "labels"),
            (p.allocatable.is_some(), "allocatable"),
            (!p.taints.is_empty(), "taints"),
            (p.unschedulable, "unschedulable"),
            (p.autoscaling.is_some(), "autoscaling"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect();
        if !given.is_empty() {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                format!("{f}.{}", given[0]),
                format!(
                    "a pool of Node manifests (`nodes`) takes every node fact from them; leave out {}",
                    given.join(", ")
                ),
            ));
        }
    }

    /// Builds spec pool `p` (at field `f`) of alike nodes: its size, its nodes' shape, one
    /// node per slot (zone labels round-robin in a multi-zone group), and the cloud
    /// provider's template of a node group. Nothing is built when its size is refused.
    fn pool_from_spec(&mut self, p: &spec::NodePool, f: &str) {
        let Some(size) = self.pool_size(p, f) else { return };
        let origin = self.spec_origin.clone();
        let (capacity, alloc) = self.pool_resources(p, size.capacity, f);
        let taints = self.taints(
            p.taints.iter().map(|t| (t.key.clone(), t.value.clone(), t.effect.clone())),
            &origin,
            &format!("{f}.taints"),
        );
        let pool_id = PoolId(self.pools.len() as u32);
        let first = NodeId(self.nodes.len() as u32);
        let slots = Pool::slots_of(size.count.max as i64, size.autoscaling, size.zones.as_ref()) as u32;
        for i in 0..slots {
            let name = format!("{}-{i}", p.name);
            let labels = match &size.zones {
                // Slot i is in zone i % K: the first `count` nodes spread round-robin, as
                // balanced launches place them.
                Some(z) => {
                    let mut map = p.labels.clone();
                    map.insert(ZONE.to_string(), z.names[i as usize % z.names.len()].clone());
                    self.add_node_labels(&map, &name)
                }
                None => self.add_node_labels(&p.labels, &name),
            };
            self.nodes.push(Node {
                name,
                pool: pool_id,
                index_in_pool: i,
                labels,
                capacity,
                allocatable: alloc,
                taints: taints.clone(),
                unschedulable: p.unschedulable,
                ready: true,
                fixed: Resources::default(),
                fixed_score: Resources::default(),
            });
        }
        // The cloud provider's template: the pool's shape with the template's labels and
        // taints (named as the first slot, whose hostname label it keeps).
        // A pool without slots (max 0) never gets a node: no template to plan one with.
        let tpl = p.autoscaling.as_ref().and_then(|a| a.template.as_ref());
        let template = match (tpl, self.nodes.get(first.index()).cloned()) {
            (Some(tpl), Some(mut node)) if slots > 0 => {
                node.taints = self.taints(
                    tpl.taints.iter().map(|t| (t.key.clone(), t.value.clone(), t.effect.clone())),
                    &origin,
                    &format!("{f}.autoscaling.template.taints"),
                );
                node.labels = self.add_node_labels(&tpl.labels, &node.name);
                Some(Box::new(node))
            }
            _ => None,
        };
        self.pools.push(Pool {
            name: p.name.clone(),
            count: Range { min: size.count.min as i64, max: size.count.max as i64 },
            first,
            concrete: false,
            autoscaling: size.autoscaling,
            template,
            zones: size.zones,
            origin,
        });
    }

    /// Spec pool `p`'s size (at field `f`): its `count` and `capacity` (both required), its
    /// node group's range and zones; `None` (reported) when they cannot make a pool.
    fn pool_size<'p>(&mut self, p: &'p spec::NodePool, f: &str) -> Option<PoolSize<'p>> {
        let origin = self.spec_origin.clone();
        let (Some(count), Some(capacity)) = (p.count, p.capacity.as_ref()) else {
            let missing = if p.count.is_none() { "count" } else { "capacity" };
            self.diag.error(InputError::at(
                &origin,
                InputClass::MissingOrMistyped,
                format!("{f}.{missing}"),
                "missing; a pool needs `count` and `capacity`, or `nodes` naming Node manifests",
            ));
            return None;
        };
        if count.min > count.max {
            self.diag.error(InputError::at(
                &origin,
                InputClass::Invalid,
                format!("{f}.count"),
                format!("min {} is greater than max {}", count.min, count.max),
            ));
        }
        if count.max > 1000 {
            self.diag.error(InputError::at(
                &origin,
                InputClass::Invalid,
                format!("{f}.count"),
                "more than 1000 nodes in one pool is beyond what kbmc can check",
            ));
            return None;
        }
        let autoscaling = p.autoscaling.as_ref().map(|a| Range { min: a.min as i64, max: a.max as i64 });
        if let Some(a) = autoscaling {
            let bad = if a.min > a.max {
                Some(format!("min {} is greater than max {}", a.min, a.max))
            } else if a.max > 1000 {
                Some("more than 1000 nodes in one pool is beyond what kbmc can check".to_string())
            } else if p.unschedulable {
                Some("a node group's new nodes are not cordoned; `unschedulable: true` with `autoscaling` is not modelled".to_string())
            } else if (count.min as i64) < a.min || (count.max as i64) > a.max {
                Some(format!(
                    "the pool starts with {} node(s) (`count`), outside the node group's size range {}..{}",
                    Range { min: count.min as i64, max: count.max as i64 },
                    a.min,
                    a.max
                ))
            } else {
                None
            };
            if let Some(why) = bad {
                self.diag.error(InputError::at(&origin, InputClass::Invalid, format!("{f}.autoscaling"), why));
                return None;
            }
        }
        let zones = match p.autoscaling.as_ref().map(|a| self.pool_zones(p, a, f)) {
            Some(Err(())) => return None,
            Some(Ok(z)) => z,
            None => None,
        };
        Some(PoolSize { count, capacity, autoscaling, zones })
    }

    /// Spec pool `p`'s nodes' capacity `cap` and allocatable (at field `f`; the capacity
    /// when not given), and an error when the allocatable exceeds the capacity.
    fn pool_resources(&mut self, p: &spec::NodePool, cap: &spec::Resources, f: &str) -> (Resources, Resources) {
        let origin = &self.spec_origin;
        let capacity = allocatable(
            Some(&cap.cpu),
            Some(&cap.memory),
            cap.pods.as_ref(),
            origin,
            &format!("{f}.capacity"),
            &mut self.diag,
        );
        let alloc = match &p.allocatable {
            Some(a) => allocatable(
                Some(&a.cpu),
                Some(&a.memory),
                a.pods.as_ref().or(cap.pods.as_ref()),
                origin,
                &format!("{f}.allocatable"),
                &mut self.diag,
            ),
            None => capacity,
        };
        if alloc.cpu_milli > capacity.cpu_milli || alloc.memory > capacity.memory || alloc.pods > capacity.pods {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.allocatable"),
                "exceeds capacity",
            ));
        }
        (capacity, alloc)
    }

    /// A node group's zones (`autoscaling.zones`, `autoscaling.zoneDistribution`): none for a
    /// group in one zone; an error (reported) for fewer than two zones, a repeated or empty
    /// one, a zone label of the pool's own, a cloud template beside them, or a distribution
    /// other than `balanced`, `balancedOnly` and `any`, or one without zones.
    fn pool_zones(&mut self, p: &spec::NodePool, a: &spec::Autoscaling, f: &str) -> Result<Option<Zones>, ()> {
        let origin = self.spec_origin.clone();
        let err = |b: &mut Self, class: InputClass, field: String, why: String| {
            b.diag.error(InputError::at(&origin, class, field, why));
            Err(())
        };
        let distribution = match a.zone_distribution.as_deref() {
            None | Some("any") => ZoneDistribution::Any,
            Some("balanced") => ZoneDistribution::Balanced,
            Some("balancedOnly") => ZoneDistribution::BalancedOnly,
            Some(other) => {
                return err(
                    self,
                    InputClass::Invalid,
                    format!("{f}.autoscaling.zoneDistribution"),
                    format!("{other:?}: expected balanced (AWS balanced-best-effort: a zone with the fewest nodes of the group, another after a failed launch), balancedOnly (AWS balanced-only: a zone with the fewest nodes, always) or any"),
                )
            }
        };
        if a.zones.is_empty() {
            if a.zone_distribution.is_some() {
                return err(
                    self,
                    InputClass::Invalid,
                    format!("{f}.autoscaling.zoneDistribution"),
                    "given without `zones`: a node group in one zone has no zone to choose".to_string(),
                );
            }
            return Ok(None);
        }
        for (i, z) in a.zones.iter().enumerate() {
            let field = format!("{f}.autoscaling.zones[{i}]");
            if z.is_empty() {
                return err(
                    self,
                    InputClass::Invalid,
                    field,
                    "empty; expected a zone name such as \"eu-west-1a\"".into(),
                );
            }
            if let Some(j) = a.zones[..i].iter().position(|y| y == z) {
                return err(
                    self,
                    InputClass::Invalid,
                    field,
                    format!("zone {z:?} is also zones[{j}]; list each zone once"),
                );
            }
        }
        if a.zones.len() < 2 {
            return err(
                self,
                InputClass::Invalid,
                format!("{f}.autoscaling.zones"),
                format!(
                    "one zone; a multi-zone node group needs at least two (a group in one zone: leave out `zones` and give the pool `labels: {{{ZONE}: {}}}`)",
                    a.zones[0]
                ),
            );
        }
        if p.labels.contains_key(ZONE) {
            return err(
                self,
                InputClass::Invalid,
                format!("{f}.labels"),
                format!("sets {ZONE}, which a multi-zone node group (`autoscaling.zones`) gives each node from the zone it is launched in; drop the label"),
            );
        }
        if a.template.is_some() {
            return err(
                self,
                InputClass::Unmodeled,
                format!("{f}.autoscaling.template"),
                "a cloud provider template beside `zones` is not modelled (a multi-zone group's template is in one of its zones: on AWS the group's first Availability Zone); leave out one of them".to_string(),
            );
        }
        Ok(Some(Zones { names: a.zones.clone(), distribution }))
    }

    /// Node manifests: each a pool of its own, except those a spec pool names in `nodes`,
    /// which form that pool (in the order named).
    pub(super) fn pools_from_nodes(&mut self, spec_pools: &[spec::NodePool]) {
        let mut built: Vec<Option<(Node, Origin)>> = Vec::new();
        for (i, Object { origin, value: n }) in self.inputs.nodes.iter().enumerate() {
            let node = self.node_from_manifest(i, origin, n);
            built.push(node.map(|n| (n, origin.clone())));
        }
        let mut claimed: BTreeMap<String, usize> = BTreeMap::new();
        for (pi, p) in spec_pools.iter().enumerate() {
            if !p.nodes.is_empty() {
                self.pool_of_manifests(pi, p, &mut built, &mut claimed);
            }
        }
        for (node, origin) in built.into_iter().flatten() {
            self.pool_of_one_node(node, origin);
        }
    }

    /// Builds spec pool `p` (index `pi`) from the Node manifests it names, taking them out of
    /// `built`: each must exist, be in no other pool (`claimed`: node name to pool index) and
    /// be alike the first.
    fn pool_of_manifests(
        &mut self,
        pi: usize,
        p: &spec::NodePool,
        built: &mut [Option<(Node, Origin)>],
        claimed: &mut BTreeMap<String, usize>,
    ) {
        let f = format!("spec.nodePools[{pi}].nodes");
        let pool_id = PoolId(self.pools.len() as u32);
        let first = NodeId(self.nodes.len() as u32);
        let mut members: Vec<Node> = Vec::new();
        // Reports locate the pool at its first Node manifest.
        let mut pool_origin = self.spec_origin.clone();
        for (k, name) in p.nodes.iter().enumerate() {
            let found = built.iter().position(|b| b.as_ref().is_some_and(|(n, _)| &n.name == name));
            let Some(at) = found else {
                if !self.inputs.nodes.iter().any(|o| o.value.metadata.name.as_deref() == Some(name)) {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::DanglingReference,
                        format!("{f}[{k}]"),
                        format!("no v1 Node named {name:?} among the inputs"),
                    ));
                }
                continue;
            };
            if let Some(other) = claimed.insert(name.clone(), pi) {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    format!("{f}[{k}]"),
                    format!("node {name:?} is already in spec.nodePools[{other}]"),
                ));
                continue;
            }
            let (mut node, node_origin) = built[at].take().expect("found above");
            if members.is_empty() {
                pool_origin = node_origin;
            }
            if let Some(m0) = members.first() {
                self.check_alike(m0, &node, &format!("{f}[{k}]"));
            }
            node.pool = pool_id;
            node.index_in_pool = members.len() as u32;
            members.push(node);
        }
        let count = members.len() as i64;
        self.nodes.extend(members);
        self.pools.push(Pool {
            name: p.name.clone(),
            count: Range::fixed(count),
            first,
            concrete: true,
            autoscaling: None,
            template: None,
            zones: None,
            origin: pool_origin,
        });
    }

    /// The nodes of one pool must be alike: an error at `field` when `node` differs from the
    /// pool's first, `m0`, in anything but its hostname and zone labels (a pool may spread
    /// over zones: its nodes' zone labels are theirs, see [`Node::labels_alike`]).
    fn check_alike(&mut self, m0: &Node, node: &Node, field: &str) {
        let own = [HOSTNAME, ZONE, BETA_ZONE].map(|k| self.labels.find_key(k));
        let others = |n: &Node| n.labels_alike(&own);
        let differs = [
            (m0.capacity != node.capacity, "capacity"),
            (m0.allocatable != node.allocatable, "allocatable"),
            (m0.taints != node.taints, "taints"),
            (others(m0) != others(node), "labels other than kubernetes.io/hostname and the zone's"),
        ]
        .into_iter()
        .find_map(|(d, what)| d.then_some(what));
        if let Some(what) = differs {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                field,
                format!(
                    "node {:?} differs from {:?} in its {what}; the nodes of one pool must be alike",
                    node.name, m0.name
                ),
            ));
        }
    }

    /// A Node manifest no spec pool names: a pool of its own, of its name, which no spec pool
    /// may have.
    fn pool_of_one_node(&mut self, node: Node, origin: Origin) {
        if self.pools.iter().any(|p| p.name == node.name) {
            self.diag.error(InputError::at(
                &origin,
                InputClass::Invalid,
                "metadata.name",
                format!("node {:?} has the name of a pool of spec.nodePools", node.name),
            ));
            return;
        }
        let pool_id = PoolId(self.pools.len() as u32);
        let first = NodeId(self.nodes.len() as u32);
        let name = node.name.clone();
        self.nodes.push(Node { pool: pool_id, index_in_pool: 0, ..node });
        self.pools.push(Pool {
            name,
            count: Range::fixed(1),
            first,
            concrete: true,
            autoscaling: None,
            template: None,
            zones: None,
            origin,
        });
    }

    /// One Node manifest's node (pool and index left for the caller to set).
    fn node_from_manifest(&mut self, i: usize, origin: &Origin, n: &k8s_openapi::api::core::v1::Node) -> Option<Node> {
        let Some(name) = n.metadata.name.clone() else {
            self.diag.error(InputError::at(
                origin,
                InputClass::MissingOrMistyped,
                "metadata.name",
                "a Node needs a name",
            ));
            return None;
        };
        if self.inputs.nodes[..i].iter().any(|o| o.value.metadata.name.as_deref() == Some(&name))
            || self.nodes.iter().any(|m| m.name == name)
        {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "metadata.name",
                format!("duplicate node name {name:?}"),
            ));
            return None;
        }
        let status = n.status.as_ref();
        let (map, prefix) =
            match (status.and_then(|s| s.allocatable.as_ref()), status.and_then(|s| s.capacity.as_ref())) {
                (Some(a), _) => (Some(a), "status.allocatable"),
                (None, Some(c)) => (Some(c), "status.capacity"),
                (None, None) => (None, "status.allocatable"),
            };
        let alloc = match map {
            Some(m) => allocatable(m.get("cpu"), m.get("memory"), m.get("pods"), origin, prefix, &mut self.diag),
            None => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::MissingOrMistyped,
                    prefix,
                    "missing; a Node needs status.allocatable (or status.capacity) with cpu and memory",
                ));
                Resources::default()
            }
        };
        let capacity = match status.and_then(|s| s.capacity.as_ref()) {
            Some(m) if map.is_some() => {
                allocatable(m.get("cpu"), m.get("memory"), m.get("pods"), origin, "status.capacity", &mut self.diag)
            }
            _ => alloc,
        };
        let spec = n.spec.as_ref();
        let taints = self.taints(
            spec.and_then(|s| s.taints.clone()).unwrap_or_default().into_iter().map(|t| (t.key, t.value, t.effect)),
            origin,
            "spec.taints",
        );
        let labels_map = n.metadata.labels.clone().unwrap_or_default();
        let labels = self.add_node_labels(&labels_map, &name);
        let ready = self.ready_condition(status, origin);
        if n.metadata.deletion_timestamp.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metadata.deletionTimestamp",
                "a Node being deleted is not modelled",
            ));
        }
        // The node lifecycle controller taints a node for each of these conditions
        // (TaintNodesByCondition) and the kubelet's eviction manager refuses pods on it
        // (all pods under disk or PID pressure, BestEffort ones under memory pressure).
        for (i, c) in status.and_then(|s| s.conditions.as_ref()).into_iter().flatten().enumerate() {
            let pressure =
                matches!(c.type_.as_str(), "MemoryPressure" | "DiskPressure" | "PIDPressure" | "NetworkUnavailable");
            if pressure && c.status == "True" {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("status.conditions[{i}]"),
                    format!("a node with condition {} True is not modelled (its taint and the kubelet's admission under pressure); only the Ready condition is", c.type_),
                ));
            }
        }
        Some(Node {
            name,
            pool: PoolId(0),
            index_in_pool: 0,
            labels,
            capacity,
            allocatable: alloc,
            taints,
            unschedulable: spec.and_then(|s| s.unschedulable).unwrap_or(false),
            ready,
            fixed: Resources::default(),
            fixed_score: Resources::default(),
        })
    }

    /// Whether the node's Ready condition says Ready: True (or no Ready condition) does;
    /// False and Unknown do not. Upstream's node lifecycle controller taints a node whose
    /// Ready is False `node.kubernetes.io/not-ready` and one whose Ready is Unknown (its
    /// kubelet stopped reporting) `node.kubernetes.io/unreachable` (node_lifecycle_controller.go,
    /// `doNoExecuteTaintingPass`: `NotReadyTaintTemplate`, `UnreachableTaintTemplate`); kbmc
    /// models every NotReady node with the unreachable taint, so Unknown is exact and a False
    /// node is refused where a pod tolerates the two taints differently
    /// (`check_not_ready_tolerations`). Any other status is none the API has.
    fn ready_condition(&mut self, status: Option<&k8s_openapi::api::core::v1::NodeStatus>, origin: &Origin) -> bool {
        let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
        let Some((i, c)) = conditions.iter().enumerate().find(|(_, c)| c.type_ == "Ready") else {
            return true;
        };
        match c.status.as_str() {
            "True" => true,
            "False" | "Unknown" => false,
            other => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("status.conditions[{i}].status"),
                    format!("{other:?} is no condition status; the Ready condition is True, False or Unknown"),
                ));
                true
            }
        }
    }

    pub(super) fn node_by_name(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.name == name).map(|i| NodeId(i as u32))
    }
}

/// A spec pool's size, as `pool_size` accepts it: its `count` at start, its nodes'
/// `capacity` as given, and its node group's size range and zones.
struct PoolSize<'p> {
    count: spec::Count,
    capacity: &'p spec::Resources,
    autoscaling: Option<Range>,
    zones: Option<Zones>,
}

#[cfg(test)]
mod tests {
    use crate::ir::build::test_inputs::{errors, model_of, pool, web};

    /// The Ready condition's status is True, False or Unknown, upstream's condition statuses:
    /// False and Unknown start the node NotReady, anything else is refused at its field.
    /// Node lifecycle taints an Unknown node `unreachable`, as kbmc models every NotReady
    /// node, and a False one `not-ready`: refused where a pod tolerates the two differently.
    #[test]
    fn the_ready_condition_is_true_false_or_unknown() {
        let node = |status: &str| {
            format!("apiVersion: v1\nkind: Node\nmetadata: {{name: n1}}\nstatus:\n  allocatable: {{cpu: \"8\", memory: 8Gi}}\n  conditions: [{{type: MemoryPressure, status: \"False\"}}, {{type: Ready, status: \"{status}\"}}]\n---\n")
        };
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        for (status, ready) in [("True", true), ("False", false), ("Unknown", false)] {
            let m = model_of(&format!("{}{base}", node(status)));
            assert_eq!(m.nodes.iter().find(|n| n.name == "n1").map(|n| n.ready), Some(ready), "{status}");
        }
        let e = errors(&format!("{}{base}", node("Maybe")));
        assert!(e.contains("document 1: status.conditions[1].status: \"Maybe\" is no condition status"), "{e}");
        let tolerant = web(1, "1Gi").replace(
            "containers:",
            "tolerations: [{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute}]\n      containers:",
        );
        let e = errors(&format!("{}{tolerant}{}", node("False"), pool("8", "8Gi")));
        assert!(e.contains("status.conditions[1].status: a node whose Ready condition is False"), "{e}");
        assert!(e.contains("the pods of web tolerate for ever") && e.contains("which they tolerate 300 s"), "{e}");
        assert_eq!(errors(&format!("{}{tolerant}{}", node("Unknown"), pool("8", "8Gi"))), "");
        assert_eq!(errors(&format!("{}{base}", node("False"))), "", "the admission plugin's tolerations agree");
    }

    /// Node conditions other than Ready that taint the node and make the kubelet refuse pods
    /// are refused when True; a Node or Deployment being deleted is refused.
    #[test]
    fn pressure_conditions_and_deletions_are_refused() {
        let node = |extra: &str| {
            format!("apiVersion: v1\nkind: Node\nmetadata: {{name: n1{extra}}}\nstatus:\n  allocatable: {{cpu: \"8\", memory: 8Gi}}\n  conditions: [{{type: Ready, status: \"True\"}}, {{type: MemoryPressure, status: \"STATUS\"}}]\n---\n")
        };
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        assert_eq!(errors(&format!("{}{base}", node("").replace("STATUS", "False"))), "");
        let e = errors(&format!("{}{base}", node("").replace("STATUS", "True")));
        assert!(e.contains("status.conditions[1]") && e.contains("MemoryPressure True"), "{e}");
        let e = errors(&format!(
            "{}{base}",
            node(", deletionTimestamp: \"2020-01-01T00:00:00Z\"").replace("STATUS", "False")
        ));
        assert!(e.contains("metadata.deletionTimestamp") && e.contains("Node being deleted"), "{e}");
        let deleting = web(1, "1Gi").replace("{name: web}", "{name: web, deletionTimestamp: \"2020-01-01T00:00:00Z\"}");
        let e = errors(&format!("{deleting}{}", pool("8", "8Gi")));
        assert!(e.contains("metadata.deletionTimestamp"), "{e}");
    }
}
