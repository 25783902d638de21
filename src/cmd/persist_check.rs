//! `persist-check`: not built yet (issue 6).

use crate::cli::{GlobalOptions, PersistCheckArgs};
use crate::cmd::{Outcome, not_wired};

/// Runs `persist-check`.
pub async fn run(_global: &GlobalOptions, _args: PersistCheckArgs) -> anyhow::Result<Outcome> {
    not_wired("persist-check", 6)
}
