//! HorizontalPodAutoscalers: autoscaling/v2 HPA manifests -> `Hpa`s: the target Deployment
//! (looked up in the HPA's own namespace, one HPA per Deployment), min and max replicas,
//! Resource metrics on cpu or memory (80 % CPU utilization when none is given, the
//! autoscaling/v2 default) and `behavior` with the API's defaults (scale up: 4 pods or 100 %
//! per 15 s, no stabilization window; scale down: 100 % per 15 s, a 300 s window). Owns
//! refusing the HPAs kbmc cannot represent; must not decide how the HPA controller computes
//! replicas (that is `model/controllers/hpa.rs`).

use k8s_openapi::api::autoscaling::v2::{
    HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget as K8sMetricTarget,
};

use super::{convert, quantity, shared_names, Builder, Diag};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::{
    DeploymentId, Hpa, HpaId, Metric, MetricTarget, PolicyKind, ResourceName, ScalingPolicy, ScalingRules, SelectPolicy,
};
use crate::manifest::Object;

impl Builder<'_> {
    /// Reads every HorizontalPodAutoscaler: refuses a second one of a namespace and name,
    /// resolves its target Deployment, then reads its replica bounds, metrics and behavior,
    /// and attaches it to the Deployment.
    pub(super) fn hpas(&mut self) -> Vec<Hpa> {
        let inputs = self.inputs;
        let mut out: Vec<Hpa> = Vec::new();
        // A name that two namespaces share is shown with its namespace, as for Deployments.
        let shared = shared_names(inputs.hpas.iter().map(|o| &o.value.metadata));
        let mut seen: Vec<(&str, &str, &Origin)> = Vec::new();
        for Object { origin, value: h } in &inputs.hpas {
            let object_name = h.metadata.name.clone().unwrap_or_default();
            let ns = h.metadata.namespace.as_deref().unwrap_or("default");
            if let Some((_, _, first)) = seen.iter().find(|(n, s, _)| *n == object_name && *s == ns) {
                self.diag.error(
                    InputError::at(
                        origin,
                        InputClass::Invalid,
                        "metadata.name",
                        format!(
                            "duplicate HorizontalPodAutoscaler {object_name:?} in namespace {ns:?} (the first is in {first}); the API server keeps one object per namespace and name"
                        ),
                    )
                    .with_object(format!("HorizontalPodAutoscaler/{object_name}")),
                );
                continue;
            }
            seen.push((h.metadata.name.as_deref().unwrap_or_default(), ns, origin));
            let name = if shared.contains(&object_name) { format!("{ns}/{object_name}") } else { object_name.clone() };
            let Some(di) = self.hpa_target(h, origin, &object_name) else { continue };
            if h.metadata.deletion_timestamp.is_some() {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "metadata.deletionTimestamp",
                    "an HPA being deleted is not modelled",
                ));
            }
            let (min, max) = self.hpa_replicas(&h.spec, origin);
            let metrics = self.hpa_metrics(&h.spec, origin, di);
            let behavior = h.spec.behavior.as_ref().map(|b| {
                (
                    scaling_rules(b.scale_up.as_ref(), true, "spec.behavior.scaleUp", origin, &mut self.diag),
                    scaling_rules(b.scale_down.as_ref(), false, "spec.behavior.scaleDown", origin, &mut self.diag),
                )
            });
            let id = HpaId(out.len() as u32);
            self.deployments[di].hpa = Some(id);
            out.push(Hpa {
                name,
                target: DeploymentId(di as u32),
                min_replicas: min,
                max_replicas: max,
                metrics,
                behavior,
                origin: origin.clone(),
            });
        }
        out
    }

    /// The index of the Deployment an HPA scales, or `None` (reported) when its target is no
    /// apps/v1 Deployment, no Deployment of the HPA's namespace, or one that already has an HPA.
    fn hpa_target(&mut self, h: &HorizontalPodAutoscaler, origin: &Origin, object_name: &str) -> Option<usize> {
        let r = &h.spec.scale_target_ref;
        if r.kind != "Deployment" || r.api_version.as_deref().is_some_and(|a| a != "apps/v1") {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.scaleTargetRef",
                format!(
                    "target {} {} is not modelled; only apps/v1 Deployments",
                    r.api_version.clone().unwrap_or_default(),
                    r.kind
                ),
            ));
            return None;
        }
        // The target is looked up in the HPA's own namespace (scaleTargetRef has none).
        let namespace = h.metadata.namespace.as_deref().unwrap_or("default");
        // The HPA controller resolves the target by apiVersion, kind and name (its scale
        // subresource): a StatefulSet of the same name is not the Deployment it names.
        let named = |d: &&crate::ir::Deployment| d.object_name == r.name && d.namespace == namespace;
        let Some(di) = self.deployments.iter().position(|d| named(&d) && d.stateful.is_none()) else {
            let other = self.deployments.iter().find(|d| named(d)).map_or(String::new(), |s| {
                format!(
                    "; a StatefulSet of that name is in {}, but the HPA controller looks its target up by apiVersion, kind and name and would find no Deployment to scale (FailedGetScale)",
                    s.origin
                )
            });
            self.diag.error(
                InputError::at(
                    origin,
                    InputClass::DanglingReference,
                    "spec.scaleTargetRef.name",
                    format!(
                        "no Deployment named {:?} in the HPA's namespace {namespace:?} in the manifests{other}",
                        r.name
                    ),
                )
                .with_object(format!("HorizontalPodAutoscaler/{object_name}")),
            );
            return None;
        };
        if self.deployments[di].hpa.is_some() {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.scaleTargetRef.name",
                format!(
                    "Deployment {:?} already has an HPA; two HPAs fighting over one Deployment is not modelled",
                    self.deployments[di].name
                ),
            ));
            return None;
        }
        Some(di)
    }

    /// An HPA's `minReplicas` (1 by default) and `maxReplicas`; scale to zero is unmodelled,
    /// a maximum below the minimum invalid.
    fn hpa_replicas(&mut self, spec: &HorizontalPodAutoscalerSpec, origin: &Origin) -> (i64, i64) {
        let min = spec.min_replicas.unwrap_or(1) as i64;
        let max = spec.max_replicas as i64;
        if min < 1 {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.minReplicas",
                "scale to zero (minReplicas 0) is not modelled",
            ));
        }
        if max < min {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.maxReplicas",
                format!("{max} is less than minReplicas {min}"),
            ));
        }
        (min, max)
    }

    /// An HPA's metrics on Deployment `di`: those kbmc reads, or the autoscaling/v2 default of
    /// 80 % CPU utilization when none is given.
    fn hpa_metrics(&mut self, spec: &HorizontalPodAutoscalerSpec, origin: &Origin, di: usize) -> Vec<Metric> {
        let mut metrics = Vec::new();
        for (i, m) in spec.metrics.iter().flatten().enumerate() {
            if let Some(metric) = self.hpa_metric(m, &format!("spec.metrics[{i}]"), origin, di) {
                metrics.push(metric);
            }
        }
        if spec.metrics.as_ref().is_none_or(|m| m.is_empty()) {
            // autoscaling/v2 default: 80% CPU utilization.
            metrics.push(Metric { resource: ResourceName::Cpu, target: MetricTarget::Utilization(80) });
        }
        metrics
    }

    /// One metric (`f` is its path): a Resource metric on cpu or memory, or `None` (reported).
    fn hpa_metric(&mut self, m: &MetricSpec, f: &str, origin: &Origin, di: usize) -> Option<Metric> {
        if m.type_ != "Resource" {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("{f}.type"),
                format!("{} metrics are not modelled; only Resource metrics on cpu or memory", m.type_),
            ));
            return None;
        }
        let Some(res) = &m.resource else {
            self.diag.error(InputError::at(
                origin,
                InputClass::MissingOrMistyped,
                format!("{f}.resource"),
                "missing for type Resource",
            ));
            return None;
        };
        let resource = match res.name.as_str() {
            "cpu" => ResourceName::Cpu,
            "memory" => ResourceName::Memory,
            other => {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{f}.resource.name"),
                    format!("resource {other:?} is not modelled; only cpu and memory"),
                ));
                return None;
            }
        };
        let target = self.metric_target(&res.target, f, origin)?;
        if let MetricTarget::Utilization(_) = target {
            // What the HPA divides by: the app containers' requests (init containers
            // do not count); a later revision without them fails the metric at run time.
            let g = self.deployments[di].revisions[0];
            let req = self.facts[g.index()].metric_requests;
            let r = if resource == ResourceName::Cpu { req.cpu_milli } else { req.memory };
            if r.unwrap_or(0) == 0 {
                self.diag.error(InputError::at(origin, InputClass::Invalid, format!("{f}.resource.target"), format!("Utilization of {} needs the Deployment's containers to request it (the HPA reports FailedGetResourceMetric otherwise)", res.name)));
            }
        }
        Some(Metric { resource, target })
    }

    /// A Resource metric's target (`f` is the metric's path): a positive utilization or an
    /// average value, or `None` (reported).
    fn metric_target(&mut self, t: &K8sMetricTarget, f: &str, origin: &Origin) -> Option<MetricTarget> {
        match t.type_.as_str() {
            "Utilization" => match t.average_utilization {
                Some(u) if u > 0 => Some(MetricTarget::Utilization(u as i64)),
                _ => {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::MissingOrMistyped,
                        format!("{f}.resource.target.averageUtilization"),
                        "expected a positive percentage for type Utilization",
                    ));
                    None
                }
            },
            "AverageValue" => match &t.average_value {
                Some(q) => {
                    let tf = format!("{f}.resource.target.averageValue");
                    let p = quantity(q, origin, &tf, &mut self.diag);
                    // targetAverageValue.MilliValue(): millicores or milli-bytes.
                    let v = convert(p, |q| q.milli_value(), origin, &tf, &mut self.diag);
                    Some(MetricTarget::AverageValue(v))
                }
                None => {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::MissingOrMistyped,
                        format!("{f}.resource.target.averageValue"),
                        "missing for type AverageValue",
                    ));
                    None
                }
            },
            other => {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{f}.resource.target.type"),
                    format!("target type {other:?} is not modelled; expected Utilization or AverageValue"),
                ));
                None
            }
        }
    }
}

/// The scaling rules of one direction of `behavior` (`field` is their path), with the API's
/// defaults: scale up 4 pods or 100 % per 15 s without a stabilization window, scale down
/// 100 % per 15 s with a 300 s window.
fn scaling_rules(r: Option<&HPAScalingRules>, up: bool, field: &str, origin: &Origin, diag: &mut Diag) -> ScalingRules {
    let default_policies = if up {
        vec![
            ScalingPolicy { kind: PolicyKind::Pods, value: 4, period_seconds: 15 },
            ScalingPolicy { kind: PolicyKind::Percent, value: 100, period_seconds: 15 },
        ]
    } else {
        vec![ScalingPolicy { kind: PolicyKind::Percent, value: 100, period_seconds: 15 }]
    };
    let default_window = if up { 0 } else { 300 };
    let Some(r) = r else {
        return ScalingRules {
            stabilization_window_seconds: default_window,
            select_policy: SelectPolicy::Max,
            policies: default_policies,
        };
    };
    if r.tolerance.is_some() {
        diag.unmodeled(InputError::at(
            origin,
            InputClass::Unmodeled,
            format!("{field}.tolerance"),
            "a per-direction tolerance is not modelled; the default 10% applies",
        ));
    }
    let select_policy = match r.select_policy.as_deref() {
        None | Some("Max") => SelectPolicy::Max,
        Some("Min") => SelectPolicy::Min,
        Some("Disabled") => SelectPolicy::Disabled,
        Some(o) => {
            diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{field}.selectPolicy"),
                format!("unknown value {o:?}; expected Max, Min or Disabled"),
            ));
            SelectPolicy::Max
        }
    };
    let policies = match &r.policies {
        None => default_policies,
        Some(ps) => scaling_policies(ps, field, origin, diag),
    };
    ScalingRules {
        stabilization_window_seconds: r.stabilization_window_seconds.map(|s| s as i64).unwrap_or(default_window),
        select_policy,
        policies,
    }
}

/// The policies of one direction's scaling rules (`field` is the rules' path); one of an
/// unknown type is reported and left out.
fn scaling_policies(ps: &[HPAScalingPolicy], field: &str, origin: &Origin, diag: &mut Diag) -> Vec<ScalingPolicy> {
    ps.iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let kind = match p.type_.as_str() {
                "Pods" => PolicyKind::Pods,
                "Percent" => PolicyKind::Percent,
                o => {
                    diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        format!("{field}.policies[{i}].type"),
                        format!("unknown policy type {o:?}; expected Pods or Percent"),
                    ));
                    return None;
                }
            };
            Some(ScalingPolicy { kind, value: p.value as i64, period_seconds: p.period_seconds as i64 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::ir::build::test_inputs::{errors, pool, web};

    /// An HPA's scaleTargetRef names a Deployment of the HPA's own namespace (it has no
    /// namespace field; the HPA controller scales `namespace/name` of the HPA's namespace).
    #[test]
    fn an_hpa_targets_a_deployment_of_its_own_namespace() {
        let hpa = |namespace: &str| {
            format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web{namespace}}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  maxReplicas: 3\n---\n")
        };
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        assert_eq!(errors(&format!("{}{base}", hpa(""))), "");
        assert_eq!(errors(&format!("{}{base}", hpa(", namespace: default"))), "");
        let e = errors(&format!("{}{base}", hpa(", namespace: prod")));
        assert!(e.contains("spec.scaleTargetRef.name") && e.contains("namespace \"prod\""), "{e}");
    }

    /// `kind: Deployment` does not find a StatefulSet of the same name: the HPA controller
    /// resolves the target by kind and name, so the HPA is refused, not attached to it.
    #[test]
    fn an_hpa_for_a_deployment_does_not_attach_to_a_statefulset_of_that_name() {
        let set = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: 1\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: c, image: db:1, resources: {requests: {cpu: \"1\", memory: 1Gi}}}]\n---\n";
        let hpa = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: db}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: db}\n  maxReplicas: 3\n---\n";
        let e = errors(&format!("{}{set}{hpa}{}", web(1, "1Gi"), pool("8", "8Gi")));
        assert!(
            e.contains("spec.scaleTargetRef.name")
                && e.contains("no Deployment named \"db\"")
                && e.contains("a StatefulSet of that name is in"),
            "{e}"
        );
    }
}
