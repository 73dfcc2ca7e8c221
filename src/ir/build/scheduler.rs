//! kube-scheduler's configuration: the KubeSchedulerConfiguration (one at most) -> the
//! `Scheduler`: the default-scheduler profile's score plugin weights and disabled filters,
//! NodeResourcesFit's scoring strategy and resource weights (with v1's defaults), and
//! NodeAffinityArgs' `addedAffinity` evaluated per node. Owns refusing what kube-scheduler
//! refuses in a configuration and what kbmc does not model (extenders, the other extension
//! points, scoring a share of the nodes); must not decide where a pod goes (that is
//! `model/controllers/scheduler.rs`).

use super::{Builder, Diag};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::pod;
use crate::ir::{Scheduler, ScoringStrategy};
use crate::manifest::scheduler_config as sc;
use crate::manifest::Object;

impl Builder<'_> {
    /// Reads the KubeSchedulerConfiguration, if any: refuses a second one and what is not
    /// modelled at its top level, picks the default-scheduler profile, then reads that
    /// profile's plugins and their configuration.
    pub(super) fn scheduler(&mut self) -> Scheduler {
        let mut s = Scheduler {
            added_affinity_ok: vec![true; self.nodes.len()],
            added_preferred_weight: vec![0; self.nodes.len()],
            ..Scheduler::default()
        };
        let inputs = self.inputs;
        let cfgs = &inputs.scheduler_configs;
        if cfgs.len() > 1 {
            self.diag.error(InputError::at(
                &cfgs[1].origin,
                InputClass::Invalid,
                "kind",
                format!("a second KubeSchedulerConfiguration; the first is in {}", cfgs[0].origin),
            ));
        }
        let Some(Object { origin, value: cfg }) = cfgs.first() else { return s };
        if cfg.extenders.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "extenders",
                "scheduler extenders are not modelled",
            ));
        }
        self.nodes_to_score(origin, "percentageOfNodesToScore".into(), cfg.percentage_of_nodes_to_score.is_some());
        let Some(profile) = self.default_profile(cfg, origin) else { return s };
        let p = &cfg.profiles[profile];
        let pf = format!("profiles[{profile}]");
        self.nodes_to_score(origin, format!("{pf}.percentageOfNodesToScore"), p.percentage_of_nodes_to_score.is_some());
        if let Some(plugins) = &p.plugins {
            self.unmodeled_extension_points(plugins, origin, &pf);
            if let Some(score) = plugins.score.as_ref() {
                self.score_plugins(score, origin, &pf, &mut s);
            }
            if let Some(filter) = &plugins.filter {
                self.filter_plugins(filter, origin, &pf, &mut s);
            }
        }
        for (i, pc) in p.plugin_config.iter().enumerate() {
            self.plugin_config(pc, origin, &format!("{pf}.pluginConfig[{i}]"), &mut s);
        }
        s
    }

    /// Refuses a share of nodes to score (`field`, when `set`) where it changes anything:
    /// numFeasibleNodesToFind (schedule_one.go) searches every node of a cluster of up to
    /// 100 (minFeasibleNodesToFind), whatever the percentage.
    fn nodes_to_score(&mut self, origin: &Origin, field: String, set: bool) {
        let slots = self.nodes.len();
        if set && slots > 100 {
            self.diag.unmodeled(InputError::at(origin, InputClass::Unmodeled, field, format!("with {slots} node slots (more than 100) the scheduler scores only a share of the feasible nodes, which kbmc does not model (every feasible node is scored)")));
        }
    }

    /// The index of the profile for schedulerName default-scheduler, which the modelled pods
    /// use; `None` when there is no profile (the defaults apply) or none for it (reported).
    fn default_profile(&mut self, cfg: &sc::KubeSchedulerConfiguration, origin: &Origin) -> Option<usize> {
        match cfg
            .profiles
            .iter()
            .position(|p| p.scheduler_name.as_deref().unwrap_or("default-scheduler") == "default-scheduler")
        {
            Some(i) => Some(i),
            None if cfg.profiles.is_empty() => None,
            None => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "profiles",
                    "no profile for schedulerName default-scheduler, which the modelled pods use",
                ));
                None
            }
        }
    }

    /// Refuses configuring any extension point but score and filter: kbmc models the default
    /// profile's plugins at every other one (`pf` is the profile's path).
    fn unmodeled_extension_points(&mut self, plugins: &sc::Plugins, origin: &Origin, pf: &str) {
        for (point, set) in [
            ("preEnqueue", &plugins.pre_enqueue),
            ("queueSort", &plugins.queue_sort),
            ("preFilter", &plugins.pre_filter),
            ("postFilter", &plugins.post_filter),
            ("preScore", &plugins.pre_score),
            ("reserve", &plugins.reserve),
            ("permit", &plugins.permit),
            ("preBind", &plugins.pre_bind),
            ("bind", &plugins.bind),
            ("postBind", &plugins.post_bind),
            ("multiPoint", &plugins.multi_point),
        ] {
            if set.as_ref().is_some_and(|s| !s.enabled.is_empty() || !s.disabled.is_empty()) {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{pf}.plugins.{point}"),
                    format!("configuring the {point} extension point is not modelled (kbmc reads score and filter; elsewhere the default profile's plugins apply)"),
                ));
            }
        }
    }

    /// Reads the score plugins: the disabled ones get weight 0 (`*` disables all), the
    /// enabled ones their weight.
    fn score_plugins(&mut self, score: &sc::PluginSet, origin: &Origin, pf: &str, s: &mut Scheduler) {
        for d in &score.disabled {
            match d.name.as_str() {
                "*" => {
                    s.weight_node_resources_fit = 0;
                    s.weight_balanced_allocation = 0;
                    s.weight_node_affinity = 0;
                    s.weight_taint_toleration = 0;
                    s.weight_pod_topology_spread = 0;
                    s.weight_inter_pod_affinity = 0;
                }
                n => {
                    if let Some(w) = score_weight(s, n) {
                        *w = 0;
                    }
                }
            }
        }
        for (i, e) in score.enabled.iter().enumerate() {
            // kube-scheduler's framework (runtime/framework.go `getScoreWeights`) takes
            // an unset or 0 weight as 1, and a negative one as it is: the plugin's
            // score is subtracted. Its only bound is the total overflowing int64,
            // which int32 weights cannot reach. kbmc's scoring reads a weight that is
            // not positive as a disabled plugin, so a negative one is refused.
            let weight = e.weight.map_or(0, i64::from);
            match score_weight(s, &e.name) {
                Some(w) => {
                    if weight < 0 {
                        self.diag.unmodeled(InputError::at(
                            origin,
                            InputClass::Unmodeled,
                            format!("{pf}.plugins.score.enabled[{i}].weight"),
                            format!("weight {weight} of score plugin {:?}: kube-scheduler accepts it and subtracts the plugin's weighted score (a node the plugin prefers becomes less preferred); negative score weights are not modelled (0 or unset means 1)", e.name),
                        ));
                    }
                    *w = if weight > 0 { weight } else { 1 };
                }
                // In the default profile: ImageLocality is abstracted (docs/modeling/scheduler.md,
                // every node taken to hold the same images); VolumeBinding adds nothing
                // for the pods kbmc accepts (volume scoring is off by default).
                None if matches!(e.name.as_str(), "ImageLocality" | "VolumeBinding") => {}
                None => self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{pf}.plugins.score.enabled[{i}].name"),
                    format!("score plugin {:?} is not modelled", e.name),
                )),
            }
        }
    }

    /// Reads the filter plugins: the disabled ones are recorded, enabling one kbmc does not
    /// model is refused.
    fn filter_plugins(&mut self, filter: &sc::PluginSet, origin: &Origin, pf: &str, s: &mut Scheduler) {
        for d in &filter.disabled {
            s.disabled_filters.push(d.name.clone());
        }
        for (i, e) in filter.enabled.iter().enumerate() {
            if !matches!(
                e.name.as_str(),
                "NodeUnschedulable"
                    | "NodeName"
                    | "NodeAffinity"
                    | "TaintToleration"
                    | "NodeResourcesFit"
                    | "PodTopologySpread"
                    | "InterPodAffinity"
            ) {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{pf}.plugins.filter.enabled[{i}].name"),
                    format!("filter plugin {:?} is not modelled", e.name),
                ));
            }
        }
    }

    /// Reads one plugin's configuration (`pcf` is its path): decodes its args, then reads
    /// those of the plugins kbmc models.
    fn plugin_config(&mut self, pc: &sc::PluginConfig, origin: &Origin, pcf: &str, s: &mut Scheduler) {
        let f = format!("{pcf}.args");
        let args = match sc::decode_args(origin, &f, &pc.name, pc.args.clone()) {
            Ok(a) => a,
            Err(es) => {
                es.into_iter().for_each(|e| self.diag.error(e));
                return;
            }
        };
        match args {
            Some(sc::Args::NodeResourcesFit(a)) => {
                if let Some(st) = a.scoring_strategy {
                    self.scoring_strategy(st, origin, &f, s);
                }
            }
            Some(sc::Args::NodeResourcesBalancedAllocation(a)) => self.balanced_allocation_args(&a, origin, &f),
            Some(sc::Args::PodTopologySpread(a)) => {
                if a.default_constraints.is_some() || a.defaulting_type.as_deref().is_some_and(|t| t != "System") {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        f,
                        "custom default topology spread constraints are not modelled; the system defaults apply",
                    ));
                }
            }
            Some(sc::Args::InterPodAffinity(a)) => {
                // ValidateInterPodAffinityArgs: hardPodAffinityWeight in 0..=100.
                if let Some(w) = a.hard_pod_affinity_weight {
                    if !(0..=100).contains(&w) {
                        self.diag.error(InputError::at(
                            origin,
                            InputClass::Invalid,
                            format!("{f}.hardPodAffinityWeight"),
                            format!("{w} is out of range; kube-scheduler accepts 0 to 100"),
                        ));
                    }
                    s.hard_pod_affinity_weight = w;
                }
                s.ignore_preferred_terms_of_existing_pods = a.ignore_preferred_terms_of_existing_pods.unwrap_or(false);
            }
            Some(sc::Args::NodeAffinity(a)) => {
                if let Some(added) = &a.added_affinity {
                    self.added_affinity(added, origin, &format!("{f}.addedAffinity"), s);
                }
            }
            None if sc::UNDECODED_ARGS.contains(&pc.name.as_str()) => {}
            None => self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("{pcf}.name"),
                format!("configuration of plugin {:?} is not modelled", pc.name),
            )),
        }
    }

    /// NodeResourcesFitArgs' `scoringStrategy` (`f` is the args' path): its type, and its
    /// resources' weights as v1 defaults them (SetDefaults_NodeResourcesFitArgs: no resources
    /// means cpu and memory of weight 1; an unset or 0 weight is 1).
    fn scoring_strategy(&mut self, st: sc::ScoringStrategy, origin: &Origin, f: &str, s: &mut Scheduler) {
        match st.type_.as_deref() {
            Some("LeastAllocated") => s.scoring = ScoringStrategy::LeastAllocated,
            Some("MostAllocated") => s.scoring = ScoringStrategy::MostAllocated,
            Some("RequestedToCapacityRatio") => self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("{f}.scoringStrategy.type"),
                "RequestedToCapacityRatio scoring is not modelled",
            )),
            Some(o) => self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("{f}.scoringStrategy.type"),
                format!("unknown type {o:?}; expected LeastAllocated, MostAllocated or RequestedToCapacityRatio"),
            )),
            None => self.diag.error(InputError::at(
                origin,
                InputClass::MissingOrMistyped,
                format!("{f}.scoringStrategy.type"),
                "required when scoringStrategy is set (kube-scheduler does not default it)",
            )),
        }
        let Some(rs) = st.resources.filter(|rs| !rs.is_empty()) else { return };
        s.scoring_cpu_weight = 0;
        s.scoring_memory_weight = 0;
        for (j, r) in rs.iter().enumerate() {
            // A v1 file's 0 (or no weight) is 1 before validation sees it
            // (SetDefaults_NodeResourcesFitArgs), so upstream's unit cases of a weight of 0
            // (TestValidateLeastAllocatedScoringStrategy, "weight less than min"), which validate
            // the internal type, never reach a file; ValidateNodeResourcesFitArgs then wants 1
            // to MaxNodeScore, in upstream's words.
            let w = r.weight.filter(|w| *w != 0).unwrap_or(1);
            if !(1..=100).contains(&w) {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.scoringStrategy.resources[{j}].weight"),
                    format!(
                        "Invalid value: {w}: resource weight of {} not in valid range (0, 100] (kube-scheduler's ValidateNodeResourcesFitArgs)",
                        r.name
                    ),
                ));
            }
            match r.name.as_str() {
                "cpu" => s.scoring_cpu_weight = w,
                "memory" => s.scoring_memory_weight = w,
                o => self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("{f}.scoringStrategy.resources[{j}].name"),
                    format!("resource {o:?} is not modelled"),
                )),
            }
        }
    }

    /// NodeResourcesBalancedAllocationArgs (`f` is the args' path). balanced_allocation.go
    /// reads the resources' names; kbmc balances cpu against memory, the default (v1
    /// SetDefaults_NodeResourcesBalancedAllocationArgs: no resources means those two; an
    /// unset or 0 weight is 1), and ValidateNodeResourcesBalancedAllocationArgs wants every
    /// weight 1 and no name twice.
    fn balanced_allocation_args(&mut self, a: &sc::BalancedAllocationArgs, origin: &Origin, f: &str) {
        let Some(rs) = a.resources.as_ref().filter(|rs| !rs.is_empty()) else { return };
        let mut names: Vec<&str> = Vec::new();
        for (j, r) in rs.iter().enumerate() {
            if r.weight.is_some_and(|w| w != 0 && w != 1) {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.resources[{j}].weight"),
                    "must be 1 (kube-scheduler's ValidateNodeResourcesBalancedAllocationArgs)",
                ));
            }
            if names.contains(&r.name.as_str()) {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    format!("{f}.resources[{j}].name"),
                    format!("{:?} is listed twice", r.name),
                ));
            }
            names.push(r.name.as_str());
        }
        names.sort();
        names.dedup();
        if names != ["cpu", "memory"] {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("{f}.resources"),
                "BalancedAllocation over resources other than cpu and memory together is not modelled",
            ));
        }
    }

    /// NodeAffinityArgs `addedAffinity` (node_affinity.go, New): its required terms are ANDed
    /// into the NodeAffinity filter of every pod, its preferred terms' weights added to every
    /// pod's NodeAffinity score. Terms that fail to parse make kube-scheduler refuse the
    /// configuration (ValidateNodeAffinityArgs).
    fn added_affinity(
        &mut self,
        added: &k8s_openapi::api::core::v1::NodeAffinity,
        origin: &Origin,
        f: &str,
        s: &mut Scheduler,
    ) {
        let unparsable = |term: &[pod::NodeReq], field: String, diag: &mut Diag| {
            if term.iter().any(|r| matches!(r, pod::NodeReq::Unparsable)) {
                diag.error(InputError::at(origin, InputClass::Invalid, field, "a value that is no valid label value (or, for Gt and Lt, no integer): kube-scheduler refuses the configuration (ValidateNodeAffinityArgs)"));
            }
        };
        if let Some(required) = &added.required_during_scheduling_ignored_during_execution {
            let rf = format!("{f}.requiredDuringSchedulingIgnoredDuringExecution");
            let terms: Vec<Vec<pod::NodeReq>> = required
                .node_selector_terms
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let tf = format!("{rf}.nodeSelectorTerms[{i}]");
                    let term = pod::node_term(t, origin, &tf, &mut self.diag);
                    unparsable(&term, tf, &mut self.diag);
                    term
                })
                .collect();
            for (n, ok) in self.nodes.iter().zip(&mut s.added_affinity_ok) {
                *ok = terms.iter().any(|t| pod::term_matches(t, n, &self.labels));
            }
        }
        for (i, p) in added.preferred_during_scheduling_ignored_during_execution.iter().flatten().enumerate() {
            let pf = format!("{f}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            if p.weight < 0 {
                self.diag.unmodeled(InputError::at(origin, InputClass::Unmodeled, format!("{pf}.weight"), "a negative weight gives nodes a negative NodeAffinity score, which kube-scheduler's framework refuses when it scores; this is not modelled"));
                continue;
            }
            let term = pod::node_term(&p.preference, origin, &format!("{pf}.preference"), &mut self.diag);
            unparsable(&term, format!("{pf}.preference"), &mut self.diag);
            // A weight of 0 or an empty term is skipped (NewPreferredSchedulingTerms); an
            // empty term matches no node anyway.
            for (n, w) in self.nodes.iter().zip(&mut s.added_preferred_weight) {
                if pod::term_matches(&term, n, &self.labels) {
                    *w += p.weight as i64;
                }
            }
        }
    }
}

fn score_weight<'a>(s: &'a mut Scheduler, name: &str) -> Option<&'a mut i64> {
    Some(match name {
        "NodeResourcesFit" => &mut s.weight_node_resources_fit,
        "NodeResourcesBalancedAllocation" => &mut s.weight_balanced_allocation,
        "NodeAffinity" => &mut s.weight_node_affinity,
        "TaintToleration" => &mut s.weight_taint_toleration,
        "PodTopologySpread" => &mut s.weight_pod_topology_spread,
        "InterPodAffinity" => &mut s.weight_inter_pod_affinity,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::ir::build::test_inputs::{errors, pool, web};

    /// A KubeSchedulerConfiguration whose default profile has `plugin_config` (flow YAML).
    fn scheduler_config(plugin_config: &str) -> String {
        format!("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - pluginConfig: {plugin_config}\n---\n")
    }

    fn scheduler_of(yaml: &str) -> super::Scheduler {
        let (mut inputs, mut errors) = (crate::manifest::Inputs::default(), Vec::new());
        crate::manifest::load_text(std::path::Path::new("t.yaml"), yaml, Default::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        crate::ir::build(&inputs, crate::ir::BuildOptions::default()).expect("builds").0.scheduler
    }

    /// kube-scheduler's v1 defaulting of plugin args (pkg/scheduler/apis/config/v1/defaults.go
    /// SetDefaults_NodeResourcesFitArgs and
    /// SetDefaults_NodeResourcesBalancedAllocationArgs): an empty resource list is the default
    /// cpu and memory, a weight of 0 is 1; then validation (validation_pluginargs.go
    /// ValidateNodeResourcesBalancedAllocationArgs): BalancedAllocation's weights must be 1.
    #[test]
    fn scoring_resources_default_as_v1_does() {
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        let fit = |resources: &str| {
            let cfg = scheduler_config(&format!("[{{name: NodeResourcesFit, args: {{scoringStrategy: {{type: MostAllocated, resources: {resources}}}}}}}]"));
            let s = scheduler_of(&format!("{cfg}{base}"));
            (s.scoring_cpu_weight, s.scoring_memory_weight)
        };
        assert_eq!(fit("[]"), (1, 1), "no resources: the default set");
        assert_eq!(fit("[{name: cpu, weight: 0}, {name: memory, weight: 3}]"), (1, 3), "weight 0 is 1");
        assert_eq!(fit("[{name: memory}]"), (0, 1));
        let balanced = |resources: &str| {
            errors(&format!(
                "{}{base}",
                scheduler_config(&format!(
                    "[{{name: NodeResourcesBalancedAllocation, args: {{resources: {resources}}}}}]"
                ))
            ))
        };
        assert_eq!(balanced("[]"), "");
        assert_eq!(balanced("[{name: memory, weight: 0}, {name: cpu}]"), "");
        assert!(balanced("[{name: cpu, weight: 2}, {name: memory}]").contains("resources[0].weight: must be 1"));
        assert!(balanced("[{name: cpu}, {name: cpu}, {name: memory}]")
            .contains("resources[1].name: \"cpu\" is listed twice"));
        assert!(balanced("[{name: cpu}]").contains("other than cpu and memory together is not modelled"));
    }

    /// Score plugin weights as kube-scheduler's framework reads them (`getScoreWeights`):
    /// unset or 0 is 1, a positive weight is kept whatever its size, a negative one (which
    /// upstream applies, inverting the plugin) is refused by name, not read as 1.
    #[test]
    fn score_weights_read_as_the_framework_does() {
        let base = format!("{}{}", web(1, "1Gi"), pool("8", "8Gi"));
        let cfg = |weight: &str| {
            format!("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - plugins: {{score: {{enabled: [{{name: TaintToleration{weight}}}]}}}}\n---\n{base}")
        };
        assert_eq!(scheduler_of(&cfg("")).weight_taint_toleration, 1);
        assert_eq!(scheduler_of(&cfg(", weight: 0")).weight_taint_toleration, 1);
        assert_eq!(scheduler_of(&cfg(", weight: 1000000")).weight_taint_toleration, 1_000_000);
        let e = errors(&cfg(", weight: -1"));
        assert!(
            e.contains("profiles[0].plugins.score.enabled[0].weight")
                && e.contains("weight -1 of score plugin \"TaintToleration\""),
            "{e}"
        );
    }
}
