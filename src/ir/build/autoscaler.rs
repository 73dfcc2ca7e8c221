//! The cluster autoscaler's options: the Verification's `spec.clusterAutoscaler` (named as
//! cluster-autoscaler's flags, defaults as upstream's `config/autoscaling_options.go` and
//! `main.go` flags) -> `Autoscaler`. Owns refusing options out of range (a threshold outside
//! [0, 1] or with more than six decimals, an unknown expander, a malformed duration) and options
//! given with no autoscaled pool; must not decide what the autoscaler does
//! (`model/controllers/cluster_autoscaler.rs`). Also refuses the cluster autoscaler beside
//! preemption, which kbmc does not model together.

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
        let origin = self.spec_origin.clone();
        let autoscaled = self.pools.iter().any(|p| p.autoscaling.is_some());
        if ca.is_some() && !autoscaled {
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

impl Builder<'_> {
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
