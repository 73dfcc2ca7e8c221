//! `kbmc inspect`: the resolved model in a stable text form (same input, same bytes) and as
//! JSON. Text is built into a String first so that tests can compare it.

use std::fmt::Write;

use crate::error::Error;
use crate::ir::*;

fn cpu(m: i64) -> String {
    if m % 1000 == 0 {
        format!("{}", m / 1000)
    } else {
        format!("{m}m")
    }
}

/// Bytes of memory as a quantity a manifest could hold, exactly: whole Gi ("64Gi"), Gi with
/// at most three decimals ("1.5Gi"), whole Mi ("512Mi"), whole Ki ("31335920Ki"), else bytes.
fn mem(bytes: i64) -> String {
    const KI: i64 = 1 << 10;
    const MI: i64 = 1 << 20;
    const GI: i64 = 1 << 30;
    if bytes == 0 {
        "0".to_string()
    } else if bytes % GI == 0 {
        format!("{}Gi", bytes / GI)
    } else if bytes % MI == 0 && bytes > GI && (bytes / MI * 1000) % 1024 == 0 {
        let thousandths = bytes / MI * 1000 / 1024;
        let frac = format!("{:03}", thousandths % 1000);
        format!("{}.{}Gi", thousandths / 1000, frac.trim_end_matches('0'))
    } else if bytes % MI == 0 {
        format!("{}Mi", bytes / MI)
    } else if bytes % KI == 0 {
        format!("{}Ki", bytes / KI)
    } else {
        bytes.to_string()
    }
}

/// Milli-bytes (an AverageValue target of memory): as [`mem`] when whole bytes, else with the
/// `m` suffix.
fn milli_mem(milli: i64) -> String {
    if milli % 1000 == 0 {
        mem(milli / 1000)
    } else {
        format!("{milli}m")
    }
}

fn res(r: &Resources) -> String {
    format!("cpu {}, memory {}, pods {}", cpu(r.cpu_milli), mem(r.memory), r.pods)
}

fn iop(v: &IntOrPercent) -> String {
    match v {
        IntOrPercent::Int(i) => i.to_string(),
        IntOrPercent::Percent(p) => format!("{p}%"),
    }
}

fn strategy(s: &Strategy) -> String {
    match s {
        Strategy::Recreate => "Recreate".into(),
        Strategy::RollingUpdate { max_surge, max_unavailable } => {
            format!("RollingUpdate (maxSurge {}, maxUnavailable {})", iop(max_surge), iop(max_unavailable))
        }
    }
}

/// A pod's or a PriorityClass's `preemptionPolicy`.
fn preemption_policy(preempts: bool) -> &'static str {
    if preempts {
        "PreemptLowerPriority"
    } else {
        "Never"
    }
}

fn group_name(m: &Model, g: GroupId) -> String {
    let grp = m.group(g);
    let dep = match grp.owner {
        crate::ir::Owner::Deployment(d) => m.deployment(d),
        crate::ir::Owner::DaemonSet(s) => return format!("{}@r{}", m.daemon_sets[s.index()].name, grp.revision),
    };
    if let (Some(o), Some(s)) = (grp.ordinal, &dep.stateful) {
        // A StatefulSet's pod: `db-0@r0`, and `[zone]` where its volume is bound.
        let zone = o.claim_zone.map(|z| format!("[{}]", m.labels.value_name(s.claim_zones[z as usize])));
        return format!("{}-{}@r{}{}", dep.name, o.ordinal, grp.revision, zone.unwrap_or_default());
    }
    format!("{}@r{}", dep.name, grp.revision)
}

fn rules(r: &ScalingRules) -> String {
    let ps: Vec<String> = r
        .policies
        .iter()
        .map(|p| {
            format!(
                "{} {}{} per {}s",
                if p.kind == PolicyKind::Pods { "Pods" } else { "Percent" },
                p.value,
                if p.kind == PolicyKind::Percent { "%" } else { "" },
                p.period_seconds
            )
        })
        .collect();
    format!("window {}s, select {:?}, policies [{}]", r.stabilization_window_seconds, r.select_policy, ps.join(", "))
}

/// Up to this many node slots, inspect lists each pod group's facts node by node.
const PER_NODE_LINES: usize = 64;

/// One pod group's static facts on one node, as inspect prints them.
fn placement_facts(p: &Placement) -> String {
    let mut why = Vec::new();
    if !p.node_name_ok {
        why.push("nodeName");
    }
    if !p.affinity_ok {
        why.push("affinity");
    }
    if !p.volume_zone_ok {
        why.push("volume zone");
    }
    if p.untolerated_no_schedule {
        why.push("NoSchedule taint");
    }
    if p.untolerated_no_execute {
        why.push("NoExecute taint");
    }
    if p.evicted_no_execute && !p.untolerated_no_execute {
        why.push("evicted: NoExecute taint tolerated only for tolerationSeconds");
    }
    let feas = if why.is_empty() { "yes".to_string() } else { format!("no ({})", why.join(", ")) };
    let pns = if p.untolerated_prefer_no_schedule > 0 {
        format!(" | {} PreferNoSchedule", p.untolerated_prefer_no_schedule)
    } else {
        String::new()
    };
    format!("{feas} | {}{pns}", p.preferred_weight)
}

/// Renders the model as text.
/// A descheduler plugin with its arguments, in the policy's own words.
fn plugin(p: &DeschedulerPlugin) -> String {
    let on =
        |flags: &[(bool, &str)]| flags.iter().filter(|(b, _)| *b).map(|(_, n)| *n).collect::<Vec<_>>().join(" and ");
    let thresholds = |t: &crate::ir::Thresholds| {
        let parts: Vec<String> = [("cpu", t.cpu), ("memory", t.memory), ("pods", t.pods)]
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| format!("{n} {v}%")))
            .collect();
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    };
    let args = match p {
        DeschedulerPlugin::RemoveDuplicates { .. } => String::new(),
        DeschedulerPlugin::RemovePodsViolatingTopologySpreadConstraint {
            hard,
            soft,
            topology_balance_node_fit,
            ..
        } => {
            format!(
                " (constraints {}, topologyBalanceNodeFit {topology_balance_node_fit})",
                on(&[(*hard, "DoNotSchedule"), (*soft, "ScheduleAnyway")])
            )
        }
        DeschedulerPlugin::LowNodeUtilization { thresholds: t, target_thresholds: tt, number_of_nodes, .. } => format!(
            " (thresholds {}; targetThresholds {}; numberOfNodes {number_of_nodes})",
            thresholds(t),
            thresholds(tt)
        ),
        DeschedulerPlugin::RemovePodsViolatingNodeTaints {
            include_prefer_no_schedule,
            excluded_taints,
            included_taints,
            ..
        } => format!(
            " (includePreferNoSchedule {include_prefer_no_schedule}, excludedTaints [{}], includedTaints {})",
            excluded_taints.join(", "),
            included_taints.as_ref().map_or("every taint".to_string(), |v| format!("[{}]", v.join(", ")))
        ),
        DeschedulerPlugin::RemovePodsViolatingInterPodAntiAffinity { .. } => String::new(),
        DeschedulerPlugin::RemovePodsViolatingNodeAffinity { required, preferred, .. } => format!(
            " (nodeAffinityType {})",
            on(&[
                (*required, "requiredDuringSchedulingIgnoredDuringExecution"),
                (*preferred, "preferredDuringSchedulingIgnoredDuringExecution")
            ])
        ),
    };
    // The namespace filter, when it leaves some namespace out.
    let ns = p.namespaces();
    let filter = match (ns.include.is_empty(), ns.exclude.is_empty()) {
        (true, true) => None,
        (false, _) => Some(format!("namespaces only [{}]", ns.include.join(", "))),
        (true, false) => Some(format!("namespaces all but [{}]", ns.exclude.join(", "))),
    };
    match filter {
        None => format!("{}{args}", p.name()),
        Some(f) if args.is_empty() => format!("{} ({f})", p.name()),
        Some(f) => format!("{}{}; {f})", p.name(), args.trim_end_matches(')')),
    }
}

pub fn render(m: &Model) -> String {
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(w, "model {}", m.name);
    if m.spec_inferred {
        let _ = writeln!(w, "spec: inferred from the manifests (none given; `kbmc init` prints it to edit)");
    }
    if !m.dropped.is_empty() {
        let _ = writeln!(w, "dropped (--allow-unmodeled): {}", m.dropped.join(", "));
    }
    let _ = writeln!(w, "timing: {}", if m.timing == Timing::Urgent { "urgent" } else { "interleaved" });
    let b = &m.bounds;
    let _ = writeln!(
        w,
        "bounds: steps {}, nodes per pool up to {}, pods per node up to {}, pods per deployment up to {}",
        b.steps, b.max_nodes_per_pool, b.max_pods_per_node, b.max_pods_per_deployment
    );

    let _ = writeln!(w, "\nnode pools ({}):", m.pools.len());
    for p in &m.pools {
        let kind = if p.concrete { "Node manifest" } else { "pool" };
        match p.autoscaling {
            Some(a) => {
                let zones = p.zones.as_ref().map_or(String::new(), |z| {
                    let how = match z.distribution {
                        ZoneDistribution::Balanced => "a zone with the fewest nodes of the group",
                        ZoneDistribution::Any => "any zone",
                    };
                    format!(" over zones {} (the cloud launches a new node in {how})", z.names.join(", "))
                });
                let _ = writeln!(
                    w,
                    "  {} ({kind}): {} node(s) at start, node group {}..{}{zones}",
                    p.name, p.count, a.min, a.max
                );
            }
            None => {
                let _ = writeln!(w, "  {} ({kind}): {} node(s)", p.name, p.count);
            }
        }
    }

    let _ = writeln!(w, "\nnode slots ({}):", m.nodes.len());
    for n in &m.nodes {
        let pool = &m.pools[n.pool.index()];
        let presence = if pool.autoscaling.is_some() {
            if (n.index_in_pool as i64) < pool.count.min {
                "present at start, the cluster autoscaler may remove it"
            } else {
                "added by the cluster autoscaler"
            }
        } else if (n.index_in_pool as i64) < pool.count.min {
            "always present"
        } else {
            "present when the pool is larger"
        };
        let labels: Vec<String> =
            n.labels.iter().map(|(k, v)| format!("{}={}", m.labels.key_name(*k), m.labels.value_name(*v))).collect();
        let _ = writeln!(w, "  {} [pool {}, {presence}]", n.name, pool.name);
        if n.capacity != n.allocatable {
            let _ = writeln!(w, "    capacity: {}", res(&n.capacity));
        }
        let _ = writeln!(w, "    allocatable: {}", res(&n.allocatable));
        let _ = writeln!(w, "    labels: {}", labels.join(", "));
        if !n.taints.is_empty() {
            let ts: Vec<String> = n.taints.iter().map(|t| t.to_string()).collect();
            let _ = writeln!(w, "    taints: {}", ts.join(", "));
        }
        let mut state = vec![if n.ready { "Ready" } else { "NotReady" }];
        if n.unschedulable {
            state.push("cordoned");
        }
        let _ = writeln!(w, "    status: {}", state.join(", "));
        let fixed: Vec<String> = m
            .fixed_pods
            .iter()
            .filter(|f| m.node(f.node).name == n.name)
            .map(|f| {
                format!(
                    "{} x{} (namespace {}, cpu {}, memory {} each)",
                    f.owner,
                    f.count,
                    f.namespace,
                    cpu(f.requests.cpu_milli),
                    mem(f.requests.memory)
                )
            })
            .collect();
        if !fixed.is_empty() {
            let _ = writeln!(
                w,
                "    fixed load: {}; requests cpu {}, memory {}, {} pod(s) in all",
                fixed.join(", "),
                cpu(n.fixed.cpu_milli),
                mem(n.fixed.memory),
                n.fixed.pods
            );
        }
    }

    let _ = writeln!(w, "\ndeployments ({}):", m.deployments.len());
    for (di, d) in m.deployments.iter().enumerate() {
        let _ = writeln!(w, "  {} (namespace {})", d.name, d.namespace);
        let src = if d.revision_sets_replicas[0] { "spec.replicas" } else { "spec.replicas absent, defaults to 1" };
        let _ = writeln!(w, "    replicas: {} ({src})", d.replicas);
        match &d.stateful {
            None => {
                let _ = writeln!(w, "    strategy: {}", strategy(&d.strategy));
            }
            Some(s) => {
                let update = match s.update {
                    crate::ir::StatefulUpdate::RollingUpdate { partition } => {
                        format!("RollingUpdate (partition {partition}, one pod at a time)")
                    }
                    crate::ir::StatefulUpdate::OnDelete => "OnDelete".to_string(),
                };
                let zones: Vec<&str> = s.claim_zones.iter().map(|z| m.labels.value_name(*z)).collect();
                let claims = if zones.is_empty() {
                    String::new()
                } else {
                    format!(", zonal volumes bound at first schedule in one of {}", zones.join(", "))
                };
                let _ = writeln!(
                    w,
                    "    StatefulSet: podManagementPolicy {:?}, updateStrategy {update}, ordinals 0..{}{claims}",
                    s.pod_management, s.ordinals
                );
            }
        }
        let revs: Vec<String> = d.revisions.iter().map(|g| group_name(m, *g)).collect();
        let _ = writeln!(w, "    revisions: {}", revs.join(", "));
        if let Some(h) = d.hpa {
            let _ = writeln!(w, "    autoscaled by: {}", m.hpas[h.index()].name);
        }
        let snapshot: Vec<&crate::ir::InitialPods> =
            m.initial_pods.iter().filter(|p| m.group(p.group).deployment().is_some_and(|x| x.index() == di)).collect();
        if !snapshot.is_empty() {
            let _ = writeln!(w, "    at start (snapshot):");
            for &g in &d.revisions {
                let of: Vec<String> = snapshot
                    .iter()
                    .filter(|p| p.group == g)
                    .map(|p| {
                        let phase = match p.phase {
                            PodPhase::Pending => "pending",
                            PodPhase::Bound => "bound",
                            PodPhase::Running => "running",
                            PodPhase::Terminating => "terminating",
                        };
                        match p.node {
                            Some(n) => format!("{phase} on {} x{}", m.node(n).name, p.count),
                            None => format!("{phase} x{}", p.count),
                        }
                    })
                    .collect();
                if !of.is_empty() {
                    let _ = writeln!(w, "      {}: {}", group_name(m, g), of.join(", "));
                }
            }
        } else if d.placement.is_empty() {
            let _ = writeln!(w, "    at start: no pods (the Deployment was just created)");
        } else {
            let ps: Vec<String> = d.placement.iter().map(|(n, c)| format!("{} x{c}", m.node(*n).name)).collect();
            let _ = writeln!(w, "    at start: running on {}", ps.join(", "));
        }
        let _ = writeln!(
            w,
            "    usage per pod at start: cpu {}, memory {}",
            cpu(d.initial_usage.cpu_milli),
            mem(d.initial_usage.memory)
        );
    }

    // Priorities, where the inputs have any: a PriorityClass of their own, or a pod group
    // with a priority or policy other than admission's defaults (0, PreemptLowerPriority),
    // such as a template naming a built-in system class.
    let priorities =
        m.priority_classes.iter().any(|c| !c.builtin) || m.groups.iter().any(|g| g.priority != 0 || !g.preempts);
    if priorities {
        let _ = writeln!(w, "\npriority classes ({}):", m.priority_classes.len());
        for c in &m.priority_classes {
            let _ = writeln!(
                w,
                "  {}: value {}, preemptionPolicy {}{}{}",
                c.name,
                c.value,
                preemption_policy(c.preempts),
                if c.global_default { ", globalDefault (pods naming no class get it)" } else { "" },
                if c.builtin { " (built in)" } else { "" }
            );
        }
    }

    let _ = writeln!(w, "\npod groups ({}):", m.groups.len());
    for (gi, g) in m.groups.iter().enumerate() {
        let _ = writeln!(w, "  {}", group_name(m, GroupId(gi as u32)));
        let labels: Vec<String> = g.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(w, "    labels: {}", labels.join(", "));
        let _ = writeln!(w, "    requests: cpu {}, memory {}", cpu(g.requests.cpu_milli), mem(g.requests.memory));
        if priorities {
            let _ = writeln!(w, "    priority: {}, preemptionPolicy {}", g.priority, preemption_policy(g.preempts));
        }
        if let Some(n) = &g.node_name {
            let _ = writeln!(w, "    nodeName: {n} (bypasses the scheduler)");
        }
        // How node lifecycle reads the group's tolerations of the unreachable taint.
        let _ = match g.unreachable_eviction_after {
            Some(s) => {
                writeln!(w, "    on a NotReady node: evicted after its {s} s toleration of the unreachable taint")
            }
            None => writeln!(w, "    on a NotReady node: stays (tolerates the unreachable taint for ever)"),
        };
        if g.local_storage || g.pvc {
            let _ = writeln!(
                w,
                "    volumes: {}{}",
                if g.local_storage { "local storage " } else { "" },
                if g.pvc { "persistentVolumeClaim" } else { "" }
            );
        }
        let _ = writeln!(w, "    per node: feasible by labels and taints | preferred affinity weight [| untolerated PreferNoSchedule taints]");
        // Each node's facts; past PER_NODE_LINES nodes, one line per distinct fact with the
        // nodes that share it, so that a cluster dump's inspect grows with its distinct facts
        // per group, not with groups times nodes.
        if g.per_node.len() <= PER_NODE_LINES {
            for (ni, p) in g.per_node.iter().enumerate() {
                let _ = writeln!(w, "      {}: {}", m.nodes[ni].name, placement_facts(p));
            }
        } else {
            let mut distinct: Vec<(&Placement, Vec<usize>)> = Vec::new();
            let mut index: rustc_hash::FxHashMap<&Placement, usize> = Default::default();
            for (ni, p) in g.per_node.iter().enumerate() {
                let i = *index.entry(p).or_insert_with(|| {
                    distinct.push((p, Vec::new()));
                    distinct.len() - 1
                });
                distinct[i].1.push(ni);
            }
            for (p, nodes) in distinct {
                let mut names: Vec<&str> = nodes.iter().take(3).map(|&n| m.nodes[n].name.as_str()).collect();
                if nodes.len() > 3 {
                    names.push("...");
                }
                let _ = writeln!(w, "      {} node(s) ({}): {}", nodes.len(), names.join(", "), placement_facts(p));
            }
        }
        for c in &g.spread {
            let sel: Vec<String> = c
                .selects
                .iter()
                .enumerate()
                .filter(|(_, s)| **s)
                .map(|(h, _)| group_name(m, GroupId(h as u32)))
                .collect();
            let on: Vec<String> = c
                .fixed
                .iter()
                .enumerate()
                .filter(|(_, &k)| k > 0)
                .map(|(n, k)| format!("{} x{k}", m.nodes[n].name))
                .collect();
            let fixed = if on.is_empty() { String::new() } else { format!(" and fixed pods on {}", on.join(", ")) };
            let _ = writeln!(
                w,
                "    spread: {} maxSkew {} {}{}{}, nodeAffinityPolicy {}, nodeTaintsPolicy {}, counts pods of [{}]{}",
                m.labels.key_name(c.topology_key),
                c.max_skew,
                if c.hard { "DoNotSchedule" } else { "ScheduleAnyway" },
                c.min_domains.map(|d| format!(" minDomains {d}")).unwrap_or_default(),
                if c.system_default { " (system default)" } else { "" },
                if c.honor_node_affinity { "Honor" } else { "Ignore" },
                if c.honor_node_taints { "Honor" } else { "Ignore" },
                sel.join(", "),
                fixed,
            );
        }
    }

    let _ = writeln!(w, "\nhorizontal pod autoscalers ({}):", m.hpas.len());
    for h in &m.hpas {
        let ms: Vec<String> = h
            .metrics
            .iter()
            .map(|x| {
                let r = if x.resource == ResourceName::Cpu { "cpu" } else { "memory" };
                match x.target {
                    MetricTarget::Utilization(u) => format!("{r} Utilization {u}%"),
                    MetricTarget::AverageValue(v) if x.resource == ResourceName::Cpu => {
                        format!("{r} AverageValue {}", cpu(v))
                    }
                    MetricTarget::AverageValue(v) => format!("{r} AverageValue {}", milli_mem(v)),
                }
            })
            .collect();
        let _ = writeln!(
            w,
            "  {} -> {}: replicas {}..{}, metrics {}",
            h.name,
            m.deployment(h.target).name,
            h.min_replicas,
            h.max_replicas,
            ms.join(", ")
        );
        match &h.behavior {
            None => {
                let _ = writeln!(
                    w,
                    "    behavior: none (scale-up limit max(2x, 4) per step, 300s scale-down stabilization)"
                );
            }
            Some((up, down)) => {
                let _ = writeln!(w, "    scaleUp: {}", rules(up));
                let _ = writeln!(w, "    scaleDown: {}", rules(down));
            }
        }
    }

    let s = &m.scheduler;
    let _ = writeln!(w, "\nscheduler:");
    let _ = writeln!(
        w,
        "  score weights: NodeResourcesFit {}, NodeResourcesBalancedAllocation {}, NodeAffinity {}, TaintToleration {}, PodTopologySpread {}",
        s.weight_node_resources_fit, s.weight_balanced_allocation, s.weight_node_affinity, s.weight_taint_toleration, s.weight_pod_topology_spread
    );
    let _ = writeln!(
        w,
        "  NodeResourcesFit scoring: {:?} (cpu weight {}, memory weight {})",
        s.scoring, s.scoring_cpu_weight, s.scoring_memory_weight
    );
    if !s.disabled_filters.is_empty() {
        let _ = writeln!(w, "  disabled filters: {}", s.disabled_filters.join(", "));
    }
    if s.added_affinity_ok.iter().any(|ok| !ok) || s.added_preferred_weight.iter().any(|w| *w != 0) {
        let excluded: Vec<&str> =
            m.nodes.iter().zip(&s.added_affinity_ok).filter(|(_, ok)| !**ok).map(|(n, _)| n.name.as_str()).collect();
        let preferred: Vec<String> = m
            .nodes
            .iter()
            .zip(&s.added_preferred_weight)
            .filter(|(_, w)| **w != 0)
            .map(|(n, w)| format!("{} {w}", n.name))
            .collect();
        let _ = writeln!(
            w,
            "  NodeAffinity addedAffinity: excludes [{}]; preferred weight [{}]",
            excluded.join(", "),
            preferred.join(", ")
        );
    }

    let _ = writeln!(w, "\ndescheduler:");
    match &m.descheduler {
        None => {
            let _ = writeln!(w, "  none");
        }
        Some(d) => {
            let lim = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "unlimited".into());
            let _ = writeln!(
                w,
                "  eviction limits: per node {}, per namespace {}, total {}",
                lim(d.max_per_node),
                lim(d.max_per_namespace),
                lim(d.max_total)
            );
            for p in &d.profiles {
                let names = |v: &[DeschedulerPlugin]| v.iter().map(plugin).collect::<Vec<_>>().join("; ");
                let _ = writeln!(w, "  profile {}:", p.name);
                let _ = writeln!(w, "    deschedule: [{}]", names(&p.deschedule));
                let _ = writeln!(w, "    balance: [{}]", names(&p.balance));
                let e = &p.evictor;
                let _ = writeln!(
                    w,
                    "    evictor: nodeFit {}, evictLocalStoragePods {}, ignorePvcPods {}, minReplicas {}",
                    e.node_fit, e.evict_local_storage_pods, e.ignore_pvc_pods, e.min_replicas
                );
            }
        }
    }

    let c = &m.controllers;
    let on: Vec<&str> = [
        (c.deployment, "deployment"),
        (c.scheduler, "scheduler"),
        (c.kubelet, "kubelet"),
        (c.hpa, "hpa"),
        (c.descheduler, "descheduler"),
        (c.node_lifecycle, "node-lifecycle"),
        (c.taint_eviction, "taint-eviction"),
        (c.cluster_autoscaler && m.autoscaler.is_some(), "cluster-autoscaler"),
    ]
    .into_iter()
    .filter(|(b, _)| *b)
    .map(|(_, n)| n)
    .collect();
    let _ = writeln!(w, "\ncontrollers: {}", on.join(", "));
    if let Some(a) = &m.autoscaler {
        let expander: Vec<&str> = a.expander.iter().map(|e| e.name()).collect();
        let _ = writeln!(
            w,
            "cluster autoscaler: scale-down utilization threshold {}/{}, expander {}, balanceSimilarNodeGroups {}, skipNodesWithLocalStorage {}, skipNodesWithSystemPods {}",
            a.threshold.0,
            a.threshold.1,
            expander.join(","),
            a.balance_similar_node_groups,
            a.skip_nodes_with_local_storage,
            a.skip_nodes_with_system_pods
        );
    }

    let _ = writeln!(w, "\nevents ({}):", m.events.len());
    for e in &m.events {
        let d = |id: &DeploymentId| m.deployment(*id).name.clone();
        let line = match e {
            Event::CpuChange { deployment, delta_milli, budget } => format!(
                "cpuChange of a pod of {}: usage moves by {}..{} millicores, budget {budget}",
                d(deployment),
                delta_milli.min,
                delta_milli.max
            ),
            Event::CpuPattern { deployment, bootstrap_milli, steady_milli } => format!(
                "cpuPattern of {}: usage {} after start, then {}",
                d(deployment),
                cpu(*bootstrap_milli),
                cpu(*steady_milli)
            ),
            Event::KernelPanic { threshold_percent, budget, recovery } => {
                format!("kernelPanic at {threshold_percent}% CPU usage, budget {budget}, recovery {recovery}")
            }
            Event::NodeFailure { pool, budget, recovery, one_zone } => format!(
                "nodeFailure of {}{}, budget {budget}, recovery {recovery}",
                pool.map(|p| format!("a node of pool {}", m.pools[p.index()].name))
                    .unwrap_or_else(|| "any node".into()),
                if *one_zone { ", nodes of one zone at a time" } else { "" }
            ),
            Event::ApplyDeployment { deployment, revision, replicas: ApplyReplicas::Kept, strategy: st, budget } => {
                format!(
                    "rolloutRestart of {} -> {} ({}, replicas kept), budget {budget}",
                    d(deployment),
                    group_name(m, *revision),
                    strategy(st)
                )
            }
            Event::ApplyDeployment { deployment, revision, replicas, strategy: st, budget } => format!(
                "applyDeployment of {} -> {} ({}, replicas {}), budget {budget}",
                d(deployment),
                group_name(m, *revision),
                strategy(st),
                match replicas {
                    ApplyReplicas::Set(n) => n.to_string(),
                    ApplyReplicas::Omitted if m.deployments[deployment.index()].revision_sets_replicas[0] => {
                        "reset to 1 where the last applied version sets spec.replicas (the initial manifest does), else kept".into()
                    }
                    ApplyReplicas::Kept | ApplyReplicas::Omitted => {
                        "kept where the last applied version does not set spec.replicas (the initial manifest does not), else reset to 1".into()
                    }
                }
            ),
            Event::ScaleDeployment { deployment, delta, budget } => {
                format!("scaleDeployment of {} by {}..{}, budget {budget}", d(deployment), delta.min, delta.max)
            }
            Event::Maintenance { max_unavailable, budget } => {
                format!("maintenance: drain up to {max_unavailable} node(s) at a time, {budget} in all")
            }
            Event::ForceDeletePods { statefulset, budget } => {
                format!("forceDeletePods of {}'s pods on a NotReady node, {budget} node(s) in all", d(statefulset))
            }
            Event::RolloutDaemonSet { daemon_set, budget } => {
                format!(
                    "rolloutRestart of DaemonSet {} (revision 1), budget {budget}",
                    m.daemon_sets[daemon_set.index()].name
                )
            }
        };
        let _ = writeln!(w, "  {line}");
    }

    if !m.pdbs.is_empty() {
        let _ = writeln!(w, "\npod disruption budgets ({}):", m.pdbs.len());
        for p in &m.pdbs {
            let selected: Vec<String> = (0..m.groups.len())
                .filter(|&g| p.selects[g])
                .map(|g| {
                    let grp = &m.groups[g];
                    let (name, revisions) = match grp.owner {
                        crate::ir::Owner::Deployment(d) => (&m.deployment(d).name, m.deployment(d).revisions.len()),
                        crate::ir::Owner::DaemonSet(s) => {
                            (&m.daemon_sets[s.index()].name, m.daemon_sets[s.index()].revisions.len())
                        }
                    };
                    if revisions > 1 {
                        format!("{name}@r{}", grp.revision)
                    } else {
                        name.clone()
                    }
                })
                .collect();
            let selects = if selected.is_empty() { "no modelled pods".to_string() } else { selected.join(", ") };
            let unhealthy = if p.always_allow { "AlwaysAllow" } else { "IfHealthyBudget" };
            let _ = writeln!(w, "  {}: {}, selects {selects}, unhealthy pods {unhealthy}", p.name, p.budget);
        }
    }

    let _ = writeln!(w, "\nintents ({}):", m.intents.len());
    for i in &m.intents {
        let d = |id: &DeploymentId| m.deployment(*id).name.clone();
        let detail = match i {
            Intent::PodAlwaysSchedulable => "every created pod can be placed on some node".to_string(),
            Intent::NoKernelPanicLoop { times } => format!("no node panics {times} times"),
            Intent::NoReplicaOscillation { deployment, drop } => {
                format!("{}: after reaching the HPA maximum, replicas do not drop by {drop} or more", d(deployment))
            }
            Intent::ReplicasMeetMin { deployment, min } => {
                format!("{}: once at {min} running replicas, never below", d(deployment))
            }
            Intent::ReplicasMeetExpected { deployment, expected } => match expected {
                Expected::Replicas(n) => format!("{}: once at {n} running replicas, never below", d(deployment)),
                Expected::DesiredPlus(o) => {
                    format!("{}: once at desired{o:+} running replicas, never below", d(deployment))
                }
            },
            Intent::NoEvictionCycle { deployment } => {
                format!("{}: no reachable cycle of states that evicts one of its pods", d(deployment))
            }
            Intent::NoPreemptionCycle { deployment } => {
                format!("{}: no reachable cycle of states in which one of its pods is preempted", d(deployment))
            }
            Intent::PodsBalanced { deployment, max_skew } => {
                format!("{}: at desired size, running pods per Ready node differ by at most {max_skew}", d(deployment))
            }
            Intent::ReplicasWithin { deployment, min, max } => {
                format!("{}: running replicas always within {min}..{max}", d(deployment))
            }
            Intent::AllPodsEventuallyRun => "every pod eventually runs (liveness)".to_string(),
            Intent::DrainCompletes => "every drain a maintenance event starts finishes (liveness)".to_string(),
            Intent::DisruptionsWithinBudget => {
                "no voluntary eviction takes a PodDisruptionBudget below its minimum".to_string()
            }
            Intent::StatefulSetAvailable { statefulset, max_unavailable } => format!(
                "{}: never stays for ever with more than {max_unavailable} ordinal(s) below its replicas unavailable (liveness)",
                d(statefulset)
            ),
            Intent::NodeCountWithin { pool, min, max } => {
                format!("{}: present nodes always within {min}..{max}", m.pools[pool.index()].name)
            }
            Intent::NoNodeChurn { pool } => format!(
                "{}: no reachable cycle in which the cluster autoscaler adds a node (and removes one)",
                pool.map_or("every autoscaled pool".to_string(), |p| m.pools[p.index()].name.clone())
            ),
        };
        let alias = i.kivi_name().map(|k| format!(" (Kivi: {k})")).unwrap_or_default();
        let _ = writeln!(w, "  {}{alias}: {detail}", m.intent_label(i));
    }
    o
}

pub fn json(m: &Model) -> Result<String, Error> {
    let s = serde_json::to_string_pretty(m).map_err(|e| Error::Internal(format!("serializing the model: {e}")))?;
    Ok(s + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_prints_exactly_in_the_largest_fitting_unit() {
        let cases: &[(i64, &str)] = &[
            (0, "0"),
            (64 << 30, "64Gi"),
            (1536 << 20, "1.5Gi"),
            (1152 << 20, "1.125Gi"),
            (1100 << 20, "1100Mi"),
            (512 << 20, "512Mi"),
            (31_335_920 << 10, "31335920Ki"),
            (10_695_476, "10695476"),
        ];
        for &(bytes, want) in cases {
            assert_eq!(mem(bytes), want, "{bytes} bytes");
        }
        assert_eq!(milli_mem(104_857_600_000), "100Mi");
        assert_eq!(milli_mem(1500), "1500m");
    }
}
