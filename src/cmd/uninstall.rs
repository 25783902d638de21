//! `uninstall`: not built yet (issue 6).

use crate::cli::{GlobalOptions, UninstallArgs};
use crate::cmd::{Outcome, not_wired};

/// Runs `uninstall`.
pub async fn run(_global: &GlobalOptions, _args: UninstallArgs) -> anyhow::Result<Outcome> {
    not_wired("uninstall", 6)
}
