//! `logs [-f] [--since D] [--tail N] [--previous] [--member POD]`: every member's log in one
//! stream, each line prefixed with its member (coloured only where colour is allowed).
//!
//! Without `-f`: all members' logs read at once, merged in time order by the timestamps
//! ZooKeeper writes (`zk::log::merge`). With `-f`: one follower per member, each started again
//! when its container ends — a restarted container or a re-created pod is followed from its first
//! line, a dropped stream of the same container from the next new line — until Ctrl-C.

use std::time::Duration;

use anyhow::{Context as _, bail};
use futures::future::join_all;
use futures::{AsyncBufReadExt as _, StreamExt as _};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use tokio::sync::mpsc;

use crate::cli::{GlobalOptions, LogsArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble;
use crate::cmd::Outcome;
use crate::render::{Style, write_stdout};
use crate::zk::log::merge;

/// How often a follower looks again for a member that is not running.
const RETRY: Duration = Duration::from_secs(1);

/// Runs `logs`.
pub async fn run(global: &GlobalOptions, args: LogsArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    let all = found.pod_names();
    let members: Vec<String> = match &args.member {
        Some(member) if all.contains(member) => vec![member.clone()],
        Some(member) => bail!(
            "{member} is not a member of ensemble {} in namespace {} (its members: {}); name one of them",
            found.name,
            found.namespace,
            all.join(", ")
        ),
        None => all,
    };
    let width = members.iter().map(String::len).max().unwrap_or(0);
    let style = Style::new(global.color);
    let prefixes: Vec<String> = members
        .iter()
        .enumerate()
        .map(|(i, pod)| style.nth(i, &format!("{pod:<width$} |")))
        .collect();
    let pods: Api<Pod> = Api::namespaced(client.clone(), &found.namespace);
    let params = LogParams {
        container: Some(found.container.clone()),
        previous: args.previous,
        since_seconds: args
            .since
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        tail_lines: args.tail,
        ..LogParams::default()
    };
    if args.follow {
        follow(&pods, &members, &prefixes, params).await
    } else {
        once(&pods, &members, &prefixes, &params).await
    }
}

/// Every member's log as it is now, merged in time order.
async fn once(
    pods: &Api<Pod>,
    members: &[String],
    prefixes: &[String],
    params: &LogParams,
) -> anyhow::Result<Outcome> {
    let read = join_all(members.iter().map(|pod| pods.logs(pod, params))).await;
    let mut logs = Vec::new();
    let mut complete = true;
    for (pod, result) in members.iter().zip(read) {
        match result {
            Ok(text) => logs.push(text.lines().map(str::to_owned).collect()),
            Err(err) => {
                complete = false;
                eprintln!(
                    "kubectl-zk: cannot read {pod}'s log: {}",
                    crate::cluster::error::one_line(&anyhow::Error::new(err))
                );
                logs.push(Vec::new());
            }
        }
    }
    let mut text = String::new();
    for (member, line) in merge(&logs) {
        text.push_str(&prefixes[member]);
        text.push(' ');
        text.push_str(&line);
        text.push('\n');
    }
    write_stdout(&text)?;
    Ok(if complete {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}

/// Follows every member until Ctrl-C.
async fn follow(
    pods: &Api<Pod>,
    members: &[String],
    prefixes: &[String],
    params: LogParams,
) -> anyhow::Result<Outcome> {
    let (tx, mut rx) = mpsc::channel::<(usize, String)>(1024);
    let followers: Vec<_> = members
        .iter()
        .enumerate()
        .map(|(index, pod)| {
            tokio::spawn(follow_member(
                pods.clone(),
                pod.clone(),
                index,
                params.clone(),
                tx.clone(),
            ))
        })
        .collect();
    drop(tx);
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            line = rx.recv() => match line {
                Some((member, line)) => write_stdout(&format!("{} {line}\n", prefixes[member]))?,
                None => break,
            },
            _ = &mut interrupted => break,
        }
    }
    for follower in followers {
        follower.abort();
    }
    Ok(Outcome::Ok)
}

/// The ID of the member's running container, when it runs.
fn running_container(pod: &Pod, container: &str) -> Option<String> {
    pod.status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .iter()
        .find(|s| s.name == container && s.state.as_ref().is_some_and(|st| st.running.is_some()))
        .and_then(|s| s.container_id.clone())
}

/// Follows one member across restarts and re-creation: each running container once, from its
/// first line (the first one from where the options say).
async fn follow_member(
    pods: Api<Pod>,
    pod: String,
    index: usize,
    first: LogParams,
    tx: mpsc::Sender<(usize, String)>,
) -> anyhow::Result<()> {
    let container = first.container.clone().unwrap_or_default();
    let mut followed: Option<String> = None;
    loop {
        let current = pods
            .get_opt(&pod)
            .await
            .ok()
            .flatten()
            .and_then(|p| running_container(&p, &container));
        let Some(id) = current else {
            tokio::time::sleep(RETRY).await;
            continue;
        };
        let params = match &followed {
            None => LogParams {
                follow: true,
                previous: false,
                ..first.clone()
            },
            // The same container, its stream dropped: only what comes next.
            Some(same) if *same == id => LogParams {
                follow: true,
                tail_lines: Some(0),
                container: first.container.clone(),
                ..LogParams::default()
            },
            // A new container (restarted, or the pod re-created): from its first line.
            Some(_) => LogParams {
                follow: true,
                container: first.container.clone(),
                ..LogParams::default()
            },
        };
        followed = Some(id);
        let stream = pods
            .log_stream(&pod, &params)
            .await
            .with_context(|| format!("cannot follow {pod}'s log"));
        let Ok(stream) = stream else {
            tokio::time::sleep(RETRY).await;
            continue;
        };
        let mut lines = stream.lines();
        while let Some(Ok(line)) = lines.next().await {
            if tx.send((index, line)).await.is_err() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
