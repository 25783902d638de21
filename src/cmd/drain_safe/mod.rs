//! `drain-safe`: is draining a node safe for the ZooKeeper ensembles on it — from ZooKeeper's
//! view (quorum, synced followers, lag, the leader) and Kubernetes' (the PodDisruptionBudget,
//! whether each evicted member can be scheduled again)? `--all-nodes` judges every node;
//! `--execute` cordons the node and evicts its members one at a time while it stays safe.
//!
//! Gather ([`gather`]) → decide ([`decide`], pure, with [`crate::kube::schedule`] predicting the scheduler)
//! → render ([`render`]); [`execute`] does the drain and [`crate::ensemble::rejoin`] waits for a member to be
//! back in sync.

pub mod decide;
pub mod execute;
pub mod gather;
pub mod render;

#[cfg(test)]
mod tests;

use anyhow::{anyhow, bail};
use k8s_openapi::api::core::v1::Node;
use kube::api::Api;

use crate::cli::{DrainSafeArgs, GlobalOptions};
use crate::cluster::client::connect;
use crate::cmd::Outcome;
use crate::confirm;
use crate::render::{Style, emit};
use decide::{Verdict, judge};
use gather::Scope;
use render::AllNodes;

/// Runs `drain-safe`.
pub async fn run(global: &GlobalOptions, args: DrainSafeArgs) -> anyhow::Result<Outcome> {
    if args.execute {
        confirm::ensure_can_ask(args.yes, "cordon the node and evict its ZooKeeper members")?;
    }
    let connection = connect(global).await?;
    let client = &connection.client;
    let style = Style::new(global.color);
    let scope = if args.all_namespaces {
        Scope::AllNamespaces
    } else if let Some(name) = &args.ensemble.name {
        Scope::Named(connection.namespace.clone(), name.clone())
    } else {
        Scope::Namespace(connection.namespace.clone())
    };

    if args.all_nodes {
        let ensembles = gather::ensembles(client, &scope).await?;
        let mut view = gather::gather(client, &ensembles).await?;
        view.qualify = args.all_namespaces;
        let mut names: Vec<&str> = view
            .nodes
            .iter()
            .filter_map(|n| n.metadata.name.as_deref())
            .collect();
        names.sort_unstable();
        let all = AllNodes(names.into_iter().map(|n| judge(&view, n)).collect());
        emit(&all, args.output.output, style)?;
        let safe = all.0.iter().all(|j| j.verdict == Verdict::Safe);
        return Ok(if safe {
            Outcome::Ok
        } else {
            Outcome::CheckFailed
        });
    }

    let Some(node) = args.node.as_ref().map(|n| n.as_str().to_owned()) else {
        bail!("name a node, or judge every node with --all-nodes");
    };
    let nodes: Api<Node> = Api::all(client.clone());
    let (exists, ensembles) =
        futures::join!(nodes.get_opt(&node), gather::ensembles(client, &scope));
    if exists
        .map_err(|e| anyhow!(e).context(format!("cannot read node {node}")))?
        .is_none()
    {
        bail!("node {node} not found; list the nodes with `kubectl get nodes`");
    }
    let ensembles = ensembles?;
    let mut view = gather::gather(client, &ensembles).await?;
    view.qualify = args.all_namespaces;
    let judgement = judge(&view, &node);
    emit(&judgement, args.output.output, style)?;
    if args.execute {
        let plan = execute::Plan {
            node: &node,
            ensembles: &ensembles,
            first: &judgement,
            yes: args.yes,
            timeout: args.timeout,
        };
        return execute::run(client, plan).await;
    }
    Ok(match judgement.verdict {
        Verdict::Safe => Outcome::Ok,
        Verdict::Unsafe => Outcome::CheckFailed,
    })
}
