//! The upstream oracle: kbmc's one-step outcomes checked against the upstream projects' own
//! unit tests (kube-scheduler filter and score plugins, descheduler plugins, the HPA replica
//! calculator). The translated cases live in tests/upstream/, one `#[test]` each, citing the
//! upstream file and test case; tests/upstream/README.md says how a case is written and lists
//! the upstream cases kbmc cannot express and those where it disagrees. This module holds what
//! the cases share: building a cluster from manifests, and reading one step's outcome.

use std::path::Path;

use kbmc::domain::Concrete;
use kbmc::manifest::{load_text, Inputs, LoadOptions};
use kbmc::model::controllers::{descheduler, hpa};
use kbmc::model::framework;
use kbmc::model::{self, ClusterState, Model};

#[path = "../upstream/descheduler.rs"]
mod descheduler_cases;
#[path = "../upstream/hpa.rs"]
mod hpa_cases;
#[path = "../upstream/scheduler_filter.rs"]
mod scheduler_filter;
#[path = "../upstream/scheduler_score.rs"]
mod scheduler_score;

pub type State = ClusterState<Concrete>;

/// The model of a multi-document YAML text, or kbmc's input errors.
pub fn build(yaml: &str) -> Result<Model, String> {
    let mut inputs = Inputs::default();
    let mut errors = Vec::new();
    load_text(Path::new("upstream.yaml"), yaml, LoadOptions::default(), &mut inputs, &mut errors);
    if !errors.is_empty() {
        return Err(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"));
    }
    kbmc::ir::build(&inputs, kbmc::ir::BuildOptions::default())
        .map(|(ir, _)| Model::new(&ir))
        .map_err(|e| e.to_string())
}

/// A cluster written as manifests: Nodes, one Deployment per owner of the upstream test's pods
/// (its running pods placed by the Verification's workloads), and any other document (a
/// DeschedulerPolicy, an HPA, a KubeSchedulerConfiguration).
#[derive(Default)]
pub struct Cluster {
    docs: String,
    workloads: Vec<String>,
}

/// Indents every line of `text` by `by` spaces.
fn indent(text: &str, by: usize) -> String {
    text.lines().map(|l| format!("{}{l}\n", " ".repeat(by))).collect()
}

impl Cluster {
    pub fn new() -> Self {
        Self::default()
    }

    /// A Node: `alloc` is "cpu memory [pods]" (quantities; pods default 110); `labels` and
    /// `spec` are the contents of flow mappings ("zone: a", "unschedulable: true"), or empty.
    pub fn node(mut self, name: &str, alloc: &str, labels: &str, spec: &str) -> Self {
        let name = node_name(name);
        let a: Vec<&str> = alloc.split_whitespace().collect();
        let pods = a.get(2).copied().unwrap_or("110");
        self.docs += &format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{{labels}}}}}\nspec: {{{spec}}}\nstatus: {{allocatable: {{cpu: \"{}\", memory: \"{}\", pods: \"{pods}\"}}}}\n---\n",
            a[0], a[1]
        );
        self
    }

    /// The pods of one owner: a Deployment `name` ("ns/name" puts it in namespace ns) whose
    /// template has labels `app: <name>` plus `labels` (a flow mapping's contents), one
    /// container requesting `requests` ("cpu memory", empty for none) and the pod-spec YAML
    /// `spec`. `on` says where its pods run ("n1=2 n2=1"); a "+k" there adds k replicas that
    /// are not running (the case makes them pending, bound or whatever it needs); replicas
    /// are their sum, at least one.
    pub fn pods(mut self, name: &str, labels: &str, requests: &str, spec: &str, on: &str) -> Self {
        let given = name;
        let (ns, name) = name.split_once('/').unwrap_or(("default", name));
        let labels = if labels.is_empty() { format!("app: {name}") } else { format!("app: {name}, {labels}") };
        let resources = match requests.split_whitespace().collect::<Vec<_>>()[..] {
            [] => String::new(),
            [cpu, mem] => format!("\n          resources: {{requests: {{cpu: \"{cpu}\", memory: \"{mem}\"}}}}"),
            _ => panic!("requests are \"cpu memory\": {requests:?}"),
        };
        self.docs += &format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{{labels}}}}}\n    spec:\n      containers:\n        - name: c\n          image: {name}:1{resources}\n{}---\n",
            indent(spec, 6)
        );
        let mut replicas = 0;
        let mut placement = Vec::new();
        for part in on.split_whitespace() {
            if let Some(k) = part.strip_prefix('+') {
                replicas += k.parse::<i64>().expect("+k is a count");
            } else {
                let (n, c) = part.split_once('=').expect("node=count");
                let n = node_name(n);
                replicas += c.parse::<i64>().expect("a count");
                placement.push(format!("{{node: {n}, count: {c}}}"));
            }
        }
        // A Deployment given with its namespace is referred to with it (two namespaces may
        // hold a Deployment of the same name).
        let reference = if given.contains('/') { format!("{ns}/{name}") } else { name.to_string() };
        self.workloads.push(format!(
            "    - {{deployment: {reference}, replicas: {}, placement: [{}]}}\n",
            replicas.max(1),
            placement.join(", ")
        ));
        self
    }

    /// Any other document.
    pub fn doc(mut self, yaml: &str) -> Self {
        self.docs += yaml;
        self.docs += "\n---\n";
        self
    }

    pub fn yaml(&self) -> String {
        format!(
            "{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {{name: upstream}}\nspec:\n  workloads:\n{}",
            self.docs,
            self.workloads.concat()
        )
    }

    /// The model; a case kbmc rejects is a bug in the case (those go to the README's list).
    pub fn model(&self) -> Model {
        build(&self.yaml()).unwrap_or_else(|e| panic!("kbmc rejects the case: {e}\n{}", self.yaml()))
    }
}

/// Upstream's unit tests name nodes as no API server would accept ("nodeA"); kbmc validates
/// names, so a case's node is the lowercase of its upstream name.
fn node_name(upstream: &str) -> String {
    upstream.to_lowercase()
}

/// The index of node `name` (its upstream name).
pub fn node(m: &Model, name: &str) -> usize {
    let name = node_name(name);
    m.ir.nodes.iter().position(|n| n.name == name).unwrap_or_else(|| panic!("no node {name}"))
}

/// The pod group of Deployment `name` (its only revision).
pub fn group(m: &Model, name: &str) -> usize {
    let d = m.ir.deployments.iter().position(|d| d.name == name).unwrap_or_else(|| panic!("no Deployment {name}"));
    m.groups_of[d][0]
}

/// The one initial state of the model.
pub fn initial(m: &Model) -> State {
    let states = m.initial_states();
    assert_eq!(states.len(), 1, "a case has one topology");
    states.into_iter().next().unwrap()
}

/// Moves `count` running pods of `g` on node `n` to another column of the state: bound (not
/// started) or terminating.
pub fn unstart(m: &Model, st: &mut State, g: usize, n: usize, count: i64, to: Phase) {
    let k = m.start_kind[g];
    assert!(st.running[k][n] >= count, "{count} pods of {} to move on {}", m.group_name(g), m.node_name(n));
    st.running[k][n] -= count;
    match to {
        Phase::Bound => st.bound[g][n] += count,
        Phase::Terminating => st.terminating[g][n] += count,
    }
}

#[derive(Clone, Copy)]
pub enum Phase {
    Bound,
    Terminating,
}

// ---- kube-scheduler ----------------------------------------------------------------------

/// What the scheduler makes of one pending pod of Deployment `pod` (none of whose pods run).
pub struct Scheduling {
    /// Nodes that pass every filter, in node order.
    pub feasible: Vec<String>,
    /// Every node's weighted score, normalized over all nodes (a score plugin's unit test
    /// scores every node it is given, unfiltered), in node order.
    pub scores: Vec<i64>,
    /// Nodes a bind step is enabled for: the top-scoring feasible nodes.
    pub binds: Vec<String>,
}

pub fn schedule(m: &Model, pod: &str) -> Scheduling {
    let g = group(m, pod);
    let mut st = initial(m);
    st.pending[g] = 1;
    let d = Concrete;
    let feasible = framework::feasible(&d, m, &st, g);
    let loads = framework::NodeLoads::of(&d, m, &st);
    let scores = framework::scores_with(&d, m, &st, &loads, g, &st.present);
    let reg = model::registry::<Concrete>();
    let binds = model::all_steps(m, &reg)
        .into_iter()
        .filter(|s| reg[s.actor as usize].name() == "scheduler" && s.a as usize == g)
        .filter(|s| reg[s.actor as usize].guard(&d, m, s, &st))
        .map(|s| m.node_name(s.b as usize).to_string())
        .collect();
    let names =
        |v: &[bool]| v.iter().enumerate().filter(|(_, ok)| **ok).map(|(n, _)| m.node_name(n).to_string()).collect();
    Scheduling { feasible: names(&feasible), scores, binds }
}

/// A KubeSchedulerConfiguration whose default profile scores with `plugin` alone (weight 1),
/// with `config` as its pluginConfig list's YAML (flow style), or none.
pub fn score_only(plugin: &str, config: &str) -> String {
    let config = if config.is_empty() { String::new() } else { format!("    pluginConfig: {config}\n") };
    format!("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - schedulerName: default-scheduler\n    plugins:\n      score:\n        disabled: [{{name: \"*\"}}]\n        enabled: [{{name: {plugin}, weight: 1}}]\n{config}")
}

// ---- descheduler -------------------------------------------------------------------------

/// A DeschedulerPolicy with one profile running `plugin` (as a Deschedule or a Balance
/// plugin, where upstream registers it) with `args` (a flow mapping, or empty), the
/// DefaultEvictor's `evictor` args (a flow mapping, or empty), and `top` (policy-level
/// fields, e.g. eviction limits, as YAML lines).
pub fn policy(plugin: &str, args: &str, evictor: &str, top: &str) -> String {
    let phase = match plugin {
        "RemovePodsViolatingNodeTaints" | "RemovePodsViolatingNodeAffinity" => "deschedule",
        _ => "balance",
    };
    let args = if args.is_empty() { String::new() } else { format!(", args: {args}") };
    let evictor = if evictor.is_empty() { String::new() } else { format!(", args: {evictor}") };
    format!("apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\n{top}\nprofiles:\n  - name: upstream\n    pluginConfig:\n      - {{name: DefaultEvictor{evictor}}}\n      - {{name: {plugin}{args}}}\n    plugins: {{{phase}: {{enabled: [{plugin}]}}}}\n")
}

/// Pods one descheduler run evicts (or picks to evict) from `st`, in every node order and
/// group order the run can take (kbmc explores each; upstream's is arbitrary): the cases
/// expect the count to be the same in all of them, as upstream's tests do.
pub fn evicted(m: &Model, st: &State) -> i64 {
    let sum = |s: &State| s.terminating.iter().chain(&s.evicting).flatten().sum::<i64>();
    let mut counts = std::collections::BTreeSet::new();
    for c in 0..descheduler::group_choice_count(m) {
        for v in 0..descheduler::order_count(m) {
            let (after, possible) = descheduler::run(&Concrete, m, st, &descheduler::permutation(m.nodes(), v), c);
            if possible {
                counts.insert(sum(&after) - sum(st));
            }
        }
    }
    assert_eq!(counts.len(), 1, "the eviction count depends on the node order: {counts:?}");
    counts.into_iter().next().unwrap()
}

/// Pods one descheduler run evicts from the model's initial state.
pub fn evicted_at_start(c: Cluster) -> i64 {
    let m = c.model();
    evicted(&m, &initial(&m))
}

// ---- HorizontalPodAutoscaler -------------------------------------------------------------

/// One GetResourceReplicas call of replica_calculator_test.go, as a kbmc HPA sync of a
/// Deployment whose pods each request `request` millicores against a CPU Utilization target
/// of `target` percent. Upstream's pods have two containers, each with the test's request and
/// usage; one container with both leaves utilization as it is.
pub struct ReplicaCalc {
    pub current: i64,
    pub request: i64,
    pub target: i64,
    /// The CPU usage of each ready pod with metrics (millicores).
    pub usage: &'static [i64],
    /// Pods upstream's groupPods calls unready (readiness false, or phase Pending): in kbmc,
    /// pods not started (bound), whose metrics it does not read.
    pub unready: i64,
    /// Running pods without metrics: in kbmc, running on a NotReady node.
    pub missing: i64,
    /// Pods being deleted: terminating.
    pub deleted: i64,
}

/// The replicas the sync sets. The HPA's bounds (1 to 100) and its behavior (no
/// stabilization, rate limits that never bind) leave the replica calculator's count as it is.
pub fn replica_calc(c: &ReplicaCalc) -> i64 {
    let ready = c.usage.len() as i64;
    let total: i64 = c.usage.iter().sum();
    // Only the sum of the ready pods' usage enters utilization; kbmc's pods of one group come
    // in usage levels, so the sum is spread over two adjacent levels (base and base + 1m).
    let base = if ready > 0 { total / ready } else { 0 };
    let above = if ready > 0 { total - base * ready } else { 0 };
    let on_ready = ready + c.unready + c.deleted;
    let placement = [("ready", on_ready), ("lost", c.missing)]
        .iter()
        .filter(|(_, k)| *k > 0)
        .map(|(n, k)| format!("{n}={k}"))
        .collect::<Vec<_>>()
        .join(" ");
    let cluster = Cluster::new()
        .node("ready", "1000 1000Gi 1000", "", "")
        .node("lost", "1000 1000Gi 1000", "", "")
        .pods(
            "web",
            "",
            &format!("{}m 1Gi", c.request),
            "",
            &placement,
        )
        .doc(&"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 1\n  maxReplicas: 100\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: TARGET}}}]\n  behavior:\n    scaleUp: {stabilizationWindowSeconds: 0, policies: [{type: Percent, value: 100000, periodSeconds: 15}]}\n    scaleDown: {stabilizationWindowSeconds: 0, policies: [{type: Percent, value: 100, periodSeconds: 15}]}".replace("TARGET", &c.target.to_string()));
    let mut yaml = cluster.yaml();
    // The workload's usage: `base` for every pod; a cpuChange event makes base + 1m a level.
    yaml = yaml.replace("placement: [", &format!("usage: {{cpu: \"{}m\", memory: 1Gi}}, placement: [", base.max(1)));
    if above > 0 {
        yaml += "  events: [{type: cpuChange, deployment: web, delta: {min: \"1m\", max: \"1m\"}, budget: 1}]\n";
    }
    let m = build(&yaml).unwrap_or_else(|e| panic!("kbmc rejects the case: {e}\n{yaml}"));
    let g = group(&m, "web");
    let (ready_n, lost_n) = (node(&m, "ready"), node(&m, "lost"));
    let mut st = initial(&m);
    unstart(&m, &mut st, g, ready_n, c.unready, Phase::Bound);
    unstart(&m, &mut st, g, ready_n, c.deleted, Phase::Terminating);
    if above > 0 {
        let hot = m.kinds_of_group[g].iter().copied().find(|&k| m.kinds[k].cpu_usage == base + 1).expect("base + 1m");
        st.running[m.start_kind[g]][ready_n] -= above;
        st.running[hot][ready_n] += above;
    }
    st.status[lost_n] = kbmc::model::state::NOT_READY;
    st.desired[m.dep_of_group(g)] = c.current;
    hpa::sync(&Concrete, &m, &st, 0, true).0
}
