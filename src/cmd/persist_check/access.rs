//! Reaching one member's znodes: the ZooKeeper protocol over a port-forward (preferred), or
//! `zkCli.sh` through exec when a port-forward cannot be opened (or `--via exec`). Both give
//! the same operations, so the check does not care which one a member got.

use std::time::{Duration, Instant};

use kube::Client;

use super::model::MemberRead;
use crate::cli::ClientVia;
use crate::cluster::zk_cli::CliSession;
use crate::cluster::zk_client::{MemberSession, Protocol};
use crate::cluster::zookeeper::MemberTarget;

/// How long opening a session may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one `zkCli.sh` run may take (a JVM start each).
const EXEC_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an exec read keeps retrying a member that does not show the sentinel yet.
const EXEC_READ_DEADLINE: Duration = Duration::from_secs(10);
/// How long a ZooKeeper request over a session may take (a write needs a quorum).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// An open way to one member's znodes.
pub enum Access {
    /// A ZooKeeper session over a port-forward.
    Native(MemberSession),
    /// `zkCli.sh` through exec; with why, when the port-forward failed first.
    Cli(CliSession, Option<String>),
}

impl Access {
    /// Opens access to a member: a session over a port-forward; when the port-forward itself
    /// cannot be opened, `zkCli.sh` through exec. `via` forces one of them.
    pub async fn open(
        client: &Client,
        target: &MemberTarget,
        protocol: Protocol,
        via: Option<ClientVia>,
    ) -> anyhow::Result<Access> {
        let cli = |why| Access::Cli(CliSession::new(client, target, EXEC_TIMEOUT), why);
        if via == Some(ClientVia::Exec) {
            return Ok(cli(None));
        }
        match MemberSession::connect(client, target, protocol, CONNECT_TIMEOUT).await {
            Ok(session) => Ok(Access::Native(session)),
            Err(err) if via.is_none() && is_port_forward_failure(&err) => {
                Ok(cli(Some(crate::cluster::error::one_line(&err))))
            }
            Err(err) => Err(err),
        }
    }

    /// Why the port-forward was given up for exec, when it was.
    pub fn fallback(&self) -> Option<&str> {
        match self {
            Access::Cli(_, why) => why.as_deref(),
            Access::Native(_) => None,
        }
    }

    /// How this member is reached, as the report says it.
    pub fn via(&self) -> &'static str {
        match self {
            Access::Native(_) => "port-forward",
            Access::Cli(..) => "exec",
        }
    }

    /// The member's pod.
    pub fn pod(&self) -> &str {
        match self {
            Access::Native(s) => s.pod(),
            Access::Cli(s, _) => s.pod(),
        }
    }

    /// Creates the znode and its missing parents; the parents created.
    pub async fn create_with_parents(&self, path: &str, data: &str) -> anyhow::Result<Vec<String>> {
        match self {
            Access::Native(s) => {
                bounded(s.pod(), s.create_with_parents(path, data.as_bytes())).await
            }
            Access::Cli(s, _) => s.create_with_parents(path, data).await,
        }
    }

    /// Reads the sentinel from this member, as soon as the member shows it: a plain read,
    /// then (if it missed) a ZooKeeper `sync` and a second read. Through exec each read is a
    /// new session, which a follower only opens once it has caught up to the session's
    /// creation, so it polls until a deadline instead. `written` is when the write was
    /// acknowledged (for the lag).
    pub async fn read_sentinel(&self, path: &str, data: &str, written: Instant) -> MemberRead {
        let mut read = MemberRead {
            pod: self.pod().to_owned(),
            via: Some(self.via()),
            found: false,
            visible_after_ms: None,
            needed_sync: false,
            error: None,
        };
        let matches = |found: Option<Vec<u8>>| found.as_deref() == Some(data.as_bytes());
        let result: anyhow::Result<bool> = match self {
            Access::Native(session) => {
                let needed_sync = &mut read.needed_sync;
                bounded(session.pod(), async {
                    if let Some(first) = session.read(path).await? {
                        return Ok(matches(Some(first)));
                    }
                    *needed_sync = true;
                    session.sync(path).await?;
                    Ok(matches(session.read(path).await?))
                })
                .await
            }
            Access::Cli(cli, _) => {
                let deadline = Instant::now() + EXEC_READ_DEADLINE;
                loop {
                    match cli.read(path).await {
                        Ok(found) if found.is_some() || Instant::now() >= deadline => {
                            break Ok(matches(found.map(String::into_bytes)));
                        }
                        Ok(_) => read.needed_sync = true,
                        Err(err) => break Err(err),
                    }
                }
            }
        };
        match result {
            Ok(found) => {
                read.found = found;
                // Through exec the time is mostly a JVM starting: it says nothing of lag.
                if found && matches!(self, Access::Native(_)) {
                    read.visible_after_ms = Some(written.elapsed().as_millis() as u64);
                }
            }
            Err(err) => read.error = Some(crate::cluster::error::one_line(&err)),
        }
        read
    }

    /// Deletes a znode; whether it existed (exec: whether the delete worked).
    pub async fn delete(&self, path: &str) -> anyhow::Result<bool> {
        match self {
            Access::Native(s) => bounded(s.pod(), s.delete(path)).await,
            Access::Cli(s, _) => s.delete(path).await,
        }
    }

    /// Deletes a znode only when it has no children.
    pub async fn delete_if_empty(&self, path: &str) -> anyhow::Result<bool> {
        match self {
            Access::Native(s) => bounded(s.pod(), s.delete_if_empty(path)).await,
            // zkCli's `delete` refuses a znode with children.
            Access::Cli(s, _) => s.delete(path).await,
        }
    }

    /// Closes the session, if there is one.
    pub async fn close(self) {
        if let Access::Native(session) = self {
            session.close().await;
        }
    }
}

/// Runs a ZooKeeper request with [`REQUEST_TIMEOUT`].
async fn bounded<T>(
    pod: &str,
    request: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    tokio::time::timeout(REQUEST_TIMEOUT, request)
        .await
        .unwrap_or_else(|_| {
            Err(anyhow::anyhow!(
                "{pod} did not answer within {}s",
                REQUEST_TIMEOUT.as_secs()
            ))
        })
}

/// Whether the error came from opening the port-forward (so exec may still work), not from
/// ZooKeeper.
fn is_port_forward_failure(err: &anyhow::Error) -> bool {
    format!("{err:#}").contains(": port-forward to pod")
}
