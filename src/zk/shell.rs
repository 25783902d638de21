//! ZooKeeper's client command language as `zkCli.sh` speaks it (`ls`, `get`, `create -e -s`,
//! `setAcl`, …): commands parsed from words, znode paths and ACLs checked, and the answers
//! rendered as zkCli prints them. Pure: the session that runs the commands lives in
//! `cluster::zk_client`, the loop that reads them in `cmd::shell`.

use std::fmt::Write as _;

use serde::Serialize;

/// One command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellCommand {
    /// `ls [-R] PATH`.
    Ls {
        /// The znode.
        path: String,
        /// Every descendant, one path per line.
        recursive: bool,
    },
    /// `get [-s] PATH`.
    Get {
        /// The znode.
        path: String,
        /// Print the stat after the data.
        stat: bool,
    },
    /// `stat PATH`.
    Stat {
        /// The znode.
        path: String,
    },
    /// `create [-e] [-s] PATH [DATA]`.
    Create {
        /// The znode (the prefix of its name when sequential).
        path: String,
        /// Its data.
        data: String,
        /// Gone when the session ends.
        ephemeral: bool,
        /// ZooKeeper appends a 10-digit counter to the name.
        sequential: bool,
    },
    /// `set PATH DATA`.
    Set {
        /// The znode.
        path: String,
        /// The new data.
        data: String,
    },
    /// `delete [-r] PATH` (`deleteall PATH` too).
    Delete {
        /// The znode.
        path: String,
        /// Its descendants too.
        recursive: bool,
    },
    /// `getAcl PATH`.
    GetAcl {
        /// The znode.
        path: String,
    },
    /// `setAcl PATH ACL`.
    SetAcl {
        /// The znode.
        path: String,
        /// The new list.
        acl: Vec<AclEntry>,
    },
    /// `sync PATH`.
    Sync {
        /// The znode.
        path: String,
    },
    /// `whoami`.
    WhoAmI,
    /// `help`.
    Help,
    /// `quit` / `exit`.
    Quit,
}

/// Every command with its syntax, as `help` prints it.
pub const COMMANDS: &[(&str, &str)] = &[
    ("ls", "ls [-R] PATH"),
    ("get", "get [-s] PATH"),
    ("stat", "stat PATH"),
    ("create", "create [-e] [-s] PATH [DATA]"),
    ("set", "set PATH DATA"),
    ("delete", "delete [-r] PATH"),
    ("deleteall", "deleteall PATH"),
    ("getAcl", "getAcl PATH"),
    ("setAcl", "setAcl PATH SCHEME:ID:PERMS[,…]"),
    ("sync", "sync PATH"),
    ("whoami", "whoami"),
    ("help", "help"),
    ("quit", "quit"),
];

/// The `help` text.
pub fn help() -> String {
    let mut text = String::from("ZooKeeper commands:\n");
    for (_, usage) in COMMANDS {
        let _ = writeln!(text, "\t{usage}");
    }
    text
}

/// One ACL entry: `scheme:id:perms` (`world:anyone:cdrwa`, `digest:user:hash:r`, `ip:10.0.0.1:rw`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AclEntry {
    /// `world`, `auth`, `digest`, `ip`, `sasl`, `x509`, `super`.
    pub scheme: String,
    /// The identity in that scheme.
    pub id: String,
    /// The permissions as zkCli writes them (`cdrwa` order).
    pub perms: String,
}

/// The permission letters in zkCli's order, with ZooKeeper's bit for each.
pub const PERMISSIONS: [(char, i32); 5] = [('c', 4), ('d', 8), ('r', 1), ('w', 2), ('a', 16)];

impl AclEntry {
    /// ZooKeeper's permission bits.
    pub fn bits(&self) -> i32 {
        PERMISSIONS
            .iter()
            .filter(|(letter, _)| self.perms.contains(*letter))
            .map(|(_, bit)| bit)
            .sum()
    }

    /// From ZooKeeper's parts.
    pub fn from_bits(scheme: &str, id: &str, bits: i32) -> AclEntry {
        AclEntry {
            scheme: scheme.to_owned(),
            id: id.to_owned(),
            perms: PERMISSIONS
                .iter()
                .filter(|(_, bit)| bits & bit != 0)
                .map(|(letter, _)| letter)
                .collect(),
        }
    }
}

/// Reads an ACL list: entries separated by commas, each `scheme:id:perms`; the id may hold
/// colons itself (`digest:user:hash`), the scheme and the permissions cannot.
pub fn parse_acl(text: &str) -> Result<Vec<AclEntry>, String> {
    text.split(',')
        .map(|entry| {
            let (scheme, rest) = entry.split_once(':').ok_or_else(|| {
                format!("ACL '{entry}' is not SCHEME:ID:PERMS; write e.g. world:anyone:cdrwa")
            })?;
            let (id, perms) = rest.rsplit_once(':').ok_or_else(|| {
                format!("ACL '{entry}' is not SCHEME:ID:PERMS; write e.g. world:anyone:cdrwa")
            })?;
            if scheme.is_empty() {
                return Err(format!("ACL '{entry}' names no scheme; write e.g. world:anyone:cdrwa"));
            }
            if perms.is_empty() || !perms.chars().all(|c| "cdrwa".contains(c)) {
                return Err(format!(
                    "ACL '{entry}' has permissions '{perms}'; use letters of cdrwa (create, delete, read, write, admin)"
                ));
            }
            let bits = PERMISSIONS
                .iter()
                .filter(|(letter, _)| perms.contains(*letter))
                .map(|(_, bit)| bit)
                .sum();
            Ok(AclEntry::from_bits(scheme, id, bits))
        })
        .collect()
}

/// Checks a znode path as ZooKeeper does (`PathUtils.validatePath`): absolute, no empty,
/// `.` or `..` segment, no trailing slash (except `/` itself; allowed before a sequential
/// suffix), no control characters.
pub fn validate_path(path: &str, sequential: bool) -> Result<(), String> {
    let fix = "write an absolute znode path such as /app/config";
    if !path.starts_with('/') {
        return Err(format!(
            "'{path}' is not a znode path: it must start with /; {fix}"
        ));
    }
    if path == "/" {
        return Ok(());
    }
    let body = if sequential {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    if body.ends_with('/') {
        return Err(format!("'{path}' ends with /; {fix}"));
    }
    for segment in body[1..].split('/') {
        match segment {
            "" => return Err(format!("'{path}' has an empty segment (//); {fix}")),
            "." | ".." => {
                return Err(format!(
                    "'{path}' has a '{segment}' segment, which ZooKeeper refuses; {fix}"
                ));
            }
            _ => {}
        }
    }
    if let Some(c) = path.chars().find(|c| c.is_control()) {
        return Err(format!("'{path}' holds the control character {c:?}; {fix}"));
    }
    Ok(())
}

fn usage(name: &str) -> String {
    let syntax = COMMANDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, usage)| usage);
    format!("usage: {syntax}")
}

/// Reads one command from its words (the first names it).
pub fn parse(words: &[String]) -> Result<ShellCommand, String> {
    let Some((name, rest)) = words.split_first() else {
        return Err(format!("no command; one of: {}", names()));
    };
    let mut flags = Vec::new();
    let mut args = Vec::new();
    for word in rest {
        match word.strip_prefix('-') {
            // A lone "-" or a negative number is an argument (data), not a flag.
            Some(letters)
                if args.is_empty()
                    && !letters.is_empty()
                    && letters.chars().all(|c| c.is_ascii_alphabetic()) =>
            {
                flags.extend(letters.chars());
            }
            _ => args.push(word.clone()),
        }
    }
    let allowed: &[char] = match name.as_str() {
        "ls" => &['R'],
        "get" => &['s'],
        "create" => &['e', 's'],
        "delete" => &['r'],
        _ => &[],
    };
    if let Some(bad) = flags.iter().find(|f| !allowed.contains(f)) {
        return Err(format!("{name} has no option -{bad}; {}", usage(name)));
    }
    let flag = |f: char| flags.contains(&f);
    let path_only = |sequential: bool| -> Result<String, String> {
        match args.as_slice() {
            [path] => validate_path(path, sequential).map(|()| path.clone()),
            _ => Err(usage(name)),
        }
    };
    let command = match name.as_str() {
        "ls" => ShellCommand::Ls {
            path: path_only(false)?,
            recursive: flag('R'),
        },
        "get" => ShellCommand::Get {
            path: path_only(false)?,
            stat: flag('s'),
        },
        "stat" => ShellCommand::Stat {
            path: path_only(false)?,
        },
        "create" => {
            let sequential = flag('s');
            let (path, data) = match args.as_slice() {
                [path] => (path.clone(), String::new()),
                [path, data] => (path.clone(), data.clone()),
                _ => return Err(usage(name)),
            };
            validate_path(&path, sequential)?;
            if path == "/" {
                return Err("/ exists always; create a znode below it, e.g. /app".into());
            }
            ShellCommand::Create {
                path,
                data,
                ephemeral: flag('e'),
                sequential,
            }
        }
        "set" => match args.as_slice() {
            [path, data] => {
                validate_path(path, false)?;
                ShellCommand::Set {
                    path: path.clone(),
                    data: data.clone(),
                }
            }
            _ => return Err(usage(name)),
        },
        "delete" | "deleteall" | "rmr" => {
            let path = path_only(false)?;
            if path == "/" {
                return Err("/ cannot be deleted; name a znode below it".into());
            }
            ShellCommand::Delete {
                path,
                recursive: flag('r') || name != "delete",
            }
        }
        "getAcl" => ShellCommand::GetAcl {
            path: path_only(false)?,
        },
        "setAcl" => match args.as_slice() {
            [path, acl] => {
                validate_path(path, false)?;
                ShellCommand::SetAcl {
                    path: path.clone(),
                    acl: parse_acl(acl)?,
                }
            }
            _ => return Err(usage(name)),
        },
        "sync" => ShellCommand::Sync {
            path: path_only(false)?,
        },
        "whoami" if args.is_empty() => ShellCommand::WhoAmI,
        "help" => ShellCommand::Help,
        "quit" | "exit" if args.is_empty() => ShellCommand::Quit,
        "whoami" | "quit" | "exit" => return Err(usage(name)),
        other => {
            return Err(format!("unknown command '{other}'; one of: {}", names()));
        }
    };
    Ok(command)
}

fn names() -> String {
    COMMANDS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A znode's stat, as ZooKeeper keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZnodeStat {
    /// Zxid of the create.
    pub czxid: i64,
    /// Zxid of the last data change.
    pub mzxid: i64,
    /// Create time, ms since the epoch.
    pub ctime: i64,
    /// Last data change time, ms since the epoch.
    pub mtime: i64,
    /// Zxid of the last change of the children.
    pub pzxid: i64,
    /// Changes of the children.
    pub cversion: i32,
    /// Changes of the data.
    pub data_version: i32,
    /// Changes of the ACL.
    pub acl_version: i32,
    /// The session of an ephemeral znode, else 0.
    pub ephemeral_owner: i64,
    /// Bytes of data.
    pub data_length: i32,
    /// Children.
    pub num_children: i32,
}

/// A time as zkCli prints it (Java's `Date.toString()` in UTC).
fn java_date(millis: i64) -> String {
    k8s_openapi::jiff::Timestamp::from_millisecond(millis)
        .map(|t| t.strftime("%a %b %d %H:%M:%S UTC %Y").to_string())
        .unwrap_or_else(|_| millis.to_string())
}

/// The stat as zkCli prints it.
pub fn render_stat(stat: &ZnodeStat) -> String {
    format!(
        "cZxid = {:#x}\nctime = {}\nmZxid = {:#x}\nmtime = {}\npZxid = {:#x}\ncversion = {}\ndataVersion = {}\naclVersion = {}\nephemeralOwner = {:#x}\ndataLength = {}\nnumChildren = {}\n",
        stat.czxid,
        java_date(stat.ctime),
        stat.mzxid,
        java_date(stat.mtime),
        stat.pzxid,
        stat.cversion,
        stat.data_version,
        stat.acl_version,
        stat.ephemeral_owner,
        stat.data_length,
        stat.num_children,
    )
}

/// An ACL as zkCli's `getAcl` prints it.
pub fn render_acl(acl: &[AclEntry]) -> String {
    let mut text = String::new();
    for entry in acl {
        let _ = writeln!(text, "'{},'{}\n: {}", entry.scheme, entry.id, entry.perms);
    }
    text
}

/// A list of children as zkCli's `ls` prints it (`[a, b]`).
pub fn render_children(children: &[String]) -> String {
    format!("[{}]\n", children.join(", "))
}

/// A child's full path.
pub fn child_path(parent: &str, child: &str) -> String {
    if parent == "/" {
        format!("/{child}")
    } else {
        format!("{parent}/{child}")
    }
}

/// For completion: the parent to list and the prefix of the name typed so far
/// (`/app/co` → (`/app`, `co`); `/` → (`/`, ``)).
pub fn completion_split(typed: &str) -> Option<(&str, &str)> {
    if !typed.starts_with('/') {
        return None;
    }
    let cut = typed.rfind('/')?;
    let parent = if cut == 0 { "/" } else { &typed[..cut] };
    Some((parent, &typed[cut + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn commands_parse_as_zkcli_writes_them() {
        assert_eq!(
            parse(&words("create -e -s /app/lock- x")),
            Ok(ShellCommand::Create {
                path: "/app/lock-".into(),
                data: "x".into(),
                ephemeral: true,
                sequential: true
            })
        );
        assert_eq!(
            parse(&words("create -es /q/")),
            Ok(ShellCommand::Create {
                path: "/q/".into(),
                data: String::new(),
                ephemeral: true,
                sequential: true
            })
        );
        assert_eq!(
            parse(&words("ls -R /")),
            Ok(ShellCommand::Ls {
                path: "/".into(),
                recursive: true
            })
        );
        assert_eq!(
            parse(&words("set /n -1")),
            Ok(ShellCommand::Set {
                path: "/n".into(),
                data: "-1".into()
            })
        );
        assert_eq!(
            parse(&words("deleteall /a")),
            Ok(ShellCommand::Delete {
                path: "/a".into(),
                recursive: true
            })
        );
        assert_eq!(parse(&words("quit")), Ok(ShellCommand::Quit));
    }

    #[test]
    fn bad_commands_say_the_usage() {
        assert_eq!(parse(&words("get")), Err("usage: get [-s] PATH".into()));
        assert_eq!(
            parse(&words("ls -x /")),
            Err("ls has no option -x; usage: ls [-R] PATH".into())
        );
        assert!(
            parse(&words("frobnicate /"))
                .unwrap_err()
                .starts_with("unknown command")
        );
        assert!(
            parse(&words("get hello"))
                .unwrap_err()
                .contains("must start with /")
        );
        assert!(
            parse(&words("get /a//b"))
                .unwrap_err()
                .contains("empty segment")
        );
        assert!(parse(&words("get /a/../b")).unwrap_err().contains("'..'"));
        assert!(
            parse(&words("get /a/"))
                .unwrap_err()
                .contains("ends with /")
        );
        assert!(parse(&words("delete /")).is_err());
        assert!(parse(&[]).is_err());
    }

    #[test]
    fn acls_parse_and_print_as_zkcli_does() {
        let acl = parse_acl("world:anyone:r,digest:bob:abc=:cdrwa").expect("valid");
        assert_eq!(acl[0].bits(), 1);
        assert_eq!(acl[1].id, "bob:abc=");
        assert_eq!(acl[1].bits(), 31);
        assert_eq!(
            render_acl(&acl),
            "'world,'anyone\n: r\n'digest,'bob:abc=\n: cdrwa\n"
        );
        assert_eq!(AclEntry::from_bits("ip", "10.0.0.1", 3).perms, "rw");
        assert!(parse_acl("world:anyone:rx").is_err());
        assert!(parse_acl("anyone").is_err());
    }

    #[test]
    fn stat_prints_as_zkcli_prints_it() {
        let stat = ZnodeStat {
            czxid: 0x1_0000_0002,
            mzxid: 0x1_0000_0002,
            ctime: 1_765_000_000_000,
            mtime: 1_765_000_000_000,
            pzxid: 0x1_0000_0002,
            cversion: 0,
            data_version: 0,
            acl_version: 0,
            ephemeral_owner: 0,
            data_length: 5,
            num_children: 0,
        };
        let text = render_stat(&stat);
        assert!(
            text.starts_with("cZxid = 0x100000002\nctime = Sat Dec 06 05:46:40 UTC 2025\n"),
            "{text}"
        );
        assert!(
            text.ends_with("ephemeralOwner = 0x0\ndataLength = 5\nnumChildren = 0\n"),
            "{text}"
        );
    }

    #[test]
    fn completion_splits_the_parent_from_the_name_typed() {
        assert_eq!(completion_split("/app/co"), Some(("/app", "co")));
        assert_eq!(completion_split("/ap"), Some(("/", "ap")));
        assert_eq!(completion_split("/"), Some(("/", "")));
        assert_eq!(completion_split("app"), None);
        assert_eq!(child_path("/", "a"), "/a");
        assert_eq!(child_path("/a", "b"), "/a/b");
    }
}
