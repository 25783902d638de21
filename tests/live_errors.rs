//! Errors a person can act on, against the test cluster: each kind — forbidden (the developer
//! context), a closed port, a port that accepts and never answers, an untrusted CA, a missing
//! context — prints exactly one line on stderr and exits 2, with no `Status {` Debug dump,
//! no `ApiError:` twice and no cause said twice. A denied optional read (the claims) is named
//! as not checked in `status`, never reported as a missing claim.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::cluster::Cluster;
use common::{plugin, stderr, stdout};

const DEVELOPER: &str = "testcluster-developer";

/// The one stderr line of a failed run, after checking the shape every error must have.
fn one_error_line(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{}{err}", stdout(out));
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("kubectl-zk: "), "{err}");
    assert!(!err.contains("Status {"), "a Debug struct: {err}");
    assert!(err.matches("ApiError").count() <= 1, "{err}");
    let parts: Vec<&str> = err.trim().split(": ").collect();
    for (i, part) in parts.iter().enumerate() {
        assert!(
            !parts[i + 1..].contains(part),
            "the cause {part:?} is said twice: {err}"
        );
    }
    err.trim().to_owned()
}

/// Runs the plugin with its own kubeconfig (not the cluster's).
fn zk_with(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new(plugin())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the plugin runs")
}

/// A copy of the cluster's kubeconfig with `key:` lines (`server`, `certificate-authority-data`)
/// set to `value`.
fn kubeconfig_with(cluster: &Cluster, key: &str, value: &str) -> PathBuf {
    let text = std::fs::read_to_string(&cluster.kubeconfig).expect("kubeconfig");
    let changed: Vec<String> = text
        .lines()
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            if line.trim_start().starts_with(&format!("{key}:")) {
                format!("{}{key}: {value}", &line[..indent])
            } else {
                line.to_owned()
            }
        })
        .collect();
    let path = cluster
        .dir
        .path()
        .join(format!("kubeconfig-{key}-{}", value.len()));
    std::fs::write(&path, changed.join("\n") + "\n").expect("write kubeconfig");
    path
}

/// A CA certificate nobody signed the test cluster with, base64 as kubeconfigs carry it.
fn foreign_ca(dir: &Path) -> String {
    let key = dir.join("foreign.key");
    let cert = dir.join("foreign.crt");
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=not-the-test-cluster"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(made.status.success(), "{}", stderr(&made));
    let pem = std::fs::read(&cert).expect("certificate");
    let out = Command::new("base64")
        .args(["-w", "0"])
        .arg(&cert)
        .output()
        .expect("base64 runs");
    assert!(!pem.is_empty() && out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn every_kind_of_error_is_one_line_with_the_fix() {
    let cluster = Cluster::start(1);
    cluster.install(&["--replicas", "1"]);

    // Forbidden: the developer has no rights yet.
    let out = cluster.zk(&["--context", DEVELOPER, "status"]);
    let line = one_error_line(&out);
    assert!(
        line.contains(
            "forbidden: user developer may not list statefulsets.apps in namespace default"
        ) && line.contains("`kubectl auth can-i list statefulsets.apps -n default`"),
        "{line}"
    );

    // Everything but the claims: status names what it could not check and claims nothing.
    cluster.k(&[
        "create",
        "role",
        "zk-reader",
        "--verb=get,list,watch",
        "--resource=statefulsets.apps,pods,pods/proxy,poddisruptionbudgets.policy,events",
        "-n",
        "default",
    ]);
    cluster.k(&[
        "create",
        "role",
        "zk-prober",
        "--verb=get,create",
        "--resource=pods/portforward,pods/exec",
        "-n",
        "default",
    ]);
    for role in ["zk-reader", "zk-prober"] {
        cluster.k(&[
            "create",
            "rolebinding",
            role,
            &format!("--role={role}"),
            "--user=developer",
            "-n",
            "default",
        ]);
    }
    let out = cluster.zk(&["--context", DEVELOPER, "status"]);
    let text = stdout(&out);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{text}{}",
        stderr(&out)
    );
    assert!(text.contains("datadir-zk-0 (not checked)"), "{text}");
    assert!(!text.contains("(missing)"), "a false claim: {text}");
    assert!(
        text.contains(
            "Note: not checked: forbidden to list persistentvolumeclaims in namespace default"
        ),
        "{text}"
    );
    let out = cluster.zk(&["--context", DEVELOPER, "status", "-o", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        json["notChecked"]
            .to_string()
            .contains("forbidden to list persistentvolumeclaims"),
        "{json:#}"
    );
    assert!(json["members"][0]["pvcBound"].is_null(), "{json:#}");
    // persist-check needs the claims: there the denial is the error, in one line.
    let out = cluster.zk(&["--context", DEVELOPER, "persist-check"]);
    let line = one_error_line(&out);
    assert!(
        line.contains(
            "forbidden: user developer may not list persistentvolumeclaims in namespace default"
        ),
        "{line}"
    );

    // A closed port.
    let closed = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let refused = kubeconfig_with(&cluster, "server", &format!("https://127.0.0.1:{port}"));
    let line = one_error_line(&zk_with(&refused, &["status"]));
    assert!(
        line.contains(&format!(
            "unreachable: the API server https://127.0.0.1:{port} refused the connection"
        )),
        "{line}"
    );

    // A port that accepts and never answers: --request-timeout bounds the wait.
    let silent = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = silent.local_addr().expect("addr").port();
    let hanging = kubeconfig_with(&cluster, "server", &format!("https://127.0.0.1:{port}"));
    let started = Instant::now();
    let out = zk_with(&hanging, &["--request-timeout", "2s", "status"]);
    let took = started.elapsed();
    let line = one_error_line(&out);
    assert!(line.contains("timeout: the API server"), "{line}");
    assert!(line.contains("within 2s (--request-timeout)"), "{line}");
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(6),
        "took {took:?}"
    );
    drop(silent);

    // A CA that did not sign the server's certificate.
    let untrusted = kubeconfig_with(
        &cluster,
        "certificate-authority-data",
        &foreign_ca(cluster.dir.path()),
    );
    let line = one_error_line(&zk_with(&untrusted, &["status"]));
    assert!(
        line.contains("TLS: the certificate of the API server"),
        "{line}"
    );
    assert!(line.contains("not trusted"), "{line}");

    // A context the kubeconfig does not have.
    let line = one_error_line(&cluster.zk(&["--context", "nope", "status"]));
    assert!(
        line.contains("context nope is not in the kubeconfig")
            && line.contains("kubectl config get-contexts"),
        "{line}"
    );

    // A kubeconfig that does not exist, and a usage error that names the missing argument.
    let line = one_error_line(&zk_with(Path::new("/nonexistent"), &["status"]));
    assert_eq!(
        line,
        "kubectl-zk: cannot read kubeconfig /nonexistent: No such file or directory"
    );
    let line = one_error_line(&cluster.zk(&["drain-safe"]));
    assert_eq!(
        line,
        "kubectl-zk: missing <NODE>; see 'kubectl zk drain-safe --help'"
    );
}
