//! `inspect`'s PodDisruptionBudgets (`ir::Pdb`): budget, the pod groups each selects and
//! its unhealthy pod eviction policy.

use std::fmt::Write;

use crate::ir::*;

/// The PodDisruptionBudgets, where the inputs have any.
pub(super) fn pdbs(w: &mut String, m: &Model) {
    if m.pdbs.is_empty() {
        return;
    }
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
