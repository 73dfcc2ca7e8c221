//! `kbmc inspect`: the resolved model in a stable text form (same input, same bytes) and as
//! JSON. Text is built into a String first so that tests can compare it. [`render`] writes the
//! header and then one section per part of the IR, each in its own file under `inspect/`
//! (a section starts with a blank line and its title); the quantity and name formats the
//! sections share are here. Must not compute anything the model does not already hold.

use std::fmt::Write;

use crate::error::Error;
use crate::ir::*;

mod controllers;
mod deployments;
mod descheduler;
mod events;
mod hpa;
mod intents;
mod nodes;
mod pdb;
mod pods;
mod scheduler;
mod vpa;

/// Renders the model as text: the header, then each section in a fixed order.
pub fn render(m: &Model) -> String {
    let mut w = String::new();
    header(&mut w, m);
    nodes::pools(&mut w, m);
    nodes::slots(&mut w, m);
    deployments::deployments(&mut w, m);
    pods::priority_classes(&mut w, m);
    pods::groups(&mut w, m);
    hpa::hpas(&mut w, m);
    vpa::vpas(&mut w, m);
    scheduler::scheduler(&mut w, m);
    descheduler::descheduler(&mut w, m);
    controllers::controllers(&mut w, m);
    events::events(&mut w, m);
    pdb::pdbs(&mut w, m);
    intents::intents(&mut w, m);
    w
}

/// The model's name, where its spec comes from, what --allow-unmodeled dropped, the timing
/// policy and the bounds.
fn header(w: &mut String, m: &Model) {
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
}

pub fn json(m: &Model) -> Result<String, Error> {
    let s = serde_json::to_string_pretty(m).map_err(|e| Error::Internal(format!("serializing the model: {e}")))?;
    Ok(s + "\n")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The title of each section `render` wrote (the line after each blank line), up to its
    /// count or its colon.
    fn titles(text: &str) -> Vec<String> {
        let lines: Vec<&str> = text.lines().collect();
        lines
            .windows(2)
            .filter(|w| w[0].is_empty())
            .map(|w| {
                let head = w[1].split(':').next().unwrap_or_default();
                head.split(" (").next().unwrap_or_default().to_string()
            })
            .collect()
    }

    #[test]
    fn sections_come_once_each_in_order() {
        let all = [
            "node pools",
            "node slots",
            "deployments",
            "priority classes",
            "pod groups",
            "horizontal pod autoscalers",
            "scheduler",
            "descheduler",
            "controllers",
            "events",
            "pod disruption budgets",
            "intents",
        ];
        // c9 has a PodDisruptionBudget and no priorities; c16 priorities and no PDB.
        for (case, absent) in [
            ("c9-pdb-blocks-drain", "priority classes"),
            ("c16-preemption-second-scheduler-loop", "pod disruption budgets"),
        ] {
            let dir = std::path::PathBuf::from("cases").join(case);
            let (ir, _) = crate::load_model(&[dir], false).expect("the case loads");
            let text = render(&ir);
            assert!(text.starts_with(&format!("model {}\n", ir.name)), "{case}: {text}");
            let want: Vec<&str> = all.iter().copied().filter(|t| *t != absent).collect();
            assert_eq!(titles(&text), want, "{case}");
        }
    }

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
