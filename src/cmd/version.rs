//! `version`: the plugin's version, the git commit it was built from and its platform, and —
//! when a cluster is reachable — the server's version, as `kubectl version` shows both.

use std::time::Duration;

use serde::Serialize;

use crate::cli::{GlobalOptions, VersionArgs};
use crate::cmd::Outcome;
use crate::render::{Document, Style, Tabular, emit};

/// How long the server may take to say its version.
const SERVER_TIMEOUT: Duration = Duration::from_secs(3);

/// What `version` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    /// The plugin's version (semver).
    pub client_version: &'static str,
    /// The git commit it was built from (`unknown` outside a git checkout).
    pub git_commit: &'static str,
    /// The platform it was built for.
    pub platform: String,
    /// The API server's version (`v1.37.2`), when it answered.
    pub server_version: Option<String>,
}

impl Document for VersionInfo {
    const KIND: &'static str = "Version";
}

impl Tabular for VersionInfo {
    fn table(&self, _style: Style, _wide: bool) -> String {
        let mut text = format!(
            "Client Version: kubectl-zk v{} (commit {}, {})\n",
            self.client_version, self.git_commit, self.platform
        );
        if let Some(server) = &self.server_version {
            text.push_str(&format!("Server Version: {server}\n"));
        }
        text
    }
}

/// The server's version, when a kubeconfig is found and the server answers in time.
async fn server_version(global: &GlobalOptions) -> Option<String> {
    let attempt = async {
        let connection = crate::cluster::client::connect(global).await.ok()?;
        connection.client.apiserver_version().await.ok()
    };
    let info = tokio::time::timeout(SERVER_TIMEOUT, attempt).await.ok()??;
    Some(info.git_version)
}

/// Runs `version`.
pub async fn run(global: &GlobalOptions, args: VersionArgs) -> anyhow::Result<Outcome> {
    let info = VersionInfo {
        client_version: env!("CARGO_PKG_VERSION"),
        git_commit: env!("KZK_GIT_COMMIT"),
        platform: format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
        server_version: if args.client {
            None
        } else {
            server_version(global).await
        },
    };
    emit(&info, args.output.output, Style::new(global.color))?;
    Ok(Outcome::Ok)
}
