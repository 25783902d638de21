//! `testcluster up --kubeconfig FILE [--nodes N] [--state-dir DIR] [--fast] [--openshift]`: runs a
//! cluster until SIGINT/SIGTERM. Prints `testcluster ready` once the kubeconfig is written.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "testcluster",
    about = "A Kubernetes test cluster whose pods are real processes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a cluster and serve until SIGINT or SIGTERM.
    Up {
        /// Where to write the kubeconfig (context `testcluster`, namespace `default`).
        #[arg(long)]
        kubeconfig: PathBuf,
        /// Number of nodes (`node-1` … `node-N`).
        #[arg(long, default_value_t = 4)]
        nodes: usize,
        /// State directory: request log, pod logs, volumes, runtime files (kept after exit).
        /// Leftovers of a crashed run with the same directory are removed at start.
        #[arg(long)]
        state_dir: Option<PathBuf>,
        /// Shorter probe delays, restart back-off and grace periods, for tests.
        #[arg(long)]
        fast: bool,
        /// OpenShift mode: OpenShift's API groups, SecurityContextConstraints and their
        /// admission of every pod, per-namespace UID ranges.
        #[arg(long)]
        openshift: bool,
    },
    /// Build the upstream control plane's binary if the cache lacks it, and print its path.
    Controlplane,
}

async fn up(
    kubeconfig: PathBuf,
    nodes: usize,
    state_dir: Option<PathBuf>,
    fast: bool,
    openshift: bool,
) -> anyhow::Result<()> {
    let state_dir = state_dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("testcluster-{}", std::process::id()))
    });
    let opts = testcluster::ClusterOptions {
        nodes,
        state_dir: Some(state_dir),
        kubeconfig: Some(kubeconfig),
        fast,
        openshift,
        ..Default::default()
    };
    let cluster = testcluster::Cluster::start(opts).await?;
    println!("testcluster ready");
    eprintln!(
        "testcluster: API server {} (state dir {})",
        cluster.server,
        cluster.state_dir.display()
    );
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    eprintln!("testcluster: stopping");
    cluster.stop().await
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TESTCLUSTER_LOG")
                // kube-rs logs every failed request at ERROR: the cluster's own retries are expected
                .unwrap_or_else(|_| "warn,kube_client=off".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("testcluster: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Up {
            kubeconfig,
            nodes,
            state_dir,
            fast,
            openshift,
        } => rt.block_on(up(kubeconfig, nodes, state_dir, fast, openshift)),
        Command::Controlplane => rt
            .block_on(testcluster::controlplane::binary())
            .map(|b| println!("{}", b.display())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("testcluster: {e:#}");
            ExitCode::from(2)
        }
    }
}
