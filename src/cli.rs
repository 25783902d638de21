//! Command-line interface: kubectl-style global options and one enum of commands.
//!
//! Parsing does no I/O. kubectl and oc pass every argument after `zk` to the plugin
//! untouched, so the plugin parses `--kubeconfig`, `--context`, `-n` and friends itself.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::manifest::options::{
    AntiAffinity, Flavor, HeapSize, LogLevel, OpenShiftMode, PodManagement, Quantity, SccProfile,
};
use crate::names::{EnsembleName, NodeName};

/// Deploy and operate Apache ZooKeeper ensembles on Kubernetes and OpenShift.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-zk",
    bin_name = "kubectl zk",
    version,
    about = "Deploy and operate Apache ZooKeeper ensembles on Kubernetes and OpenShift",
    long_about = "kubectl-zk deploys and operates Apache ZooKeeper ensembles on Kubernetes and OpenShift.\n\n\
It joins Kubernetes' view (pods, PodDisruptionBudget, nodes, volumes) with ZooKeeper's own view \
(leader, zxid, synced followers, quorum) and decides from both.\n\n\
Run it as `kubectl zk …` or `oc zk …`; the binary is `kubectl-zk` on your PATH.",
    after_help = "Examples:\n  kubectl zk install -n kafka\n  kubectl zk status -n kafka\n  kubectl zk drain-safe node-3",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts, spelled as kubectl spells them.
#[derive(Debug, Clone, Args)]
pub struct GlobalOptions {
    /// Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// The name of the kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// The name of the kubeconfig cluster to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The name of the kubeconfig user to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    /// The namespace of the ensemble (default: the context's namespace, else "default").
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE", value_parser = crate::names::parse_namespace)]
    pub namespace: Option<String>,

    /// How long to wait for a single request to the API server before giving up
    /// (e.g. 1s, 2m, 3h; 0 = no timeout).
    #[arg(long, global = true, value_name = "DURATION", default_value = "0", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// When to colour the output: auto honours NO_COLOR and a non-terminal stdout.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates.
    #[arg(short = 'v', long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// A table for people.
    #[default]
    Table,
    /// A table with more columns.
    Wide,
    /// JSON, for scripts.
    Json,
    /// YAML, for scripts.
    Yaml,
}

/// The output option of commands that print a model.
#[derive(Debug, Clone, Args)]
pub struct OutputArg {
    /// Output format.
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT", default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// Which ensemble a command works on.
#[derive(Debug, Clone, Args)]
pub struct EnsembleArg {
    /// The ensemble: the name of its StatefulSet. Default: the only ensemble in the
    /// namespace, else "zk".
    #[arg(long, value_name = "NAME", value_parser = EnsembleName::parse_arg)]
    pub name: Option<EnsembleName>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create (or update) a ZooKeeper ensemble: StatefulSet, Services, PodDisruptionBudget, ConfigMap.
    #[command(
        long_about = "Create or update a ZooKeeper ensemble with server-side apply: a ServiceAccount, a headless \
Service <name>-hs, a client Service <name>-cs, a PodDisruptionBudget, a ConfigMap (official image) and the \
StatefulSet. With --dry-run it prints the objects and touches nothing.",
        after_help = "Examples:\n  kubectl zk install -n kafka\n  kubectl zk install --name zk --replicas 5 --storage-class fast\n  kubectl zk install --image registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10 --dry-run -o yaml"
    )]
    Install(Box<InstallArgs>),

    /// Show the ensemble as Kubernetes and ZooKeeper see it: members, leader, quorum, lag.
    #[command(
        after_help = "Examples:\n  kubectl zk status -n kafka\n  kubectl zk status --name zk -o wide\n  kubectl zk status -A"
    )]
    Status(StatusArgs),

    /// Check each member's myid file against its ordinal and its server.N line in zoo.cfg.
    #[command(after_help = "Example:\n  kubectl zk myid -n kafka")]
    Myid(MemberCheckArgs),

    /// Show each member's live zoo.cfg and lint it; `config set`/`unset` change settings.
    #[command(
        after_help = "Examples:\n  kubectl zk config -n kafka -o yaml\n  kubectl zk config set tickTime=3000 maxClientCnxns=100\n  kubectl zk config unset snapCount --yes"
    )]
    Config(ConfigArgs),

    /// Print the leader; --watch streams mode changes, --failover moves leadership.
    #[command(
        after_help = "Examples:\n  kubectl zk leader\n  kubectl zk leader --watch\n  kubectl zk leader --failover --yes"
    )]
    Leader(LeaderArgs),

    /// Say whether draining a node now is safe for the ensemble (quorum, PDB, rescheduling).
    #[command(
        name = "drain-safe",
        long_about = "Say whether draining a node now is safe for the ZooKeeper ensembles with members on it: \
would the quorum survive (from ZooKeeper itself: members serving in sync with the leader), does the \
PodDisruptionBudget allow the evictions, and can each evicted member be scheduled again elsewhere. \
Without --name it judges every ensemble of the namespace (-A: of the cluster). Exit 0 safe, 1 unsafe.\n\n\
--execute cordons the node and evicts its members through the Eviction API, followers first and \
the leader last, each once the previous one is Ready and in sync again; it stops at the first \
refusal and leaves the node cordoned. Other pods on the node are not evicted (use kubectl drain).",
        after_help = "Examples:\n  kubectl zk drain-safe node-3\n  kubectl zk drain-safe --all-nodes\n  kubectl zk drain-safe node-3 --execute"
    )]
    DrainSafe(DrainSafeArgs),

    /// Prove that data survives: replication across members, volumes, restarts and re-creation.
    #[command(
        name = "persist-check",
        after_help = "Examples:\n  kubectl zk persist-check\n  kubectl zk persist-check --restart --yes\n  kubectl zk persist-check --recreate --yes -o json"
    )]
    PersistCheck(PersistCheckArgs),

    /// Grow or shrink the ensemble, one member at a time, keeping the quorum and every write.
    #[command(
        long_about = "Change the number of members. A plan is shown first, member by member, and asked to be \
confirmed (--yes skips; without a terminal --yes is required); --dry-run prints it and changes nothing.\n\n\
Official image (ZooKeeper 3.5+, installed by kubectl-zk): dynamic reconfiguration, one server at a time, \
so no member restarts: a new member starts, syncs as a non-voting follower, then `reconfig` adds it; a \
leaving member is removed by `reconfig` while it runs, then its pod stops. The seeds' 3.4 image (static \
membership): the new --servers count is rolled through the members one restart at a time, followers \
first and the leader last, each back in sync before the next.\n\n\
Every step is judged first: a plan that would lose the quorum of the membership in force, or of the \
new one, is refused (exit 1) and nothing changes. Members leave from the highest ordinal down; their \
volumes are kept (and listed) unless --delete-data. Interrupted? Run the same command again: it \
continues from what runs.",
        after_help = "Examples:\n  kubectl zk scale --replicas 5\n  kubectl zk scale --replicas 3 --dry-run\n  kubectl zk scale --replicas 3 --yes -o json"
    )]
    Scale(ScaleArgs),

    /// Restart every member one at a time (followers first, the leader last), or one member.
    #[command(
        long_about = "Restart the members through the rollout engine: one at a time, members that are down \
first, then followers, the leader last, each only when the quorum survives losing it and each back \
Ready and in sync before the next. With MEMBER, only that pod, refused when the quorum cannot lose \
it. Interrupted? Run the same command again: members already restarted are not restarted again.",
        after_help = "Examples:\n  kubectl zk restart --yes\n  kubectl zk restart zk-1 -n kafka"
    )]
    Restart(RestartArgs),

    /// Change the ZooKeeper version: the new image rolled one member at a time, the leader last.
    #[command(
        long_about = "Set the StatefulSet's image and roll it through the members with the rollout engine, \
each member confirmed to answer with the new version (srvr) before the next; the leader goes last. \
A downgrade across minor versions is refused unless --force (ZooKeeper's data formats only move \
forward across minors). Moving the seeds' 3.4 image to the official image is `kubectl zk migrate`'s job.",
        after_help = "Examples:\n  kubectl zk upgrade --image docker.io/library/zookeeper:3.9.4\n  kubectl zk upgrade --image zookeeper:3.9.4 --dry-run"
    )]
    Upgrade(UpgradeArgs),

    /// Take over an ensemble made from the seeds' manifest and move it to the official image.
    #[command(
        long_about = "Take over an ensemble created from the seeds' manifest (kubernetes-zookeeper:1.0-3.4.10, \
no kubectl-zk labels) and move it to the official image on the pinned ZooKeeper 3.9, keeping its \
name, every member's server id and data volume. A plan comes first and is asked to be confirmed. \
The seeds' StatefulSet is replaced without touching a member (deleted with its pods orphaned, \
re-created with kubectl-zk's selector, OnDelete strategy and the same `datadir` claims, adopting \
the running pods); its Services and PodDisruptionBudget (policy/v1) are taken over; then the \
members roll one at a time, followers first, the leader last, each confirmed on the new version. \
--keep-image only adopts the ensemble (labels, Services, PDB, StatefulSet) and restarts no member. \
Interrupted? Run the same command again: it continues from what is in the cluster.",
        after_help = "Examples:\n  kubectl zk migrate --name zk --dry-run\n  kubectl zk migrate --name zk --yes\n  kubectl zk migrate --name zk --keep-image --yes"
    )]
    Migrate(MigrateArgs),

    /// ZooKeeper's client commands (ls, get, create, set, delete, …) without a JVM: one-shot or interactive.
    #[command(
        name = "cli",
        long_about = "Speak ZooKeeper's client protocol from the plugin itself, over a port-forward to one \
member (--member, else the first member that accepts a session): nothing is started in the pod. \
With a command, run it and print what zkCli prints (-o json|yaml for data and stat), exit 1 when \
ZooKeeper refuses it (NoNode, NodeExists, NotEmpty, NoAuth, …). Without one: an interactive session \
with history, line editing and znode path completion (Tab) on a terminal; otherwise one command per \
line from stdin. Commands: ls [-R], get [-s], stat, create [-e] [-s], set, delete [-r], getAcl, \
setAcl, sync, whoami, help, quit. Options go before the command.",
        after_help = "Examples:\n  kubectl zk cli --member zk-0 create /hello world\n  kubectl zk cli --member zk-1 get /hello\n  kubectl zk cli -o json stat /hello\n  kubectl zk cli                      # interactive"
    )]
    Shell(ShellArgs),

    /// Every member's log merged in time order, each line prefixed with its member; -f follows.
    #[command(
        long_about = "Every member's log in one stream, each line prefixed with its member (coloured where \
colour is allowed). Without -f, the members' logs are read at once and merged in time order by the \
timestamps ZooKeeper writes (a stack trace stays with its line). With -f, each member is followed \
until Ctrl-C, across restarts and re-created pods: a new container is followed from its first line.",
        after_help = "Examples:\n  kubectl zk logs --tail 20\n  kubectl zk logs -f --since 10m\n  kubectl zk logs --previous --member zk-1"
    )]
    Logs(LogsArgs),

    /// One archive for a bug report: objects, status/config/myid, members' answers, logs; no secrets.
    #[command(
        long_about = "Collect everything needed to diagnose the ensemble into one .tar.gz: its StatefulSet, pods, \
Services, PodDisruptionBudget, ConfigMap, claims and volumes, events and the members' nodes; the \
status, config and myid models as YAML; each member's own answers (srvr, mntr, conf; monitor and \
voting_view from the AdminServer); current and previous logs (bounded); the plugin's and the \
server's versions. Secret values are left out (their keys are listed); no token or key is \
written. With fewer rights it collects what it may and lists what it could not in MISSING.txt.",
        after_help = "Examples:\n  kubectl zk report\n  kubectl zk report -f /tmp/zk.tar.gz -n kafka"
    )]
    Report(ReportArgs),

    /// Back up the ensemble's data to one local file; `backup inspect FILE` checks one.
    #[command(
        long_about = "Copy the ensemble's data into one local file, from a member in sync with the leader (a \
follower where there is one): on the official image with ZooKeeper 3.9+, the AdminServer's snapshot, \
asked for as the superuser of the <name>-admin Secret over a port-forward; otherwise (or with \
--source data-dir) the member's newest snapshot and the transaction logs after it, read through exec. \
Streamed to disk, then read back whole and checked before the file gets its name. \
The file's header says the ensemble, namespace, ZooKeeper version, member, time, last zxid and a \
SHA-256 of the content; every write acknowledged at or before that zxid is in the backup.\n\n\
`backup inspect FILE` reads a backup and says what it holds (znodes, data size, last zxid, \
top-level paths), or why it is damaged (exit 2). `kubectl zk restore -f FILE` puts it back.",
        after_help = "Examples:\n  kubectl zk backup -n kafka\n  kubectl zk backup -f zk.zkbackup\n  kubectl zk backup inspect zk.zkbackup"
    )]
    Backup(BackupArgs),

    /// Put a backup's data in place of the ensemble's (the replaced data is kept aside).
    #[command(
        long_about = "Replace the ensemble's data with a backup's, on every member. The file is read whole \
and checked first (a damaged file: exit 2); the ensemble must be healthy and able to read the backup's \
ZooKeeper version (else exit 1); nothing changes until a plan has been shown and confirmed.\n\n\
The members stop (the StatefulSet is scaled to 0), each member's version-2 directories are moved \
aside on its own volume (version-2.before-restore-<time>: nothing is deleted) and the backup's \
files put in their place by a short-lived pod with the member's image, user and mounts; the members \
start again and the ensemble is waited for until healthy. The backup may come from another \
ensemble, namespace or flavour (a seeds' 3.4 backup into an official 3.9 ensemble works). \
The way back is printed: `restore --back-to <time>` puts the set-aside data back the same way.",
        after_help = "Examples:\n  kubectl zk restore -f zk-default-20261207T230000Z.zkbackup\n  kubectl zk restore -f zk.zkbackup --name zk -n other --yes\n  kubectl zk restore --back-to 20261207T231500Z"
    )]
    Restore(RestoreArgs),

    /// Remove the ensemble, members in reverse ordinal order; volumes are kept unless --delete-data.
    #[command(
        after_help = "Examples:\n  kubectl zk uninstall --name zk\n  kubectl zk uninstall --name zk --delete-data"
    )]
    Uninstall(UninstallArgs),

    /// Print a shell completion script (bash, zsh, fish, powershell).
    #[command(
        after_help = "Examples:\n  source <(kubectl-zk completion bash)\n  kubectl-zk completion zsh > \"${fpath[1]}/_kubectl-zk\""
    )]
    Completion(CompletionArgs),

    /// Print the plugin's version and commit, and the server's version when it is reachable.
    #[command(
        after_help = "Examples:\n  kubectl zk version\n  kubectl zk version --client -o json"
    )]
    Version(VersionArgs),
}

/// `install` options.
#[derive(Debug, Clone, Args)]
pub struct InstallArgs {
    /// The ensemble's name: its StatefulSet, and the prefix of its Services and PDB.
    #[arg(long, value_name = "NAME", default_value = "zk", value_parser = EnsembleName::parse_arg)]
    pub name: EnsembleName,

    /// Number of ZooKeeper servers (1-255; odd numbers make the best use of members).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = crate::manifest::options::parse_replicas)]
    pub replicas: u32,

    /// Container image. Its flavour (official or k8s-tutorial) is inferred from the name.
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,

    /// Image flavour, when it cannot be inferred from --image.
    #[arg(long, value_enum, value_name = "FLAVOR")]
    pub flavor: Option<Flavor>,

    /// StorageClass of the data volumes (default: the cluster's default class).
    #[arg(long, value_name = "CLASS", value_parser = crate::names::parse_storage_class)]
    pub storage_class: Option<String>,

    /// Size of each member's data volume.
    #[arg(long, value_name = "QUANTITY", default_value = "10Gi", value_parser = Quantity::parse_storage)]
    pub storage_size: Quantity,

    /// JVM heap of each server (e.g. 512M, 2G).
    #[arg(long, value_name = "SIZE", default_value = "512M", value_parser = HeapSize::parse_arg)]
    pub heap: HeapSize,

    /// CPU request of each member.
    #[arg(long, value_name = "QUANTITY", default_value = "500m", value_parser = Quantity::parse_cpu)]
    pub cpu: Quantity,

    /// Memory request of each member (leave room above --heap).
    #[arg(long, value_name = "QUANTITY", default_value = "1Gi", value_parser = Quantity::parse_memory)]
    pub memory: Quantity,

    /// Pod anti-affinity on kubernetes.io/hostname: one member per node (required),
    /// spread when possible (preferred), or none.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = AntiAffinity::Required)]
    pub anti_affinity: AntiAffinity,

    /// StatefulSet pod management (default: Parallel for official, OrderedReady for k8s-tutorial).
    #[arg(long, value_enum, value_name = "POLICY")]
    pub pod_management_policy: Option<PodManagement>,

    /// Export Prometheus metrics on port 7000 (ZooKeeper 3.6+): a PodMonitor where the cluster
    /// serves monitoring.coreos.com, else the prometheus.io scrape annotations.
    #[arg(long)]
    pub metrics: bool,

    /// ZooKeeper tickTime in milliseconds [default: 2000].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u32).range(1..=60_000))]
    pub tick_time: Option<u32>,

    /// ZooKeeper initLimit in ticks [default: 10].
    #[arg(long, value_name = "TICKS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub init_limit: Option<u32>,

    /// ZooKeeper syncLimit in ticks [default: 5].
    #[arg(long, value_name = "TICKS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub sync_limit: Option<u32>,

    /// Maximum client connections per client IP (0 = unlimited) [default: 60].
    #[arg(long, value_name = "N")]
    pub max_client_cnxns: Option<u32>,

    /// Snapshots (and their logs) kept by autopurge (at least 3) [default: 3].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(3..))]
    pub snap_retain_count: Option<u32>,

    /// Hours between autopurge runs (0 = autopurge off) [default: 12].
    #[arg(long, value_name = "HOURS")]
    pub purge_interval: Option<u32>,

    /// Minimum session timeout in milliseconds (default: 2 x tick time).
    #[arg(long, value_name = "MS")]
    pub min_session_timeout: Option<u32>,

    /// Maximum session timeout in milliseconds (default: 20 x tick time).
    #[arg(long, value_name = "MS")]
    pub max_session_timeout: Option<u32>,

    /// Server log level.
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,

    /// The cluster's DNS domain, used in the servers' host names.
    #[arg(long, value_name = "DOMAIN", default_value = "cluster.local")]
    pub cluster_domain: String,

    /// OpenShift handling: detect it from the API (auto), or force it on or off.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = OpenShiftMode::Auto)]
    pub openshift: OpenShiftMode,

    /// The SecurityContextConstraints the members run under on OpenShift: anyuid (run as user
    /// 1000; install grants it to the ensemble's ServiceAccount) or restricted (no fixed user,
    /// no grant needed; official flavour only).
    #[arg(long, value_enum, value_name = "SCC", default_value_t = SccProfile::Anyuid)]
    pub scc: SccProfile,

    /// Print the objects instead of creating them ("client", the default when given without a
    /// value), or ask the server to check them without persisting ("server").
    #[arg(long, value_enum, value_name = "STRATEGY", num_args = 0..=1, require_equals = true, default_missing_value = "client", default_value_t = DryRun::None)]
    pub dry_run: DryRun,

    /// Create the namespace when it does not exist.
    #[arg(long)]
    pub create_namespace: bool,

    /// Wait until every member is Ready and a leader is elected.
    #[arg(long, value_name = "BOOL", default_value_t = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub wait: bool,

    /// How long --wait waits.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,

    #[command(flatten)]
    pub output: OptionalOutputArg,
}

/// `-o` for commands where the table is not the only form (install prints objects with --dry-run).
#[derive(Debug, Clone, Args)]
pub struct OptionalOutputArg {
    /// Output format (with --dry-run: yaml or json; default yaml).
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
}

/// kubectl's --dry-run strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRun {
    /// Really apply.
    None,
    /// Print the objects; send nothing to the cluster.
    Client,
    /// Send the objects for validation without persisting them.
    Server,
}

/// How `status` reaches ZooKeeper inside each pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Via {
    /// The AdminServer through the API server's pod proxy.
    Proxy,
    /// Four-letter words over a port-forward.
    PortForward,
    /// Four-letter words through exec.
    Exec,
}

/// `status` options.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// List every ensemble in every namespace, one line each.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Force one transport to ZooKeeper instead of the best that works.
    #[arg(long, value_enum, value_name = "TRANSPORT")]
    pub via: Option<Via>,

    /// How long to wait for each member's answer.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub member_timeout: Duration,

    #[command(flatten)]
    pub output: OutputArg,
}

/// Options of `myid` and `config`.
#[derive(Debug, Clone, Args)]
pub struct MemberCheckArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `config` options: without a subcommand it shows; `set` and `unset` change.
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ConfigArgs {
    /// Change settings instead of showing them.
    #[command(subcommand)]
    pub change: Option<ConfigChange>,

    #[command(flatten)]
    pub show: MemberCheckArgs,
}

/// `config set` and `config unset`.
#[derive(Debug, Clone, Subcommand)]
pub enum ConfigChange {
    /// Change ZooKeeper settings and roll them through the members, the leader last.
    #[command(
        long_about = "Change zoo.cfg settings where the ensemble keeps them — the ConfigMap's zoo.cfg for the \
official image, the start-zookeeper flags for the seeds' image — then restart the members through the \
rollout engine: one at a time, members that are down first, then followers, the leader last, each \
back Ready and in sync before the next. ZooKeeper reads these settings at start only; a setting that \
already has the value restarts nobody.\n\n\
Every key and value is checked before anything changes: unknown keys name the nearest known one, \
types and ranges, the session timeouts against tickTime. Membership (server.N) is `kubectl zk \
scale`'s; the data directories cannot move. The settings are recorded on the StatefulSet \
(kubectl-zk.io/settings), so a later `kubectl zk install` keeps them unless one of its own options \
names the setting. Interrupted? Run the same command again.",
        after_help = crate::zk::settings::help_text()
    )]
    Set(ConfigSetArgs),

    /// Remove settings (back to ZooKeeper's default) and roll that through the members.
    #[command(after_help = "Example:\n  kubectl zk config unset snapCount --yes")]
    Unset(ConfigUnsetArgs),
}

/// `config set` options.
#[derive(Debug, Clone, Args)]
pub struct ConfigSetArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// Settings as zoo.cfg KEY=VALUE pairs, e.g. tickTime=3000.
    #[arg(value_name = "SETTING", required = true, value_parser = crate::zk::settings::parse_assignment)]
    pub settings: Vec<crate::zk::settings::Change>,

    /// Print what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub roll: RollArgs,
}

/// `config unset` options.
#[derive(Debug, Clone, Args)]
pub struct ConfigUnsetArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// zoo.cfg keys to remove, e.g. snapCount.
    #[arg(value_name = "KEY", required = true)]
    pub keys: Vec<String>,

    /// Print what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub roll: RollArgs,
}

/// `cli` options.
#[derive(Debug, Clone, Args)]
pub struct ShellArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// The member to talk to (default: the first that accepts a session).
    #[arg(long, value_name = "POD")]
    pub member: Option<String>,

    /// Do not ask before a recursive delete.
    #[arg(short = 'y', long)]
    pub yes: bool,

    #[command(flatten)]
    pub output: OutputArg,

    /// A ZooKeeper command and its arguments; none for an interactive session.
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}

/// `logs` options.
#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// Keep following every member (across restarts and re-created pods) until Ctrl-C.
    #[arg(short = 'f', long)]
    pub follow: bool,

    /// Only lines newer than this (e.g. 10m, 1h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub since: Option<Duration>,

    /// Only the last N lines of each member.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..))]
    pub tail: Option<i64>,

    /// The previous container's log (before its last restart).
    #[arg(short = 'p', long, conflicts_with = "follow")]
    pub previous: bool,

    /// Only this member.
    #[arg(long, value_name = "POD")]
    pub member: Option<String>,
}

/// `report` options.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// The archive to write (default: kubectl-zk-report-<namespace>-<name>-<time>.tar.gz here);
    /// an existing file is never overwritten.
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
}

/// `leader` options.
#[derive(Debug, Clone, Args)]
pub struct LeaderArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// Stream each member's mode, one line per change, until interrupted.
    #[arg(long, conflicts_with = "failover")]
    pub watch: bool,

    /// Delete the leader's pod (when the quorum survives it) and time the election.
    #[arg(long)]
    pub failover: bool,

    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `drain-safe` options.
#[derive(Debug, Clone, Args)]
pub struct DrainSafeArgs {
    /// The node to judge.
    #[arg(value_name = "NODE", required_unless_present = "all_nodes", conflicts_with = "all_nodes", value_parser = NodeName::parse_arg)]
    pub node: Option<NodeName>,

    /// Judge every node, one row each.
    #[arg(long, conflicts_with = "execute")]
    pub all_nodes: bool,

    /// Cordon the node and evict its members one at a time, if and while it is safe.
    #[arg(long)]
    pub execute: bool,

    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// With --execute: how long each evicted member may take to be Ready and in sync again.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,

    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// Consider the ensembles of every namespace (default: those of the namespace).
    #[arg(short = 'A', long, conflicts_with = "name")]
    pub all_namespaces: bool,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `persist-check` options.
#[derive(Debug, Clone, Args)]
pub struct PersistCheckArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// Also restart every member, one at a time, and check the data survived.
    #[arg(long, conflicts_with = "recreate")]
    pub restart: bool,

    /// Also delete and re-create the StatefulSet, and check the data survived.
    #[arg(long)]
    pub recreate: bool,

    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// How to reach ZooKeeper's client port: the ZooKeeper protocol over a port-forward
    /// (default; needs nothing in the image), or `zkCli.sh` through exec (the fallback).
    #[arg(long, value_enum, value_name = "TRANSPORT")]
    pub via: Option<ClientVia>,

    /// How long to wait for the ensemble to be healthy again after each restart or the
    /// re-creation (e.g. 90s, 5m).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,

    #[command(flatten)]
    pub output: OutputArg,
}

/// How `persist-check` reaches ZooKeeper's client port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientVia {
    /// The ZooKeeper protocol over a port-forward to each member.
    PortForward,
    /// `zkCli.sh` through exec in each member's container.
    Exec,
}

/// `uninstall` options.
#[derive(Debug, Clone, Args)]
pub struct UninstallArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// Also delete the members' data volumes (PVCs). Asks for the ensemble name unless --yes.
    #[arg(long)]
    pub delete_data: bool,

    /// Also remove an ensemble kubectl-zk did not install: only its StatefulSet (members
    /// stopped in reverse order); its Services, PDB and other objects are left alone.
    #[arg(long)]
    pub unmanaged: bool,

    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// `scale` options.
#[derive(Debug, Clone, Args)]
pub struct ScaleArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// The number of members wanted (1-255; odd numbers make the best use of members).
    #[arg(long, value_name = "N", required = true, value_parser = crate::manifest::options::parse_replicas)]
    pub replicas: u32,

    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Also delete the volumes of leaving members. Asks for the ensemble name unless --yes.
    #[arg(long)]
    pub delete_data: bool,

    /// How long each step may take (a member to start, sync or stop).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `backup` options: without a subcommand it takes a backup; `inspect` reads one.
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    /// Read a backup file instead of taking one.
    #[command(subcommand)]
    pub command: Option<BackupCommand>,

    #[command(flatten)]
    pub take: BackupTakeArgs,
}

/// `backup inspect`.
#[derive(Debug, Clone, Subcommand)]
pub enum BackupCommand {
    /// Read a backup file whole and say what it holds, or why it is damaged (exit 2).
    #[command(
        after_help = "Example:\n  kubectl zk backup inspect zk-default-20261207T230000Z.zkbackup"
    )]
    Inspect(BackupInspectArgs),
}

/// Options of `backup` itself.
#[derive(Debug, Clone, Args)]
pub struct BackupTakeArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// The file to write (default: <ensemble>-<namespace>-<UTC time>.zkbackup here). It must
    /// not exist.
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Copy from this member (default: a follower in sync with the leader).
    #[arg(long, value_name = "POD")]
    pub member: Option<String>,

    /// How to take it: the AdminServer's snapshot (official flavour, ZooKeeper 3.9+), the newest
    /// snapshot and later logs through exec (any), or auto: the first where it works, else the
    /// second.
    #[arg(long, value_enum, value_name = "SOURCE", default_value_t = BackupSourceChoice::Auto)]
    pub source: BackupSourceChoice,

    #[command(flatten)]
    pub output: OutputArg,
}

/// Where `backup` takes the data from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackupSourceChoice {
    /// The AdminServer's snapshot where the ensemble has one (official, 3.9+), else data-dir.
    Auto,
    /// `GET /commands/snapshot?streaming=true` as the superuser, over a port-forward.
    AdminSnapshot,
    /// The newest snapshot and the later transaction logs, copied through exec.
    DataDir,
}

/// `backup inspect` options.
#[derive(Debug, Clone, Args)]
pub struct BackupInspectArgs {
    /// The backup file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `restore` options.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// The backup file (from `kubectl zk backup`).
    #[arg(short = 'f', long, value_name = "FILE", conflicts_with = "back_to")]
    pub file: Option<PathBuf>,

    /// Put back the data an earlier restore set aside at this time (it printed it).
    #[arg(long, value_name = "TIME")]
    pub back_to: Option<String>,

    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// How long the ensemble may take to be healthy again.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// `restart` options.
#[derive(Debug, Clone, Args)]
pub struct RestartArgs {
    /// Only this member's pod (e.g. zk-1). Default: every member.
    #[arg(value_name = "MEMBER")]
    pub member: Option<String>,

    #[command(flatten)]
    pub ensemble: EnsembleArg,

    #[command(flatten)]
    pub roll: RollArgs,
}

/// What every command that rolls a change through the members takes.
#[derive(Debug, Clone, Args)]
pub struct RollArgs {
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// How long each member may take to come back Ready and in sync.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `upgrade` options.
#[derive(Debug, Clone, Args)]
pub struct UpgradeArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// The new image, e.g. docker.io/library/zookeeper:3.9.4 (its tag names the version).
    #[arg(long, value_name = "IMAGE", required = true)]
    pub image: String,

    /// Allow a downgrade across minor versions.
    #[arg(long)]
    pub force: bool,

    /// Print what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub roll: RollArgs,
}

/// `migrate` options.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub ensemble: EnsembleArg,

    /// The official image to move to (its tag names the ZooKeeper version).
    #[arg(long, value_name = "IMAGE", default_value = crate::manifest::options::OFFICIAL_IMAGE)]
    pub image: String,

    /// Only adopt the ensemble (labels, Services, PDB, StatefulSet); restart no member.
    #[arg(long, conflicts_with = "image")]
    pub keep_image: bool,

    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub roll: RollArgs,
}

/// Shells for `completion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
}

/// `completion` options.
#[derive(Debug, Clone, Args)]
pub struct CompletionArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `version` options.
#[derive(Debug, Clone, Args)]
pub struct VersionArgs {
    /// Only the plugin's version; do not ask the server.
    #[arg(long)]
    pub client: bool,

    #[command(flatten)]
    pub output: OutputArg,
}

/// Parses a duration the way kubectl's --request-timeout does: a bare number is seconds,
/// otherwise Go's notation (`1h2m3s`, `500ms`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    const HINT: &str = "use a number of seconds or a duration such as 30s, 5m or 1h";
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("empty duration; {HINT}"));
    }
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("'{text}' has a number without a unit; {HINT}"))?;
        let (number, tail) = rest.split_at(digits);
        let value: f64 = number
            .parse()
            .map_err(|_| format!("'{text}' is not a duration; {HINT}"))?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let seconds = match unit {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return Err(format!("'{text}' has an unknown unit '{unit}'; {HINT}")),
        };
        let part = Duration::try_from_secs_f64(value * seconds)
            .map_err(|_| format!("'{text}' is out of range; {HINT}"))?;
        total = total.saturating_add(part);
        rest = next;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse_like_kubectl() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        for bad in ["", "abc", "5x", "m", "1m2"] {
            assert!(parse_duration(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn global_options_go_anywhere() {
        let cli = Cli::try_parse_from(["kubectl-zk", "status", "-n", "kafka", "--context", "prod"])
            .expect("parses");
        assert_eq!(cli.global.namespace.as_deref(), Some("kafka"));
        assert_eq!(cli.global.context.as_deref(), Some("prod"));
    }

    #[test]
    fn dry_run_without_value_means_client() {
        let cli = Cli::try_parse_from(["kubectl-zk", "install", "--dry-run", "-o", "yaml"])
            .expect("parses");
        let Command::Install(args) = cli.command else {
            panic!("not install")
        };
        assert_eq!(args.dry_run, DryRun::Client);
        assert_eq!(args.output.output, Some(OutputFormat::Yaml));
    }
}
