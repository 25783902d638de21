//! `restore -f FILE`: puts a backup's data in place of an ensemble's current data, on every
//! member, without deleting anything.
//!
//! The file is read whole and checked first (a damaged one: exit 2, nothing changed); the
//! ensemble must be healthy and its ZooKeeper able to read the backup (else exit 1, nothing
//! changed). Then, after a plan and a confirmation: the StatefulSet is scaled to 0 (its replica
//! count remembered); for each member's claim a short-lived pod with the member's image, user
//! and mounts moves the current `version-2` directories aside on the same volume
//! (`version-2.before-restore-<time>`) and receives the backup's files through exec stdin
//! (`head -c SIZE`, argv only); the StatefulSet is scaled back and the ensemble waited for
//! until healthy. The way back is printed: `restore --back-to <time>` runs the same steps
//! with the set-aside directories instead of a file.
//!
//! Before the members stop, the restore writes a journal on the StatefulSet
//! (`kubectl-zk.io/restore`: the replica count, the time stamp, the source, each member's
//! directories, the volumes done). A restore killed on the way (SIGKILL, a lost laptop) leaves
//! it there, and the same command run again finishes the job from it: each volume's step can
//! run twice (what a half-done step wrote is kept aside as `*.incomplete-restore-<time>`).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};

use crate::cli::{GlobalOptions, RestoreArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cluster::pod_files::exec_in;
use crate::cluster::zookeeper::{MemberTarget, exec};
use crate::cmd::Outcome;
use crate::confirm::{confirm, ensure_can_ask};
use crate::ensemble::data_files::{DataDirs, data_dirs};
use crate::ensemble::{EnsembleStatus, Health};
use crate::kube::volume_pod::volume_pod;
use crate::zk::backup_file::{self, Verified};
use crate::zk::{Version, VersionNumber};

const POLL: Duration = Duration::from_millis(500);

/// The StatefulSet annotation holding a restore's [`Journal`] while it runs.
const JOURNAL: &str = "kubectl-zk.io/restore";

/// What a restore in progress needs to be finished by the same command run again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Journal {
    /// The time stamp of the set-aside directories.
    stamp: String,
    /// The members to start again.
    replicas: u32,
    /// `backup:<payload sha256>` or `aside:<stamp>`.
    source: String,
    /// Each member's directories, by ordinal (read while they ran).
    dirs: Vec<DataDirs>,
    /// The ordinals whose volumes are done.
    done: Vec<u32>,
}

fn source_key(source: &Source) -> String {
    match source {
        Source::Backup(_, verified) => format!("backup:{}", verified.header.payload_sha256),
        Source::Aside(old) => format!("aside:{old}"),
    }
}

fn read_journal(found: &Ensemble) -> Option<Journal> {
    let text = found
        .stateful_set
        .metadata
        .annotations
        .as_ref()?
        .get(JOURNAL)?;
    serde_json::from_str(text).ok()
}

/// Writes (or with `None` removes) the journal on the StatefulSet.
async fn write_journal(
    client: &Client,
    found: &Ensemble,
    journal: Option<&Journal>,
) -> anyhow::Result<()> {
    let value = match journal {
        Some(journal) => serde_json::Value::String(serde_json::to_string(journal)?),
        None => serde_json::Value::Null,
    };
    let patch = serde_json::json!({ "metadata": { "annotations": { JOURNAL: value } } });
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &found.namespace);
    sets.patch(&found.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .with_context(|| format!("cannot record the restore on StatefulSet {}", found.name))?;
    Ok(())
}

/// What goes in place of the current data.
enum Source {
    /// A backup file, checked.
    Backup(std::path::PathBuf, Box<Verified>),
    /// The directories an earlier restore set aside (`version-2.before-restore-<stamp>`).
    Aside(String),
}

/// Runs `restore`.
pub async fn run(global: &GlobalOptions, args: RestoreArgs) -> anyhow::Result<Outcome> {
    let source = match (&args.file, &args.back_to) {
        (Some(file), None) => {
            Source::Backup(file.clone(), Box::new(crate::cmd::read_backup_file(file)?))
        }
        (None, Some(stamp)) => {
            if stamp.is_empty() || !stamp.chars().all(|c| c.is_ascii_alphanumeric()) {
                bail!(
                    "--back-to {stamp:?} is not a time stamp like 20261207T231500Z; use the one a restore printed"
                );
            }
            Source::Aside(stamp.clone())
        }
        _ => bail!(
            "name the backup with -f FILE, or the data an earlier restore set aside with --back-to TIME"
        ),
    };
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    if let Some(journal) = read_journal(&found) {
        return resume(client, &found, journal, &source, &args).await;
    }
    let status =
        crate::ensemble::gather(client, found.clone(), None, Duration::from_secs(5)).await?;
    if let Some(refusal) = refusal(&status, &found, &source) {
        eprintln!("kubectl-zk: {refusal}; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    let replicas = found.replicas();
    let claim = claim_template(&found).ok_or_else(|| {
        anyhow!(
            "StatefulSet {} mounts no volume claim template in container {}: there is no data volume to restore into",
            found.name,
            found.container
        )
    })?;
    // Every member's directories at once (one exec each).
    let dirs = futures::future::try_join_all((0..replicas).map(|ordinal| {
        let target = found.target(&found.pod_name(ordinal));
        let found = &found;
        async move { data_dirs(client, found, &target).await }
    }))
    .await?;
    if let Source::Aside(stamp) = &source
        && let Some(missing) = missing_aside(client, &found, &dirs, stamp).await?
    {
        eprintln!("kubectl-zk: {missing}; name the time a restore printed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    let stamp = time_stamp();
    let what = plan_text(&found, &source, &dirs, &stamp);
    eprintln!("{what}");
    let action = format!(
        "replace the data of ensemble {} in namespace {}",
        found.name, found.namespace
    );
    ensure_can_ask(args.yes, &action)?;
    if !confirm("Go ahead?", &action, args.yes)? {
        eprintln!("not confirmed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    let mut journal = Journal {
        stamp: stamp.clone(),
        replicas,
        source: source_key(&source),
        dirs,
        done: Vec::new(),
    };
    write_journal(client, &found, Some(&journal)).await?;
    finish(client, &found, &claim, &mut journal, &source, &args).await
}

/// A restore whose journal is on the StatefulSet: the same source finishes it; another is
/// refused (exit 1) with the command that finishes it.
async fn resume(
    client: &Client,
    found: &Ensemble,
    mut journal: Journal,
    source: &Source,
    args: &RestoreArgs,
) -> anyhow::Result<Outcome> {
    if journal.source != source_key(source) {
        let what = match journal.source.split_once(':') {
            Some(("aside", old)) => format!("--back-to {old}"),
            _ => "-f with the same backup file".to_owned(),
        };
        eprintln!(
            "kubectl-zk: a restore of ensemble {} started at {} is not finished (its journal is on the StatefulSet, annotation {JOURNAL}); finish it first by running `kubectl zk restore` again with {what}; nothing was changed",
            found.name, journal.stamp
        );
        return Ok(Outcome::CheckFailed);
    }
    let claim = claim_template(found)
        .ok_or_else(|| anyhow!("StatefulSet {} mounts no volume claim template", found.name))?;
    let action = format!(
        "finish the restore of ensemble {} in namespace {} started at {} ({} of {} volumes done)",
        found.name,
        found.namespace,
        journal.stamp,
        journal.done.len(),
        journal.replicas
    );
    eprintln!("{}.", crate::confirm::capitalised(&action));
    ensure_can_ask(args.yes, &action)?;
    if !confirm("Go ahead?", &action, args.yes)? {
        eprintln!("not confirmed; nothing was changed");
        return Ok(Outcome::CheckFailed);
    }
    finish(client, found, &claim, &mut journal, source, args).await
}

/// Stops the members, restores every volume not yet done, starts them again, waits.
async fn finish(
    client: &Client,
    found: &Ensemble,
    claim: &str,
    journal: &mut Journal,
    source: &Source,
    args: &RestoreArgs,
) -> anyhow::Result<Outcome> {
    let (replicas, stamp) = (journal.replicas, journal.stamp.clone());
    let started = Instant::now();
    let progress =
        move |line: &str| eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64());
    // Once the members stop, the data is swapped on every volume before any starts again, so
    // no member starts with data the others lack: Ctrl-C is said to wait, not obeyed, until
    // the members are scaled back (about a second a member).
    let hold = tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "kubectl-zk: the members' data is being replaced; the restore finishes that and starts them again before it stops"
            );
        }
    });
    let result = replace(client, found, claim, journal, source, &progress).await;
    // Whatever happened, the members start again with what their volumes hold.
    let scaled = scale(client, found, replicas).await;
    hold.abort();
    if let Err(err) = result {
        eprintln!(
            "kubectl-zk: the restore stopped: {}; StatefulSet {} is scaled back to {replicas}; what was set aside is in each volume's *.before-restore-{stamp}; run the same command again to finish the restore",
            crate::cluster::error::one_line(&err),
            found.name
        );
        return Ok(Outcome::CheckFailed);
    }
    scaled?;
    write_journal(client, found, None).await?;
    // What the wait judges against: the members it started again (a resumed restore found the
    // StatefulSet at 0).
    let mut running = found.clone();
    if let Some(spec) = running.stateful_set.spec.as_mut() {
        spec.replicas = Some(i32::try_from(replicas).unwrap_or(i32::MAX));
    }
    progress(&format!(
        "StatefulSet {} scaled back to {replicas}; waiting for the ensemble",
        found.name
    ));
    let waited = crate::ensemble::rollout::unless_interrupted(
        crate::ensemble::rolling::wait_healthy(client, &running, args.timeout, &progress),
        || {
            format!(
                "interrupted while waiting for ensemble {} to be healthy; the restored data is in place and the members are starting (see `kubectl zk status`)",
                found.name
            )
        },
    )
    .await;
    if let Err(err) = waited {
        return Ok(crate::cmd::stopped(&err));
    }
    println!(
        "{}",
        done_text(found, source, &journal.dirs[0], &stamp, replicas)
    );
    Ok(Outcome::Ok)
}

/// The first member lacking the directories set aside at `stamp`, said, if one does.
async fn missing_aside(
    client: &Client,
    found: &Ensemble,
    dirs: &[DataDirs],
    stamp: &str,
) -> anyhow::Result<Option<String>> {
    for (ordinal, member_dirs) in dirs.iter().enumerate() {
        let target = found.target(&found.pod_name(ordinal as u32));
        for dir in version_dirs(member_dirs) {
            let aside = aside_name(&dir, stamp);
            if !exists(client, &target, &aside).await? {
                return Ok(Some(format!("{} has no {aside} to go back to", target.pod)));
            }
        }
    }
    Ok(None)
}

/// What a finished restore says: what it restored, where the replaced data is, the way back.
fn done_text(
    found: &Ensemble,
    source: &Source,
    dirs: &DataDirs,
    stamp: &str,
    replicas: u32,
) -> String {
    let restored = match source {
        Source::Backup(path, verified) => format!(
            "{} (last zxid {}, {} znodes)",
            path.display(),
            verified.header.last_zxid,
            verified.database.znodes
        ),
        Source::Aside(old) => format!("the data set aside at {old}"),
    };
    format!(
        "Ensemble {} in namespace {}: restored from {restored}; {} members healthy.\n\
         The data it replaced is kept on each member's volume as {}.\n\
         To go back: kubectl zk restore --name {} -n {} --back-to {stamp}",
        found.name,
        found.namespace,
        replicas,
        version_dirs(dirs)
            .iter()
            .map(|d| aside_name(d, stamp))
            .collect::<Vec<_>>()
            .join(" and "),
        found.name,
        found.namespace
    )
}

/// Why the restore must not start (nothing changed yet), if it must not. Pure.
fn refusal(status: &EnsembleStatus, found: &Ensemble, source: &Source) -> Option<String> {
    if status.health != Health::Healthy {
        return Some(format!(
            "ensemble {} in namespace {} is not healthy ({}); restore into a healthy ensemble (see `kubectl zk status`)",
            found.name,
            found.namespace,
            crate::ensemble::rolling::not_back(status).unwrap_or_else(|| "degraded".to_owned())
        ));
    }
    let Source::Backup(path, verified) = source else {
        return None;
    };
    let target = status
        .zookeeper_version
        .as_deref()
        .and_then(|v| Version::new(v).number())
        .or_else(|| VersionNumber::from_image(&found.image))?;
    let backup = Version::new(&verified.header.origin.zookeeper_version).number()?;
    if readable(backup, target) {
        return None;
    }
    Some(format!(
        "{} was written by ZooKeeper {backup}, which ensemble {} (ZooKeeper {target}) cannot read; upgrade it first (`kubectl zk upgrade`)",
        path.display(),
        found.name
    ))
}

/// Whether files written by ZooKeeper `backup` can be loaded by `target`: formats only move
/// forward across minor versions. Pure.
fn readable(backup: VersionNumber, target: VersionNumber) -> bool {
    (backup.major, backup.minor) <= (target.major, target.minor)
}

/// The claim template the ZooKeeper container mounts.
fn claim_template(found: &Ensemble) -> Option<String> {
    let container = crate::ensemble::layout::container(found)?;
    let mounts: BTreeSet<&str> = container
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| m.name.as_str())
        .collect();
    found
        .claim_templates()
        .into_iter()
        .find(|c| mounts.contains(c.as_str()))
}

/// A member's database directories: `dataDir/version-2`, and the log's when it differs.
fn version_dirs(dirs: &DataDirs) -> Vec<String> {
    let mut out = vec![dirs.snapshots.clone()];
    if dirs.logs != dirs.snapshots {
        out.push(dirs.logs.clone());
    }
    out
}

fn aside_name(dir: &str, stamp: &str) -> String {
    format!("{dir}.before-restore-{stamp}")
}

fn time_stamp() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .to_string()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(15)
        .chain(std::iter::once('Z'))
        .collect()
}

fn plan_text(found: &Ensemble, source: &Source, dirs: &[DataDirs], stamp: &str) -> String {
    let what = match source {
        Source::Backup(path, verified) => {
            let h = &verified.header;
            format!(
                "the backup {} (ensemble {} in namespace {}, ZooKeeper {}, taken {} from {}; last zxid {}, {} znodes, {} bytes of data)",
                path.display(),
                h.origin.ensemble,
                h.origin.namespace,
                h.origin.zookeeper_version,
                h.origin.time,
                h.origin.member,
                h.last_zxid,
                verified.database.znodes,
                verified.database.data_bytes
            )
        }
        Source::Aside(old) => format!("the data an earlier restore set aside at {old}"),
    };
    let replicas = found.replicas();
    let dirs_text = version_dirs(&dirs[0]).join(" and ");
    format!(
        "Restore ensemble {} in namespace {} from {what}:\n\
         1. stop its {replicas} members (StatefulSet {} scaled to 0; it goes back to {replicas});\n\
         2. on each member's volume, move {dirs_text} aside to *.before-restore-{stamp} (nothing is deleted) and put the restored data in their place;\n\
         3. start the members again and wait until the ensemble is healthy.\n\
         Clients are disconnected until then.",
        found.name, found.namespace, found.name
    )
}

async fn scale(client: &Client, found: &Ensemble, replicas: u32) -> anyhow::Result<()> {
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &found.namespace);
    let patch = serde_json::json!({ "spec": { "replicas": replicas } });
    sets.patch_scale(&found.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|err| {
            anyhow!(err).context(format!(
                "cannot scale StatefulSet {} in namespace {} to {replicas}",
                found.name, found.namespace
            ))
        })?;
    Ok(())
}

async fn replace(
    client: &Client,
    found: &Ensemble,
    claim: &str,
    journal: &mut Journal,
    source: &Source,
    progress: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<()> {
    progress(&format!(
        "stopping the members: StatefulSet {} scaled to 0",
        found.name
    ));
    scale(client, found, 0).await?;
    wait_members_gone(client, found).await?;
    progress("every member stopped");
    for (ordinal, member_dirs) in journal.dirs.clone().iter().enumerate() {
        let ordinal = ordinal as u32;
        if journal.done.contains(&ordinal) {
            continue;
        }
        let name = format!("{}-restore-{ordinal}", found.name);
        let pod = volume_pod(&found.stateful_set, &found.container, claim, ordinal, &name)
            .ok_or_else(|| anyhow!("container {} does not mount {claim}", found.container))?;
        let target = start_volume_pod(client, found, pod, &name).await?;
        let result = restore_volume(client, &target, member_dirs, source, &journal.stamp).await;
        delete_pod(client, &found.namespace, &name).await;
        result?;
        journal.done.push(ordinal);
        write_journal(client, found, Some(journal)).await?;
        progress(&format!(
            "{}'s volume: current data set aside, restored data in place",
            found.pod_name(ordinal)
        ));
    }
    Ok(())
}

async fn wait_members_gone(client: &Client, found: &Ensemble) -> anyhow::Result<()> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &found.namespace);
    let names: BTreeSet<String> = found.pod_names().into_iter().collect();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let list = pods
            .list(&ListParams::default().labels(&found.pod_selector()))
            .await
            .with_context(|| format!("cannot list pods in namespace {}", found.namespace))?;
        let left: Vec<String> = list
            .items
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .filter(|n| names.contains(n))
            .collect();
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{} did not stop within 180s (see `kubectl describe pod {} -n {}`)",
                left.join(", "),
                left[0],
                found.namespace
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn start_volume_pod(
    client: &Client,
    found: &Ensemble,
    pod: Pod,
    name: &str,
) -> anyhow::Result<MemberTarget> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &found.namespace);
    // A pod left by an interrupted run would hold the claim: remove it first.
    delete_pod(client, &found.namespace, name).await;
    pods.create(&PostParams::default(), &pod)
        .await
        .with_context(|| format!("cannot create pod {name} in namespace {}", found.namespace))?;
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let current = pods.get_opt(name).await?;
        if let Some(current) = &current
            && crate::kube::pod::phase(current) == "Running"
        {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "pod {name} did not start within 180s (see `kubectl describe pod {name} -n {}`)",
                found.namespace
            );
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(MemberTarget {
        namespace: found.namespace.clone(),
        pod: name.to_owned(),
        container: Some(found.container.clone()),
    })
}

async fn delete_pod(client: &Client, namespace: &str, name: &str) {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    if pods
        .delete(name, &DeleteParams::default().grace_period(0))
        .await
        .is_err()
    {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match pods.get_opt(name).await {
            Ok(Some(_)) => tokio::time::sleep(POLL).await,
            _ => return,
        }
    }
}

/// Runs a command in the volume pod; an exit other than 0 is an error.
async fn run_in(client: &Client, target: &MemberTarget, argv: &[&str]) -> anyhow::Result<String> {
    let (out, code) = exec(client, target, argv).await?;
    if code != 0 {
        bail!(
            "`{}` in pod {} exited with code {code}",
            argv.join(" "),
            target.pod
        );
    }
    Ok(out)
}

async fn exists(client: &Client, target: &MemberTarget, path: &str) -> anyhow::Result<bool> {
    Ok(exec(client, target, &["ls", "-d", path]).await?.1 == 0)
}

/// One member's volume: its directories set aside, the restored data put in place. Safe to run
/// again after an interruption: a directory already set aside at `stamp` is not set aside again
/// (what the interrupted step left in its place is kept as `*.incomplete-restore-<stamp>`), and
/// for `--back-to` a directory already moved back is left as it is.
async fn restore_volume(
    client: &Client,
    target: &MemberTarget,
    dirs: &DataDirs,
    source: &Source,
    stamp: &str,
) -> anyhow::Result<()> {
    let mut todo = Vec::new();
    for dir in version_dirs(dirs) {
        let aside = aside_name(&dir, stamp);
        let aside_done = exists(client, target, &aside).await?;
        if let Source::Aside(old) = source
            && aside_done
            && !exists(client, target, &aside_name(&dir, old)).await?
        {
            continue; // moved back already by the interrupted run
        }
        if aside_done {
            if exists(client, target, &dir).await? {
                let incomplete = format!("{dir}.incomplete-restore-{stamp}-{}", time_stamp());
                run_in(client, target, &["mv", &dir, &incomplete]).await?;
            }
        } else if exists(client, target, &dir).await? {
            run_in(client, target, &["mv", &dir, &aside]).await?;
        }
        todo.push(dir);
    }
    match source {
        Source::Aside(old) => {
            for dir in &todo {
                run_in(client, target, &["mv", &aside_name(dir, old), dir]).await?;
            }
        }
        Source::Backup(path, verified) => {
            for dir in version_dirs(dirs) {
                run_in(client, target, &["mkdir", "-p", &dir]).await?;
            }
            for (entry, offset) in backup_file::file_offsets(&verified.header) {
                let dest = format!("{}/{}", dirs.dir_of(&entry.name), entry.name);
                send_file(client, target, path, offset, entry.bytes, &dest).await?;
            }
        }
    }
    Ok(())
}

/// Streams `bytes` bytes of the local file from `offset` into `dest` in the pod, and checks
/// the size that arrived.
async fn send_file(
    client: &Client,
    target: &MemberTarget,
    path: &Path,
    offset: u64,
    bytes: u64,
    dest: &str,
) -> anyhow::Result<()> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    file.seek(SeekFrom::Start(offset))?;
    let mut part = file.take(bytes);
    let size = bytes.to_string();
    // Fixed shell text; the size and the path are positional arguments, never spliced in.
    let argv = [
        "sh",
        "-c",
        "head -c \"$1\" > \"$2\"",
        "kubectl-zk",
        size.as_str(),
        dest,
    ];
    exec_in(client, target, &argv, &mut part).await?;
    let counted = run_in(client, target, &["wc", "-c", dest]).await?;
    let arrived: u64 = counted
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX);
    if arrived != bytes {
        bail!(
            "{dest} in pod {} has {arrived} bytes after the copy, not {bytes}",
            target.pod
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_move_forward_only() {
        let v = |minor| VersionNumber::new(3, minor, 0);
        assert!(readable(v(4), v(9)));
        assert!(readable(v(9), v(9)));
        assert!(!readable(v(9), v(8)));
    }

    #[test]
    fn an_unhealthy_ensemble_is_refused_before_anything() {
        use crate::ensemble::testing::{ensemble, three};
        let found = ensemble(3);
        let back = Source::Aside("20261207T231500Z".into());
        let why = refusal(&three(0, Some(2)), &found, &back).expect("refused");
        assert!(why.contains("is not healthy"), "{why}");
        assert!(refusal(&three(0, None), &found, &back).is_none());
    }

    #[test]
    fn aside_names_keep_the_directory() {
        assert_eq!(
            aside_name("/data/version-2", "20261207T231500Z"),
            "/data/version-2.before-restore-20261207T231500Z"
        );
        let stamp = time_stamp();
        assert_eq!(stamp.len(), 16);
        assert!(stamp.ends_with('Z'));
    }
}
