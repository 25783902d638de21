//! ZooKeeper reads and writes through exec of `zkCli.sh` inside a member's container: the
//! fallback when a port-forward is not possible. Every command is an argv (never a shell
//! string), one JVM per operation (about a second or two each), talking to the member's own
//! client port on 127.0.0.1.
//!
//! `zkCli.sh` prints its log and the data on stdout and its errors on stderr; from 3.5 its
//! exit code says whether the command worked, 3.4's exits 0 whatever happened (captured:
//! `tests/fixtures/zk-3.4/cli/`). So results are judged from stdout: a read by finding the exact
//! data as a line, existence by `ls` printing the children; the log lines around do not matter.

use std::time::Duration;

use anyhow::bail;
use kube::Client;

use crate::cluster::zookeeper::{MemberTarget, exec};
use crate::manifest::CLIENT_PORT;

/// How often a create through `zkCli.sh` is tried before it counts as failed.
const CREATE_TRIES: usize = 3;

/// `zkCli.sh` sessions against one member's client port, through exec.
#[derive(Clone)]
pub struct CliSession {
    client: Client,
    target: MemberTarget,
    timeout: Duration,
}

impl CliSession {
    /// A session factory for the member; each operation is one exec, bounded by `timeout`.
    pub fn new(client: &Client, target: &MemberTarget, timeout: Duration) -> CliSession {
        CliSession {
            client: client.clone(),
            target: target.clone(),
            timeout,
        }
    }

    /// The member's pod.
    pub fn pod(&self) -> &str {
        &self.target.pod
    }

    /// Runs `zkCli.sh -server 127.0.0.1:<port> ARGS…`; stdout and the exit code.
    async fn run(&self, args: &[&str]) -> anyhow::Result<(String, i32)> {
        let server = format!("127.0.0.1:{CLIENT_PORT}");
        let mut argv = vec!["zkCli.sh", "-server", server.as_str()];
        argv.extend_from_slice(args);
        match tokio::time::timeout(self.timeout, exec(&self.client, &self.target, &argv)).await {
            Ok(result) => result,
            Err(_) => bail!(
                "zkCli.sh {} in pod {} gave no answer within {}s",
                args.first().copied().unwrap_or_default(),
                self.target.pod,
                self.timeout.as_secs_f64()
            ),
        }
    }

    /// Creates `path` with `data` (no spaces or newlines), creating missing parents. Returns
    /// the parents this call created (3.4's `zkCli.sh` exits 0 even when a node exists, so
    /// each parent is looked up first rather than judged by the exit code). Each create is
    /// tried up to [`CREATE_TRIES`] times: a JVM client started just as the member moves
    /// between elections loses its session and says so only on stderr; what counts is whether
    /// the node is there afterwards.
    pub async fn create_with_parents(&self, path: &str, data: &str) -> anyhow::Result<Vec<String>> {
        let mut created = Vec::new();
        for parent in crate::cluster::zk_client::parents(path) {
            if self.exists(&parent).await? {
                continue;
            }
            let mut code = 0;
            for _ in 0..CREATE_TRIES {
                code = self.run(&["create", &parent, ""]).await?.1;
                if self.exists(&parent).await? {
                    break;
                }
            }
            if !self.exists(&parent).await? {
                bail!(
                    "zkCli.sh in pod {} could not create znode {parent} (exit code {code}, {CREATE_TRIES} tries)",
                    self.target.pod
                );
            }
            created.push(parent);
        }
        let mut code = 0;
        for _ in 0..CREATE_TRIES {
            code = self.run(&["create", path, data]).await?.1;
            if self.read(path).await?.as_deref() == Some(data) {
                return Ok(created);
            }
        }
        bail!(
            "zkCli.sh in pod {} could not create znode {path} (exit code {code}, {CREATE_TRIES} tries)",
            self.target.pod
        )
    }

    /// Whether `path` exists: `ls` prints its children as `[…]` on stdout (3.4 and 3.5+ alike;
    /// 3.4 exits 0 either way, printing `Node does not exist` on stderr).
    async fn exists(&self, path: &str) -> anyhow::Result<bool> {
        let (stdout, code) = self.run(&["ls", path]).await?;
        Ok(code == 0 && children_line(&stdout).is_some())
    }

    /// The data of `path` as `get` prints it (see [`data_line`]); `None` when `get` failed
    /// (no such node, or no session).
    pub async fn read(&self, path: &str) -> anyhow::Result<Option<String>> {
        let (stdout, code) = self.run(&["get", path]).await?;
        if code != 0 {
            return Ok(None);
        }
        Ok(data_line(&stdout))
    }

    /// Deletes `path`; `Ok(false)` when it is still there afterwards (not empty, no session).
    pub async fn delete(&self, path: &str) -> anyhow::Result<bool> {
        self.run(&["delete", path]).await?;
        Ok(!self.exists(path).await?)
    }
}

/// The `[a, b]` line `zkCli.sh ls` prints after the `WatchedEvent` line.
fn children_line(stdout: &str) -> Option<&str> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("WatchedEvent "))
        .skip(1)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
}

/// The data line of `zkCli.sh get` output: the first line after the `WatchedEvent` line that
/// is not a log line.
pub fn data_line(stdout: &str) -> Option<String> {
    let mut lines = stdout
        .lines()
        .skip_while(|l| !l.starts_with("WatchedEvent "));
    lines.next()?;
    lines
        .find(|l| !l.is_empty() && !is_log_line(l))
        .map(str::to_owned)
}

/// log4j's `2026-11-23 22:07:32,428 [myid:] - INFO …` lines.
fn is_log_line(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.len() > 24
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && line.contains(" [myid:")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: &str = "Connecting to 127.0.0.1:2181
2026-11-23 22:07:32,073 [myid:] - INFO  [main:Environment@98] - Client environment:zookeeper.version=3.8.0
2026-11-23 22:07:32,392 [myid:127.0.0.1:2181] - INFO  [main-SendThread(127.0.0.1:2181):ClientCnxn$SendThread@1444] - Session establishment complete

WATCHER::

WatchedEvent state:SyncConnected type:None path:null
x y
2026-11-23 22:07:32,428 [myid:] - ERROR [main:ServiceUtils@42] - Exiting JVM with code 0
";

    #[test]
    fn captured_3_4_and_3_9_output_is_read_from_stdout() {
        for dir in ["zk-3.4", "zk-3.9"] {
            let fixture = |name: &str| {
                let path = format!(
                    "{}/tests/fixtures/{dir}/cli/{name}",
                    env!("CARGO_MANIFEST_DIR")
                );
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
            };
            assert_eq!(
                data_line(&fixture("get_-hello.stdout")).as_deref(),
                Some("again"),
                "{dir}"
            );
            assert_eq!(data_line(&fixture("get_-nosuch.stdout")), None, "{dir}");
            let ls = fixture("ls_-.stdout");
            let children = children_line(&ls).unwrap_or_default();
            assert!(
                children.contains("kubectl-zk") && children.contains("zookeeper"),
                "{dir}: {ls}"
            );
            assert_eq!(children_line(&fixture("get_-nosuch.stdout")), None, "{dir}");
        }
        // 3.4 exits 0 when the node is missing or already there; 3.9 exits 1.
        let exit = |dir: &str, name: &str| {
            let path = format!(
                "{}/tests/fixtures/{dir}/cli/{name}.exit",
                env!("CARGO_MANIFEST_DIR")
            );
            std::fs::read_to_string(path)
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        assert_eq!(exit("zk-3.4", "get_-nosuch"), "0");
        assert_eq!(exit("zk-3.4", "create_-hello_dup"), "0");
        assert_eq!(exit("zk-3.9", "get_-nosuch"), "1");
        assert_eq!(exit("zk-3.9", "create_-hello_dup"), "1");
    }

    #[test]
    fn the_data_line_is_found_among_log_lines() {
        assert_eq!(data_line(GET).as_deref(), Some("x y"));
        let missing = GET.replace("x y\n", "");
        assert_eq!(data_line(&missing), None);
    }
}
