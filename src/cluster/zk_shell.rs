//! Runs one [`ShellCommand`] on an open ZooKeeper session and says what ZooKeeper answered:
//! the reply, or ZooKeeper's refusal by its name (`NoNode`, `NotEmpty`, …). Rendering is the
//! caller's.

use std::collections::VecDeque;

use zookeeper_client as zk;

use crate::zk::shell::{AclEntry, ShellCommand, ZnodeStat, child_path};

/// What ZooKeeper answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `ls`: the children.
    Children(Vec<String>),
    /// `ls -R`: the znode and every descendant, parents first.
    Tree(Vec<String>),
    /// `get`: the data and the stat.
    Data(Vec<u8>, ZnodeStat),
    /// `stat`, `set`: the stat.
    Stat(ZnodeStat),
    /// `create`: the path ZooKeeper gave the znode (with its sequence number).
    Created(String),
    /// `delete`: how many znodes went.
    Deleted(usize),
    /// `getAcl`: the list and the stat.
    Acl(Vec<AclEntry>, ZnodeStat),
    /// `setAcl`, `sync`: done.
    Done,
    /// `whoami`: (scheme, user) pairs.
    Users(Vec<(String, String)>),
}

/// ZooKeeper refused: its error's name and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// ZooKeeper's name for it (`NoNode`).
    pub code: &'static str,
    /// What it means for the user, naming the fix where there is one.
    pub meaning: &'static str,
}

/// A refusal, or something else that went wrong (lost connection, …).
#[derive(Debug)]
pub enum Failure {
    /// ZooKeeper answered with an error code.
    Refused(Refusal),
    /// The request did not get an answer.
    Other(anyhow::Error),
}

fn failure(err: zk::Error) -> Failure {
    let (code, meaning) = match err {
        zk::Error::NoNode => ("NoNode", "the znode does not exist"),
        zk::Error::NodeExists => (
            "NodeExists",
            "the znode exists already; use set to change its data",
        ),
        zk::Error::NotEmpty => (
            "NotEmpty",
            "the znode has children; delete -r deletes them too",
        ),
        zk::Error::BadVersion => ("BadVersion", "the znode changed meanwhile; run it again"),
        zk::Error::NoAuth => (
            "NoAuth",
            "the znode's ACL does not grant this to the session's identity",
        ),
        zk::Error::InvalidAcl => ("InvalidACL", "ZooKeeper refused the ACL"),
        zk::Error::NoChildrenForEphemerals => (
            "NoChildrenForEphemerals",
            "an ephemeral znode cannot have children",
        ),
        zk::Error::Unimplemented => (
            "Unimplemented",
            "this ZooKeeper version does not know the request (whoami needs 3.7+)",
        ),
        zk::Error::NotReadOnly => (
            "NotReadOnly",
            "the member is read-only (cut off from the quorum); try another member",
        ),
        other => {
            return Failure::Other(anyhow::anyhow!("ZooKeeper did not answer: {other}"));
        }
    };
    Failure::Refused(Refusal { code, meaning })
}

/// The stat as the pure model keeps it.
pub fn stat_of(stat: &zk::Stat) -> ZnodeStat {
    ZnodeStat {
        czxid: stat.czxid,
        mzxid: stat.mzxid,
        ctime: stat.ctime,
        mtime: stat.mtime,
        pzxid: stat.pzxid,
        cversion: stat.cversion,
        data_version: stat.version,
        acl_version: stat.aversion,
        ephemeral_owner: stat.ephemeral_owner,
        data_length: stat.data_length,
        num_children: stat.num_children,
    }
}

/// ZooKeeper's permission bits and the crate's names for them.
const PERMISSION_BITS: [(i32, zk::Permission); 5] = [
    (1, zk::Permission::READ),
    (2, zk::Permission::WRITE),
    (4, zk::Permission::CREATE),
    (8, zk::Permission::DELETE),
    (16, zk::Permission::ADMIN),
];

fn permission(bits: i32) -> zk::Permission {
    PERMISSION_BITS
        .into_iter()
        .filter(|(bit, _)| bits & bit != 0)
        .fold(zk::Permission::NONE, |all, (_, p)| all | p)
}

fn bits(permission: zk::Permission) -> i32 {
    PERMISSION_BITS
        .into_iter()
        .filter(|(_, p)| permission.has(*p))
        .map(|(bit, _)| bit)
        .sum()
}

/// The znode and every descendant, parents first (breadth first).
pub async fn tree(client: &zk::Client, root: &str) -> Result<Vec<String>, Failure> {
    let mut all = Vec::new();
    let mut queue = VecDeque::from([root.to_owned()]);
    while let Some(path) = queue.pop_front() {
        let children = client.list_children(&path).await.map_err(failure)?;
        let mut children: Vec<String> = children.iter().map(|c| child_path(&path, c)).collect();
        children.sort();
        queue.extend(children);
        all.push(path);
    }
    Ok(all)
}

/// Runs `command` (not `help` or `quit`, which need no session).
pub async fn run(client: &zk::Client, command: &ShellCommand) -> Result<Reply, Failure> {
    match command {
        ShellCommand::Ls {
            path,
            recursive: false,
        } => {
            let mut children = client.list_children(path).await.map_err(failure)?;
            children.sort();
            Ok(Reply::Children(children))
        }
        ShellCommand::Ls {
            path,
            recursive: true,
        } => tree(client, path).await.map(Reply::Tree),
        ShellCommand::Get { path, .. } => {
            let (data, stat) = client.get_data(path).await.map_err(failure)?;
            Ok(Reply::Data(data, stat_of(&stat)))
        }
        ShellCommand::Stat { path } => match client.check_stat(path).await.map_err(failure)? {
            Some(stat) => Ok(Reply::Stat(stat_of(&stat))),
            None => Err(failure(zk::Error::NoNode)),
        },
        ShellCommand::Create {
            path,
            data,
            ephemeral,
            sequential,
        } => {
            let mode = match (ephemeral, sequential) {
                (false, false) => zk::CreateMode::Persistent,
                (false, true) => zk::CreateMode::PersistentSequential,
                (true, false) => zk::CreateMode::Ephemeral,
                (true, true) => zk::CreateMode::EphemeralSequential,
            };
            let options = mode.with_acls(zk::Acls::anyone_all());
            let (_, sequence) = client
                .create(path, data.as_bytes(), &options)
                .await
                .map_err(failure)?;
            Ok(Reply::Created(if *sequential {
                format!("{path}{sequence}")
            } else {
                path.clone()
            }))
        }
        ShellCommand::Set { path, data } => {
            let stat = client
                .set_data(path, data.as_bytes(), None)
                .await
                .map_err(failure)?;
            Ok(Reply::Stat(stat_of(&stat)))
        }
        ShellCommand::Delete {
            path,
            recursive: false,
        } => {
            client.delete(path, None).await.map_err(failure)?;
            Ok(Reply::Deleted(1))
        }
        ShellCommand::Delete {
            path,
            recursive: true,
        } => {
            let all = tree(client, path).await?;
            let mut deleted = 0;
            for znode in all.iter().rev() {
                match client.delete(znode, None).await {
                    Ok(()) => deleted += 1,
                    // Gone meanwhile (an ephemeral whose session ended): nothing to do.
                    Err(zk::Error::NoNode) => {}
                    Err(err) => return Err(failure(err)),
                }
            }
            Ok(Reply::Deleted(deleted))
        }
        ShellCommand::GetAcl { path } => {
            let (acl, stat) = client.get_acl(path).await.map_err(failure)?;
            let acl = acl
                .iter()
                .map(|a| AclEntry::from_bits(a.scheme(), a.id(), bits(a.permission())))
                .collect();
            Ok(Reply::Acl(acl, stat_of(&stat)))
        }
        ShellCommand::SetAcl { path, acl } => {
            let acl: Vec<zk::Acl> = acl
                .iter()
                .map(|e| zk::Acl::new(permission(e.bits()), zk::AuthId::new(&e.scheme, &e.id)))
                .collect();
            client.set_acl(path, &acl, None).await.map_err(failure)?;
            Ok(Reply::Done)
        }
        ShellCommand::Sync { path } => {
            client.sync(path).await.map_err(failure)?;
            Ok(Reply::Done)
        }
        ShellCommand::WhoAmI => {
            let users = client.list_auth_users().await.map_err(failure)?;
            Ok(Reply::Users(
                users
                    .iter()
                    .map(|u| (u.scheme().to_owned(), u.user().to_owned()))
                    .collect(),
            ))
        }
        ShellCommand::Help | ShellCommand::Quit => Ok(Reply::Done),
    }
}
