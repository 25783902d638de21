//! `status`: one view that joins Kubernetes (pods, nodes, PVCs, PDB) and ZooKeeper (mode,
//! zxid, lag, quorum) for every member.
//!
//! Gather and decide are the shared ensemble model ([`crate::ensemble`]); this command
//! wires them and renders: table, wide, JSON, YAML.

use futures::future::join_all;
use serde::Serialize;

use crate::cli::{GlobalOptions, StatusArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble;
use crate::cmd::Outcome;
use crate::ensemble::{EnsembleStatus, Health, MemberMode, gather};
use crate::render::{Document, Style, Tabular, emit, plain_table, serialize_items};
use crate::zk::Mode;

/// Runs `status`.
pub async fn run(global: &GlobalOptions, args: StatusArgs) -> anyhow::Result<Outcome> {
    let connection = connect(global).await?;
    let style = Style::new(global.color);
    if args.all_namespaces {
        let ensembles = ensemble::list_all(&connection.client).await?;
        let statuses = join_all(
            ensembles
                .into_iter()
                .map(|e| gather(&connection.client, e, args.via, args.member_timeout)),
        )
        .await;
        let statuses: Vec<EnsembleStatus> = statuses.into_iter().collect::<anyhow::Result<_>>()?;
        let worst = statuses.iter().map(|s| s.health).max_by_key(|h| *h as u8);
        emit(&AllNamespaces(statuses), args.output.output, style)?;
        return Ok(outcome(worst.unwrap_or(Health::Healthy)));
    }
    let found = ensemble::find(
        &connection.client,
        &connection.namespace,
        args.ensemble.name.as_ref(),
    )
    .await?;
    let status = gather(&connection.client, found, args.via, args.member_timeout).await?;
    emit(&status, args.output.output, style)?;
    Ok(outcome(status.health))
}

fn outcome(health: Health) -> Outcome {
    match health {
        Health::Healthy => Outcome::Ok,
        Health::Degraded | Health::QuorumLost => Outcome::CheckFailed,
    }
}

impl Tabular for EnsembleStatus {
    fn table(&self, style: Style, wide: bool) -> String {
        let health = match self.health {
            Health::Healthy => style.good("HEALTHY"),
            Health::Degraded => style.warn("DEGRADED"),
            Health::QuorumLost => style.bad("QUORUM LOST"),
        };
        let mut text = format!(
            "Ensemble {} in namespace {}: {health}\nImage {}{}{}\nMembers {}/{} ready, quorum {} of {}: {}, leader {}, synced followers {}, PDB {}\n\n",
            style.bold(&self.ensemble),
            self.namespace,
            self.image,
            self.zookeeper_version
                .as_deref()
                .map(|v| format!(" (ZooKeeper {v})"))
                .unwrap_or_default(),
            if self.managed {
                ", managed by kubectl-zk"
            } else {
                ", not managed by kubectl-zk (take it over with `kubectl zk migrate --keep-image`)"
            },
            self.ready,
            self.desired,
            self.quorum_size,
            self.desired,
            if self.quorum_holds {
                style.good("holds")
            } else {
                style.bad("LOST")
            },
            self.leader.as_deref().unwrap_or("none"),
            self.synced_followers
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            self.pdb
                .as_ref()
                .map(|p| format!("{} allows {} disruption(s)", p.name, p.disruptions_allowed))
                .unwrap_or_else(|| if self.pdb_checked {
                    "none"
                } else {
                    "not checked"
                }
                .into()),
        );
        if self.openshift {
            // The header ends with an empty line; the platform goes before it.
            text.pop();
            text.push_str("Platform OpenShift (SCC per member below)\n\n");
        }
        let mut header = vec!["POD", "READY", "STATUS", "NODE"];
        if self.openshift {
            header.push("SCC");
        }
        header.extend(["MYID", "MODE", "ZXID", "LAG"]);
        if wide {
            header.extend(["OUTSTANDING", "LATENCY", "CONNECTIONS", "ZNODES", "VIA"]);
        }
        header.push("PVC");
        let rows = self
            .members
            .iter()
            .map(|m| {
                let dash = || "-".to_owned();
                let server = m.server.as_ref();
                let mode = match m.mode {
                    MemberMode::Serving(Mode::Leader) => style.bold("leader"),
                    MemberMode::Serving(_) => m.mode.word().to_owned(),
                    _ => style.bad(m.mode.word()),
                };
                let mut row = vec![
                    m.pod.clone(),
                    if m.ready { "1/1".into() } else { "0/1".into() },
                    m.phase.clone(),
                    m.node.clone().unwrap_or_else(dash),
                ];
                if self.openshift {
                    row.push(m.scc.clone().unwrap_or_else(dash));
                }
                row.extend([
                    m.myid.map(|n| n.to_string()).unwrap_or_else(dash),
                    mode,
                    server
                        .and_then(|s| s.zxid)
                        .map(|z| z.to_string())
                        .unwrap_or_else(dash),
                    m.lag.map(|l| l.to_string()).unwrap_or_else(dash),
                ]);
                if wide {
                    row.extend([
                        server
                            .and_then(|s| s.outstanding)
                            .map(|n| n.to_string())
                            .unwrap_or_else(dash),
                        server
                            .map(|s| format!("{:.1}ms", s.avg_latency_ms))
                            .unwrap_or_else(dash),
                        server
                            .and_then(|s| s.connections)
                            .map(|n| n.to_string())
                            .unwrap_or_else(dash),
                        server
                            .map(|s| s.node_count.to_string())
                            .unwrap_or_else(dash),
                        m.via.map(str::to_owned).unwrap_or_else(dash),
                    ]);
                }
                row.push(match (&m.pvc, m.pvc_bound) {
                    (Some(name), Some(true)) => format!("{name} (Bound)"),
                    (Some(name), Some(false)) => format!("{name} (not Bound)"),
                    (Some(name), None) if !self.claims_checked => {
                        format!("{name} (not checked)")
                    }
                    (Some(name), None) => format!("{name} (missing)"),
                    (None, _) => "-".into(),
                });
                row
            })
            .collect();
        text.push_str(&plain_table(&header, rows));
        for warning in &self.warnings {
            text.push_str(&format!("{} {warning}\n", style.warn("Warning:")));
        }
        for unchecked in &self.not_checked {
            text.push_str(&format!("{} {unchecked}\n", style.warn("Note:")));
        }
        text
    }
}

/// `status -A`: one line per ensemble (`items` in JSON).
#[derive(Debug)]
pub struct AllNamespaces(pub Vec<EnsembleStatus>);

impl Serialize for AllNamespaces {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_items(&self.0, serializer)
    }
}

impl Document for AllNamespaces {
    const KIND: &'static str = "EnsembleStatusList";
}

impl Document for EnsembleStatus {
    const KIND: &'static str = "EnsembleStatus";
}

impl Tabular for AllNamespaces {
    fn table(&self, style: Style, _wide: bool) -> String {
        if self.0.is_empty() {
            return "No ZooKeeper ensembles found.\n".into();
        }
        let rows = self
            .0
            .iter()
            .map(|s| {
                vec![
                    s.namespace.clone(),
                    s.ensemble.clone(),
                    format!("{}/{}", s.ready, s.desired),
                    s.leader
                        .as_ref()
                        .map(|pod| format!("{}/{pod}", s.namespace))
                        .unwrap_or_else(|| "-".into()),
                    match s.health {
                        Health::Healthy => style.good("healthy"),
                        Health::Degraded => style.warn("degraded"),
                        Health::QuorumLost => style.bad("quorum lost"),
                    },
                    s.image.clone(),
                ]
            })
            .collect();
        plain_table(
            &[
                "NAMESPACE",
                "ENSEMBLE",
                "READY",
                "LEADER",
                "HEALTH",
                "IMAGE",
            ],
            rows,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::MemberStatus;
    use crate::ensemble::decide;
    use crate::ensemble::testing::{E, ensemble, member};
    use crate::zk::view::Lag;

    #[test]
    fn healthy_ensemble() {
        let members = vec![
            member(0, MemberMode::Serving(Mode::Follower), E + 10),
            member(1, MemberMode::Serving(Mode::Leader), E + 10),
            member(2, MemberMode::Serving(Mode::Follower), E + 9),
        ];
        let status = decide(&ensemble(3), members, None);
        assert_eq!(status.health, Health::Healthy, "{:?}", status.warnings);
        assert_eq!(status.leader.as_deref(), Some("zk-1"));
        assert!(status.quorum_holds);
        assert_eq!(status.quorum_size, 2);
        assert_eq!(status.members[2].lag, Some(Lag::Transactions(1)));
        assert_eq!(status.zookeeper_version.as_deref(), Some("3.9.3"));
        assert!(status.warnings.is_empty(), "{:?}", status.warnings);
        let table = status.table(Style::plain(), true);
        assert!(
            table.contains("HEALTHY") && table.contains("leader zk-1"),
            "{table}"
        );
        assert!(table.contains("datadir-zk-0 (Bound)"), "{table}");
    }

    #[test]
    fn one_member_down_is_degraded_with_the_reason() {
        let mut down = member(2, MemberMode::Unreachable, 0);
        down.ready = false;
        down.error = Some("no answer within 5s".into());
        let members = vec![
            member(0, MemberMode::Serving(Mode::Follower), E + 10),
            member(1, MemberMode::Serving(Mode::Leader), E + 10),
            down,
        ];
        let status = decide(&ensemble(3), members, None);
        assert_eq!(status.health, Health::Degraded);
        assert!(status.quorum_holds);
        assert!(status.warnings.iter().any(|w| w.contains("zk-2 is not in the quorum (unreachable): no answer within 5s")), "{:?}", status.warnings);
    }

    #[test]
    fn two_of_three_down_lose_the_quorum() {
        let members = vec![
            member(0, MemberMode::NotServing, 0),
            member(1, MemberMode::Unreachable, 0),
            member(2, MemberMode::Missing, 0),
        ];
        let status = decide(&ensemble(3), members, None);
        assert_eq!(status.health, Health::QuorumLost);
        assert!(!status.quorum_holds);
        assert!(
            status.warnings[0].starts_with("quorum lost: 0 of 3 members serve, 2 needed"),
            "{:?}",
            status.warnings
        );
        assert!(status.table(Style::plain(), false).contains("QUORUM LOST"));
    }

    #[test]
    fn lagging_members_and_wrong_ids_and_refusals_are_flagged() {
        let mut wrong = member(0, MemberMode::Serving(Mode::Follower), E + 5);
        wrong.myid = Some(7);
        wrong.refused = vec!["mntr".into()];
        let members = vec![
            wrong,
            member(1, MemberMode::Serving(Mode::Leader), E + 5000),
            member(2, MemberMode::Serving(Mode::Follower), E + 5000),
        ];
        let status = decide(&ensemble(3), members, None);
        assert_eq!(status.health, Health::Degraded);
        let all = status.warnings.join("\n");
        assert!(
            all.contains("zk-0 lags the leader by 4995 transactions"),
            "{all}"
        );
        assert!(all.contains("zk-0 reports myid 7, expected 1"), "{all}");
        assert!(all.contains("whitelist refuses mntr"), "{all}");
    }

    #[test]
    fn settings_drift_is_named() {
        let mut members: Vec<MemberStatus> = (0..3)
            .map(|i| {
                member(
                    i,
                    MemberMode::Serving(if i == 1 { Mode::Leader } else { Mode::Follower }),
                    E,
                )
            })
            .collect();
        for m in &mut members {
            m.settings.insert("tickTime".into(), "2000".into());
        }
        members[2].settings.insert("tickTime".into(), "3000".into());
        let status = decide(&ensemble(3), members, None);
        assert!(
            status.warnings.iter().any(
                |w| w.contains("config drift: tickTime is 2000 on zk-0, zk-1 but 3000 on zk-2")
            ),
            "{:?}",
            status.warnings
        );
    }

    #[test]
    fn even_sizes_warn() {
        let members = (0..4)
            .map(|i| {
                member(
                    i,
                    MemberMode::Serving(if i == 0 { Mode::Leader } else { Mode::Follower }),
                    E,
                )
            })
            .collect();
        let status = decide(&ensemble(4), members, None);
        assert!(
            status
                .warnings
                .iter()
                .any(|w| w.contains("4 voting members tolerate 1 failure")),
            "{:?}",
            status.warnings
        );
    }

    #[test]
    fn all_namespaces_qualify_the_leader_and_every_member() {
        let members = vec![
            member(0, MemberMode::Serving(Mode::Leader), E),
            member(1, MemberMode::Serving(Mode::Follower), E),
            member(2, MemberMode::Serving(Mode::Follower), E),
        ];
        let all = AllNamespaces(vec![decide(&ensemble(3), members, None)]);
        let table = all.table(Style::plain(), false);
        assert!(table.contains("kafka/zk-0"), "{table}");
        let json = crate::render::versioned(&all).expect("json");
        assert_eq!(json["kind"], "EnsembleStatusList");
        assert_eq!(json["items"][0]["members"][2]["namespace"], "kafka");
    }

    #[test]
    fn json_has_the_model() {
        let members = vec![member(0, MemberMode::Serving(Mode::Standalone), E)];
        let status = decide(&ensemble(1), members, None);
        assert_eq!(status.health, Health::Healthy, "{:?}", status.warnings);
        let json = crate::render::versioned(&status).expect("json");
        assert_eq!(json["apiVersion"], "kubectl-zk.io/v1alpha1");
        assert_eq!(json["kind"], "EnsembleStatus");
        assert_eq!(json["members"][0]["mode"], "standalone");
        assert_eq!(json["members"][0]["myid"], 1);
        assert!(
            json["members"][0]["lag"].is_null(),
            "no leader to lag behind"
        );
        assert_eq!(json["health"], "healthy");
        assert!(json["problems"].as_array().is_some_and(Vec::is_empty));

        let mut down = member(1, MemberMode::NotServing, 0);
        down.ready = false;
        let status = decide(
            &ensemble(3),
            vec![
                member(0, MemberMode::Serving(Mode::Leader), E),
                down,
                member(2, MemberMode::Serving(Mode::Follower), E),
            ],
            None,
        );
        let json = crate::render::versioned(&status).expect("json");
        assert_eq!(json["members"][0]["lag"], 0, "an integer");
        assert_eq!(json["members"][1]["mode"], "not-serving");
        assert!(json["members"][1]["lag"].is_null());
        assert_eq!(json["health"], "degraded");
    }
}
