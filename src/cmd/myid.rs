//! `myid`: each member's server id checked three ways (the model and its gathering are
//! `ensemble::myid_check`'s, shared with `report`).

use crate::cli::{GlobalOptions, MemberCheckArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble;
use crate::cmd::Outcome;
use crate::ensemble::myid_check::gather;
use crate::render::{Style, emit};

/// Runs `myid`.
pub async fn run(global: &GlobalOptions, args: MemberCheckArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let found = ensemble::find(
        &connection.client,
        &connection.namespace,
        args.ensemble.name.as_ref(),
    )
    .await?;
    let report = gather(&connection.client, &found).await;
    emit(&report, args.output.output, Style::new(global.color))?;
    Ok(if report.members.iter().all(|m| m.problems.is_empty()) {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}
