//! The ZooKeeper image profiles with real ZooKeeper servers (the releases their tags name, from the
//! release cache `scripts/lib/zookeeper.sh` fills) in pods of the runtime: three-member ensembles of
//! the Kubernetes tutorial image (exactly as the seeds' StatefulSet runs it, ZooKeeper 3.4.10) and
//! of the Docker library image (ZOO_* env, and kubectl-zk's read-only ConfigMap, ZooKeeper 3.9.4).
//! Needs root, Java, the release cache and `nc` (netcat-openbsd).

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use testcluster::runtime::{
    ClusterNet, Container, ContainerSpec, Mount, ProbeResult, Sandbox, SandboxSpec, probe_tcp,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Every test finishes well within this, or fails.
const TEST_TIMEOUT: Duration = Duration::from_secs(90);
/// How long an ensemble may take to elect a leader (measured: about 2 s alone).
const ELECTION: Duration = Duration::from_secs(45);
/// Three ZooKeeper pods together use less than this.
const RSS_LIMIT_KB: u64 = 400 * 1024;
const DOMAIN: &str = "zk-hs.default.svc.cluster.local";

/// The seeds' container command, verbatim.
const SEED_COMMAND: &str = "start-zookeeper \
          --servers=3 \
          --data_dir=/var/lib/zookeeper/data \
          --data_log_dir=/var/lib/zookeeper/data/log \
          --conf_dir=/opt/zookeeper/conf \
          --client_port=2181 \
          --election_port=3888 \
          --server_port=2888 \
          --tick_time=2000 \
          --init_limit=10 \
          --sync_limit=5 \
          --heap=512M \
          --max_client_cnxns=60 \
          --snap_retain_count=3 \
          --purge_interval=12 \
          --max_session_timeout=40000 \
          --min_session_timeout=4000 \
          --log_level=INFO";

/// kubectl-zk's official flavour's command (`kubectl zk install --dry-run`).
const OFFICIAL_COMMAND: &str = r#"ordinal="${HOSTNAME##*-}"; export ZOO_MY_ID=$((ordinal + 1)); exec /docker-entrypoint.sh zkServer.sh start-foreground"#;

fn state_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(format!("/tmp/tc-zk-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating the test's state dir");
    dir
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn fqdn(i: usize) -> String {
    format!("zk-{i}.{DOMAIN}")
}

fn require_root() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the runtime tests need root");
}

async fn with_timeout(f: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_TIMEOUT, f)
        .await
        .expect("test timed out");
}

/// Polls a condition until it holds or the deadline passes.
async fn eventually(what: &str, timeout: Duration, mut cond: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs a command in a container: (exit code, stdout, stderr).
async fn exec(sb: &Sandbox, c: &Container, argv: &[&str]) -> (i32, String, String) {
    let out = sb
        .exec(c, &strings(argv), &[])
        .await
        .expect("exec")
        .output()
        .await
        .expect("exec output");
    (
        out.status.exit_code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn exec_ok(sb: &Sandbox, c: &Container, argv: &[&str]) -> String {
    let (code, out, err) = exec(sb, c, argv).await;
    assert_eq!(code, 0, "{argv:?} failed: {out}{err}");
    out
}

/// A four-letter word sent from inside the pod, as the seeds and the issue do.
async fn four_letter(sb: &Sandbox, c: &Container, word: &str) -> String {
    let script = format!("printf {word} | nc -N -w 5 localhost 2181");
    exec(sb, c, &["sh", "-c", &script]).await.1
}

/// The `Mode:` each member reports to `srvr` (None while it serves no requests).
async fn modes(pods: &[(Sandbox, Container)]) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for (sb, c) in pods {
        let srvr = four_letter(sb, c, "srvr").await;
        out.push(
            srvr.lines()
                .find_map(|l| l.strip_prefix("Mode: "))
                .map(str::to_owned),
        );
    }
    out
}

/// Waits until every member serves, one as leader and the others as followers.
async fn wait_for_quorum(pods: &[(Sandbox, Container)], logs: &[PathBuf]) {
    let deadline = Instant::now() + ELECTION;
    loop {
        let m = modes(pods).await;
        let leaders = m.iter().filter(|x| x.as_deref() == Some("leader")).count();
        let followers = m
            .iter()
            .filter(|x| x.as_deref() == Some("follower"))
            .count();
        if leaders == 1 && followers == pods.len() - 1 {
            return;
        }
        for (i, (_, c)) in pods.iter().enumerate() {
            if let Some(exit) = c.try_status() {
                let log = std::fs::read_to_string(&logs[i]).unwrap_or_default();
                panic!("zk-{i} exited ({exit}) before a quorum formed; log:\n{log}");
            }
        }
        if Instant::now() > deadline {
            let tails: Vec<String> = logs
                .iter()
                .map(|l| {
                    let log = std::fs::read_to_string(l).unwrap_or_default();
                    let lines: Vec<&str> = log.lines().collect();
                    lines[lines.len().saturating_sub(15)..].join("\n")
                })
                .collect();
            panic!("no quorum: modes {m:?}; logs:\n{}", tails.join("\n----\n"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Resident memory of every process of a container: the processes of its session (the runtime
/// makes the main process a session leader; exec'd commands get sessions of their own).
fn container_rss_kb(c: &Container) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after "(comm)": state ppid pgrp session …
        let session = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(3))
            .and_then(|s| s.parse::<u32>().ok());
        if session != Some(c.pid()) {
            continue;
        }
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        total += status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
    }
    total
}

fn assert_rss_under_limit(pods: &[(Sandbox, Container)]) {
    let per_pod: Vec<u64> = pods.iter().map(|(_, c)| container_rss_kb(c)).collect();
    let total: u64 = per_pod.iter().sum();
    assert!(
        per_pod.iter().all(|kb| *kb > 10 * 1024),
        "RSS per pod (kB): {per_pod:?}"
    );
    assert!(
        total < RSS_LIMIT_KB,
        "three ZooKeeper pods use {total} kB RSS together (per pod {per_pod:?})"
    );
    eprintln!("RSS per pod (kB): {per_pod:?}, total {} MB", total / 1024);
}

/// SIGTERM reaches the server (the scripts `exec` down to the JVM): it stops well within the grace.
async fn assert_stops_on_sigterm(c: &Container) {
    let begun = Instant::now();
    let exit = c.stop(Duration::from_secs(20)).await;
    assert_ne!(exit.signal, Some(9), "the server ignored SIGTERM: {exit}");
    assert!(
        begun.elapsed() < Duration::from_secs(10),
        "took {:?}",
        begun.elapsed()
    );
}

/// A GET from the host to a pod's IP: (status code, body).
async fn http_get(ip: Ipv4Addr, port: u16, path: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect((ip, port))
        .await
        .expect("connect");
    let request = format!("GET {path} HTTP/1.0\r\nHost: {ip}:{port}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("receive");
    let response = String::from_utf8_lossy(&response).into_owned();
    let code = response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (code, body)
}

/// Three sandboxes zk-0..2 with FQDNs in the headless Service's domain, each knowing the others,
/// and a volume directory for each.
async fn ensemble_sandboxes(net: &ClusterNet, dir: &Path) -> (Vec<Sandbox>, Vec<PathBuf>) {
    let mut sandboxes = Vec::new();
    let mut volumes = Vec::new();
    for i in 0..3 {
        let name = format!("zk-{i}");
        let spec = SandboxSpec {
            uid: format!("uid-{name}"),
            namespace: "default".into(),
            name: name.clone(),
            hostname: name.clone(),
            fqdn: Some(fqdn(i)),
        };
        sandboxes.push(Sandbox::create(net, &spec).await.expect("sandbox"));
        let volume = dir.join("volumes").join(&name);
        std::fs::create_dir_all(&volume).expect("volume dir");
        volumes.push(volume);
    }
    let names: Vec<(Ipv4Addr, Vec<String>)> = sandboxes
        .iter()
        .enumerate()
        .map(|(i, sb)| (sb.ip(), vec![fqdn(i), format!("zk-{i}.zk-hs")]))
        .collect();
    for sb in &sandboxes {
        sb.set_hosts(&names).await.expect("hosts");
    }
    (sandboxes, volumes)
}

/// The `world` line of `zkCli.sh get /hello` from a pod (retried while the client cannot connect).
async fn zkcli_get_hello(sb: &Sandbox, c: &Container) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (code, out, err) = exec(sb, c, &["zkCli.sh", "get", "/hello"]).await;
        if code == 0 && out.lines().any(|l| l == "world") {
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "zkCli.sh get /hello: {code}\n{out}\n{err}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubernetes_zookeeper_pods_behave_like_the_seeds() {
    require_root();
    with_timeout(async {
        let dir = state_dir("k8s");
        let net = ClusterNet::create(&dir).await.expect("cluster net");
        let (sandboxes, volumes) = ensemble_sandboxes(&net, &dir).await;
        let images = [
            "k8s.gcr.io/kubernetes-zookeeper:1.0-3.4.10",
            "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
            "k8s.gcr.io/kubernetes-zookeeper:1.0-3.4.10",
        ];
        let mut pods = Vec::new();
        let mut logs = Vec::new();
        for (i, sb) in sandboxes.iter().enumerate() {
            // The seeds' StatefulSet: sh -c "start-zookeeper …", runAsUser and fsGroup 1000, the
            // claim at /var/lib/zookeeper.
            let spec = ContainerSpec {
                name: "kubernetes-zookeeper".into(),
                image: images[i].into(),
                command: strings(&["sh", "-c", SEED_COMMAND]),
                mounts: vec![Mount {
                    host_path: volumes[i].clone(),
                    container_path: "/var/lib/zookeeper".into(),
                    read_only: false,
                }],
                run_as_user: Some(1000),
                fs_group: Some(1000),
                ..Default::default()
            };
            let log = dir.join("logs").join(format!("zk-{i}.log"));
            let c = sb.start(&spec, &log).await.expect("start zk");
            pods.push((sb.clone(), c));
            logs.push(log);
        }

        // The readiness probe's command passes on every member.
        for (i, (sb, c)) in pods.iter().enumerate() {
            eventually(
                &format!("zookeeper-ready 2181 on zk-{i}"),
                ELECTION,
                async || exec(sb, c, &["sh", "-c", "zookeeper-ready 2181"]).await.0 == 0,
            )
            .await;
        }
        wait_for_quorum(&pods, &logs).await;

        // What the seeds show.
        let expected_cfg = format!(
            "#This file was autogenerated DO NOT EDIT\n\
             clientPort=2181\n\
             dataDir=/var/lib/zookeeper/data\n\
             dataLogDir=/var/lib/zookeeper/data/log\n\
             tickTime=2000\n\
             initLimit=10\n\
             syncLimit=5\n\
             maxClientCnxns=60\n\
             minSessionTimeout=4000\n\
             maxSessionTimeout=40000\n\
             autopurge.snapRetainCount=3\n\
             autopurge.purgeInteval=12\n\
             server.1={}:2888:3888\n\
             server.2={}:2888:3888\n\
             server.3={}:2888:3888\n",
            fqdn(0),
            fqdn(1),
            fqdn(2)
        );
        for (i, (sb, c)) in pods.iter().enumerate() {
            assert_eq!(
                exec_ok(sb, c, &["hostname"]).await.trim(),
                format!("zk-{i}")
            );
            assert_eq!(exec_ok(sb, c, &["hostname", "-f"]).await.trim(), fqdn(i));
            assert_eq!(
                exec_ok(sb, c, &["cat", "/var/lib/zookeeper/data/myid"]).await,
                format!("{}\n", i + 1)
            );
            assert_eq!(
                exec_ok(sb, c, &["cat", "/opt/zookeeper/conf/zoo.cfg"]).await,
                expected_cfg
            );
            assert_eq!(exec_ok(sb, c, &["id", "-un"]).await.trim(), "zookeeper");
            // On the claim, as on a real volume: the data survives the pod.
            assert!(volumes[i].join("data/myid").is_file());
            assert!(volumes[i].join("data/log/version-2").is_dir());
        }
        let java_env = exec_ok(
            &pods[0].0,
            &pods[0].1,
            &["cat", "/opt/zookeeper/conf/java.env"],
        )
        .await;
        assert_eq!(java_env, "JVMFLAGS=\"-Xmx512M -Xms512M\"\n");

        // zkCli.sh without -server talks to localhost:2181: write on zk-0, read on zk-1.
        let (sb0, c0) = &pods[0];
        let (code, out, err) = exec(sb0, c0, &["zkCli.sh", "create", "/hello", "world"]).await;
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("Connecting to localhost:2181"), "{out}");
        // 3.4's zkCli prints this on stderr, its log on stdout.
        assert!(err.lines().any(|l| l == "Created /hello"), "{out}{err}");
        let (sb1, c1) = &pods[1];
        zkcli_get_hello(sb1, c1).await;

        // ZooKeeper 3.4.10 itself: every four-letter word answered, no AdminServer.
        let srvr = four_letter(sb1, c1, "srvr").await;
        assert!(srvr.starts_with("Zookeeper version: 3.4.10-"), "{srvr}");
        let mntr = four_letter(sb1, c1, "mntr").await;
        assert!(mntr.contains("zk_server_state\t"), "{mntr}");
        assert_eq!(four_letter(sb1, c1, "ruok").await, "imok");
        let (sb2, c2) = &pods[2];
        assert!(
            matches!(
                probe_tcp(sb2.ip(), 8080, Duration::from_secs(1)).await,
                ProbeResult::Failure(_)
            ),
            "the 3.4 image has no AdminServer"
        );
        let status = exec(sb2, c2, &["zkServer.sh", "status"]).await;
        assert_eq!(status.0, 0, "{status:?}");
        assert!(
            status
                .1
                .lines()
                .any(|l| l == "Mode: leader" || l == "Mode: follower"),
            "{status:?}"
        );
        // The container's log is ZooKeeper's log.
        let log = std::fs::read_to_string(&logs[0]).expect("log");
        assert!(log.contains("QuorumPeer"), "{log}");

        // The seed's failover watcher runs `echo stats | nc zk-N.zk-hs 2181` in a busybox pod.
        let bbox = Sandbox::create(
            &net,
            &SandboxSpec {
                uid: "uid-bbox".into(),
                namespace: "default".into(),
                name: "bbox".into(),
                hostname: "bbox".into(),
                fqdn: None,
            },
        )
        .await
        .expect("busybox sandbox");
        let names: Vec<(Ipv4Addr, Vec<String>)> = sandboxes
            .iter()
            .enumerate()
            .map(|(i, sb)| (sb.ip(), vec![fqdn(i), format!("zk-{i}.zk-hs")]))
            .collect();
        bbox.set_hosts(&names).await.expect("hosts");
        let watcher = ContainerSpec {
            name: "bbox".into(),
            image: "busybox".into(),
            command: strings(&["sh", "-c", "while :; do sleep 1; done"]),
            ..Default::default()
        };
        let bc = bbox
            .start(&watcher, &dir.join("logs/bbox.log"))
            .await
            .expect("busybox");
        let mut seen = Vec::new();
        for i in 0..3 {
            let script = format!("echo zk-{i} $(echo stats | nc zk-{i}.zk-hs 2181 | grep Mode)");
            let deadline = Instant::now() + Duration::from_secs(10);
            let line = loop {
                // `echo stats | nc` loses a reply now and then (the newline resets the connection).
                let out = exec_ok(&bbox, &bc, &["sh", "-c", &script]).await;
                if out.contains("Mode: ") || Instant::now() > deadline {
                    break out;
                }
            };
            seen.push(line.trim().to_owned());
        }
        assert_eq!(
            seen.iter().filter(|l| l.ends_with("Mode: leader")).count(),
            1,
            "{seen:?}"
        );
        assert_eq!(
            seen.iter()
                .filter(|l| l.ends_with("Mode: follower"))
                .count(),
            2,
            "{seen:?}"
        );

        assert_rss_under_limit(&pods);
        assert_stops_on_sigterm(&pods[0].1).await;

        net.destroy().await.expect("destroy");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docker_library_zookeeper_pods_use_zoo_env_or_a_mounted_config() {
    require_root();
    with_timeout(async {
        let dir = state_dir("lib");
        let net = ClusterNet::create(&dir).await.expect("cluster net");
        let (sandboxes, volumes) = ensemble_sandboxes(&net, &dir).await;
        let servers: Vec<String> = (0..3)
            .map(|i| format!("server.{}={}:2888:3888;2181", i + 1, fqdn(i)))
            .collect();

        // zk-2 gets kubectl-zk's official flavour: zoo.cfg and logback.xml from a ConfigMap,
        // read-only at /conf, as uid 1000 with fsGroup 1000, ZOO_DATA_LOG_DIR=/data/log.
        let configmap = dir.join("volumes/config");
        std::fs::create_dir_all(&configmap).expect("configmap dir");
        let mounted_cfg = format!(
            "# Written by kubectl-zk for ensemble zk in namespace default.\n\
             tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/data\ndataLogDir=/data/log\n\
             clientPort=2181\nmaxClientCnxns=60\nstandaloneEnabled=false\nreconfigEnabled=false\n\
             quorumListenOnAllIPs=true\nadmin.enableServer=true\nadmin.serverPort=8080\n\
             4lw.commands.whitelist=srvr,stat,mntr,conf,ruok,isro\n{}\n",
            servers.join("\n")
        );
        std::fs::write(configmap.join("zoo.cfg"), &mounted_cfg).expect("zoo.cfg");
        std::fs::write(
            configmap.join("logback.xml"),
            "<configuration>\n  <root level=\"INFO\">\n    <appender-ref ref=\"CONSOLE\" />\n  </root>\n</configuration>\n",
        )
        .expect("logback.xml");

        // Three spellings of one release (3.9 is the newest 3.9 in the cache).
        let images = ["zookeeper:3.9.4", "docker.io/library/zookeeper:3.9.4-jre-17", "zookeeper:3.9"];
        let mut pods = Vec::new();
        let mut logs = Vec::new();
        for (i, sb) in sandboxes.iter().enumerate() {
            let data = Mount {
                host_path: volumes[i].clone(),
                container_path: "/data".into(),
                read_only: false,
            };
            let mut spec = ContainerSpec {
                name: "zookeeper".into(),
                image: images[i].into(),
                command: strings(&["/bin/bash", "-c", OFFICIAL_COMMAND]),
                env: vec![("ZK_SERVER_HEAP".into(), "512".into())],
                mounts: vec![data],
                ..Default::default()
            };
            if i < 2 {
                // Configured through ZOO_* env, started as root: the entrypoint drops to 1000.
                spec.env.push(("ZOO_SERVERS".into(), servers.join(" ")));
            } else {
                spec.env.push(("ZOO_DATA_LOG_DIR".into(), "/data/log".into()));
                spec.mounts.push(Mount {
                    host_path: configmap.clone(),
                    container_path: "/conf".into(),
                    read_only: true,
                });
                spec.run_as_user = Some(1000);
                spec.fs_group = Some(1000);
            }
            let log = dir.join("logs").join(format!("zk-{i}.log"));
            let c = sb.start(&spec, &log).await.expect("start zk");
            pods.push((sb.clone(), c));
            logs.push(log);
        }
        wait_for_quorum(&pods, &logs).await;

        // zk-0 and zk-1: zoo.cfg generated from the ZOO_* defaults and ZOO_SERVERS.
        let generated = format!(
            "dataDir=/data\ndataLogDir=/datalog\ntickTime=2000\ninitLimit=5\nsyncLimit=2\n\
             autopurge.snapRetainCount=3\nautopurge.purgeInterval=0\nmaxClientCnxns=60\n\
             standaloneEnabled=true\nadmin.enableServer=true\n{}\n",
            servers.join("\n")
        );
        for (i, (sb, c)) in pods.iter().enumerate() {
            assert_eq!(
                exec_ok(sb, c, &["cat", "/data/myid"]).await,
                format!("{}\n", i + 1)
            );
            let cfg = exec_ok(sb, c, &["cat", "/conf/zoo.cfg"]).await;
            if i < 2 {
                assert_eq!(cfg, generated, "zk-{i}");
                // Root chowned the directories, then the server runs as zookeeper (1000).
                let owners = exec_ok(sb, c, &["stat", "-c", "%U:%G", "/data", "/datalog", "/logs", "/conf"]).await;
                assert_eq!(owners, "zookeeper:zookeeper\n".repeat(4), "zk-{i}");
            } else {
                assert_eq!(cfg, mounted_cfg, "the mounted zoo.cfg is used as is");
                assert!(volumes[2].join("log/version-2").is_dir());
            }
            let status = std::fs::read_to_string(format!("/proc/{}/status", c.pid())).expect("status");
            assert!(
                status.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("1000")),
                "zk-{i} runs as 1000: {status}"
            );
            let passwd = exec_ok(sb, c, &["getent", "passwd", "zookeeper"]).await;
            assert!(passwd.starts_with("zookeeper:x:1000:1000:"), "{passwd}");
        }

        for (sb, c) in &pods {
            let srvr = four_letter(sb, c, "srvr").await;
            assert!(srvr.starts_with("Zookeeper version: 3.9.4-"), "{srvr}");
        }
        // The default whitelist is srvr alone; the mounted config allows mntr.
        let (sb0, c0) = &pods[0];
        assert_eq!(
            four_letter(sb0, c0, "mntr").await.trim_end(),
            "mntr is not executed because it is not in the whitelist."
        );
        let (sb2, c2) = &pods[2];
        assert!(four_letter(sb2, c2, "mntr").await.contains("zk_server_state\t"));

        // The AdminServer on 8080 is not limited by the whitelist.
        let mut leader_ids = Vec::new();
        for (sb, _) in &pods {
            let (code, body) = http_get(sb.ip(), 8080, "/commands/leader").await;
            assert_eq!(code, 200, "{body}");
            let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
            assert_eq!(json["command"], "leader", "{body}");
            leader_ids.push(json["leader_id"].as_i64().expect("leader_id"));
            let ip = json["leader_ip"].as_str().expect("leader_ip");
            assert!(ip.ends_with(DOMAIN), "{body}");
        }
        assert!(leader_ids.iter().all(|id| *id == leader_ids[0]), "{leader_ids:?}");

        // zkServer.sh status and zkCli.sh as in the image.
        let (sb1, c1) = &pods[1];
        let status = exec(sb1, c1, &["zkServer.sh", "status"]).await;
        assert_eq!(status.0, 0, "{status:?}");
        assert!(status.1.lines().any(|l| l.starts_with("Mode: ")), "{status:?}");
        let (code, out, err) = exec(sb1, c1, &["zkCli.sh", "create", "/hello", "world"]).await;
        assert_eq!(code, 0, "{out}{err}");
        assert!(err.lines().any(|l| l == "Created /hello"), "{out}{err}");
        zkcli_get_hello(sb2, c2).await;

        assert_rss_under_limit(&pods);
        assert_stops_on_sigterm(&pods[0].1).await;

        net.destroy().await.expect("destroy");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
