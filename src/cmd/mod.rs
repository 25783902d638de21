//! One module per command: wire the shared model ([`crate::ensemble`]), decide, render.
//! A command never imports another; what two commands share lives outside `cmd/`.

pub mod backup;
pub mod complete;
pub mod completion;
pub mod config;
pub mod drain_safe;
pub mod install;
pub mod leader;
pub mod logs;
pub mod migrate;
pub mod myid;
pub mod persist_check;
pub mod report;
pub mod restart;
pub mod restore;
pub mod scale;
pub mod shell;
pub mod status;
pub mod uninstall;
pub mod upgrade;
pub mod version;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// How a command ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Success, healthy, safe.
    Ok,
    /// A check said no: unhealthy, unsafe, mismatch.
    CheckFailed,
    /// Stopped by Ctrl-C (SIGINT) after cleaning up: exit 130, as a shell reports it.
    Interrupted,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Ok => ExitCode::SUCCESS,
            Outcome::CheckFailed => ExitCode::from(1),
            Outcome::Interrupted => ExitCode::from(130),
        }
    }
}

/// Says why a change stopped, in one line on stderr, and the outcome: exit 130 after Ctrl-C,
/// else 1 (a refusal, or a member not back in time: the same command resumes).
pub fn stopped(err: &anyhow::Error) -> Outcome {
    eprintln!("kubectl-zk: {}", crate::cluster::error::one_line(err));
    if err.is::<crate::ensemble::rollout::Interrupted>() {
        Outcome::Interrupted
    } else {
        Outcome::CheckFailed
    }
}

/// Rolls the StatefulSet's template through the members with the rollout engine, printing
/// progress on stderr, and then the document (with what the rollout did and how long it took);
/// a stop is said in one line ([`stopped`]).
pub async fn roll_and_report(
    client: &kube::Client,
    name: &crate::names::EnsembleName,
    expect: crate::ensemble::rollout::Expect,
    roll: &crate::cli::RollArgs,
    style: crate::render::Style,
    mut document: crate::ensemble::rollout::RolloutDocument,
) -> anyhow::Result<Outcome> {
    let started = std::time::Instant::now();
    let progress =
        move |line: &str| eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64());
    let result = crate::ensemble::rollout::roll(
        client,
        &document.namespace,
        name,
        expect,
        roll.timeout,
        &progress,
        &mut document.rollout,
    )
    .await;
    if let Err(err) = result {
        return Ok(stopped(&err));
    }
    document.seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    crate::render::emit(&document, roll.output.output, style)?;
    Ok(Outcome::Ok)
}

/// Reads a backup file whole and checks it (header, SHA-256, every ZooKeeper file in it),
/// streaming; a damaged one is an error in one line (exit 2). `backup inspect` and `restore`
/// both start here.
pub fn read_backup_file(
    path: &std::path::Path,
) -> anyhow::Result<crate::zk::backup_file::Verified> {
    use anyhow::Context as _;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    crate::zk::backup_file::verify(std::io::BufReader::with_capacity(256 * 1024, file)).map_err(
        |e| {
            anyhow::anyhow!(
                "{} is not a usable backup: {e}; use another backup file",
                path.display()
            )
        },
    )
}

/// Runs the parsed command.
pub async fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    let global = cli.global;
    match cli.command {
        Command::Install(args) => install::run(&global, *args).await,
        Command::Status(args) => status::run(&global, args).await,
        Command::Myid(args) => myid::run(&global, args).await,
        Command::Config(args) => match args.change {
            None => config::run(&global, args.show).await,
            Some(change) => config::change::run(&global, change).await,
        },
        Command::Leader(args) => leader::run(&global, args).await,
        Command::DrainSafe(args) => drain_safe::run(&global, args).await,
        Command::PersistCheck(args) => persist_check::run(&global, args).await,
        Command::Scale(args) => scale::run(&global, args).await,
        Command::Restart(args) => restart::run(&global, args).await,
        Command::Upgrade(args) => upgrade::run(&global, args).await,
        Command::Logs(args) => logs::run(&global, args).await,
        Command::Report(args) => report::run(&global, args).await,
        Command::Shell(args) => shell::run(&global, args).await,
        Command::Migrate(args) => migrate::run(&global, args).await,
        Command::Backup(args) => backup::run(&global, args).await,
        Command::Restore(args) => restore::run(&global, args).await,
        Command::Uninstall(args) => uninstall::run(&global, args).await,
        Command::Completion(args) => completion::run(args),
        Command::Version(args) => version::run(&global, args).await,
    }
}
