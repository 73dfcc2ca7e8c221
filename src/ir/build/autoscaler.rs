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
use crate::error::{InputClass, InputError};
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
        let found = self.inputs.deployments.iter().find_map(|d| {
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
            Some((d.origin.clone(), meta.name.clone().unwrap_or_default(), c.name.clone(), words))
        });
        let (origin, name, container, words) = found?;
        let at = |i: usize| format!("spec.template.spec.containers[{container}] flag {}", words[i]);
        let mut out = ca.cloned().unwrap_or_default();
        let mut groups: Vec<(usize, i64, i64, String)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let body = &w[2..];
            let (flag, value) = match body.split_once('=') {
                Some((f, v)) => (f, Some(v)),
                None => (body, None),
            };
            if INERT_FLAGS.contains(&flag) {
                continue;
            }
            if !READ_FLAGS.contains(&flag) {
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Unmodeled,
                    at(i),
                    format!(
                        "--{flag} of the cluster-autoscaler Deployment {name} is not modelled (kbmc reads {} and ignores logging, connection and timer flags)",
                        READ_FLAGS.map(|f| format!("--{f}")).join(", ")
                    ),
                ));
                continue;
            }
            let bad = |b: &mut Self, what: &str| {
                b.diag.error(InputError::at(&origin, InputClass::Invalid, at(i), format!("expected {what}")));
            };
            let clash = |b: &mut Self, field: &str, spec_says: Option<String>, flag_says: String| {
                if let Some(s) = spec_says.filter(|s| *s != flag_says) {
                    b.diag.error(InputError::at(
                        &origin,
                        InputClass::Invalid,
                        at(i),
                        format!("spec.clusterAutoscaler.{field} says {s}, the cluster-autoscaler Deployment {name} says {flag_says}"),
                    ));
                }
            };
            match flag {
                "nodes" => {
                    let parts: Vec<&str> = value.unwrap_or("").splitn(3, ':').collect();
                    match parts.as_slice() {
                        [lo, hi, group] if lo.parse::<i64>().is_ok() && hi.parse::<i64>().is_ok() => {
                            groups.push((i, lo.parse().unwrap_or(0), hi.parse().unwrap_or(0), group.to_string()))
                        }
                        _ => bad(self, "--nodes=<min>:<max>:<node group name>"),
                    }
                }
                "scale-down-utilization-threshold" => match value {
                    Some(v) => {
                        let said = ca.and_then(|c| c.scale_down_utilization_threshold.as_ref()).map(|s| match s {
                            serde_yaml::Value::Number(n) => n.to_string(),
                            serde_yaml::Value::String(s) => s.clone(),
                            other => format!("{other:?}"),
                        });
                        clash(self, "scaleDownUtilizationThreshold", said, v.to_string());
                        out.scale_down_utilization_threshold = Some(serde_yaml::Value::String(v.to_string()));
                    }
                    None => bad(self, "--scale-down-utilization-threshold=<number from 0 to 1>"),
                },
                "scale-down-unneeded-time" => match value {
                    Some(v) => {
                        clash(
                            self,
                            "scaleDownUnneededTime",
                            ca.and_then(|c| c.scale_down_unneeded_time.clone()),
                            v.to_string(),
                        );
                        out.scale_down_unneeded_time = Some(v.to_string());
                    }
                    None => bad(self, "--scale-down-unneeded-time=<duration>"),
                },
                "expander" => match value {
                    Some(v) => {
                        clash(self, "expander", ca.and_then(|c| c.expander.clone()), v.to_string());
                        out.expander = Some(v.to_string());
                    }
                    None => bad(self, "--expander=<name>"),
                },
                _ => {
                    let Some(b) = flag_bool(value) else {
                        bad(self, "true or false");
                        continue;
                    };
                    let (field, slot, said) = match flag {
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
                    clash(self, field, said.map(|s| s.to_string()), b.to_string());
                }
            }
        }
        // --nodes against the pools.
        for (i, lo, hi, group) in &groups {
            match self.pools.iter().position(|p| &p.name == group) {
                None => self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    at(*i),
                    format!("node group {group} is not a pool of spec.nodePools"),
                )),
                Some(p) => match self.pools[p].autoscaling {
                    Some(r) if r.min == *lo && r.max == *hi => {}
                    Some(r) => self.diag.error(InputError::at(
                        &origin,
                        InputClass::Invalid,
                        at(*i),
                        format!("spec.nodePools[{p}].autoscaling says {}..{}, the flag {lo}..{hi}", r.min, r.max),
                    )),
                    None => self.diag.error(InputError::at(
                        &origin,
                        InputClass::Invalid,
                        at(*i),
                        format!("spec.nodePools[{p}] ({group}) has no `autoscaling`; give it autoscaling: {{min: {lo}, max: {hi}}}"),
                    )),
                },
            }
        }
        for p in 0..self.pools.len() {
            if self.pools[p].autoscaling.is_some() && !groups.iter().any(|g| g.3 == self.pools[p].name) {
                let pool = self.pools[p].name.clone();
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    "spec.template.spec.containers",
                    format!("the cluster-autoscaler Deployment {name} has no --nodes for the autoscaled pool {pool}: it would never scale it"),
                ));
            }
        }
        Some(out)
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
