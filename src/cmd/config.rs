//! `config`: each member's live `zoo.cfg` and `myid` against the source of truth, with lints
//! (the model and its gathering are `ensemble::config_check`'s, shared with `report`), and
//! `config set` / `config unset` ([`change`]).

pub mod change;

use crate::cli::{GlobalOptions, MemberCheckArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble;
use crate::cmd::Outcome;
use crate::ensemble::config_check::{MEMBER_TIMEOUT, gather};
use crate::render::{Style, emit};

/// Runs `config`.
pub async fn run(global: &GlobalOptions, args: MemberCheckArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let style = Style::new(global.color);
    let found = ensemble::find(
        &connection.client,
        &connection.namespace,
        args.ensemble.name.as_ref(),
    )
    .await?;
    let report = gather(&connection.client, found, MEMBER_TIMEOUT).await?;
    emit(&report, args.output.output, style)?;
    Ok(if report.ok {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}
