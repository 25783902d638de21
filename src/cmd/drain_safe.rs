//! `drain-safe`: not built yet (issue 6).

use crate::cli::{DrainSafeArgs, GlobalOptions};
use crate::cmd::{Outcome, not_wired};

/// Runs `drain-safe`.
pub async fn run(_global: &GlobalOptions, _args: DrainSafeArgs) -> anyhow::Result<Outcome> {
    not_wired("drain-safe", 6)
}
