//! `backup [-f FILE]`: the ensemble's data in one local file, from a member in sync with the
//! leader (a follower where there is one): the member's newest snapshot and the transaction
//! logs after it, copied through exec (`cat`, argv only) and streamed to disk, then read back
//! whole, checked and described in the file's header ([`crate::zk::backup_file`]).
//!
//! `backup inspect FILE`: reads a backup whole (streaming) and says what it holds, or why it
//! is damaged (exit 2).

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use serde::Serialize;

use crate::cli::{
    BackupArgs, BackupCommand, BackupInspectArgs, BackupSourceChoice, BackupTakeArgs, GlobalOptions,
};
use crate::cluster::admin_secret;
use crate::cluster::admin_snapshot::{SnapshotRefused, request_snapshot};
use crate::cluster::client::connect;
use crate::cluster::ensemble;
use crate::cluster::pod_files::exec_out;
use crate::cmd::Outcome;
use crate::ensemble::data_files::{data_dirs, list};
use crate::ensemble::{EnsembleStatus, MemberMode};
use crate::manifest::options::Flavor;
use crate::render::{Document, Style, Tabular, emit};
use crate::zk::backup_file::{BackupHeader, BackupOrigin, BackupSource, BackupWriter};
use crate::zk::disk::{DatabaseSummary, files_to_copy};
use crate::zk::view::Lag;
use crate::zk::{Mode, Version};

/// Runs `backup` or `backup inspect`.
pub async fn run(global: &GlobalOptions, args: BackupArgs) -> anyhow::Result<Outcome> {
    match args.command {
        Some(BackupCommand::Inspect(inspect)) => run_inspect(global, inspect),
        None => take(global, args.take).await,
    }
}

/// What `backup` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupReport {
    /// The file written.
    pub file: String,
    /// Its size.
    pub file_bytes: u64,
    /// Its header.
    pub header: BackupHeader,
    /// How long it took.
    pub seconds: f64,
}

impl Document for BackupReport {
    const KIND: &'static str = "Backup";
}

impl Tabular for BackupReport {
    fn table(&self, _style: Style, _wide: bool) -> String {
        let h = &self.header;
        format!(
            "backup of ensemble {} in namespace {} written to {}\n\
             {} bytes from {} (ZooKeeper {}, {}), {} znodes, {} bytes of data, last zxid {}, in {:.1}s\n",
            h.origin.ensemble,
            h.origin.namespace,
            self.file,
            self.file_bytes,
            h.origin.member,
            h.origin.zookeeper_version,
            source_words(h.origin.source),
            h.znodes,
            h.data_bytes,
            h.last_zxid,
            self.seconds
        )
    }
}

fn source_words(source: BackupSource) -> &'static str {
    match source {
        BackupSource::DataDir => "newest snapshot and later logs",
        BackupSource::AdminSnapshot => "AdminServer snapshot",
    }
}

/// The members to copy from, best first: the one named, else the followers in sync with
/// the leader (the least behind, then the lowest ordinal), then the leader or a standalone
/// server (a 3.4 follower that joined by a diff has no snapshot of its own yet). Pure.
pub fn pick_members(status: &EnsembleStatus, named: Option<&str>) -> Result<Vec<String>, String> {
    let serving = |m: &&crate::ensemble::MemberStatus| {
        matches!(m.mode, MemberMode::Serving(mode) if mode != Mode::ReadOnly) && m.ready
    };
    if let Some(named) = named {
        return match status.members.iter().find(|m| m.pod == named) {
            Some(m) if serving(&m) => Ok(vec![named.to_owned()]),
            Some(m) => Err(format!(
                "member {named} is {} and not Ready and serving; name a serving member or none",
                m.mode.word()
            )),
            None => Err(format!(
                "{named} is not a member of ensemble {}; name one of {} or none",
                status.ensemble,
                status
                    .members
                    .iter()
                    .map(|m| m.pod.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
    }
    let lag = |m: &crate::ensemble::MemberStatus| match m.lag {
        Some(Lag::Transactions(n)) => n,
        Some(Lag::Ahead) => 0,
        None => u64::MAX,
    };
    let mut followers: Vec<&crate::ensemble::MemberStatus> = status
        .members
        .iter()
        .filter(serving)
        .filter(|m| m.mode == MemberMode::Serving(Mode::Follower))
        .filter(|m| lag(m) <= crate::ensemble::LAG_THRESHOLD)
        .collect();
    followers.sort_by_key(|m| (lag(m), m.ordinal));
    let leaders = status
        .members
        .iter()
        .filter(serving)
        .filter(|m| matches!(m.mode, MemberMode::Serving(Mode::Leader | Mode::Standalone)));
    let picked: Vec<String> = followers
        .into_iter()
        .chain(leaders)
        .map(|m| m.pod.clone())
        .collect();
    if picked.is_empty() {
        return Err(format!(
            "no member of ensemble {} is serving in sync with a leader; see `kubectl zk status` and take the backup once it is healthy",
            status.ensemble
        ));
    }
    Ok(picked)
}

/// `<ensemble>-<namespace>-<UTC time>.zkbackup`.
pub fn default_file_name(ensemble: &str, namespace: &str, time: &str) -> String {
    let compact: String = time
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(15)
        .collect();
    format!("{ensemble}-{namespace}-{compact}Z.zkbackup")
}

async fn take(global: &GlobalOptions, args: BackupTakeArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    let status =
        crate::ensemble::gather(client, found.clone(), None, Duration::from_secs(5)).await?;
    if !status.quorum_holds {
        eprintln!(
            "kubectl-zk: ensemble {} in namespace {} has no leader with a quorum, so no member is known to hold every acknowledged write; take the backup once `kubectl zk status` is healthy",
            found.name, found.namespace
        );
        return Ok(Outcome::CheckFailed);
    }
    let candidates = match pick_members(&status, args.member.as_deref()) {
        Ok(candidates) => candidates,
        Err(why) => {
            eprintln!("kubectl-zk: {why}");
            return Ok(Outcome::CheckFailed);
        }
    };
    let version = status
        .zookeeper_version
        .as_deref()
        .and_then(|v| Version::new(v).number())
        .map(|n| n.to_string())
        .or_else(|| crate::zk::VersionNumber::from_image(&found.image).map(|n| n.to_string()))
        .unwrap_or_else(|| "unknown".into());
    let time = k8s_openapi::jiff::Timestamp::now()
        .round(k8s_openapi::jiff::Unit::Second)
        .unwrap_or_else(|_| k8s_openapi::jiff::Timestamp::now())
        .to_string();
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(default_file_name(&found.name, &found.namespace, &time)));
    if path.exists() {
        bail!(
            "{} already exists; name another file with -f or move it away",
            path.display()
        );
    }
    let partial = PathBuf::from(format!("{}.partial", path.display()));
    let origin = |member: &str, source| BackupOrigin {
        ensemble: found.name.clone(),
        namespace: found.namespace.clone(),
        zookeeper_version: version.clone(),
        flavor: found
            .flavor
            .map_or_else(|| "unknown".to_owned(), |f| f.as_str().to_owned()),
        member: member.to_owned(),
        time: time.clone(),
        source,
    };
    let admin = match args.source {
        BackupSourceChoice::AdminSnapshot => true,
        BackupSourceChoice::DataDir => false,
        BackupSourceChoice::Auto => {
            found.flavor == Some(Flavor::Official) && Version::new(&version).at_least(3, 9)
        }
    };
    // Ctrl-C stops the copy and removes FILE.partial: nothing is left half written.
    let taken = crate::ensemble::rollout::unless_interrupted(
        copy(
            &Copying {
                client,
                found: &found,
                status: &status,
                candidates: &candidates,
                partial: &partial,
                origin: &origin,
            },
            args.source,
            admin,
        ),
        || "interrupted; no backup was written".to_owned(),
    )
    .await;
    let header = match taken {
        Ok(header) => header,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            if err.is::<crate::ensemble::rollout::Interrupted>() {
                return Ok(crate::cmd::stopped(&err));
            }
            return Err(err);
        }
    };
    std::fs::rename(&partial, &path)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), path.display()))?;
    let file_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let report = BackupReport {
        file: path.display().to_string(),
        file_bytes,
        header,
        seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    };
    emit(&report, args.output.output, Style::new(global.color))?;
    Ok(Outcome::Ok)
}

/// What every way of taking a backup works with.
struct Copying<'a> {
    client: &'a kube::Client,
    found: &'a crate::cluster::ensemble::Ensemble,
    status: &'a EnsembleStatus,
    /// The members to copy from, best first.
    candidates: &'a [String],
    /// `FILE.partial`.
    partial: &'a Path,
    /// The header's origin for a member and a source.
    origin: &'a dyn Fn(&str, BackupSource) -> BackupOrigin,
}

/// Takes the backup into `partial`: the AdminServer's snapshot when `admin` (falling back to
/// the data directory when the choice was `auto`), else the data directory's files.
async fn copy(
    copying: &Copying<'_>,
    choice: BackupSourceChoice,
    admin: bool,
) -> anyhow::Result<BackupHeader> {
    if admin {
        match from_admin_server(copying).await {
            Ok(header) => return Ok(header),
            Err(err) if choice == BackupSourceChoice::Auto => {
                let _ = std::fs::remove_file(copying.partial);
                let why = crate::cluster::error::one_line(&err);
                eprintln!("{why}; copying the newest snapshot and later logs instead");
            }
            Err(err) if err.is::<SnapshotRefused>() => {
                bail!("{err}; or back up with --source data-dir")
            }
            Err(err) => return Err(err),
        }
    }
    from_data_dir(copying).await
}

/// The AdminServer's snapshot of the first candidate that gives one (ZooKeeper allows one per
/// server every 5 minutes), as the superuser of the ensemble's Secret.
async fn from_admin_server(copying: &Copying<'_>) -> anyhow::Result<BackupHeader> {
    let (client, found, partial) = (copying.client, copying.found, copying.partial);
    let password = admin_secret::password(client, &found.namespace, &found.name).await?;
    let mut last = None;
    for member in copying.candidates {
        let target = found.target(member);
        let snapshot = match request_snapshot(client, &target, &password).await {
            Ok(snapshot) => snapshot,
            Err(err) if matches!(err.downcast_ref(), Some(SnapshotRefused::RateLimited(_))) => {
                eprintln!("{err}; asking the next member");
                last = Some(err);
                continue;
            }
            Err(err) => return Err(err),
        };
        let name = snapshot.file_name()?;
        eprintln!("streaming {name} from the AdminServer of {member}");
        let mut writer = new_writer(partial)?;
        writer.begin_file(&name).map_err(|e| anyhow!("{e}"))?;
        let copied = snapshot.copy_to(writer.file()).await;
        if let Err(err) = copied {
            let _ = std::fs::remove_file(partial);
            return Err(err);
        }
        writer.end_file().map_err(|e| anyhow!("{e}"))?;
        let header = BackupHeader::new((copying.origin)(member, BackupSource::AdminSnapshot));
        return finish(writer, header, member, partial);
    }
    Err(last.unwrap_or_else(|| anyhow!("no member to ask")))
}

/// The newest snapshot and later logs of the first candidate that has a snapshot.
async fn from_data_dir(copying: &Copying<'_>) -> anyhow::Result<BackupHeader> {
    let Copying {
        client,
        found,
        status,
        candidates,
        partial,
        origin,
    } = *copying;
    let mut chosen = None;
    for member in candidates {
        let target = found.target(member);
        let dirs = data_dirs(client, found, &target).await?;
        let mut names = list(client, &target, &dirs.snapshots).await?;
        if dirs.logs != dirs.snapshots {
            names.extend(list(client, &target, &dirs.logs).await?);
        }
        if let Some(files) = files_to_copy(&names) {
            chosen = Some((member.clone(), target, dirs, files));
            break;
        }
        eprintln!("{member} has no snapshot in {} yet", dirs.snapshots);
    }
    let Some((member, target, dirs, (snapshot, logs))) = chosen else {
        bail!(
            "no member of ensemble {} has a snapshot yet (ZooKeeper writes one when a leader is elected and every snapCount transactions); restart the leader with `kubectl zk restart {}` and try again",
            found.name,
            status.leader.as_deref().unwrap_or("MEMBER")
        );
    };
    eprintln!(
        "copying {snapshot} and {} later log(s) from {member} ({}, {})",
        logs.len(),
        dirs.snapshots,
        dirs.logs
    );
    let files: Vec<String> = std::iter::once(snapshot).chain(logs).collect();
    let header = BackupHeader::new(origin(&member, BackupSource::DataDir));
    let written = write_backup(client, &target, &dirs, &files, partial, header).await;
    if written.is_err() {
        let _ = std::fs::remove_file(partial);
    }
    written
}

fn new_writer(partial: &Path) -> anyhow::Result<BackupWriter<std::fs::File>> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    BackupWriter::new(file).map_err(|e| anyhow!("{}: {e}", partial.display()))
}

/// Reads the written payload back and writes the header; a file that does not read back is
/// removed.
fn finish(
    writer: BackupWriter<std::fs::File>,
    header: BackupHeader,
    member: &str,
    partial: &Path,
) -> anyhow::Result<BackupHeader> {
    tokio::task::block_in_place(|| writer.finish(header)).map_err(|e| {
        let _ = std::fs::remove_file(partial);
        anyhow!("the copy from {member} is not a consistent database: {e}; run the backup again")
    })
}

async fn write_backup(
    client: &kube::Client,
    target: &crate::cluster::zookeeper::MemberTarget,
    dirs: &crate::ensemble::data_files::DataDirs,
    files: &[String],
    partial: &Path,
    header: BackupHeader,
) -> anyhow::Result<BackupHeader> {
    let mut writer = new_writer(partial)?;
    for name in files {
        let path = format!("{}/{name}", dirs.dir_of(name));
        writer.begin_file(name).map_err(|e| anyhow!("{e}"))?;
        if name.starts_with("log.") {
            let mut trimmed = TrailingZeros::new(writer.file());
            exec_out(client, target, &["cat", &path], &mut trimmed).await?;
        } else {
            exec_out(client, target, &["cat", &path], writer.file()).await?;
        }
        writer.end_file().map_err(|e| anyhow!("{e}"))?;
    }
    finish(writer, header, &target.pod, partial)
}

/// A writer that leaves out the zeros at the end of what passes through it: a transaction
/// log is preallocated with zeros (64 MiB by default) after its last record, which always
/// ends with the byte `B`, and ZooKeeper reads a log that ends after its last record the same
/// way. Zeros followed by other bytes are written as they were.
struct TrailingZeros<'a, W: std::io::Write> {
    inner: &'a mut W,
    pending: u64,
}

impl<'a, W: std::io::Write> TrailingZeros<'a, W> {
    fn new(inner: &'a mut W) -> Self {
        Self { inner, pending: 0 }
    }
}

impl<W: std::io::Write> std::io::Write for TrailingZeros<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(last) = buf.iter().rposition(|&b| b != 0) else {
            self.pending += buf.len() as u64;
            return Ok(buf.len());
        };
        let zeros = [0u8; 8192];
        while self.pending > 0 {
            let n = self.pending.min(zeros.len() as u64) as usize;
            self.inner.write_all(&zeros[..n])?;
            self.pending -= n as u64;
        }
        self.inner.write_all(&buf[..=last])?;
        self.pending = (buf.len() - last - 1) as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What `backup inspect` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupInspection {
    /// The file read.
    pub file: String,
    /// Its header.
    pub header: BackupHeader,
    /// The database its files replay to, computed from them.
    pub database: DatabaseSummary,
    /// Checksums and structure verified.
    pub intact: bool,
}

impl Document for BackupInspection {
    const KIND: &'static str = "BackupInspection";
}

impl Tabular for BackupInspection {
    fn table(&self, _style: Style, _wide: bool) -> String {
        let h = &self.header;
        let d = &self.database;
        let mut text = format!(
            "FILE          {}\nINTACT        yes (SHA-256 and every ZooKeeper checksum verified)\n\
             ENSEMBLE      {} (namespace {}, {} flavour)\nZOOKEEPER     {}\nTAKEN         {} from {} ({})\n\
             LAST ZXID     0x{:x}\nZNODES        {}\nDATA          {} bytes\nFILES         {}\nTOP LEVEL     {}\n",
            self.file,
            h.origin.ensemble,
            h.origin.namespace,
            h.origin.flavor,
            h.origin.zookeeper_version,
            h.origin.time,
            h.origin.member,
            source_words(h.origin.source),
            d.last_zxid,
            d.znodes,
            d.data_bytes,
            h.files
                .iter()
                .map(|f| format!("{} ({} bytes)", f.name, f.bytes))
                .collect::<Vec<_>>()
                .join(", "),
            d.top_level.join(" "),
        );
        if text.ends_with("TOP LEVEL     \n") {
            text.push_str("(no znodes besides the root)\n");
        }
        text
    }
}

fn run_inspect(global: &GlobalOptions, args: BackupInspectArgs) -> anyhow::Result<Outcome> {
    let verified = crate::cmd::read_backup_file(&args.file)?;
    let inspection = BackupInspection {
        file: args.file.display().to_string(),
        header: verified.header,
        database: verified.database,
        intact: true,
    };
    emit(&inspection, args.output.output, Style::new(global.color))?;
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_zeros_are_left_out_and_inner_zeros_kept() {
        use std::io::Write as _;
        let mut out = Vec::new();
        {
            let mut trimmed = TrailingZeros::new(&mut out);
            for chunk in [&[1u8, 0, 0][..], &[0, 0], &[2, 0], &[0; 10], &[]] {
                trimmed.write_all(chunk).expect("write");
            }
        }
        assert_eq!(out, [1, 0, 0, 0, 0, 2]);
    }

    #[test]
    fn followers_in_sync_first_then_the_leader() {
        use crate::ensemble::testing::three;
        assert_eq!(
            pick_members(&three(0, None), None),
            Ok(vec![
                "zk-1".to_owned(),
                "zk-2".to_owned(),
                "zk-0".to_owned()
            ])
        );
        assert_eq!(
            pick_members(&three(1, Some(0)), None),
            Ok(vec!["zk-2".to_owned(), "zk-1".to_owned()])
        );
        assert_eq!(
            pick_members(&three(1, None), Some("zk-1")),
            Ok(vec!["zk-1".to_owned()])
        );
        let down = pick_members(&three(1, Some(0)), Some("zk-0")).expect_err("down");
        assert!(down.contains("not Ready and serving"), "{down}");
        let other = pick_members(&three(1, None), Some("kafka-0")).expect_err("no such");
        assert!(other.contains("zk-0, zk-1, zk-2"), "{other}");
    }

    #[test]
    fn default_names_are_safe_file_names() {
        assert_eq!(
            default_file_name("zk", "kafka", "2026-12-07T23:05:09Z"),
            "zk-kafka-20261207T230509Z.zkbackup"
        );
    }
}
