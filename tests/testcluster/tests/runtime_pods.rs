//! The pod runtime seen from outside: real processes in network, mount and UTS namespaces on a
//! cluster bridge. Needs root (network namespaces, mounts, cgroups) and `nc` (netcat-openbsd).

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use testcluster::runtime::{
    ClusterNet, Container, ContainerSpec, Mount, ProbeResult, Sandbox, SandboxSpec, SpawnError,
    cleanup_leftovers, probe_exec, probe_http, probe_tcp,
};

/// Every test finishes well within this, or fails.
const TEST_TIMEOUT: Duration = Duration::from_secs(40);

/// A fresh state dir for one test, under /tmp.
fn state_dir(test: &str) -> PathBuf {
    state_dir_in("/tmp", test)
}

fn state_dir_in(parent: &str, test: &str) -> PathBuf {
    let dir = PathBuf::from(format!("{parent}/tc-runtime-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating the test's state dir");
    dir
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn pod(name: &str, fqdn: Option<&str>) -> SandboxSpec {
    SandboxSpec {
        uid: format!("uid-{name}"),
        namespace: "default".into(),
        name: name.into(),
        hostname: name.into(),
        fqdn: fqdn.map(str::to_owned),
    }
}

fn busybox(name: &str, command: &[&str]) -> ContainerSpec {
    ContainerSpec {
        name: name.into(),
        image: "busybox:1.36".into(),
        command: strings(command),
        ..Default::default()
    }
}

/// A container that idles until stopped.
fn idle(name: &str) -> ContainerSpec {
    busybox(name, &["sh", "-c", "while :; do sleep 1; done"])
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

async fn exec_stdout(sb: &Sandbox, c: &Container, argv: &[&str]) -> String {
    let (code, out, err) = exec(sb, c, argv).await;
    assert_eq!(code, 0, "{argv:?} failed: {out}{err}");
    out.trim_end().to_owned()
}

/// Polls a condition until it holds or the deadline passes.
async fn eventually(what: &str, timeout: Duration, mut cond: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ip_out(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("running ip");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn file_log(dir: &Path, name: &str) -> PathBuf {
    dir.join("logs").join(format!("{name}.log"))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_reach_each_other_by_name_and_see_their_own_names() {
    require_root();
    with_timeout(async {
        let dir = state_dir("talk");
        let net = ClusterNet::create(&dir).await.expect("cluster net");
        let a = Sandbox::create(
            &net,
            &pod("web-0", Some("web-0.web.default.svc.cluster.local")),
        )
        .await
        .expect("sandbox a");
        let b = Sandbox::create(&net, &pod("client", None))
            .await
            .expect("sandbox b");
        assert_ne!(a.ip(), b.ip());
        assert!(net.subnet().contains(a.ip()) && net.subnet().contains(b.ip()));
        let names = vec![
            (
                a.ip(),
                strings(&["web-0.web.default.svc.cluster.local", "web-0.web"]),
            ),
            (b.ip(), strings(&["client"])),
        ];
        a.set_hosts(&names).await.expect("hosts a");
        b.set_hosts(&names).await.expect("hosts b");

        // A listener in pod a writing what it receives to a volume.
        let volume = dir.join("volumes/data");
        std::fs::create_dir_all(&volume).expect("volume dir");
        let mut listener = busybox("server", &["sh", "-c", "nc -l -p 7000 > /data/received"]);
        listener.mounts = vec![Mount {
            host_path: volume.clone(),
            container_path: "/data".into(),
            read_only: false,
        }];
        let server = a
            .start(&listener, &file_log(&dir, "server"))
            .await
            .expect("start server");
        let client = b
            .start(&idle("client"), &file_log(&dir, "client"))
            .await
            .expect("start client");

        assert_eq!(exec_stdout(&a, &server, &["hostname"]).await, "web-0");
        assert_eq!(
            exec_stdout(&a, &server, &["hostname", "-f"]).await,
            "web-0.web.default.svc.cluster.local"
        );
        assert_eq!(exec_stdout(&b, &client, &["hostname"]).await, "client");
        assert_eq!(
            exec_stdout(&b, &client, &["hostname", "-i"]).await,
            b.ip().to_string()
        );

        // The listener may take a moment to bind: retry the connect until it is accepted.
        eventually(
            "the client to reach web-0.web:7000",
            Duration::from_secs(10),
            async || {
                exec(
                    &b,
                    &client,
                    &[
                        "sh",
                        "-c",
                        "printf 'hello from client' | nc -N -w 2 web-0.web 7000",
                    ],
                )
                .await
                .0 == 0
            },
        )
        .await;
        let exit = tokio::time::timeout(Duration::from_secs(10), server.wait())
            .await
            .expect("server exits after one connection");
        assert!(exit.success(), "server: {exit}");
        // Written inside the pod, visible on the host, after the container is gone.
        assert_eq!(
            std::fs::read_to_string(volume.join("received")).expect("received file"),
            "hello from client"
        );

        net.destroy().await.expect("destroy");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_updates_reach_running_containers_and_pods_are_isolated() {
    require_root();
    with_timeout(async {
        // Outside /tmp, so hiding the state dir inside pods takes its own mount.
        let dir = state_dir_in("/var/tmp", "hosts");
        let net = ClusterNet::create(&dir).await.expect("cluster net");
        let a = Sandbox::create(&net, &pod("a", None)).await.expect("sandbox a");
        let b = Sandbox::create(&net, &pod("b", None)).await.expect("sandbox b");
        let ca = a.start(&idle("main"), &file_log(&dir, "a")).await.expect("start a");
        let cb = b.start(&idle("main"), &file_log(&dir, "b")).await.expect("start b");

        let hosts = exec_stdout(&a, &ca, &["cat", "/etc/hosts"]).await;
        assert_eq!(hosts.lines().nth(1), Some(format!("{}\ta", a.ip()).as_str()), "{hosts}");
        assert!(!hosts.contains("zk-1"));
        a.set_hosts(&[(Ipv4Addr::new(10, 213, 250, 7), strings(&["zk-1.zk-hs.default.svc.cluster.local", "zk-1.zk-hs"]))])
            .await
            .expect("set hosts");
        assert_eq!(exec_stdout(&a, &ca, &["getent", "hosts", "zk-1.zk-hs"]).await.split_whitespace().next(), Some("10.213.250.7"));
        // Pod b's file is its own.
        assert!(!exec_stdout(&b, &cb, &["cat", "/etc/hosts"]).await.contains("zk-1"));

        // /tmp and the root file system are per container; the host never changes.
        let host_passwd = std::fs::read("/etc/passwd").expect("host passwd");
        exec_stdout(&a, &ca, &["sh", "-c", "echo secret > /tmp/mine && echo 'evil:x:0:0::/:/bin/sh' >> /etc/passwd && touch /etc/a-was-here"]).await;
        assert_eq!(exec_stdout(&a, &ca, &["cat", "/tmp/mine"]).await, "secret");
        assert!(exec_stdout(&a, &ca, &["cat", "/etc/passwd"]).await.contains("evil"));
        assert_eq!(exec(&b, &cb, &["cat", "/tmp/mine"]).await.0, 1);
        assert!(!exec_stdout(&b, &cb, &["cat", "/etc/passwd"]).await.contains("evil"));
        assert_eq!(std::fs::read("/etc/passwd").expect("host passwd"), host_passwd);
        assert!(!Path::new("/etc/a-was-here").exists());
        // The cluster's state (other pods' volumes) is not visible inside.
        let listing = exec(&a, &ca, &["ls", "-A", dir.to_str().expect("utf-8 path")]).await.1;
        assert_eq!(listing.trim(), "", "state dir visible in pod: {listing}");

        net.destroy().await.expect("destroy");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_reports_exit_codes_output_env_and_missing_commands() {
    require_root();
    with_timeout(async {
        let dir = state_dir("exec");
        let net = ClusterNet::create(&dir).await.expect("cluster net");
        let sb = Sandbox::create(&net, &pod("p", None))
            .await
            .expect("sandbox");
        let mut spec = idle("main");
        spec.env = vec![("GREETING".into(), "hello world".into())];
        spec.working_dir = Some("/work/dir".into());
        let c = sb
            .start(&spec, &file_log(&dir, "main"))
            .await
            .expect("start");

        let (code, out, err) = exec(&sb, &c, &["sh", "-c", "echo out; echo err >&2; exit 3"]).await;
        assert_eq!((code, out.as_str(), err.as_str()), (3, "out\n", "err\n"));
        assert_eq!(
            exec_stdout(
                &sb,
                &c,
                &["sh", "-c", "echo \"$GREETING|$HOSTNAME|$HOME|$PWD\""]
            )
            .await,
            "hello world|p|/root|/work/dir"
        );
        let extra = sb
            .exec(
                &c,
                &strings(&["sh", "-c", "echo $GREETING"]),
                &[("GREETING".into(), "hi".into())],
            )
            .await
            .expect("exec");
        assert_eq!(
            String::from_utf8_lossy(&extra.output().await.expect("output").stdout),
            "hi\n"
        );

        // stdin is a pipe.
        let mut cat = sb
            .exec(&c, &strings(&["cat"]), &[])
            .await
            .expect("exec cat");
        let mut stdin = cat.stdin.take().expect("stdin");
        tokio::io::AsyncWriteExt::write_all(&mut stdin, b"piped")
            .await
            .expect("write stdin");
        drop(stdin);
        assert_eq!(cat.output().await.expect("cat output").stdout, b"piped");

        let err = sb
            .exec(&c, &strings(&["no-such-command"]), &[])
            .await
            .err()
            .expect("missing command fails");
        let spawn = err.downcast_ref::<SpawnError>().expect("a SpawnError");
        assert_eq!(
            spawn.to_string(),
            "exec: \"no-such-command\": executable file not found in $PATH"
        );

        // Probes: exec, tcp and http against the pod.
        let ok = probe_exec(&sb, &c, &strings(&["true"]), Duration::from_secs(2)).await;
        assert_eq!(ok, ProbeResult::Success);
        let slow = probe_exec(
            &sb,
            &c,
            &strings(&["sleep", "5"]),
            Duration::from_millis(300),
        )
        .await;
        assert!(
            matches!(&slow, ProbeResult::Failure(m) if m.contains("timed out")),
            "{slow:?}"
        );
        let refused = probe_tcp(sb.ip(), 8080, Duration::from_secs(1)).await;
        assert!(
            matches!(&refused, ProbeResult::Failure(m) if m.contains("connection refused")),
            "{refused:?}"
        );
        let _web = sb
            .exec(
                &c,
                &strings(&["python3", "-m", "http.server", "--bind", "0.0.0.0", "8080"]),
                &[],
            )
            .await
            .expect("web server");
        eventually(
            "the web server to listen",
            Duration::from_secs(10),
            async || {
                probe_tcp(sb.ip(), 8080, Duration::from_secs(1))
                    .await
                    .is_success()
            },
        )
        .await;
        assert_eq!(
            probe_http(sb.ip(), 8080, "/", Duration::from_secs(2)).await,
            ProbeResult::Success
        );
        assert_eq!(
            probe_http(sb.ip(), 8080, "/missing", Duration::from_secs(2)).await,
            ProbeResult::Failure("HTTP probe failed with statuscode: 404".into())
        );

        // An exited container cannot be exec'd into.
        c.stop(Duration::from_secs(2)).await;
        let err = sb
            .exec(&c, &strings(&["true"]), &[])
            .await
            .err()
            .expect("exec into a stopped container fails");
        assert!(
            matches!(
                err.downcast_ref::<SpawnError>(),
                Some(SpawnError::NotRunning)
            ),
            "{err:#}"
        );

        net.destroy().await.expect("destroy");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_as_user_and_fs_group_apply_to_process_and_volumes() {
    require_root();
    with_timeout(async {
        let dir = state_dir("user");
        let net = ClusterNet::create(&dir).await.expect("cluster net");
        let sb = Sandbox::create(&net, &pod("p", None))
            .await
            .expect("sandbox");
        let volume = dir.join("volumes/data");
        std::fs::create_dir_all(&volume).expect("volume dir");
        let mut spec = idle("main");
        spec.run_as_user = Some(1234);
        spec.run_as_group = Some(1235);
        spec.fs_group = Some(2345);
        spec.mounts = vec![Mount {
            host_path: volume.clone(),
            container_path: "/var/lib/app/data".into(),
            read_only: false,
        }];
        let c = sb
            .start(&spec, &file_log(&dir, "main"))
            .await
            .expect("start");

        assert_eq!(exec_stdout(&sb, &c, &["id", "-u"]).await, "1234");
        assert_eq!(exec_stdout(&sb, &c, &["id", "-g"]).await, "1235");
        assert!(
            exec_stdout(&sb, &c, &["id", "-G"])
                .await
                .split_whitespace()
                .any(|g| g == "2345")
        );
        // The volume is group-writable for the fsGroup, with the setgid bit: the user can write.
        exec_stdout(&sb, &c, &["sh", "-c", "echo data > /var/lib/app/data/file"]).await;
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(&volume).expect("volume");
        assert_eq!(meta.gid(), 2345);
        assert_eq!(meta.mode() & 0o2070, 0o2070);
        let file = std::fs::metadata(volume.join("file")).expect("file written in pod");
        assert_eq!((file.uid(), file.gid()), (1234, 2345));
        // The process itself runs as that user too.
        let status = std::fs::read_to_string(format!("/proc/{}/status", c.pid())).expect("status");
        assert!(
            status
                .lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("1234")),
            "{status}"
        );

        net.destroy().await.expect("destroy");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_sends_sigterm_then_sigkill_after_grace_and_kills_daemons() {
    require_root();
    with_timeout(async {
        let dir = state_dir("stop");
        let net = ClusterNet::create(&dir).await.expect("cluster net");
        let sb = Sandbox::create(&net, &pod("p", None)).await.expect("sandbox");

        // Exits on SIGTERM.
        let polite = sb.start(&idle("polite"), &file_log(&dir, "polite")).await.expect("start");
        let begun = Instant::now();
        let exit = polite.stop(Duration::from_secs(5)).await;
        assert_eq!((exit.signal, exit.exit_code()), (Some(15), 143));
        assert!(begun.elapsed() < Duration::from_secs(3), "took {:?}", begun.elapsed());

        // Ignores SIGTERM: killed after the grace period. A daemon it started dies with it.
        let log = file_log(&dir, "stubborn");
        let stubborn = busybox("stubborn", &["sh", "-c", "trap 'echo got TERM' TERM; setsid sleep 1001 & echo started; while :; do sleep 0.1; done"]);
        let c = sb.start(&stubborn, &log).await.expect("start");
        eventually("the container to start", Duration::from_secs(5), async || {
            std::fs::read_to_string(&log).unwrap_or_default().contains("started")
        })
        .await;
        let daemon = exec_stdout(&sb, &c, &["pgrep", "-f", "sleep 1001"]).await;
        let daemon: u32 = daemon.lines().next().and_then(|l| l.trim().parse().ok()).expect("daemon pid");
        let begun = Instant::now();
        let exit = c.stop(Duration::from_secs(1)).await;
        let took = begun.elapsed();
        assert_eq!(exit.signal, Some(9), "{exit}");
        assert_eq!(exit.exit_code(), 137);
        assert!(took >= Duration::from_secs(1) && took < Duration::from_secs(5), "took {took:?}");
        assert!(std::fs::read_to_string(&log).expect("log").contains("got TERM"));
        eventually("the daemon to die", Duration::from_secs(5), async || !Path::new(&format!("/proc/{daemon}")).exists()).await;

        // A restarted container gets a new log file; the previous one stays.
        let again = sb.start(&busybox("stubborn", &["sh", "-c", "echo second run"]), &file_log(&dir, "stubborn-2")).await.expect("restart");
        assert!(again.wait().await.success());
        assert_eq!(std::fs::read_to_string(file_log(&dir, "stubborn-2")).expect("new log"), "second run\n");
        assert!(std::fs::read_to_string(&log).expect("old log").contains("started"));

        net.destroy().await.expect("destroy");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

/// The OS objects named with a cluster id: network namespaces, links with their ifindex (never
/// reused, so a link re-created under the same name by a later cluster is told apart), the lock file.
fn objects_of(cluster_id: &str) -> Vec<String> {
    let x = cluster_id.trim_start_matches("tc");
    let mut found: Vec<String> = ip_out(&["netns", "list"])
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(&format!("{cluster_id}-")))
        .map(|n| format!("netns {n}"))
        .collect();
    found.extend(
        ip_out(&["-o", "link", "show"])
            .lines()
            .filter_map(|l| {
                let mut parts = l.split(": ");
                let index = parts.next()?;
                let name = parts.next()?;
                Some((
                    index.to_owned(),
                    name.split('@').next().unwrap_or(name).to_owned(),
                ))
            })
            .filter(|(_, n)| n.starts_with(&format!("tcv{x}-")) || *n == format!("tcbr{x}"))
            .map(|(i, n)| format!("link {n} {i}")),
    );
    if Path::new(&format!("/run/testcluster/subnets/{x}.lock")).exists() {
        found.push(format!("lock {x}"));
    }
    found
}

/// Which of `before` (from [`objects_of`]) still exist. Subnet X is free once its cluster is gone,
/// and a cluster of a parallel test may take it over (purging the old objects first): then names
/// alone say nothing, and only links are compared (by ifindex).
fn still_there(cluster_id: &str, before: &[String], state_dir: &Path) -> Vec<String> {
    let x = cluster_id.trim_start_matches("tc");
    let holder =
        std::fs::read_to_string(format!("/run/testcluster/subnets/{x}.lock")).unwrap_or_default();
    let taken_over = !holder.is_empty() && !holder.contains(state_dir.to_str().unwrap_or("?"));
    let now = objects_of(cluster_id);
    before
        .iter()
        .filter(|o| now.contains(o) && (o.starts_with("link ") || !taken_over))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clusters_get_their_own_subnets_and_destroy_leaves_nothing() {
    require_root();
    with_timeout(async {
        let (d1, d2) = (state_dir("net1"), state_dir("net2"));
        let (n1, n2) = (
            ClusterNet::create(&d1).await.expect("net 1"),
            ClusterNet::create(&d2).await.expect("net 2"),
        );
        assert_ne!(n1.subnet(), n2.subnet());
        assert_ne!(n1.cluster_id(), n2.cluster_id());
        let s1 = Sandbox::create(&n1, &pod("p", None))
            .await
            .expect("sandbox 1");
        let s2 = Sandbox::create(&n2, &pod("p", None))
            .await
            .expect("sandbox 2");
        let c1 = s1
            .start(&idle("main"), &file_log(&d1, "main"))
            .await
            .expect("start 1");
        let c2 = s2
            .start(&idle("main"), &file_log(&d2, "main"))
            .await
            .expect("start 2");
        let id1 = n1.cluster_id();
        assert_eq!(objects_of(&id1).len(), 4, "{:?}", objects_of(&id1)); // netns, veth, bridge, lock
        // Pods of one cluster cannot reach the other cluster's pods (no route out of their subnet).
        let cross = exec(
            &s1,
            &c1,
            &["nc", "-z", "-w", "1", &s2.ip().to_string(), "80"],
        )
        .await;
        assert_ne!(cross.0, 0);
        assert!(
            cross.2.contains("unreachable") || cross.2.is_empty(),
            "{cross:?}"
        );

        // Destroying a sandbox removes its namespace and veth and kills its processes.
        let pid2 = c2.pid();
        s2.destroy().await.expect("destroy sandbox 2");
        let id2 = n2.cluster_id();
        assert_eq!(objects_of(&id2).len(), 2, "{:?}", objects_of(&id2)); // bridge, lock
        eventually(
            "the pod's process to die",
            Duration::from_secs(5),
            async || !Path::new(&format!("/proc/{pid2}")).exists(),
        )
        .await;

        let pid1 = c1.pid();
        let (before1, before2) = (objects_of(&id1), objects_of(&id2));
        n1.destroy().await.expect("destroy 1");
        n2.destroy().await.expect("destroy 2");
        assert_eq!(still_there(&id1, &before1, &d1), Vec::<String>::new());
        // A sandbox outliving its cluster is dead: it starts nothing and destroys nothing more.
        assert!(
            s1.start(&idle("late"), &file_log(&d1, "late"))
                .await
                .is_err()
        );
        s1.destroy()
            .await
            .expect("destroying a dead sandbox is a no-op");
        assert_eq!(still_there(&id2, &before2, &d2), Vec::<String>::new());
        eventually(
            "cluster 1's process to die",
            Duration::from_secs(5),
            async || !Path::new(&format!("/proc/{pid1}")).exists(),
        )
        .await;
        assert!(!d1.join("runtime").exists());
        let _ = std::fs::remove_dir_all(&d1);
        let _ = std::fs::remove_dir_all(&d2);
    })
    .await;
}

/// Not a test on its own: run by `leftovers_of_a_crashed_run_are_removed` in a child process that
/// makes a cluster with a running pod and exits without cleaning up, like a crash.
#[tokio::test]
#[ignore = "helper run in a child process"]
async fn crash_helper() {
    let Ok(dir) = std::env::var("TC_RUNTIME_CRASH_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let net = ClusterNet::create(&dir).await.expect("cluster net");
    let sb = Sandbox::create(&net, &pod("p", None))
        .await
        .expect("sandbox");
    let c = sb
        .start(&idle("main"), &file_log(&dir, "main"))
        .await
        .expect("start");
    // What exists now, while this process still holds the subnet.
    for object in objects_of(&net.cluster_id()) {
        println!("OBJECT {object}");
    }
    println!("CRASHED {} {}", net.cluster_id(), c.pid());
    std::process::exit(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leftovers_of_a_crashed_run_are_removed() {
    require_root();
    with_timeout(async {
        let dir = state_dir("crash");
        let exe = std::env::current_exe().expect("test binary");
        let out = tokio::process::Command::new(exe)
            .args(["--exact", "crash_helper", "--ignored", "--nocapture"])
            .env("TC_RUNTIME_CRASH_DIR", &dir)
            .output()
            .await
            .expect("run crash helper");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find(|l| l.starts_with("CRASHED "))
            .unwrap_or_else(|| panic!("helper output: {stdout}"));
        let mut words = line.split_whitespace().skip(1);
        let (id, pid) = (
            words.next().expect("id").to_owned(),
            words
                .next()
                .and_then(|p| p.parse::<u32>().ok())
                .expect("pid"),
        );
        assert!(
            Path::new(&format!("/proc/{pid}")).exists(),
            "the crashed run's pod should still run"
        );
        let before: Vec<String> = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("OBJECT "))
            .map(str::to_owned)
            .collect();
        // netns, veth, bridge, and the lock file (no longer locked: its holder died)
        assert_eq!(before.len(), 4, "{before:?}");

        cleanup_leftovers(&dir).await.expect("cleanup");
        assert_eq!(still_there(&id, &before, &dir), Vec::<String>::new());
        eventually(
            "the crashed run's pod process to die",
            Duration::from_secs(5),
            async || !Path::new(&format!("/proc/{pid}")).exists(),
        )
        .await;
        assert!(!dir.join("runtime").exists());
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_images_and_bad_commands_fail_to_start() {
    require_root();
    with_timeout(async {
        let dir = state_dir("bad");
        let net = ClusterNet::create(&dir).await.expect("cluster net");
        let sb = Sandbox::create(&net, &pod("p", None))
            .await
            .expect("sandbox");
        let mut spec = idle("main");
        spec.image = "example.com/nosuch:1".into();
        assert!(sb.start(&spec, &file_log(&dir, "x")).await.is_err());
        let err = sb
            .start(
                &busybox("main", &["/no/such/program"]),
                &file_log(&dir, "y"),
            )
            .await
            .err()
            .expect("bad command");
        assert_eq!(
            err.downcast_ref::<SpawnError>()
                .map(ToString::to_string)
                .as_deref(),
            Some("exec: \"/no/such/program\": executable file not found in $PATH")
        );
        // A failure while building the container names the step.
        let ro = dir.join("volumes/ro");
        std::fs::create_dir_all(&ro).expect("volume dir");
        let mut spec = idle("main");
        spec.mounts = vec![Mount {
            host_path: ro.clone(),
            container_path: "/ro".into(),
            read_only: true,
        }];
        spec.working_dir = Some("/ro/missing".into());
        let err = sb
            .start(&spec, &file_log(&dir, "w"))
            .await
            .err()
            .expect("unwritable working dir");
        match err.downcast_ref::<SpawnError>() {
            Some(SpawnError::Setup { step, source }) => {
                assert_eq!(step, "while creating /ro/missing");
                assert_eq!(source.raw_os_error(), Some(30), "EROFS: {source}");
            }
            other => panic!("{other:?}: {err:#}"),
        }
        assert!(!ro.join("missing").exists());
        // A command that exits is reported with its code.
        let c = sb
            .start(
                &busybox("main", &["sh", "-c", "exit 7"]),
                &file_log(&dir, "z"),
            )
            .await
            .expect("start");
        assert_eq!(c.wait().await.code, Some(7));
        net.destroy().await.expect("destroy");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
