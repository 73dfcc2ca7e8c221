//! The cluster autoscaler's options: the Verification's `spec.clusterAutoscaler` (named as
//! cluster-autoscaler's flags, defaults as upstream's `config/autoscaling_options.go` and
//! `main.go` flags) -> `Autoscaler`. Owns refusing options out of range (a threshold outside
//! [0, 1] or with more than six decimals, an unknown expander, a malformed duration) and options
//! given with no autoscaled pool; must not decide what the autoscaler does
//! (`model/controllers/cluster_autoscaler/`). Also reads the cluster-autoscaler Deployment's
//! flags where the inputs hold one (kube-system, an image naming cluster-autoscaler; flags as
//! in upstream's `main.go`), and refuses the cluster autoscaler beside preemption or a
//! DaemonSet, which kbmc does not model together.

use super::Builder;
use crate::error::{InputClass, InputError, Origin};
use crate::ir::{Autoscaler, Expander};
use crate::spec;

/// `--scale-down-utilization-threshold` defaults to 0.5.
const DEFAULT_THRESHOLD: (i64, i64) = (1, 2);

/// A decimal in [0, 1] with at most six decimals as `num / den`, from its text.
fn fraction(text: &str) -> Option<(i64, i64)> {
    let t = text.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 6
        || int.len() > 1
    {
        return None;
    }
    let den = 10i64.pow(frac.len() as u32);
    let num = int.parse::<i64>().unwrap_or(0) * den + frac.parse::<i64>().unwrap_or(0);
    (num <= den).then_some((num, den))
}

/// Whether `s` is a Go duration (`time.ParseDuration`): `0`, or numbers with units ns, us, µs,
/// ms, s, m, h, such as `10m` or `1h30m`.
fn is_duration(s: &str) -> bool {
    if s == "0" {
        return true;
    }
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if digits == 0 || rest[..digits].chars().filter(|&c| c == '.').count() > 1 {
            return false;
        }
        rest = &rest[digits..];
        let unit =
            ["ns", "us", "µs", "ms", "s", "m", "h"].iter().filter(|u| rest.starts_with(**u)).max_by_key(|u| u.len());
        let Some(u) = unit else { return false };
        rest = &rest[u.len()..];
    }
    true
}

impl Builder<'_> {
    /// The autoscaler's options, when some pool is autoscaled and the autoscaler runs.
    pub(super) fn autoscaler(&mut self, ca: Option<&spec::ClusterAutoscaler>, runs: bool) -> Option<Autoscaler> {
        let merged = self.autoscaler_deployment(ca);
        let origin = self.spec_origin.clone();
        let autoscaled = self.pools.iter().any(|p| p.autoscaling.is_some());
        let written = ca.is_some();
        let ca = merged.as_ref().or(ca);
        if written && !autoscaled {
            self.diag.error(InputError::at(
                &origin,
                InputClass::Invalid,
                "spec.clusterAutoscaler",
                "options of the cluster autoscaler, but no pool of spec.nodePools has `autoscaling: {min, max}`",
            ));
            return None;
        }
        let default = spec::ClusterAutoscaler::default();
        let ca = ca.unwrap_or(&default);
        let f = |field: &str| format!("spec.clusterAutoscaler.{field}");
        let threshold = match &ca.scale_down_utilization_threshold {
            None => DEFAULT_THRESHOLD,
            Some(v) => {
                let text = match v {
                    serde_yaml::Value::Number(n) => Some(n.to_string()),
                    serde_yaml::Value::String(s) => Some(s.clone()),
                    _ => None,
                };
                match text.as_deref().and_then(fraction) {
                    Some(t) => t,
                    None => {
                        self.diag.error(InputError::at(
                            &origin,
                            InputClass::Invalid,
                            f("scaleDownUtilizationThreshold"),
                            format!("{v:?}: expected a number from 0 to 1 with at most six decimals, such as 0.5"),
                        ));
                        DEFAULT_THRESHOLD
                    }
                }
            }
        };
        if let Some(t) = &ca.scale_down_unneeded_time {
            if !is_duration(t) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    f("scaleDownUnneededTime"),
                    format!("{t:?}: expected a duration such as \"10m\" or \"1h30m\""),
                ));
            }
        }
        let mut expander = Vec::new();
        for name in ca.expander.as_deref().unwrap_or("random").split(',') {
            let e = match name.trim() {
                "random" => Expander::Random,
                "least-waste" => Expander::LeastWaste,
                "most-pods" => Expander::MostPods,
                "priority" => Expander::Priority,
                other => {
                    self.diag.error(InputError::at(
                        &origin,
                        if matches!(other, "price" | "grpc") { InputClass::Unmodeled } else { InputClass::Invalid },
                        f("expander"),
                        format!("{other:?}: expected random, least-waste, most-pods or priority (or a comma-separated chain of them)"),
                    ));
                    continue;
                }
            };
            expander.push(e);
        }
        (autoscaled && runs).then_some(Autoscaler {
            threshold,
            expander,
            balance_similar_node_groups: ca.balance_similar_node_groups.unwrap_or(false),
            skip_nodes_with_local_storage: ca.skip_nodes_with_local_storage.unwrap_or(true),
            skip_nodes_with_system_pods: ca.skip_nodes_with_system_pods.unwrap_or(true),
        })
    }
}

/// cluster-autoscaler's flags kbmc reads (`--nodes` and the options of
/// `spec.clusterAutoscaler`).
const READ_FLAGS: [&str; 7] = [
    "nodes",
    "scale-down-utilization-threshold",
    "scale-down-unneeded-time",
    "expander",
    "balance-similar-node-groups",
    "skip-nodes-with-local-storage",
    "skip-nodes-with-system-pods",
];

/// Flags that change nothing kbmc models: logging, the cloud provider's connection, the
/// status ConfigMap, leader election, and timers kbmc orders without a clock (every duration
/// is explored: the scan interval, the delays after add, delete and failure, the provisioning
/// time, the new-pod delay).
const INERT_FLAGS: [&str; 20] = [
    "v",
    "stderrthreshold",
    "logtostderr",
    "alsologtostderr",
    "cloud-provider",
    "cloud-config",
    "cluster-name",
    "kubeconfig",
    "namespace",
    "write-status-configmap",
    "status-config-map-name",
    "leader-elect",
    "address",
    "aws-use-static-instance-list",
    "scan-interval",
    "scale-down-delay-after-add",
    "scale-down-delay-after-delete",
    "scale-down-delay-after-failure",
    "max-node-provision-time",
    "new-pod-scale-up-delay",
];

/// The cluster-autoscaler Deployment's container and the `--` flags it is started with.
struct AutoscalerDeployment {
    origin: Origin,
    name: String,
    container: String,
    words: Vec<String>,
}

impl AutoscalerDeployment {
    /// Where flag `i` is, for reports.
    fn at(&self, i: usize) -> String {
        format!("spec.template.spec.containers[{}] flag {}", self.container, self.words[i])
    }
}

/// Flag `i` of the cluster-autoscaler Deployment: its name and value (`--name=value`).
struct Flag<'d> {
    dep: &'d AutoscalerDeployment,
    i: usize,
    name: &'d str,
    value: Option<&'d str>,
}

impl Flag<'_> {
    /// Where the flag is, for reports.
    fn at(&self) -> String {
        self.dep.at(self.i)
    }
}

/// A `--nodes=min:max:group` flag (flag `i`), checked against the pools once all are read.
struct NodeGroupFlag {
    i: usize,
    min: i64,
    max: i64,
    group: String,
}

/// A flag's value as a bool (`--flag` alone is true).
fn flag_bool(v: Option<&str>) -> Option<bool> {
    match v {
        None | Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

impl Builder<'_> {
    /// The cluster-autoscaler Deployment among the inputs (namespace kube-system, a container
    /// whose image names cluster-autoscaler), read into the options of `spec.clusterAutoscaler`
    /// (which it fills where the spec is silent; a flag that says otherwise than the spec is an
    /// error) and checked against the pools (`--nodes=min:max:name` must name an autoscaled pool
    /// with that range, and name every autoscaled pool). Flags kbmc cannot honour are refused.
    /// The Deployment stays a workload: its pod is a kube-system pod on some node.
    fn autoscaler_deployment(&mut self, ca: Option<&spec::ClusterAutoscaler>) -> Option<spec::ClusterAutoscaler> {
        let dep = self.find_autoscaler_deployment()?;
        let mut out = ca.cloned().unwrap_or_default();
        let mut groups: Vec<NodeGroupFlag> = Vec::new();
        for i in 0..dep.words.len() {
            let body = &dep.words[i][2..];
            let (name, value) = match body.split_once('=') {
                Some((f, v)) => (f, Some(v)),
                None => (body, None),
            };
            let flag = Flag { dep: &dep, i, name, value };
            if let Some(group) = self.read_flag(&flag, ca, &mut out) {
                groups.push(group);
            }
        }
        self.check_node_groups(&dep, &groups);
        Some(out)
    }

    /// The first Deployment in kube-system with a container whose image names
    /// cluster-autoscaler, with that container's `--` flags (command, then args).
    fn find_autoscaler_deployment(&self) -> Option<AutoscalerDeployment> {
        self.inputs.deployments.iter().find_map(|d| {
            let meta = &d.value.metadata;
            if meta.namespace.as_deref() != Some("kube-system") {
                return None;
            }
            let spec = d.value.spec.template.spec.as_ref()?;
            let c = spec
                .containers
                .iter()
                .find(|c| c.image.as_deref().is_some_and(|i| i.contains("cluster-autoscaler")))?;
            let words: Vec<String> = c
                .command
                .iter()
                .flatten()
                .chain(c.args.iter().flatten())
                .filter(|w| w.starts_with("--"))
                .cloned()
                .collect();
            Some(AutoscalerDeployment {
                origin: d.origin.clone(),
                name: meta.name.clone().unwrap_or_default(),
                container: c.name.clone(),
                words,
            })
        })
    }

    /// Reads one flag into `out`, the options (`ca`, the spec's, as they were written);
    /// returns a `--nodes` flag's node group, for `check_node_groups`. An inert flag is
    /// skipped, a flag kbmc neither reads nor ignores refused.
    fn read_flag(
        &mut self,
        flag: &Flag,
        ca: Option<&spec::ClusterAutoscaler>,
        out: &mut spec::ClusterAutoscaler,
    ) -> Option<NodeGroupFlag> {
        let name = flag.name;
        if INERT_FLAGS.contains(&name) {
            return None;
        }
        if !READ_FLAGS.contains(&name) {
            self.diag.error(InputError::at(
                &flag.dep.origin,
                InputClass::Unmodeled,
                flag.at(),
                format!(
                    "--{name} of the cluster-autoscaler Deployment {} is not modelled (kbmc reads {} and ignores logging, connection and timer flags)",
                    flag.dep.name,
                    READ_FLAGS.map(|f| format!("--{f}")).join(", ")
                ),
            ));
            return None;
        }
        match name {
            "nodes" => {
                let parts: Vec<&str> = flag.value.unwrap_or("").splitn(3, ':').collect();
                match parts.as_slice() {
                    [lo, hi, group] if lo.parse::<i64>().is_ok() && hi.parse::<i64>().is_ok() => {
                        return Some(NodeGroupFlag {
                            i: flag.i,
                            min: lo.parse().unwrap_or(0),
                            max: hi.parse().unwrap_or(0),
                            group: group.to_string(),
                        });
                    }
                    _ => self.flag_expected(flag, "--nodes=<min>:<max>:<node group name>"),
                }
            }
            "scale-down-utilization-threshold" | "scale-down-unneeded-time" | "expander" => {
                self.text_flag(flag, ca, out)
            }
            _ => self.bool_flag(flag, ca, out),
        }
        None
    }

    /// Reads a flag with a text value into `out`: the utilization threshold, the unneeded
    /// time or the expander.
    fn text_flag(&mut self, flag: &Flag, ca: Option<&spec::ClusterAutoscaler>, out: &mut spec::ClusterAutoscaler) {
        let Some(v) = flag.value else {
            let expected = match flag.name {
                "scale-down-utilization-threshold" => "--scale-down-utilization-threshold=<number from 0 to 1>",
                "scale-down-unneeded-time" => "--scale-down-unneeded-time=<duration>",
                _ => "--expander=<name>",
            };
            self.flag_expected(flag, expected);
            return;
        };
        match flag.name {
            "scale-down-utilization-threshold" => {
                let said = ca.and_then(|c| c.scale_down_utilization_threshold.as_ref()).map(|s| match s {
                    serde_yaml::Value::Number(n) => n.to_string(),
                    serde_yaml::Value::String(s) => s.clone(),
                    other => format!("{other:?}"),
                });
                self.flag_clash(flag, "scaleDownUtilizationThreshold", said, v.to_string());
                out.scale_down_utilization_threshold = Some(serde_yaml::Value::String(v.to_string()));
            }
            "scale-down-unneeded-time" => {
                let said = ca.and_then(|c| c.scale_down_unneeded_time.clone());
                self.flag_clash(flag, "scaleDownUnneededTime", said, v.to_string());
                out.scale_down_unneeded_time = Some(v.to_string());
            }
            _ => {
                self.flag_clash(flag, "expander", ca.and_then(|c| c.expander.clone()), v.to_string());
                out.expander = Some(v.to_string());
            }
        }
    }

    /// Reads a flag with a bool value into `out`: balance-similar-node-groups or one of the
    /// skip-nodes-with flags.
    fn bool_flag(&mut self, flag: &Flag, ca: Option<&spec::ClusterAutoscaler>, out: &mut spec::ClusterAutoscaler) {
        let Some(b) = flag_bool(flag.value) else {
            self.flag_expected(flag, "true or false");
            return;
        };
        let (field, slot, said) = match flag.name {
            "balance-similar-node-groups" => (
                "balanceSimilarNodeGroups",
                &mut out.balance_similar_node_groups,
                ca.and_then(|c| c.balance_similar_node_groups),
            ),
            "skip-nodes-with-local-storage" => (
                "skipNodesWithLocalStorage",
                &mut out.skip_nodes_with_local_storage,
                ca.and_then(|c| c.skip_nodes_with_local_storage),
            ),
            _ => (
                "skipNodesWithSystemPods",
                &mut out.skip_nodes_with_system_pods,
                ca.and_then(|c| c.skip_nodes_with_system_pods),
            ),
        };
        *slot = Some(b);
        self.flag_clash(flag, field, said.map(|s| s.to_string()), b.to_string());
    }

    /// An error at `flag`: its value is not `what`.
    fn flag_expected(&mut self, flag: &Flag, what: &str) {
        self.diag.error(InputError::at(&flag.dep.origin, InputClass::Invalid, flag.at(), format!("expected {what}")));
    }

    /// An error at `flag` when `spec_says` (the option `field` of spec.clusterAutoscaler)
    /// differs from what the flag says.
    fn flag_clash(&mut self, flag: &Flag, field: &str, spec_says: Option<String>, flag_says: String) {
        if let Some(s) = spec_says.filter(|s| *s != flag_says) {
            self.diag.error(InputError::at(
                &flag.dep.origin,
                InputClass::Invalid,
                flag.at(),
                format!(
                    "spec.clusterAutoscaler.{field} says {s}, the cluster-autoscaler Deployment {} says {flag_says}",
                    flag.dep.name
                ),
            ));
        }
    }

    /// `--nodes` against the pools: each must name an autoscaled pool with its range, and
    /// every autoscaled pool must be named.
    fn check_node_groups(&mut self, dep: &AutoscalerDeployment, groups: &[NodeGroupFlag]) {
        let origin = &dep.origin;
        for NodeGroupFlag { i, min: lo, max: hi, group } in groups {
            match self.pools.iter().position(|p| &p.name == group) {
                None => self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    dep.at(*i),
                    format!("node group {group} is not a pool of spec.nodePools"),
                )),
                Some(p) => match self.pools[p].autoscaling {
                    Some(r) if r.min == *lo && r.max == *hi => {}
                    Some(r) => self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        dep.at(*i),
                        format!("spec.nodePools[{p}].autoscaling says {}..{}, the flag {lo}..{hi}", r.min, r.max),
                    )),
                    None => self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        dep.at(*i),
                        format!("spec.nodePools[{p}] ({group}) has no `autoscaling`; give it autoscaling: {{min: {lo}, max: {hi}}}"),
                    )),
                },
            }
        }
        for p in 0..self.pools.len() {
            if self.pools[p].autoscaling.is_some() && !groups.iter().any(|g| g.group == self.pools[p].name) {
                let pool = self.pools[p].name.clone();
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.template.spec.containers",
                    format!("the cluster-autoscaler Deployment {} has no --nodes for the autoscaled pool {pool}: it would never scale it", dep.name),
                ));
            }
        }
    }

    /// Refuses an autoscaled pool beside a DaemonSet: upstream's autoscaler puts the daemon
    /// pods that would run on a new node into its template (`TemplateNodeInfoFromExampleNodeInfo`),
    /// leaves them out of the pods a removal must move and deletes the node with them on it
    /// (its taint keeps the DaemonSet controller from a new one), none of which kbmc models.
    pub(super) fn check_autoscaler_daemon_sets(&mut self) {
        let Some(ds) = self.daemon_sets.first() else { return };
        let Some(i) = self.pools.iter().position(|p| p.autoscaling.is_some()) else { return };
        let (origin, name) = (ds.origin.clone(), ds.name.clone());
        let pool = self.pools[i].name.clone();
        self.diag.error(InputError::at(
            &origin,
            InputClass::Unmodeled,
            "kind",
            format!(
                "DaemonSet {name} beside the cluster autoscaler (node group {pool}): kbmc does not model daemon pods in the autoscaler's template node, its scale-down simulation and its node deletion; drop the DaemonSet or the pool's autoscaling"
            ),
        ));
    }

    /// Refuses an autoscaled pool where the scheduler may preempt (a pod group that may preempt
    /// has one of lower priority beside it): upstream's autoscaler treats a pod the scheduler
    /// nominated as placed in its snapshot (`filterOutSchedulable`) and ignores pods below the
    /// expendable priority cutoff, and kbmc models neither beside its preemption.
    pub(super) fn check_autoscaler_preemption(&mut self, groups: &[crate::ir::PodGroup]) {
        // A DaemonSet where the scheduler may preempt is refused on its own: these are
        // Deployments' (and StatefulSets') groups.
        let pair = groups.iter().filter(|g| g.preempts).find_map(|g| {
            let hi = g.deployment()?;
            groups
                .iter()
                .filter(|h| h.priority < g.priority)
                .find_map(|h| Some((hi, g.priority, h.deployment()?, h.priority)))
        });
        let Some((hi, hp, lo, lp)) = pair else { return };
        let Some(i) = self.pools.iter().position(|p| p.autoscaling.is_some()) else { return };
        let origin = self.spec_origin.clone();
        let (hi, lo) = (self.deployments[hi.index()].name.clone(), self.deployments[lo.index()].name.clone());
        self.diag.error(InputError::at(
            &origin,
            InputClass::Unmodeled,
            format!("spec.nodePools[{i}].autoscaling"),
            format!(
                "the cluster autoscaler beside preemption ({hi}'s pods, priority {hp}, may preempt {lo}'s, priority {lp}): kbmc does not model the two together (the autoscaler's view of nominated pods and its expendable-pods cutoff); drop the autoscaling or the PriorityClasses"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::{fraction, is_duration};

    #[test]
    fn thresholds_are_exact_fractions() {
        assert_eq!(fraction("0.5"), Some((5, 10)));
        assert_eq!(fraction("0.65"), Some((65, 100)));
        assert_eq!(fraction("1"), Some((1, 1)));
        assert_eq!(fraction("0"), Some((0, 1)));
        assert_eq!(fraction("1.5"), None);
        assert_eq!(fraction("0.1234567"), None);
        assert_eq!(fraction("-0.5"), None);
        assert_eq!(fraction("half"), None);
    }

    #[test]
    fn durations_are_go_durations() {
        for ok in ["10m", "1h30m", "0", "30s", "1.5h", "200ms"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "10", "m", "10 m", "ten minutes", "1..5h"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
