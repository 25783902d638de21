//! `myid`: each member's server id, checked three ways — the `myid` file in its data
//! directory, the expected value (ordinal + 1), and the `server.N` line of its own zoo.cfg,
//! whose host must be the pod's real FQDN. One exec per member, all members at once.

use std::time::Duration;

use futures::future::join_all;
use kube::Client;
use serde::Serialize;

use crate::cluster::ensemble::Ensemble;
use crate::cluster::zookeeper;
use crate::manifest::options::Flavor;
use crate::render::{Document, Style, Tabular, plain_table};
use crate::zk::myid::parse_myid;
use crate::zk::zoo_cfg::ZooCfg;

/// How long one member may take to answer.
const MEMBER_TIMEOUT: Duration = Duration::from_secs(10);
/// Separates the files in the one exec's output.
const SEPARATOR: &str = "--- kubectl-zk ---";

/// The report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MyidReport {
    /// StatefulSet name.
    pub ensemble: String,
    /// Namespace.
    pub namespace: String,
    /// One row per member.
    pub members: Vec<MemberIds>,
}

/// One member's ids.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberIds {
    /// Pod name.
    pub pod: String,
    /// Ordinal + 1.
    pub expected: u32,
    /// The `myid` file's value.
    pub myid: Option<u32>,
    /// The `server.<myid>` line of the member's zoo.cfg.
    pub server_line: Option<String>,
    /// The host that line names.
    pub server_host: Option<String>,
    /// `hostname -f` in the pod.
    pub fqdn: Option<String>,
    /// What does not match, empty when all is well.
    pub problems: Vec<String>,
}

/// Reads every member at once.
pub async fn gather(client: &Client, ensemble: &Ensemble) -> MyidReport {
    let flavor = ensemble.flavor.unwrap_or(Flavor::Official);
    let members = (0..ensemble.replicas()).map(|ordinal| async move {
        let pod = ensemble.pod_name(ordinal);
        let target = ensemble.target(&pod);
        // zoo.cfg, then the dynamic config file it names (ZooKeeper 3.5+), where the
        // server lines are.
        let script = format!(
            "cat \"$1\"; echo; echo '{SEPARATOR}'; cat \"$2\"; dynamic=$(sed -n 's/^dynamicConfigFile=//p' \"$2\" | tail -n 1); if [ -n \"$dynamic\" ]; then echo; cat \"$dynamic\"; fi; echo '{SEPARATOR}'; hostname -f"
        );
        let myid_path = format!("{}/myid", flavor.data_dir());
        let conf_path = crate::ensemble::layout::layout(ensemble).conf_path;
        let argv = [
            "sh",
            "-c",
            script.as_str(),
            "kubectl-zk",
            myid_path.as_str(),
            conf_path.as_str(),
        ];
        let answer =
            tokio::time::timeout(MEMBER_TIMEOUT, zookeeper::exec(client, &target, &argv)).await;
        match answer {
            Ok(Ok((stdout, _))) => check(&pod, ordinal, &stdout),
            Ok(Err(err)) => unreadable(&pod, ordinal, crate::cluster::error::one_line(&err)),
            Err(_) => unreadable(
                &pod,
                ordinal,
                format!("no answer within {}s", MEMBER_TIMEOUT.as_secs()),
            ),
        }
    });
    MyidReport {
        ensemble: ensemble.name.clone(),
        namespace: ensemble.namespace.clone(),
        members: join_all(members).await,
    }
}

fn unreadable(pod: &str, ordinal: u32, why: String) -> MemberIds {
    MemberIds {
        pod: pod.to_owned(),
        expected: ordinal + 1,
        myid: None,
        server_line: None,
        server_host: None,
        fqdn: None,
        problems: vec![format!("cannot read the member: {why}")],
    }
}

/// Checks one member's files (the exec's output: myid, zoo.cfg, FQDN). Pure.
pub fn check(pod: &str, ordinal: u32, output: &str) -> MemberIds {
    let mut parts = output.split(SEPARATOR);
    let myid_text = parts.next().unwrap_or_default();
    let cfg_text = parts.next().unwrap_or_default();
    let fqdn = parts
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let expected = ordinal + 1;
    let mut problems = Vec::new();
    let myid = match parse_myid(myid_text) {
        Ok(id) => Some(u32::from(id.get())),
        Err(err) => {
            problems.push(format!("myid file: {err}"));
            None
        }
    };
    if let Some(id) = myid
        && id != expected
    {
        problems.push(format!(
            "myid is {id}, expected {expected} (ordinal {ordinal} + 1)"
        ));
    }
    let cfg = ZooCfg::parse(cfg_text);
    let lines = match cfg.server_lines() {
        Ok(lines) => lines,
        Err(err) => {
            problems.push(format!("zoo.cfg: {err}"));
            Vec::new()
        }
    };
    let line = myid.and_then(|id| lines.into_iter().find(|line| line.id == u64::from(id)));
    let server_host = line
        .as_ref()
        .and_then(|l| l.addresses.first().map(|a| a.host.clone()));
    match (&line, myid) {
        (None, Some(id)) => problems.push(format!("zoo.cfg has no server.{id} line")),
        (Some(_), _) => {
            if let (Some(host), Some(fqdn)) = (&server_host, &fqdn)
                && !names_same_host(host, fqdn)
            {
                problems.push(format!(
                    "server.{} names {host}, but the pod is {fqdn}",
                    myid.unwrap_or(0)
                ));
            }
        }
        (None, None) => {}
    }
    if fqdn.is_none() {
        problems.push("hostname -f printed nothing".into());
    }
    MemberIds {
        pod: pod.to_owned(),
        expected,
        myid,
        server_line: line.map(|l| l.to_string()),
        server_host,
        fqdn,
        problems,
    }
}

/// `zk-0.zk-hs` and `zk-0.zk-hs.ns.svc.cluster.local` name the same pod.
fn names_same_host(configured: &str, fqdn: &str) -> bool {
    configured == fqdn || fqdn.starts_with(&format!("{configured}."))
}

impl Document for MyidReport {
    const KIND: &'static str = "MyidReport";
}

impl Tabular for MyidReport {
    fn table(&self, style: Style, wide: bool) -> String {
        let mut header = vec![
            "POD",
            "MYID",
            "EXPECTED",
            "SERVER LINE HOST",
            "POD FQDN",
            "CHECK",
        ];
        if wide {
            header.push("SERVER LINE");
        }
        let rows = self
            .members
            .iter()
            .map(|m| {
                let dash = || "-".to_owned();
                let mut row = vec![
                    m.pod.clone(),
                    m.myid.map(|n| n.to_string()).unwrap_or_else(dash),
                    m.expected.to_string(),
                    m.server_host.clone().unwrap_or_else(dash),
                    m.fqdn.clone().unwrap_or_else(dash),
                    if m.problems.is_empty() {
                        style.good("OK")
                    } else {
                        style.bad("MISMATCH")
                    },
                ];
                if wide {
                    row.push(m.server_line.clone().unwrap_or_else(dash));
                }
                row
            })
            .collect();
        let mut text = plain_table(&header, rows);
        for m in &self.members {
            for problem in &m.problems {
                text.push_str(&format!(
                    "{} {}: {problem}\n",
                    style.warn("Warning:"),
                    m.pod
                ));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(myid: &str, fqdn: &str) -> String {
        format!(
            "{myid}\n\n{SEPARATOR}\nclientPort=2181\nserver.1=zk-0.zk-hs.kafka.svc.cluster.local:2888:3888\n\
server.2=zk-1.zk-hs.kafka.svc.cluster.local:2888:3888;2181\n{SEPARATOR}\n{fqdn}\n"
        )
    }

    #[test]
    fn matching_ids_pass() {
        let m = check(
            "zk-1",
            1,
            &output("2", "zk-1.zk-hs.kafka.svc.cluster.local"),
        );
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        assert_eq!(m.myid, Some(2));
        assert_eq!(
            m.server_host.as_deref(),
            Some("zk-1.zk-hs.kafka.svc.cluster.local")
        );
    }

    #[test]
    fn a_hand_edited_myid_is_flagged() {
        let m = check(
            "zk-1",
            1,
            &output("7", "zk-1.zk-hs.kafka.svc.cluster.local"),
        );
        assert!(
            m.problems
                .iter()
                .any(|p| p.contains("myid is 7, expected 2")),
            "{:?}",
            m.problems
        );
        assert!(
            m.problems.iter().any(|p| p.contains("no server.7 line")),
            "{:?}",
            m.problems
        );
    }

    #[test]
    fn a_server_line_for_another_host_is_flagged() {
        let m = check(
            "zk-1",
            1,
            &output("2", "zk-1.zk-hs.other.svc.cluster.local"),
        );
        assert!(
            m.problems.iter().any(|p| p.contains("but the pod is")),
            "{:?}",
            m.problems
        );
    }

    #[test]
    fn garbage_is_reported_not_panicked() {
        let m = check("zk-0", 0, "");
        assert!(!m.problems.is_empty());
        let m = check("zk-0", 0, &output("abc", ""));
        assert!(
            m.problems.iter().any(|p| p.starts_with("myid file")),
            "{:?}",
            m.problems
        );
    }

    #[test]
    fn short_names_match_their_fqdn() {
        assert!(names_same_host(
            "zk-0.zk-hs",
            "zk-0.zk-hs.kafka.svc.cluster.local"
        ));
        assert!(!names_same_host(
            "zk-0.zk",
            "zk-0.zk-hs.kafka.svc.cluster.local"
        ));
    }
}
