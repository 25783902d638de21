//! Asking one member: the one place that picks the transport (AdminServer through the pod
//! proxy, `srvr` over a port-forward, `srvr` through exec — the seeds' 3.4 image has no
//! AdminServer) and turns the raw answers into what the model keeps.

use std::collections::BTreeMap;

use kube::Client;

use crate::cli::Via;
use crate::cluster::zookeeper::{self, MemberTarget, transport_name};
use crate::manifest::options::Flavor;
use crate::zk::four_letter::{self, FourLetterError, FourLetterWord};
use crate::zk::view::ServerView;
use crate::zk::{Mode, admin};

use super::{MemberMode, MemberStatus};

/// Settings every member of an ensemble should share, as `conf` names them and as the
/// AdminServer's `configuration` command names them.
const COMPARED_SETTINGS: [(&str, &str); 5] = [
    ("clientPort", "client_port"),
    ("tickTime", "tick_time"),
    ("maxClientCnxns", "max_client_cnxns"),
    ("minSessionTimeout", "min_session_timeout"),
    ("maxSessionTimeout", "max_session_timeout"),
];

/// What one member answered.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    via: Option<&'static str>,
    server: Option<ServerView>,
    not_serving: bool,
    synced_followers: Option<u64>,
    quorum_voters: Option<u64>,
    myid: Option<u32>,
    settings: BTreeMap<String, String>,
    refused: Vec<String>,
    errors: Vec<String>,
}

impl Answer {
    pub(crate) fn apply(self, member: &mut MemberStatus) {
        member.via = self.via;
        member.myid = self.myid;
        member.settings = self.settings;
        member.refused = self.refused;
        if let Some(server) = self.server {
            member.mode = MemberMode::Serving(server.mode);
            member.server = Some(server);
        } else if self.not_serving {
            member.mode = MemberMode::NotServing;
        } else {
            member.mode = MemberMode::Unreachable;
            member.error = Some(self.errors.join("; "));
        }
        member.synced_followers = self.synced_followers;
        member.quorum_voters = self.quorum_voters;
    }
}

/// Asks one member, trying transports in order of preference.
pub(crate) async fn probe(
    client: &Client,
    target: &MemberTarget,
    flavor: Option<Flavor>,
    via: Option<Via>,
) -> Answer {
    let order = zookeeper::transports(via, flavor);
    let mut errors = Vec::new();
    for transport in order {
        let result = match transport {
            Via::Proxy => ask_admin(client, target).await,
            Via::PortForward | Via::Exec => ask_four_letter(client, target, *transport).await,
        };
        match result {
            Ok(mut answer) => {
                answer.errors = errors;
                return answer;
            }
            Err(err) => errors.push(format!(
                "{}: {}",
                transport_name(*transport),
                crate::cluster::error::one_line(&err)
            )),
        }
    }
    Answer {
        errors,
        ..Answer::default()
    }
}

async fn ask_admin(client: &Client, target: &MemberTarget) -> anyhow::Result<Answer> {
    let mut answer = Answer {
        via: Some("proxy"),
        ..Answer::default()
    };
    let body = zookeeper::admin_command(client, target, "srvr").await?;
    match admin::parse_srvr(&body) {
        Ok(reply) => answer.server = Some(ServerView::from(&reply)),
        Err(admin::AdminError::NotServing { .. }) => answer.not_serving = true,
        Err(err) => return Err(err.into()),
    }
    let (conf, monitor) = futures::join!(
        zookeeper::admin_command(client, target, "configuration"),
        async {
            if answer
                .server
                .as_ref()
                .is_some_and(|s| s.mode == Mode::Leader)
            {
                Some(zookeeper::admin_command(client, target, "monitor").await)
            } else {
                None
            }
        }
    );
    let conf = conf
        .ok()
        .and_then(|body| serde_json::from_str::<serde_json::Value>(&body).ok());
    if let Some(conf) = conf {
        answer.myid = conf["server_id"]
            .as_u64()
            .and_then(|id| u32::try_from(id).ok());
        for (key, json_key) in COMPARED_SETTINGS {
            if let Some(value) = conf.get(json_key).filter(|v| !v.is_null()) {
                let text = value
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| value.to_string());
                answer.settings.insert(key.to_owned(), text);
            }
        }
    }
    if let Some(Ok(body)) = monitor
        && let Ok(metrics) = admin::parse_monitor(&body)
    {
        answer.synced_followers = metrics.synced_followers().ok().flatten();
        answer.quorum_voters = metrics.quorum_size().ok().flatten();
    }
    Ok(answer)
}

async fn ask_four_letter(
    client: &Client,
    target: &MemberTarget,
    via: Via,
) -> anyhow::Result<Answer> {
    let ask = |word| async move {
        match via {
            Via::Exec => zookeeper::four_letter_exec(client, target, word).await,
            _ => zookeeper::four_letter_port_forward(client, target, word).await,
        }
    };
    let mut answer = Answer {
        via: Some(transport_name(via)),
        ..Answer::default()
    };
    // One after the other: `srvr` counts the connections open while it answers.
    let srvr = ask(FourLetterWord::Srvr).await;
    let conf = ask(FourLetterWord::Conf).await;
    match four_letter::parse_srvr(&srvr?) {
        Ok(srvr) => answer.server = Some(ServerView::from(&srvr)),
        Err(FourLetterError::NotServing) => answer.not_serving = true,
        Err(err) => return Err(err.into()),
    }
    match conf.map(|text| four_letter::parse_conf(&text)) {
        Ok(Ok(conf)) => {
            answer.myid = conf.server_id().ok().and_then(|id| u32::try_from(id).ok());
            for (key, _) in COMPARED_SETTINGS {
                if let Some(value) = conf.get(key) {
                    answer.settings.insert(key.to_owned(), value.to_owned());
                }
            }
        }
        Ok(Err(FourLetterError::NotInWhitelist { command })) => answer.refused.push(command),
        _ => {}
    }
    if answer
        .server
        .as_ref()
        .is_some_and(|s| s.mode == Mode::Leader)
    {
        match ask(FourLetterWord::Mntr)
            .await
            .map(|text| four_letter::parse_mntr(&text))
        {
            Ok(Ok(metrics)) => {
                answer.synced_followers = metrics.synced_followers().ok().flatten();
                answer.quorum_voters = metrics.quorum_size().ok().flatten();
            }
            Ok(Err(FourLetterError::NotInWhitelist { command })) => answer.refused.push(command),
            _ => {}
        }
    }
    Ok(answer)
}
