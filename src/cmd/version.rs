//! `version`: the plugin's own version (no cluster needed).

use serde::Serialize;

use crate::cli::{GlobalOptions, VersionArgs};
use crate::cmd::Outcome;
use crate::render::{Document, Style, Tabular, emit};

/// What `version` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    /// The plugin's version (semver).
    pub client_version: &'static str,
    /// The platform it was built for.
    pub platform: String,
}

impl Document for VersionInfo {
    const KIND: &'static str = "Version";
}

impl Tabular for VersionInfo {
    fn table(&self, _style: Style, _wide: bool) -> String {
        format!("kubectl-zk v{} ({})\n", self.client_version, self.platform)
    }
}

/// Runs `version`.
pub fn run(global: &GlobalOptions, args: VersionArgs) -> anyhow::Result<Outcome> {
    let info = VersionInfo {
        client_version: env!("CARGO_PKG_VERSION"),
        platform: format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
    };
    emit(&info, args.output.output, Style::new(global.color))?;
    Ok(Outcome::Ok)
}
