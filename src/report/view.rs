//! Plain-data views of what a check looked at and found, shared by every output format: the
//! header (cluster, controllers, events, intents, bounds), a state in Kubernetes terms (pods
//! per node and group, pending pods, desired replicas), and the counts of a summary line.
//! Views only read the model and results; they decide no verdict.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::domain::Concrete;
use crate::ir::{Event, Range, VpaMode};
use crate::model::state::{DECLARED_NOT_READY, NOT_READY, PANICKED};
use crate::model::{ClusterState, Model};
use crate::verdict::{CheckResult, Verdict};

/// What was checked.
#[derive(Clone, Debug, Serialize)]
pub struct Header {
    pub model: String,
    pub engine: &'static str,
    /// Where the Verification came from: `given`, or `inferred` (from the manifests, as
    /// `kbmc init` prints it).
    pub spec: &'static str,
    /// With an inferred spec: the failure scenario it plans for, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Node pools and their sizes (`on-demand: 1 node, spot: 0..3 nodes`).
    pub cluster: String,
    /// Deployments with their replicas and HPAs.
    pub workloads: Vec<String>,
    pub controllers: Vec<&'static str>,
    pub events: Vec<String>,
    /// Each intent with what it is about (`noEvictionCycle(web)`).
    pub intents: Vec<String>,
    /// The step bound of the search.
    pub steps: usize,
    pub timing: String,
    /// The model's under-approximations (`model::assumptions`).
    pub assumptions: Vec<Assumed>,
    /// What `--allow-unmodeled` dropped from the inputs (empty without it).
    pub dropped: Vec<String>,
    /// `check --baseline` under a time limit: how the change and its baseline share it
    /// ([`time_shares`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// How `check --baseline` shares a time limit of `limit` (`crate::limits::share`): the change
/// is checked in its first half, then the baseline in the rest.
pub fn time_shares(limit: std::time::Duration) -> String {
    let ms = limit.as_millis() as u64;
    format!(
        "{} (--time-limit) in equal shares: the change is checked in the first {}, the baseline in the rest (the other half, and what the change left)",
        crate::limits::seconds(ms),
        crate::limits::seconds(ms / 2)
    )
}

/// One of the model's under-approximations, as reports show it.
#[derive(Clone, Debug, Serialize)]
pub struct Assumed {
    pub id: &'static str,
    pub text: &'static str,
}

fn range(r: &Range, one: &str, many: &str) -> String {
    let unit = if r.max == 1 { one } else { many };
    if r.min == r.max {
        format!("{} {unit}", r.max)
    } else {
        format!("{}..{} {unit}", r.min, r.max)
    }
}

pub fn header(m: &Model, engine: &'static str, steps: usize) -> Header {
    let ir = &m.ir;
    let cluster: Vec<String> = ir
        .pools
        .iter()
        .map(|p| match p.autoscaling {
            Some(a) => format!(
                "{}: {} (node group {}..{}{})",
                p.name,
                range(&p.count, "node", "nodes"),
                a.min,
                a.max,
                p.zones.as_ref().map_or(String::new(), |z| format!(" over zones {}", z.names.join(", ")))
            ),
            None => format!("{}: {}", p.name, range(&p.count, "node", "nodes")),
        })
        .collect();
    let workloads = ir
        .deployments
        .iter()
        .map(|d| {
            let hpa = d.hpa.map(|h| {
                let h = &ir.hpas[h.index()];
                format!(", HPA {} {}..{}", h.name, h.min_replicas, h.max_replicas)
            });
            format!("{}: {}{}", d.name, range(&d.replicas, "replica", "replicas"), hpa.unwrap_or_default())
        })
        .collect();
    let c = &ir.controllers;
    let vpas = m.vpa_of.iter().flatten().map(|&v| ir.vpas[v].mode);
    let controllers = [
        (c.deployment, "deployment"),
        (c.scheduler, "scheduler"),
        (c.kubelet, "kubelet"),
        (c.hpa && !ir.hpas.is_empty(), "hpa"),
        (c.descheduler && ir.descheduler.is_some(), "descheduler"),
        (c.node_lifecycle, "node-lifecycle"),
        (c.taint_eviction, "taint-eviction"),
        (c.cluster_autoscaler && ir.autoscaler.is_some(), "cluster-autoscaler"),
        (c.deployment && ir.deployments.iter().any(|d| d.stateful.is_some()), "statefulset"),
        (!ir.daemon_sets.is_empty(), "daemonset"),
        (m.preempts, "preemption"),
        // The VPAs that change pods (`Model::vpa_of`): `Off` has no step.
        (vpas.clone().next().is_some(), "vpa-recommender"),
        (vpas.clone().any(VpaMode::updates), "vpa-updater"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    let events = ir
        .events
        .iter()
        .map(|e| match e {
            Event::CpuChange { budget, .. }
            | Event::KernelPanic { budget, .. }
            | Event::NodeFailure { budget, .. }
            | Event::ApplyDeployment { budget, .. }
            | Event::ScaleDeployment { budget, .. }
            | Event::Maintenance { budget, .. }
            | Event::RolloutDaemonSet { budget, .. }
            | Event::ForceDeletePods { budget, .. } => format!("{} (up to {budget}x)", e.name()),
            Event::CpuPattern { .. } => e.name().to_string(),
        })
        .collect();
    Header {
        model: ir.name.clone(),
        engine,
        spec: if ir.spec_inferred { "inferred" } else { "given" },
        scenario: ir.scenario.clone(),
        cluster: cluster.join(", "),
        workloads,
        controllers,
        events,
        intents: ir.intents.iter().map(|i| ir.intent_label(i)).collect(),
        steps,
        timing: format!("{:?}", ir.timing).to_lowercase(),
        assumptions: crate::model::assumptions::of(m).into_iter().map(|a| Assumed { id: a.id, text: a.text }).collect(),
        dropped: ir.dropped.clone(),
        time: None,
    }
}

/// The assumptions a verdict on intent `i` rests on, where it holds or is proved (a violation
/// is a real run whatever kbmc leaves out, and an unknown claims nothing).
pub fn assuming(m: &Model, i: usize, v: &crate::verdict::Verdict) -> Vec<&'static str> {
    use crate::verdict::Verdict;
    if !matches!(v, Verdict::Holds { .. } | Verdict::Proved { .. }) {
        return Vec::new();
    }
    crate::model::assumptions::of(m).into_iter().filter(|a| a.intents.contains(&i)).map(|a| a.id).collect()
}

/// The text after a holding or proved verdict naming what it rests on: `; assuming the
/// dropped objects have no effect, <id>, ...` (empty when nothing).
pub fn assuming_text(m: &Model, i: usize, v: &crate::verdict::Verdict) -> String {
    let ids = assuming(m, i, v);
    if ids.is_empty() {
        return String::new();
    }
    let words: Vec<&str> = ids
        .iter()
        .map(|&id| if id == crate::model::assumptions::DROPPED { "the dropped objects have no effect" } else { id })
        .collect();
    format!("; assuming {}", words.join(", "))
}

/// A node's status in Kubernetes words.
pub fn status(v: i64) -> &'static str {
    match v {
        NOT_READY => "NotReady",
        PANICKED => "NotReady (kernel panic)",
        DECLARED_NOT_READY => "NotReady (as its manifest declares)",
        crate::model::state::JOINING => "NotReady (joining)",
        _ => "Ready",
    }
}

/// One state: per present node its status and pods per group (bound, running, terminating,
/// and evicting where a descheduler run picks its victims);
/// pending pods and desired replicas per Deployment.
pub fn state(m: &Model, st: &ClusterState<Concrete>) -> Value {
    let ng = m.ir.groups.len();
    let mut nodes = Map::new();
    for n in (0..m.nodes()).filter(|&n| st.present[n]) {
        let mut pods = Map::new();
        for g in 0..ng {
            let running: i64 = m.kinds_of_group[g].iter().map(|&k| st.running[k][n]).sum();
            let (bound, terminating) = (st.bound[g][n], st.terminating[g][n]);
            if bound + running + terminating > 0 {
                let mut counts = json!({"bound": bound, "running": running, "terminating": terminating});
                // In every state of a model whose descheduler picks victims among usage kinds
                // (docs/modeling/descheduler.md), so that a record keeps its fields along a trace.
                if let Some(row) = st.evicting.get(g) {
                    counts["evicting"] = json!(row[n]);
                }
                pods.insert(m.group_name(g), counts);
            }
        }
        nodes.insert(
            m.node_name(n).to_string(),
            json!({
                "status": status(st.status[n]),
                "cordoned": st.cordoned[n],
                "panics": st.panics[n],
                "pods": pods,
            }),
        );
    }
    // A DaemonSet's group: its pods pending for their nodes, summed.
    let unscheduled = |g: usize| m.daemon_row[g].map_or(0, |r| st.unscheduled[r].iter().sum::<i64>());
    let pending: Map<String, Value> =
        (0..ng).map(|g| (m.group_name(g), json!(st.pending[g] + unscheduled(g)))).collect();
    let desired: Map<String, Value> =
        m.ir.deployments.iter().zip(&st.desired).map(|(d, &v)| (d.name.clone(), json!(v))).collect();
    json!({"nodes": nodes, "pending": pending, "desired": desired})
}

/// Counts for a summary line.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Summary {
    pub intents: usize,
    pub violated: usize,
    /// Holds in every run of any length (every reachable state explored).
    pub proved: usize,
    /// Holds within the step bound.
    pub holds: usize,
    pub unknown: usize,
}

pub fn summary(r: &CheckResult) -> Summary {
    let mut s = Summary { intents: r.results.len(), ..Summary::default() };
    for ir in &r.results {
        match ir.verdict {
            Verdict::Violated(_) => s.violated += 1,
            Verdict::Holds { exhaustive: true, .. } | Verdict::Proved { .. } => s.proved += 1,
            Verdict::Holds { .. } => s.holds += 1,
            Verdict::Unknown { .. } => s.unknown += 1,
        }
    }
    s
}

/// The Deployment (or StatefulSet) an intent is about, if it names one, by index.
pub fn subject(i: &crate::ir::Intent) -> Option<usize> {
    i.subject().map(|d| d.index())
}

/// Alike verdicts on one kind of intent about several workloads: violated (each with its
/// own counterexample), or the same verdict line (and assumptions) word for word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The intent's kind (`replicasMeetExpected`).
    pub intent: &'static str,
    /// `violated`, `holds`, `proved` or `unknown`.
    pub verdict: &'static str,
    /// Indices into the check's results, in the spec's order.
    pub members: Vec<usize>,
    /// The member whose trace stands for the group: the shortest counterexample (the first
    /// of equal length); the first member for other verdicts.
    pub representative: usize,
    /// What the members' workloads are called (`Deployments`, `StatefulSets`).
    pub noun: &'static str,
    /// Every member's workload is a single-node loss (`model::exposure`), and how many
    /// replicas each runs when that is the same for all: the group's common cause.
    pub single_node_loss: Option<Option<i64>>,
}

/// The groups of two or more alike verdicts, in the order of their first member. Intents
/// about no workload (`podAlwaysSchedulable`) are never grouped.
pub fn groups(m: &Model, r: &CheckResult, losses: &[crate::model::exposure::SingleNodeLoss]) -> Vec<Group> {
    let mut keyed: Vec<((&'static str, String), Vec<usize>)> = Vec::new();
    for (i, (ir, intent)) in r.results.iter().zip(&m.ir.intents).enumerate() {
        if subject(intent).is_none() {
            continue;
        }
        let line = match &ir.verdict {
            Verdict::Violated(_) => "violated".to_string(),
            v => super::machine::verdict_line(v) + &super::machine::events_text(ir) + &assuming_text(m, i, v),
        };
        let key = (intent.name(), line);
        match keyed.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => keyed.push((key, vec![i])),
        }
    }
    keyed
        .into_iter()
        .filter(|(_, members)| members.len() > 1)
        .map(|((intent, _), members)| {
            let steps = |i: &usize| match &r.results[*i].verdict {
                Verdict::Violated(t) => t.steps.len(),
                _ => 0,
            };
            let representative = *members.iter().min_by_key(|i| steps(i)).expect("a group has members");
            let subjects: Vec<usize> = members.iter().filter_map(|&i| subject(&m.ir.intents[i])).collect();
            let stateful = subjects.iter().all(|&d| m.ir.deployments[d].stateful.is_some());
            let lost: Vec<i64> = subjects
                .iter()
                .filter_map(|&d| losses.iter().find(|l| l.deployment == d).map(|l| l.replicas))
                .collect();
            let single_node_loss =
                (lost.len() == subjects.len()).then(|| lost.iter().all(|&n| n == lost[0]).then_some(lost[0]));
            Group {
                intent,
                verdict: super::machine::verdict_word(&r.results[representative].verdict),
                members,
                representative,
                noun: if stateful { "StatefulSets" } else { "Deployments" },
                single_node_loss,
            }
        })
        .collect()
}

/// The common cause of a violated group whose workloads are all single-node losses, in words
/// (empty otherwise): ` — each runs one replica; a failure of its node leaves none`.
pub fn group_cause(g: &Group) -> String {
    if g.verdict != "violated" {
        return String::new();
    }
    match g.single_node_loss {
        Some(Some(1)) => " — each runs one replica; a failure of its node leaves none".to_string(),
        Some(_) => " — each runs every replica on one node; a failure of that node leaves none".to_string(),
        None => String::new(),
    }
}

/// A group's verdict line: `replicasMeetExpected: violated for 12 Deployments: a, b, ...`,
/// with the common verdict line for alike holds, proofs and unknowns.
pub fn group_line(m: &Model, r: &CheckResult, g: &Group) -> String {
    let names: Vec<&str> = g
        .members
        .iter()
        .filter_map(|&i| subject(&m.ir.intents[i]).map(|d| m.ir.deployments[d].name.as_str()))
        .collect();
    let list = format!("{} {}: {}", names.len(), g.noun, names.join(", "));
    match &r.results[g.representative].verdict {
        Verdict::Violated(_) => format!("{}: violated for {list}{}", g.intent, group_cause(g)),
        v => format!(
            "{}: {}{}{} — for {list}",
            g.intent,
            super::machine::verdict_line(v),
            super::machine::events_text(&r.results[g.representative]),
            assuming_text(m, g.representative, v)
        ),
    }
}

/// The single-node losses as one finding, in words (None when there are none): a heading,
/// `single-node loss (from the start state, no search): 3 Deployments run one replica; a
/// nodeFailure of its node leaves none:`, then per node (in the cluster's order; the
/// Deployments whose one replica is not placed yet last) the node's name and the
/// Deployments it holds, each with its replicas where they are not all one.
pub fn single_node_loss(m: &Model, losses: &[crate::model::exposure::SingleNodeLoss]) -> Option<LossFinding> {
    if losses.is_empty() {
        return None;
    }
    let one = losses.iter().all(|l| l.replicas == 1);
    let n = losses.len();
    let heading = match (n, one) {
        (1, true) => "1 Deployment runs one replica; a nodeFailure of its node leaves none".to_string(),
        (1, false) => "1 Deployment runs every replica on one node; a nodeFailure of that node leaves none".to_string(),
        (_, true) => format!("{n} Deployments run one replica; a nodeFailure of its node leaves none"),
        (_, false) => format!("{n} Deployments run every replica on one node; a nodeFailure of that node leaves none"),
    };
    let mut places: Vec<Option<usize>> = losses.iter().map(|l| l.node).collect();
    // Nodes in the cluster's order, the unplaced (`None`) last.
    places.sort_by_key(|p| (p.is_none(), *p));
    places.dedup();
    let per_node = places
        .into_iter()
        .map(|place| {
            let name = match place {
                Some(node) => m.node_name(node).to_string(),
                None => "not on a node yet".to_string(),
            };
            let deps = losses
                .iter()
                .filter(|l| l.node == place)
                .map(|l| {
                    let name = &m.ir.deployments[l.deployment].name;
                    if one {
                        name.clone()
                    } else {
                        format!("{name} ({})", crate::count(l.replicas, "replica", "replicas"))
                    }
                })
                .collect();
            (name, deps)
        })
        .collect();
    Some(LossFinding { heading: format!("single-node loss (from the start state, no search): {heading}:"), per_node })
}

/// The single-node losses in words: a heading line, then per node its name and the
/// Deployments it holds.
pub struct LossFinding {
    pub heading: String,
    pub per_node: Vec<(String, Vec<String>)>,
}
