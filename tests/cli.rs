//! The real binary, run as a user would: help, bad input, commands not wired yet,
//! completions, and discovery through the real kubectl.

mod common;

use std::process::Command;

use common::{kubectl, path_with, plugin_path_dir, root, stderr, stdout, zk};

const COMMANDS: [&str; 10] = [
    "install",
    "status",
    "myid",
    "config",
    "leader",
    "drain-safe",
    "persist-check",
    "uninstall",
    "completion",
    "version",
];

#[test]
fn help_lists_every_command() {
    let output = zk(&["--help"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for command in COMMANDS {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(command)),
            "{command} missing from --help:\n{text}"
        );
    }
    for option in [
        "--kubeconfig",
        "--context",
        "--cluster",
        "--user",
        "--namespace",
        "--request-timeout",
        "--color",
        "--verbose",
    ] {
        assert!(text.contains(option), "{option} missing from --help");
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in COMMANDS {
        let output = zk(&[command, "--help"]);
        assert!(output.status.success(), "{command} --help failed");
        let text = stdout(&output);
        assert!(
            text.contains("Example"),
            "{command} --help shows no example:\n{text}"
        );
        assert!(
            text.contains("kubectl"),
            "{command} --help example is not a command line:\n{text}"
        );
    }
}

#[test]
fn bad_install_options_fail_in_one_line_with_exit_2() {
    let cases: [(&[&str], &str, &str); 5] = [
        (&["--replicas", "0"], "--replicas", "1 to 255"),
        (&["--replicas", "abc"], "--replicas", "1 to 255"),
        (&["--storage-size", "10Zz"], "--storage-size", "10Gi"),
        (&["--flavor", "nope"], "--flavor", "official, k8s-tutorial"),
        (
            &["--anti-affinity", "sometimes"],
            "--anti-affinity",
            "required, preferred, none",
        ),
    ];
    for (args, option, accepted) in cases {
        let mut argv = vec!["install", "--dry-run"];
        argv.extend_from_slice(args);
        let output = zk(&argv);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{argv:?}: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{argv:?} must fail in one line: {err}"
        );
        assert!(
            err.contains(option) && err.contains(accepted),
            "{argv:?}: {err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
        assert!(stdout(&output).is_empty(), "nothing rendered for {argv:?}");
    }
}

#[test]
fn contradictory_image_and_flavor_fail_with_the_fix() {
    let output = zk(&[
        "install",
        "--dry-run",
        "--image",
        "zookeeper:3.9.3",
        "--flavor",
        "k8s-tutorial",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("--flavor official"), "{err}");
    let output = zk(&["install", "--dry-run", "--image", "example.com/my-zk:1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("add --flavor"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn restricted_scc_needs_the_official_flavour() {
    let output = zk(&[
        "install",
        "--dry-run",
        "--scc",
        "restricted",
        "--flavor",
        "k8s-tutorial",
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--scc restricted needs the official flavour") && err.contains("--scc anyuid"),
        "{err}"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn even_replicas_warn_but_render() {
    let output = zk(&["install", "--dry-run", "--replicas", "4", "-n", "kafka"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Warning: 4 members tolerate 1 failure"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains(
        "server.4=zk-3.zk-hs.kafka.svc.cluster.local:2888:3888:participant;0.0.0.0:2181"
    ));
}

#[test]
fn version_prints_the_crate_version() {
    let output = zk(&["version"]);
    assert!(output.status.success());
    assert!(stdout(&output).contains(&format!("v{}", env!("CARGO_PKG_VERSION"))));
    let json: serde_json::Value =
        serde_json::from_slice(&zk(&["version", "-o", "json"]).stdout).expect("json");
    assert_eq!(json["clientVersion"], env!("CARGO_PKG_VERSION"));
    // The commit it was built from: this checkout's HEAD (the test binary is built with it).
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git runs");
    if head.status.success() {
        assert_eq!(json["gitCommit"], stdout(&head).trim(), "{json}");
    }
    // No kubeconfig reachable here: no server version, and no error either.
    assert_eq!(json["serverVersion"], serde_json::Value::Null, "{json}");
}

#[test]
fn checked_in_completions_are_current() {
    let files = [
        ("bash", "kubectl_zk.bash"),
        ("zsh", "_kubectl-zk"),
        ("fish", "kubectl_zk.fish"),
        ("powershell", "kubectl_zk.ps1"),
    ];
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    for (shell, file) in files {
        let output = zk(&["completion", shell]);
        assert!(output.status.success());
        let path = root().join("completions").join(file);
        if update {
            std::fs::write(&path, &output.stdout).expect("write completion");
        }
        let checked_in = std::fs::read(&path).unwrap_or_default();
        assert!(
            checked_in == output.stdout,
            "completions/{file} is stale: run UPDATE_COMPLETIONS=1 cargo test --test cli checked_in_completions_are_current"
        );
    }
}

#[test]
fn bash_completion_script_completes_commands() {
    let script = root().join("completions/kubectl_zk.bash");
    let probe = format!(
        "source '{}'; COMP_WORDS=(kubectl-zk st); COMP_CWORD=1; _kubectl__zk kubectl-zk st kubectl-zk; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(&probe)
        .output()
        .expect("bash runs");
    assert!(
        stdout(&output).lines().any(|l| l == "status"),
        "{} {}",
        stdout(&output),
        stderr(&output)
    );
}

#[test]
fn kubectl_finds_runs_and_completes_the_plugin() {
    let kubectl = kubectl(33);
    let dir = plugin_path_dir();
    let path = path_with(dir.path());
    let run = |args: &[&str]| {
        Command::new(&kubectl)
            .args(args)
            .env("PATH", &path)
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .output()
            .expect("kubectl runs")
    };

    let output = run(&["plugin", "list"]);
    let listed = stdout(&output);
    assert!(output.status.success(), "{listed}{}", stderr(&output));
    assert!(
        listed
            .lines()
            .any(|l| l.trim() == dir.path().join("kubectl-zk").display().to_string()),
        "kubectl plugin list does not list kubectl-zk:\n{listed}"
    );

    let output = run(&["zk", "version"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("Client Version: kubectl-zk v"),
        "{}",
        stdout(&output)
    );

    let output = run(&["__complete", "zk", "st"]);
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert!(
        lines.iter().any(|l| l.split('\t').next() == Some("status")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("status") || l.starts_with(':')),
        "filtered by prefix: {lines:?}"
    );
    assert_eq!(lines.last().map(String::as_str), Some(":4"), "{lines:?}");

    let output = run(&["__complete", "zk", "install", "--flavor", ""]);
    let text = stdout(&output);
    assert!(
        text.contains("official") && text.contains("k8s-tutorial"),
        "{text}"
    );

    let output = run(&["-n", "x", "zk", "version"]);
    assert!(
        !output.status.success(),
        "kubectl rejects flags before the plugin name"
    );
}

#[test]
fn dry_run_takes_the_namespace_like_kubectl() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: 'https://127.0.0.1:1'}\n\
users:\n- name: u\n  user: {token: do-not-print-me}\ncontexts:\n- name: c\n  context: {cluster: k, user: u, namespace: from-context}\n",
    )
    .expect("write kubeconfig");
    let run = |args: &[&str]| {
        Command::new(common::plugin())
            .args(args)
            .env("KUBECONFIG", &kubeconfig)
            .output()
            .expect("runs")
    };
    let output = run(&["install", "--dry-run", "-v"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("namespace: from-context"));
    assert!(
        stderr(&output).contains("Namespace from-context (from the kubeconfig context)"),
        "{}",
        stderr(&output)
    );
    let output = run(&["install", "--dry-run", "-v", "-n", "kafka"]);
    assert!(stdout(&output).contains("namespace: kafka"));
    assert!(!stdout(&output).contains("from-context"));
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!all.contains("do-not-print-me"), "a token was printed");
}

#[test]
fn closed_pipe_is_not_an_error() {
    let mut child = Command::new(common::plugin())
        .args(["install", "--dry-run", "--replicas", "255"])
        .env("KUBECONFIG", "/nonexistent")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Close the reading end before the plugin writes, as `| head -0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("exits");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn no_kubeconfig_is_one_line_with_the_fix() {
    for args in [&["status"][..], &["install"][..]] {
        let output = zk(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("set KUBECONFIG or pass --kubeconfig FILE"),
            "{err}"
        );
    }
}
