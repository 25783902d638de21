//! Where a member keeps ZooKeeper's database, and which of its files a consistent copy
//! needs: zoo.cfg read through exec for `dataDir` and `dataLogDir` (the pod template's
//! defaults when it names none), the `version-2` directories listed with `ls`.

use anyhow::bail;
use kube::Client;

use super::layout::layout;
use crate::cluster::ensemble::Ensemble;
use crate::cluster::zookeeper::{MemberTarget, exec};
use crate::zk::ZooCfg;

/// A member's database directories (each ZooKeeper's `…/version-2`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataDirs {
    /// Where snapshots are: `<dataDir>/version-2`.
    pub snapshots: String,
    /// Where transaction logs are: `<dataLogDir or dataDir>/version-2`.
    pub logs: String,
    /// `dataDir` itself.
    pub data_dir: String,
    /// `dataLogDir`, or `dataDir` when unset.
    pub log_dir: String,
}

impl DataDirs {
    /// From zoo.cfg's text, with the pod template's default data dir.
    pub fn from_zoo_cfg(text: &str, default_data_dir: &str) -> Self {
        let cfg = ZooCfg::parse(text);
        let data_dir = cfg
            .data_dir()
            .unwrap_or(default_data_dir)
            .trim_end_matches('/')
            .to_owned();
        let log_dir = cfg
            .data_log_dir()
            .map(|d| d.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| data_dir.clone());
        Self {
            snapshots: format!("{data_dir}/version-2"),
            logs: format!("{log_dir}/version-2"),
            data_dir,
            log_dir,
        }
    }

    /// The directory a file of this name lives in.
    pub fn dir_of(&self, name: &str) -> &str {
        if name.starts_with("snapshot.") {
            &self.snapshots
        } else {
            &self.logs
        }
    }
}

/// Reads a member's zoo.cfg through exec and says where its database is.
pub async fn data_dirs(
    client: &Client,
    ensemble: &Ensemble,
    target: &MemberTarget,
) -> anyhow::Result<DataDirs> {
    let layout = layout(ensemble);
    let (text, code) = exec(client, target, &["cat", &layout.conf_path]).await?;
    if code != 0 {
        bail!(
            "`cat {}` in pod {} exited with code {code}: cannot find where the member keeps its data",
            layout.conf_path,
            target.pod
        );
    }
    Ok(DataDirs::from_zoo_cfg(&text, &layout.default_data_dir))
}

/// The names in a directory of the pod (`ls -1`), sorted.
pub async fn list(
    client: &Client,
    target: &MemberTarget,
    dir: &str,
) -> anyhow::Result<Vec<String>> {
    let (text, code) = exec(client, target, &["ls", "-1", dir]).await?;
    if code != 0 {
        bail!(
            "`ls -1 {dir}` in pod {} exited with code {code}: the member has no database there",
            target.pod
        );
    }
    let mut names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirs_from_zoo_cfg() {
        let official = DataDirs::from_zoo_cfg("dataDir=/data\ndataLogDir=/data/log\n", "/x");
        assert_eq!(official.snapshots, "/data/version-2");
        assert_eq!(official.logs, "/data/log/version-2");
        assert_eq!(official.dir_of("log.1"), "/data/log/version-2");
        assert_eq!(official.dir_of("snapshot.1"), "/data/version-2");
        let seeds = DataDirs::from_zoo_cfg("clientPort=2181\n", "/var/lib/zookeeper/data/");
        assert_eq!(seeds.snapshots, "/var/lib/zookeeper/data/version-2");
        assert_eq!(seeds.logs, seeds.snapshots);
    }
}
