//! An independent ZooKeeper client for the live tests (kazoo, from the test virtualenv): a writer
//! that creates a sequential znode every 200 ms through a change and reports what ZooKeeper
//! acknowledged, and a reader of one member's own view.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::cluster::Cluster;
use super::{kubectl, python, stderr, stdout};

/// The writer: kazoo connected to every member by name (`zk-0` … `zk-4`, resolved to the pods'
/// current IPs, which a background thread reads with kubectl, since a restarted pod gets a new
/// IP), creating `/scale/w-<seq>` every 200 ms until a line arrives on stdin. Prints `writing`
/// after the first acknowledged write, then at the end one JSON line: the acknowledged paths
/// and the longest time between two acknowledged writes.
const WRITER: &str = r#"
import json, socket, subprocess, sys, threading, time
from kazoo.client import KazooClient
from kazoo.retry import KazooRetry

kubectl, kubeconfig, ns = sys.argv[1:4]
ips = {}
done = threading.Event()

def refresh():
    while not done.is_set():
        out = subprocess.run(
            [kubectl, "--kubeconfig", kubeconfig, "get", "pods", "-n", ns, "-o",
             'jsonpath={range .items[*]}{.metadata.name}={.status.podIP}{"\\n"}{end}'],
            capture_output=True, text=True)
        if out.returncode == 0:
            found = {}
            for line in out.stdout.splitlines():
                name, _, ip = line.partition("=")
                if ip:
                    found[name] = ip
            ips.clear()
            ips.update(found)
        done.wait(0.5)

real_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, port, *args, **kwargs):
    if host.startswith("zk-"):
        ip = ips.get(host)
        if ip is None:
            raise socket.gaierror(socket.EAI_NONAME, "no pod " + host)
        host = ip
    return real_getaddrinfo(host, port, *args, **kwargs)
socket.getaddrinfo = getaddrinfo

refresher = threading.Thread(target=refresh, daemon=True)
refresher.start()
while not ips:
    time.sleep(0.1)

retry = KazooRetry(max_tries=-1, delay=0.1, backoff=1, max_delay=0.5)
zk = KazooClient(hosts=",".join("zk-%d:2181" % i for i in range(5)), timeout=15,
                 connection_retry=retry)
zk.start(timeout=60)
zk.ensure_path("/scale")

stop = threading.Event()
def wait_stdin():
    sys.stdin.readline()
    stop.set()
threading.Thread(target=wait_stdin, daemon=True).start()

acked, last, gap, failed, n = [], None, 0.0, 0, 0
while not stop.is_set():
    n += 1
    try:
        path = zk.create("/scale/w-", str(n).encode(), sequence=True)
    except Exception:
        failed += 1
    else:
        now = time.monotonic()
        if last is None:
            print("writing", flush=True)
        else:
            gap = max(gap, now - last)
        last = now
        acked.append(path.rsplit("/", 1)[1])
    stop.wait(0.2)
done.set()
zk.stop()
print(json.dumps({"acked": acked, "maxGap": gap, "failed": failed}), flush=True)
"#;

/// One member's view, read by kazoo connected to that member alone: the children of `/scale`
/// (after a sync with the leader) and, on ZooKeeper 3.5+, `/zookeeper/config`.
const READER: &str = r#"
import json, sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=30)
zk.sync("/scale")
children = zk.get_children("/scale") if zk.exists("/scale") else []
config = None
if sys.argv[2] == "config":
    config = zk.get("/zookeeper/config")[0].decode()
zk.stop()
print(json.dumps({"children": children, "config": config}))
"#;

/// A running writer.
pub struct Writer {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

/// What a writer saw.
pub struct Written {
    /// The znodes (`w-<seq>` under `/scale`) ZooKeeper acknowledged.
    pub acked: BTreeSet<String>,
    /// The longest time between two acknowledged writes, in seconds.
    pub max_gap: f64,
}

impl Writer {
    /// Starts writing to the ensemble in `ns`; returns once the first write was acknowledged.
    pub fn start(cluster: &Cluster, ns: &str) -> Writer {
        let mut child = Command::new(python())
            .arg("-c")
            .arg(WRITER)
            .arg(kubectl(33))
            .arg(&cluster.kubeconfig)
            .arg(ns)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python runs");
        let (tx, lines) = std::sync::mpsc::channel();
        let out = BufReader::new(child.stdout.take().expect("stdout"));
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(90))
            .expect("the writer's first write is acknowledged");
        assert_eq!(first, "writing");
        Writer { child, lines }
    }

    /// Stops the writer; what it wrote.
    pub fn stop(mut self) -> Written {
        if let Some(mut stdin) = self.child.stdin.take() {
            let _ = writeln!(stdin, "stop");
        }
        let last = self
            .lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the writer reports");
        let _ = self.child.wait();
        let report: Value = serde_json::from_str(&last).expect("the writer's report is JSON");
        let acked: BTreeSet<String> = report["acked"]
            .as_array()
            .expect("acked")
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect();
        assert!(!acked.is_empty(), "no write was acknowledged: {report}");
        Written {
            acked,
            max_gap: report["maxGap"].as_f64().unwrap_or_default(),
        }
    }
}

/// One member's view of `/scale` and (3.5+) of the membership, read by kazoo at its pod IP.
pub fn member_view(
    cluster: &Cluster,
    ns: &str,
    pod: &str,
    config: bool,
) -> (BTreeSet<String>, Option<String>) {
    let address = cluster.client_address(ns, pod);
    let out = Command::new(python())
        .arg("-c")
        .arg(READER)
        .arg(&address)
        .arg(if config { "config" } else { "-" })
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "kazoo on {pod}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let view: Value = serde_json::from_str(stdout(&out).trim()).expect("reader JSON");
    let children = view["children"]
        .as_array()
        .expect("children")
        .iter()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect();
    (children, view["config"].as_str().map(str::to_owned))
}
