//! Acceptance tests with real pods (needs root): a busybox StatefulSet through its whole life with
//! the real kubectl — ordering, claims, budget, eviction, drains, the scheduler's reason, scaling,
//! recreation on the same volumes, server-side apply — then restarts and readiness, and cleanup.

mod common;

use common::{TestCluster, rows, wait_for};
use std::io::BufRead;
use std::sync::mpsc;
use std::time::Duration;

const MANIFEST: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: bb-hs
  labels: {app: bb}
spec:
  clusterIP: None
  selector: {app: bb}
  ports: [{port: 8080, name: web}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: bb-pdb
spec:
  selector:
    matchLabels: {app: bb}
  maxUnavailable: 1
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: bb
spec:
  selector:
    matchLabels: {app: bb}
  serviceName: bb-hs
  replicas: 3
  podManagementPolicy: OrderedReady
  template:
    metadata:
      labels: {app: bb}
    spec:
      terminationGracePeriodSeconds: 5
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchExpressions:
              - {key: app, operator: In, values: [bb]}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: main
        image: busybox:1.36
        command: ["sh", "-c", "hostname >> /data/starts; exec sleep 100000"]
        readinessProbe:
          exec:
            command: ["sh", "-c", "test ! -e /data/unready"]
          initialDelaySeconds: 2
          periodSeconds: 2
        volumeMounts:
        - {name: data, mountPath: /data}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
"#;

/// `kubectl get pods -w` running in the background, its lines collected.
struct Watcher {
    child: std::process::Child,
    rx: mpsc::Receiver<String>,
    lines: Vec<String>,
}

impl Watcher {
    fn start(c: &TestCluster, extra: &[&str]) -> Watcher {
        let mut child = std::process::Command::new(common::kubectl_dir().join("kubectl.1.33"))
            .arg("--kubeconfig")
            .arg(&c.kubeconfig)
            .args(["get", "pods", "-w"])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("kubectl get pods -w");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        Watcher {
            child,
            rx,
            lines: Vec::new(),
        }
    }

    /// Waits until a line containing `text` has been printed.
    fn wait_line(&mut self, text: &str) {
        self.wait_until(text, |l| l.contains(text));
    }

    /// Waits until the watch printed a DELETED event for `pod`.
    fn wait_deleted(&mut self, pod: &str) {
        let name = format!(" {pod} ");
        self.wait_until(&format!("DELETED {pod}"), |l| {
            l.starts_with("DELETED") && l.contains(&name)
        });
    }

    fn wait_until(&mut self, text: &str, found: impl Fn(&str) -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !self.lines.iter().any(|l| found(l)) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(l) => self.lines.push(l),
                Err(_) => panic!("the watch never showed {text}: {:#?}", self.lines),
            }
        }
    }

    fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        while let Ok(l) = self.rx.recv_timeout(Duration::from_millis(200)) {
            self.lines.push(l);
        }
        self.lines
    }
}

fn pv_dir(c: &TestCluster, claim: &str) -> std::path::PathBuf {
    let pv = c.k(&["get", "pvc", claim, "-o", "jsonpath={.spec.volumeName}"]);
    std::path::PathBuf::from(c.k(&["get", "pv", &pv, "-o", "jsonpath={.spec.hostPath.path}"]))
}

fn pod_field(c: &TestCluster, pod: &str, template: &str) -> String {
    c.kubectl(&["get", "pod", pod, "--template", template])
        .stdout
}

fn ready(c: &TestCluster, pod: &str) -> bool {
    let r = c.kubectl(&["get", "pod", pod]);
    r.ok && rows(&r.stdout)
        .first()
        .is_some_and(|row| row["READY"] == "1/1" && row["STATUS"] == "Running")
}

fn allowed(c: &TestCluster) -> String {
    rows(&c.k(&["get", "pdb", "bb-pdb"]))
        .first()
        .map(|r| r["ALLOWED DISRUPTIONS"].clone())
        .unwrap_or_default()
}

#[test]
fn statefulset_lifecycle() {
    let c = TestCluster::start();
    let f = c.file("bb.yaml", MANIFEST);
    // created one after another, each after the previous is Ready
    let w = Watcher::start(&c, &[]);
    let out = c.k(&["create", "-f", &f]);
    assert!(out.contains("statefulset.apps/bb created"), "{out}");
    wait_for(90, "3 ready replicas", || {
        (c.k(&["get", "sts", "bb", "-o", "jsonpath={.status.readyReplicas}"]) == "3").then_some(())
    });
    let lines = w.stop();
    let first = |name: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} never shown: {lines:#?}"))
    };
    let ready_at = |name: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(&format!("{name} ")) && l.contains(" 1/1 "))
            .unwrap_or_else(|| panic!("{name} never ready: {lines:#?}"))
    };
    assert!(
        ready_at("bb-0") < first("bb-1"),
        "bb-1 only after bb-0 is Ready: {lines:#?}"
    );
    assert!(
        ready_at("bb-1") < first("bb-2"),
        "bb-2 only after bb-1 is Ready: {lines:#?}"
    );
    // claims, budget, nodes
    let pvcs = rows(&c.k(&["get", "pvc", "-l", "app=bb"]));
    assert_eq!(pvcs.len(), 3);
    for (i, p) in pvcs.iter().enumerate() {
        assert_eq!(p["NAME"], format!("data-bb-{i}"));
        assert_eq!(p["STATUS"], "Bound");
        assert_eq!(p["CAPACITY"], "1Gi");
        assert_eq!(p["ACCESS MODES"], "RWO");
    }
    wait_for(10, "ALLOWED DISRUPTIONS 1", || {
        (allowed(&c) == "1").then_some(())
    });
    let n0 = pod_field(&c, "bb-0", "{{.spec.nodeName}}");
    assert!(n0.starts_with("node-"), "{n0}");
    let nodes: Vec<String> = (0..3)
        .map(|i| pod_field(&c, &format!("bb-{i}"), "{{.spec.nodeName}}"))
        .collect();
    assert!(
        nodes[0] != nodes[1] && nodes[1] != nodes[2] && nodes[0] != nodes[2],
        "anti-affinity: {nodes:?}"
    );
    assert_eq!(
        pod_field(&c, "bb-1", "{{.spec.hostname}}.{{.spec.subdomain}}"),
        "bb-1.bb-hs"
    );
    let ep = c.k(&[
        "get",
        "endpoints",
        "bb-hs",
        "-o",
        "jsonpath={.subsets[0].addresses[*].hostname}",
    ]);
    assert_eq!(ep, "bb-0 bb-1 bb-2");
    let starts_before = std::fs::read_to_string(pv_dir(&c, "data-bb-1").join("starts"))
        .expect("bb-1 wrote to its volume");
    assert_eq!(starts_before.trim(), "bb-1");

    // a failing readiness probe makes a pod NotReady; an eviction meanwhile is refused with 429
    let flag = pv_dir(&c, "data-bb-2").join("unready");
    std::fs::write(&flag, "").expect("flag");
    wait_for(30, "bb-2 NotReady", || {
        let r = rows(&c.k(&["get", "pod", "bb-2"]));
        (r[0]["READY"] == "0/1" && r[0]["STATUS"] == "Running").then_some(())
    });
    assert_eq!(
        pod_field(
            &c,
            "bb-2",
            r#"{{range .status.conditions}}{{if eq .type "Ready"}}{{.status}}{{end}}{{end}}"#
        ),
        "False"
    );
    wait_for(10, "ALLOWED DISRUPTIONS 0", || {
        (allowed(&c) == "0").then_some(())
    });
    let ev = c.file("ev.json", r#"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"bb-0","namespace":"default"}}"#);
    let refused = c.kubectl(&[
        "create",
        "--raw",
        "/api/v1/namespaces/default/pods/bb-0/eviction",
        "-f",
        &ev,
    ]);
    assert!(!refused.ok);
    assert!(refused.stderr.contains("Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget."), "{refused:?}");
    let drain_refused = c.kubectl(&[
        "drain",
        &nodes[0],
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--timeout",
        "3s",
    ]);
    assert!(!drain_refused.ok);
    assert!(drain_refused.stderr.contains(r#"error when evicting pods/"bb-0" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."#), "{drain_refused:?}");
    c.k(&["uncordon", &nodes[0]]);
    std::fs::remove_file(&flag).expect("flag");
    wait_for(30, "bb-2 Ready again", || ready(&c, "bb-2").then_some(()));
    wait_for(10, "ALLOWED DISRUPTIONS 1 again", || {
        (allowed(&c) == "1").then_some(())
    });

    // drain the node of bb-0: evicted, rescheduled elsewhere
    let uid0 = pod_field(&c, "bb-0", "{{.metadata.uid}}");
    let d = c.kubectl(&[
        "drain",
        &nodes[0],
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--timeout",
        "90s",
    ]);
    assert!(d.ok, "{d:?}");
    let all = format!("{}{}", d.stdout, d.stderr);
    assert!(
        all.contains(&format!("node/{} cordoned", nodes[0]))
            && all.contains("evicting pod default/bb-0")
            && all.contains("pod/bb-0 evicted")
            && all.contains(&format!("node/{} drained", nodes[0])),
        "{all}"
    );
    wait_for(60, "bb-0 back and Ready", || {
        (ready(&c, "bb-0") && pod_field(&c, "bb-0", "{{.metadata.uid}}") != uid0).then_some(())
    });
    let moved = pod_field(&c, "bb-0", "{{.spec.nodeName}}");
    assert!(
        moved != nodes[0] && moved.starts_with("node-"),
        "bb-0 rescheduled elsewhere: {moved}"
    );
    let nodes_line = rows(&c.k(&["get", "nodes"]));
    assert!(
        nodes_line
            .iter()
            .any(|n| n["NAME"] == nodes[0] && n["STATUS"] == "Ready,SchedulingDisabled"),
        "{nodes_line:?}"
    );

    // drain the node of bb-1 next: bb-1 stays Pending with the scheduler's reason
    let d = c.kubectl(&[
        "drain",
        &nodes[1],
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--timeout",
        "90s",
    ]);
    assert!(d.ok, "{d:?}");
    let want = "0/4 nodes are available: 2 node(s) didn't match pod anti-affinity rules, 2 node(s) were unschedulable. preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.";
    wait_for(30, "bb-1 Pending with FailedScheduling", || {
        let r = rows(&c.k(&["get", "pod", "bb-1"]));
        (r[0]["STATUS"] == "Pending" && pod_field(&c, "bb-1", r#"{{range .status.conditions}}{{if eq .type "PodScheduled"}}{{.reason}}: {{.message}}{{end}}{{end}}"#) == format!("Unschedulable: {want}")).then_some(())
    });
    let events = c.k(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=bb-1,reason=FailedScheduling",
    ]);
    assert!(
        events.contains("FailedScheduling") && events.contains(want),
        "{events}"
    );
    let desc = c.k(&["describe", "pod", "bb-1"]);
    assert!(
        desc.contains("FailedScheduling") && desc.contains("default-scheduler"),
        "{desc}"
    );
    // uncordon lets it run again
    assert!(
        c.k(&["uncordon", &nodes[1]])
            .contains(&format!("node/{} uncordoned", nodes[1]))
    );
    wait_for(60, "bb-1 Running again", || ready(&c, "bb-1").then_some(()));
    c.k(&["uncordon", &nodes[0]]);

    // scale to 5 (4 nodes: bb-4 cannot be placed) and back to 3, highest ordinal first
    c.k(&["scale", "sts", "bb", "--replicas", "5"]);
    wait_for(60, "bb-3 Ready", || ready(&c, "bb-3").then_some(()));
    wait_for(30, "bb-4 Pending", || {
        pod_field(&c, "bb-4", r#"{{range .status.conditions}}{{if eq .type "PodScheduled"}}{{.message}}{{end}}{{end}}"#)
            .starts_with("0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules.")
            .then_some(())
    });
    let mut w = Watcher::start(&c, &["--output-watch-events"]);
    w.wait_line("bb-4");
    c.k(&["scale", "sts", "bb", "--replicas", "3"]);
    wait_for(60, "back to 3 pods", || {
        (c.k(&["get", "pods", "-o", "name"]).lines().count() == 3).then_some(())
    });
    // The store has dropped them; the watch stream may print the events a moment later.
    w.wait_deleted("bb-4");
    w.wait_deleted("bb-3");
    let lines = w.stop();
    let del = |n: &str| {
        lines
            .iter()
            .position(|l| l.starts_with("DELETED") && l.contains(&format!(" {n} ")))
            .unwrap_or_else(|| panic!("{n} not deleted: {lines:#?}"))
    };
    assert!(del("bb-4") < del("bb-3"), "{lines:#?}");
    assert_eq!(
        c.k(&["get", "sts", "bb", "-o", "jsonpath={.status.replicas}"]),
        "3"
    );

    // delete a member: recreated with the same name and volume
    let uid1 = pod_field(&c, "bb-1", "{{.metadata.uid}}");
    let starts1 = std::fs::read_to_string(pv_dir(&c, "data-bb-1").join("starts"))
        .expect("starts")
        .lines()
        .count();
    assert!(
        c.k(&["delete", "pod", "bb-1"])
            .contains(r#"pod "bb-1" deleted"#)
    );
    wait_for(60, "bb-1 recreated", || {
        (ready(&c, "bb-1") && pod_field(&c, "bb-1", "{{.metadata.uid}}") != uid1).then_some(())
    });
    assert_eq!(
        pod_field(
            &c,
            "bb-1",
            "{{range .spec.volumes}}{{if .persistentVolumeClaim}}{{.persistentVolumeClaim.claimName}}{{end}}{{end}}"
        ),
        "data-bb-1"
    );
    wait_for(10, "bb-1 wrote to the same volume", || {
        (std::fs::read_to_string(pv_dir(&c, "data-bb-1").join("starts"))
            .unwrap_or_default()
            .lines()
            .count()
            == starts1 + 1)
            .then_some(())
    });

    // delete the set: pods go, claims and data stay; re-creating mounts the same volumes
    let claims_before = c.k(&[
        "get",
        "pvc",
        "-l",
        "app=bb",
        "-o",
        "jsonpath={.items[*].metadata.uid}",
    ]);
    assert!(
        c.k(&["delete", "sts", "bb"])
            .contains(r#"statefulset.apps "bb" deleted"#)
    );
    wait_for(60, "pods gone", || {
        c.kubectl(&["get", "pods", "-o", "name"])
            .stdout
            .trim()
            .is_empty()
            .then_some(())
    });
    assert_eq!(
        c.k(&[
            "get",
            "pvc",
            "-l",
            "app=bb",
            "-o",
            "jsonpath={.items[*].metadata.uid}"
        ]),
        claims_before
    );
    assert!(
        rows(&c.k(&["get", "pvc", "-l", "app=bb"]))
            .iter()
            .all(|r| r["STATUS"] == "Bound")
    );
    // server-side apply of the same manifest re-creates the set; a second apply changes nothing
    let a1 = c.k(&["apply", "--server-side", "-f", &f]);
    assert!(
        a1.contains("statefulset.apps/bb serverside-applied"),
        "{a1}"
    );
    wait_for(90, "3 ready replicas again", || {
        (c.k(&["get", "sts", "bb", "-o", "jsonpath={.status.readyReplicas}"]) == "3").then_some(())
    });
    let rv = |c: &TestCluster| {
        c.k(&[
            "get",
            "svc/bb-hs",
            "pdb/bb-pdb",
            "sts/bb",
            "-o",
            "jsonpath={.items[*].metadata.generation} {.items[2].spec}",
        ])
    };
    let before = rv(&c);
    let gen_before = c.k(&["get", "sts", "bb", "-o", "jsonpath={.metadata.generation}"]);
    let a2 = c.k(&["apply", "--server-side", "-f", &f]);
    assert!(
        a2.contains("statefulset.apps/bb serverside-applied"),
        "{a2}"
    );
    assert_eq!(rv(&c), before);
    assert_eq!(
        c.k(&["get", "sts", "bb", "-o", "jsonpath={.metadata.generation}"]),
        gen_before
    );
    assert_eq!(
        c.k(&[
            "get",
            "pvc",
            "-l",
            "app=bb",
            "-o",
            "jsonpath={.items[*].metadata.uid}"
        ]),
        claims_before
    );
    let starts = std::fs::read_to_string(pv_dir(&c, "data-bb-2").join("starts")).expect("starts");
    assert!(
        starts.lines().count() >= 2 && starts.lines().all(|l| l == "bb-2"),
        "{starts}"
    );
}

#[test]
fn restarts_image_errors_and_readiness() {
    let c = TestCluster::start();
    let pods = c.file(
        "pods.yaml",
        r#"apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "echo hi; sleep 1; exit 3"]}
---
apiVersion: v1
kind: Pod
metadata: {name: noimage}
spec:
  containers:
  - {name: c, image: "example.invalid/nothing:1.0"}
---
apiVersion: v1
kind: Pod
metadata: {name: unready}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sleep", "100000"]
    readinessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
"#,
    );
    c.k(&["create", "-f", &pods]);
    wait_for(60, "crash restarted twice", || {
        let r = rows(&c.k(&["get", "pod", "crash"]));
        r[0]["RESTARTS"]
            .split(' ')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n >= 2)
            .map(|_| r[0].clone())
    });
    assert_eq!(
        pod_field(
            &c,
            "crash",
            "{{range .status.containerStatuses}}{{.lastState.terminated.exitCode}} {{.lastState.terminated.reason}}{{end}}"
        ),
        "3 Error"
    );
    wait_for(30, "CrashLoopBackOff shown", || {
        (rows(&c.k(&["get", "pod", "crash"]))[0]["STATUS"] == "CrashLoopBackOff").then_some(())
    });
    let logs = c.k(&["logs", "crash"]);
    assert!(logs.contains("hi"), "{logs}");
    wait_for(30, "image pull errors", || {
        let s = rows(&c.k(&["get", "pod", "noimage"]))[0]["STATUS"].clone();
        (s == "ErrImagePull" || s == "ImagePullBackOff").then_some(())
    });
    wait_for(30, "unready Running 0/1", || {
        let r = rows(&c.k(&["get", "pod", "unready"]));
        (r[0]["STATUS"] == "Running"
            && r[0]["READY"] == "0/1"
            && c.k(&[
                "get",
                "events",
                "--field-selector",
                "involvedObject.name=unready",
            ])
            .contains("Readiness probe failed"))
        .then_some(())
    });
    let wide = rows(&c.k(&["get", "pod", "unready", "-o", "wide"]));
    assert!(
        wide[0]["IP"].starts_with("10.213.") && wide[0]["NODE"].starts_with("node-"),
        "{wide:?}"
    );
}

#[test]
fn nothing_remains_after_stop() {
    let mut c = TestCluster::start();
    let pod = c.file("p.yaml", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: busybox, command: [sleep, \"31337\"], volumeMounts: [{name: data, mountPath: /data}]}]\n  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]\n");
    c.k(&["create", "-f", &pod]);
    wait_for(30, "pod running", || ready(&c, "p").then_some(()));
    let volume = pv_dir(&c, "data");
    assert!(volume.is_dir(), "{volume:?}");
    // the control plane's processes: every one is started with a path in the state dir
    let state = c.state_dir.display().to_string();
    let control_plane = || {
        String::from_utf8_lossy(
            &std::process::Command::new("pgrep")
                .args([
                    "-f",
                    &format!("(data-dir|kubeconfig|tls-cert-file)={state}"),
                ])
                .output()
                .expect("pgrep")
                .stdout,
        )
        .into_owned()
    };
    assert_eq!(
        control_plane().lines().count(),
        4,
        "etcd, kube-apiserver, kube-controller-manager and kube-scheduler run"
    );
    let ip = c.k(&["get", "pod", "p", "-o", "jsonpath={.status.podIP}"]);
    let x = ip.split('.').nth(2).expect("10.213.X.Y").to_string();
    let bridge = format!("tcbr{x}");
    let netns_prefix = format!("tc{x}-");
    let veth_prefix = format!("tcv{x}-");
    let links = || {
        String::from_utf8_lossy(
            &std::process::Command::new("ip")
                .args(["-o", "link", "show"])
                .output()
                .expect("ip link")
                .stdout,
        )
        .into_owned()
    };
    let netns = || {
        String::from_utf8_lossy(
            &std::process::Command::new("ip")
                .args(["netns", "list"])
                .output()
                .expect("ip netns")
                .stdout,
        )
        .into_owned()
    };
    let sleepers = || {
        String::from_utf8_lossy(
            &std::process::Command::new("pgrep")
                .args(["-f", "^sleep 31337$"])
                .output()
                .expect("pgrep")
                .stdout,
        )
        .into_owned()
    };
    assert!(
        links().contains(&format!(" {bridge}:")),
        "bridge present while running"
    );
    assert!(netns().lines().any(|l| l.starts_with(&netns_prefix)));
    assert!(!sleepers().trim().is_empty(), "the container process runs");
    c.stop();
    assert!(!links().contains(&format!(" {bridge}:")), "bridge removed");
    assert!(!links().contains(&veth_prefix), "veths removed");
    assert!(
        !netns().lines().any(|l| l.starts_with(&netns_prefix)),
        "netns removed"
    );
    assert!(sleepers().trim().is_empty(), "no process left");
    assert!(
        control_plane().trim().is_empty(),
        "no control plane process left"
    );
    assert!(
        !volume.exists(),
        "the volume's directory is removed: {volume:?}"
    );
}
