//! `leader --failover`: not built yet (issue 6).

use crate::cli::{GlobalOptions, LeaderArgs};
use crate::cmd::{Outcome, not_wired};

/// Runs `leader --failover`.
pub async fn run(_global: &GlobalOptions, _args: LeaderArgs) -> anyhow::Result<Outcome> {
    not_wired("leader --failover", 6)
}
