//! `inspect`'s intents (`ir::Intent`): each intent of the spec in words, with its Kivi name
//! where it has one.

use std::fmt::Write;

use crate::ir::*;

/// Each intent of the spec.
pub(super) fn intents(w: &mut String, m: &Model) {
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
}
