//! A ZooKeeper session with one member, through a local port-forward bridge
//! ([`LocalForward`]), with the `zookeeper-client` crate: reads and writes that need nothing
//! inside the image. Every reconnect of the session goes to the same pod, so what it reads is
//! what that member serves.

use std::time::Duration;

use anyhow::{Context as _, anyhow};
use kube::Client;
use zookeeper_client as zk;

use crate::cluster::forward::LocalForward;
use crate::cluster::zookeeper::MemberTarget;
use crate::manifest::CLIENT_PORT;
use crate::zk::VersionNumber;

/// The session timeout asked of the server (it clamps it to its min/max).
const SESSION_TIMEOUT: Duration = Duration::from_secs(10);
/// How long closing a session may take before the bridge is dropped anyway.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The protocol generation to speak: 3.4 servers know neither `create2` nor containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// ZooKeeper 3.4 (the seeds' image).
    V3_4,
    /// ZooKeeper 3.5 and later.
    V3_5,
}

impl Protocol {
    /// The protocol for a server version (3.5+ when it is unknown).
    pub fn for_version(version: Option<VersionNumber>) -> Protocol {
        match version {
            Some(v) if (v.major, v.minor) < (3, 5) => Protocol::V3_4,
            _ => Protocol::V3_5,
        }
    }
}

/// An open session with one member.
pub struct MemberSession {
    client: zk::Client,
    forward: LocalForward,
}

impl MemberSession {
    /// Opens a session with the member through a new port-forward bridge, within `timeout`.
    pub async fn connect(
        client: &Client,
        target: &MemberTarget,
        protocol: Protocol,
        timeout: Duration,
    ) -> anyhow::Result<MemberSession> {
        Self::connect_as(client, target, protocol, timeout, None).await
    }

    /// [`connect`](Self::connect), authenticated with `scheme` and `auth` (e.g. `digest`,
    /// `super:<password>`) when given. The credentials are never printed.
    pub async fn connect_as(
        client: &Client,
        target: &MemberTarget,
        protocol: Protocol,
        timeout: Duration,
        auth: Option<(&str, &[u8])>,
    ) -> anyhow::Result<MemberSession> {
        let forward =
            LocalForward::start(client, &target.namespace, &target.pod, CLIENT_PORT as u16).await?;
        let mut connector = zk::Client::connector()
            .with_session_timeout(SESSION_TIMEOUT)
            .with_fail_eagerly();
        if protocol == Protocol::V3_4 {
            connector = connector.with_server_version(3, 4, 0);
        }
        if let Some((scheme, auth)) = auth {
            connector = connector.with_auth(scheme, auth);
        }
        let address = forward.addr().to_string();
        let connected = tokio::time::timeout(timeout, connector.connect(&address)).await;
        let why = |err: String| {
            let detail = forward
                .last_error()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            anyhow!(
                "cannot open a ZooKeeper session with {} over a port-forward ({err}){detail}",
                target.pod
            )
        };
        match connected {
            Ok(Ok(client)) => Ok(MemberSession { client, forward }),
            // With one endpoint, "no hosts" means the member closed the connection: a server
            // that is up but not in a quorum refuses sessions.
            Ok(Err(zk::Error::NoHosts)) => Err(why(
                "the server closed the connection: it is not serving, maybe not in a quorum"
                    .to_owned(),
            )),
            Ok(Err(err)) => Err(why(err.to_string())),
            Err(_) => Err(why(format!("no session within {}s", timeout.as_secs_f64()))),
        }
    }

    /// The client, for any ZooKeeper operation.
    pub fn client(&self) -> &zk::Client {
        &self.client
    }

    /// The member's pod.
    pub fn pod(&self) -> &str {
        self.forward.pod()
    }

    /// Creates `path` with `data`, creating missing parents (empty, persistent, open ACL).
    /// Returns the parents this call created, deepest last, so they can be removed again.
    pub async fn create_with_parents(
        &self,
        path: &str,
        data: &[u8],
    ) -> anyhow::Result<Vec<String>> {
        let options = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
        let mut created = Vec::new();
        for parent in parents(path) {
            match self.client.create(&parent, &[], &options).await {
                Ok(_) => created.push(parent),
                Err(zk::Error::NodeExists) => {}
                Err(err) => {
                    return Err(anyhow!(err).context(format!(
                        "cannot create znode {parent} through {}",
                        self.pod()
                    )));
                }
            }
        }
        self.client
            .create(path, data, &options)
            .await
            .map_err(|err| anyhow!(err))
            .with_context(|| format!("cannot create znode {path} through {}", self.pod()))?;
        Ok(created)
    }

    /// The data of `path`, `None` when it does not exist (on this member, now).
    pub async fn read(&self, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self.client.get_data(path).await {
            Ok((data, _)) => Ok(Some(data)),
            Err(zk::Error::NoNode) => Ok(None),
            Err(err) => {
                Err(anyhow!(err).context(format!("cannot read znode {path} from {}", self.pod())))
            }
        }
    }

    /// Asks the member to catch up with the leader on `path` (ZooKeeper `sync`).
    pub async fn sync(&self, path: &str) -> anyhow::Result<()> {
        self.client
            .sync(path)
            .await
            .map_err(|err| anyhow!(err))
            .with_context(|| format!("sync of {path} on {}", self.pod()))
    }

    /// Deletes `path` (any version); an absent node is not an error. Returns whether it existed.
    pub async fn delete(&self, path: &str) -> anyhow::Result<bool> {
        match self.client.delete(path, None).await {
            Ok(()) => Ok(true),
            Err(zk::Error::NoNode) => Ok(false),
            Err(err) => {
                Err(anyhow!(err)
                    .context(format!("cannot delete znode {path} through {}", self.pod())))
            }
        }
    }

    /// Deletes `parent` when it has no children; a parent that is not empty or already gone is
    /// left alone. Returns whether it was deleted.
    pub async fn delete_if_empty(&self, parent: &str) -> anyhow::Result<bool> {
        match self.client.delete(parent, None).await {
            Ok(()) => Ok(true),
            Err(zk::Error::NoNode | zk::Error::NotEmpty) => Ok(false),
            Err(err) => Err(anyhow!(err).context(format!(
                "cannot delete znode {parent} through {}",
                self.pod()
            ))),
        }
    }

    /// The membership in force, as this member knows it after catching up with the leader:
    /// `/zookeeper/config`'s text (ZooKeeper 3.5+).
    pub async fn membership(&self) -> anyhow::Result<String> {
        self.sync("/zookeeper/config").await?;
        let (data, _) = self.client.get_config().await.map_err(|err| {
            anyhow!(err).context(format!("cannot read /zookeeper/config from {}", self.pod()))
        })?;
        String::from_utf8(data)
            .map_err(|_| anyhow!("/zookeeper/config on {} is not text", self.pod()))
    }

    /// Changes the membership by one server (ZooKeeper `reconfig -add` / `-remove`), only if
    /// the membership in force still has `version` (when given). Returns the new membership's
    /// text.
    pub async fn reconfigure(
        &self,
        join: Option<&str>,
        leave: Option<&str>,
        version: Option<u64>,
    ) -> anyhow::Result<String> {
        let joinings: Vec<&str> = join.into_iter().collect();
        let leavings: Vec<&str> = leave.into_iter().collect();
        let update = zk::EnsembleUpdate::Incremental {
            joinings: joinings.iter().copied(),
            leavings: leavings.iter().copied(),
        };
        let expected = version.and_then(|v| i64::try_from(v).ok());
        match self.client.update_ensemble(update, expected).await {
            Ok((data, _)) => String::from_utf8(data)
                .map_err(|_| anyhow!("the new membership from {} is not text", self.pod())),
            Err(zk::Error::NoAuth) => Err(anyhow!(
                "ZooKeeper refused the reconfiguration: not authenticated as its superuser (the members run without the digest of the ensemble's admin Secret); run `kubectl zk install` for the ensemble to restart them with it"
            )),
            Err(zk::Error::ReconfigDisabled) => Err(anyhow!(
                "ZooKeeper refused the reconfiguration: reconfigEnabled is false on the members; run `kubectl zk install` for the ensemble to enable it"
            )),
            Err(zk::Error::BadVersion) => Err(anyhow!(
                "the membership changed while kubectl-zk was changing it; run the same command again to continue from the membership in force"
            )),
            Err(err) => {
                Err(anyhow!(err)
                    .context(format!("the reconfiguration through {} failed", self.pod())))
            }
        }
    }

    /// Closes the session (so the server drops it at once), then the bridge.
    pub async fn close(self) {
        let MemberSession { client, forward } = self;
        let mut watcher = client.state_watcher();
        drop(client);
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
            while !matches!(
                watcher.changed().await,
                zk::SessionState::Closed | zk::SessionState::Expired
            ) {}
        })
        .await;
        drop(forward);
    }
}

/// The ancestors of an absolute znode path, shallowest first (`/a/b/c` → `/a`, `/a/b`).
pub fn parents(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut end = 0;
    while let Some(next) = path[end + 1..].find('/') {
        end += next + 1;
        out.push(path[..end].to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_are_listed_shallowest_first() {
        assert_eq!(
            parents("/kubectl-zk/persist-check/abc"),
            ["/kubectl-zk", "/kubectl-zk/persist-check"]
        );
        assert!(parents("/top").is_empty());
    }

    #[test]
    fn protocol_follows_the_reported_version() {
        let of = |text: &str| Protocol::for_version(crate::zk::Version::new(text).number());
        assert_eq!(
            of("3.4.10-39d3a4f269333c922ed3db283be479f9deacaa0f, built on 03/23/2017 10:13 GMT"),
            Protocol::V3_4
        );
        assert_eq!(
            of("3.8.0-${mvngit.commit.id}, built on 2024-12-29"),
            Protocol::V3_5
        );
        assert_eq!(of("3.9.3"), Protocol::V3_5);
        assert_eq!(Protocol::for_version(None), Protocol::V3_5);
    }
}
