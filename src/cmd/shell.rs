//! `cli [--member POD] [COMMAND ARGS…]`: ZooKeeper's client commands spoken by the plugin
//! itself, over a port-forward to one member — no JVM started, nothing needed in the image.
//!
//! One command given: run it, print what zkCli prints (or `-o json|yaml`), exit 1 when
//! ZooKeeper refuses it (`NoNode`, …). None given: an interactive session with history, line
//! editing and znode path completion when stdin is a terminal, else one command per line read
//! from stdin. The command language and its output are `zk::shell`'s; running a command on the
//! session is `cluster::zk_shell`'s.

use std::io::{BufRead as _, IsTerminal as _};
use std::time::Duration;

use anyhow::{anyhow, bail};
use kube::Client;
use serde::Serialize;
use zookeeper_client as zk;

use crate::cli::{GlobalOptions, OutputFormat, ShellArgs};
use crate::cluster::client::connect;
use crate::cluster::ensemble::{self, Ensemble};
use crate::cluster::zk_client::{MemberSession, Protocol};
use crate::cluster::zk_shell::{self, Failure, Reply};
use crate::cmd::Outcome;
use crate::confirm::{confirm, ensure_can_ask};
use crate::ensemble::start_flags::{Word, shell_words};
use crate::render::{Document, Style, Tabular, emit, write_stdout};
use crate::zk::VersionNumber;
use crate::zk::shell::{
    AclEntry, COMMANDS, ShellCommand, ZnodeStat, completion_split, help, parse, render_acl,
    render_children, render_stat,
};

/// How long opening a session with one member may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What a one-shot command printed, for `-o json|yaml`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZnodeDocument {
    /// The member that answered.
    pub member: String,
    /// The command as given.
    pub command: String,
    /// The znode (for `create`, the path ZooKeeper gave it).
    pub path: Option<String>,
    /// Its data, as UTF-8 (bytes that are not UTF-8 replaced).
    pub data: Option<String>,
    /// Its stat.
    pub stat: Option<ZnodeStat>,
    /// Its children (`ls`), or itself and its descendants (`ls -R`).
    pub children: Option<Vec<String>>,
    /// Its ACL.
    pub acl: Option<Vec<AclEntry>>,
    /// Znodes deleted.
    pub deleted: Option<usize>,
}

impl Document for ZnodeDocument {
    const KIND: &'static str = "Znode";
}

impl Tabular for ZnodeDocument {
    fn table(&self, _style: Style, _wide: bool) -> String {
        String::new()
    }
}

/// Runs `cli`.
pub async fn run(global: &GlobalOptions, args: crate::cli::ShellArgs) -> anyhow::Result<Outcome> {
    let one_shot = if args.command.is_empty() {
        None
    } else {
        Some(parse(&args.command).map_err(|why| anyhow!("{why}"))?)
    };
    if one_shot == Some(ShellCommand::Help) {
        write_stdout(&help())?;
        return Ok(Outcome::Ok);
    }
    let connection = connect(global).await?;
    let client = &connection.client;
    let found = ensemble::find(client, &connection.namespace, args.ensemble.name.as_ref()).await?;
    let session = open(client, &found, args.member.as_deref()).await?;
    let outcome = match one_shot {
        Some(command) => one(&session, &command, &args, Style::new(global.color)).await,
        None if std::io::stdin().is_terminal() => interactive(&session).await,
        None => lines(&session).await,
    };
    session.close().await;
    outcome
}

/// A session with the member named, or with the first member that serves.
async fn open(
    client: &Client,
    found: &Ensemble,
    member: Option<&str>,
) -> anyhow::Result<MemberSession> {
    let protocol = Protocol::for_version(VersionNumber::from_image(&found.image));
    let pods = found.pod_names();
    if let Some(member) = member {
        if !pods.iter().any(|p| p == member) {
            bail!(
                "{member} is not a member of ensemble {} in namespace {} (its members: {}); name one of them",
                found.name,
                found.namespace,
                pods.join(", ")
            );
        }
        return MemberSession::connect(client, &found.target(member), protocol, CONNECT_TIMEOUT)
            .await;
    }
    let mut why = Vec::new();
    for pod in &pods {
        match MemberSession::connect(client, &found.target(pod), protocol, CONNECT_TIMEOUT).await {
            Ok(session) => return Ok(session),
            Err(err) => why.push(crate::cluster::error::one_line(&err)),
        }
    }
    bail!(
        "no member of ensemble {} in namespace {} accepts a session ({}); see `kubectl zk status`",
        found.name,
        found.namespace,
        why.join("; ")
    )
}

/// One command, then exit: 0 done, 1 refused by ZooKeeper, 2 no answer.
async fn one(
    session: &MemberSession,
    command: &ShellCommand,
    args: &ShellArgs,
    style: Style,
) -> anyhow::Result<Outcome> {
    if let ShellCommand::Delete {
        path,
        recursive: true,
    } = command
    {
        let what = format!("delete {path} and everything below it");
        ensure_can_ask(args.yes, &what)?;
        let all = match zk_shell::tree(session.client(), path).await {
            Ok(all) => all,
            Err(failure) => return said(&args.command, failure),
        };
        let question = format!(
            "Delete {path} and its {} descendant(s) from member {}'s ensemble?",
            all.len().saturating_sub(1),
            session.pod()
        );
        if !confirm(&question, &what, args.yes)? {
            eprintln!("not confirmed; nothing was deleted");
            return Ok(Outcome::CheckFailed);
        }
    }
    if matches!(
        command,
        ShellCommand::Create {
            ephemeral: true,
            ..
        }
    ) {
        eprintln!(
            "Note: an ephemeral znode lives as long as its session; this one-shot session ends now, and the znode with it (use the interactive `kubectl zk cli`)"
        );
    }
    let reply = match zk_shell::run(session.client(), command).await {
        Ok(reply) => reply,
        Err(failure) => return said(&args.command, failure),
    };
    match args.output.output {
        OutputFormat::Table | OutputFormat::Wide => write_stdout(&render(command, &reply))?,
        format => emit(
            &document(session.pod(), &args.command, command, reply),
            format,
            style,
        )?,
    }
    Ok(Outcome::Ok)
}

/// Says a failure in one line; the outcome.
fn said(words: &[String], failure: Failure) -> anyhow::Result<Outcome> {
    match failure {
        Failure::Refused(refusal) => {
            eprintln!(
                "kubectl-zk: {}: {} ({})",
                words.join(" "),
                refusal.code,
                refusal.meaning
            );
            Ok(Outcome::CheckFailed)
        }
        Failure::Other(err) => Err(err.context(words.join(" "))),
    }
}

/// The reply as zkCli prints it.
fn render(command: &ShellCommand, reply: &Reply) -> String {
    match reply {
        Reply::Children(children) => render_children(children),
        Reply::Tree(paths) => paths.iter().map(|p| format!("{p}\n")).collect(),
        Reply::Data(data, stat) => {
            let mut text = String::from_utf8_lossy(data).into_owned();
            text.push('\n');
            if matches!(command, ShellCommand::Get { stat: true, .. }) {
                text.push_str(&render_stat(stat));
            }
            text
        }
        Reply::Stat(stat) => match command {
            ShellCommand::Set { .. } => String::new(),
            _ => render_stat(stat),
        },
        Reply::Created(path) => format!("Created {path}\n"),
        Reply::Deleted(count) if *count > 1 => format!("Deleted {count} znodes\n"),
        Reply::Deleted(_) | Reply::Done => String::new(),
        Reply::Acl(acl, _) => render_acl(acl),
        Reply::Users(users) => {
            let mut text = String::from("Auth scheme: User\n");
            for (scheme, user) in users {
                text.push_str(&format!("{scheme}: {user}\n"));
            }
            text
        }
    }
}

fn document(member: &str, words: &[String], command: &ShellCommand, reply: Reply) -> ZnodeDocument {
    let path = match command {
        ShellCommand::Ls { path, .. }
        | ShellCommand::Get { path, .. }
        | ShellCommand::Stat { path }
        | ShellCommand::Create { path, .. }
        | ShellCommand::Set { path, .. }
        | ShellCommand::Delete { path, .. }
        | ShellCommand::GetAcl { path }
        | ShellCommand::SetAcl { path, .. }
        | ShellCommand::Sync { path } => Some(path.clone()),
        ShellCommand::WhoAmI | ShellCommand::Help | ShellCommand::Quit => None,
    };
    let mut doc = ZnodeDocument {
        member: member.to_owned(),
        command: words.join(" "),
        path,
        data: None,
        stat: None,
        children: None,
        acl: None,
        deleted: None,
    };
    match reply {
        Reply::Children(children) | Reply::Tree(children) => doc.children = Some(children),
        Reply::Data(data, stat) => {
            doc.data = Some(String::from_utf8_lossy(&data).into_owned());
            doc.stat = Some(stat);
        }
        Reply::Stat(stat) => doc.stat = Some(stat),
        Reply::Created(path) => doc.path = Some(path),
        Reply::Deleted(count) => doc.deleted = Some(count),
        Reply::Acl(acl, stat) => {
            doc.acl = Some(acl);
            doc.stat = Some(stat);
        }
        Reply::Users(users) => {
            doc.acl = Some(
                users
                    .into_iter()
                    .map(|(scheme, id)| AclEntry {
                        scheme,
                        id,
                        perms: String::new(),
                    })
                    .collect(),
            );
        }
        Reply::Done => {}
    }
    doc
}

/// Splits a line into words as a shell would (quotes, backslashes), nothing expanded.
fn words_of(line: &str) -> Vec<String> {
    shell_words(line)
        .into_iter()
        .filter_map(|w| match w {
            Word::Text(text) => Some(text),
            Word::Operator => None,
        })
        .collect()
}

/// Runs one line of a session; false when the session should end.
async fn line(client: &zk::Client, text: &str, interactive: bool) -> (bool, bool) {
    let words = words_of(text);
    if words.is_empty() {
        return (true, true);
    }
    let command = match parse(&words) {
        Ok(command) => command,
        Err(why) => {
            eprintln!("{why}");
            return (true, false);
        }
    };
    match command {
        ShellCommand::Quit => return (false, true),
        ShellCommand::Help => {
            print!("{}", help());
            return (true, true);
        }
        ShellCommand::Delete {
            ref path,
            recursive: true,
        } if interactive => {
            let count = match zk_shell::tree(client, path).await {
                Ok(all) => all.len(),
                Err(failure) => {
                    report(&words, failure);
                    return (true, false);
                }
            };
            let question = format!("Delete {path} and its {} descendant(s)?", count - 1);
            if !confirm(&question, "delete", false).unwrap_or(false) {
                eprintln!("not deleted");
                return (true, true);
            }
        }
        _ => {}
    }
    match zk_shell::run(client, &command).await {
        Ok(reply) => {
            print!("{}", render(&command, &reply));
            (true, true)
        }
        Err(failure) => {
            report(&words, failure);
            (true, false)
        }
    }
}

fn report(words: &[String], failure: Failure) {
    match failure {
        Failure::Refused(r) => eprintln!("{}: {} ({})", words.join(" "), r.code, r.meaning),
        Failure::Other(err) => eprintln!(
            "{}: {}",
            words.join(" "),
            crate::cluster::error::one_line(&err)
        ),
    }
}

/// One command per line from stdin (a script or a pipe); exit 1 when any failed.
async fn lines(session: &MemberSession) -> anyhow::Result<Outcome> {
    let mut all_ok = true;
    for text in std::io::stdin().lock().lines() {
        let (go_on, ok) = line(session.client(), &text?, false).await;
        all_ok &= ok;
        if !go_on {
            break;
        }
    }
    Ok(if all_ok {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}

/// The interactive session: rustyline on a blocking thread, each command run on the runtime.
async fn interactive(session: &MemberSession) -> anyhow::Result<Outcome> {
    let client = session.client().clone();
    let pod = session.pod().to_owned();
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || repl(&client, &pod, &handle))
        .await
        .map_err(|e| anyhow!("the interactive session ended abnormally: {e}"))?
}

fn history_file() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/state"))
        })?;
    Some(base.join("kubectl-zk").join("cli_history"))
}

fn repl(
    client: &zk::Client,
    pod: &str,
    handle: &tokio::runtime::Handle,
) -> anyhow::Result<Outcome> {
    use rustyline::error::ReadlineError;
    let mut editor: rustyline::Editor<Completion, rustyline::history::DefaultHistory> =
        rustyline::Editor::new().map_err(|e| anyhow!("cannot start the line editor: {e}"))?;
    editor.set_helper(Some(Completion {
        client: client.clone(),
        handle: handle.clone(),
    }));
    let history = history_file();
    if let Some(file) = &history {
        let _ = editor.load_history(file);
    }
    eprintln!("Connected to {pod}. Type help for the commands, quit or Ctrl-D to leave.");
    let mut count = 0;
    loop {
        let prompt = format!("[zk: {pod}(CONNECTED) {count}] ");
        match editor.readline(&prompt) {
            Ok(text) => {
                if !text.trim().is_empty() {
                    let _ = editor.add_history_entry(text.as_str());
                }
                count += 1;
                let (go_on, _) = handle.block_on(line(client, &text, true));
                if !go_on {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => break,
            Err(err) => return Err(anyhow!("cannot read the terminal: {err}")),
        }
    }
    if let Some(file) = &history {
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(file);
    }
    Ok(Outcome::Ok)
}

/// Completes command names in the first word and znode paths (by listing the parent) after.
struct Completion {
    client: zk::Client,
    handle: tokio::runtime::Handle,
}

impl rustyline::completion::Completer for Completion {
    type Candidate = String;

    fn complete(
        &self,
        text: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &text[..pos];
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &before[start..];
        if start == 0 {
            let names = COMMANDS
                .iter()
                .map(|(name, _)| (*name).to_owned())
                .filter(|name| name.starts_with(word))
                .collect();
            return Ok((0, names));
        }
        let Some((parent, prefix)) = completion_split(word) else {
            return Ok((start, Vec::new()));
        };
        let listed = self.handle.block_on(async {
            tokio::time::timeout(Duration::from_secs(2), self.client.list_children(parent)).await
        });
        let mut children = match listed {
            Ok(Ok(children)) => children,
            _ => Vec::new(),
        };
        children.sort();
        let candidates = children
            .into_iter()
            .filter(|c| c.starts_with(prefix))
            .map(|c| crate::zk::shell::child_path(parent, &c))
            .collect();
        Ok((start, candidates))
    }
}

impl rustyline::hint::Hinter for Completion {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Completion {}
impl rustyline::validate::Validator for Completion {}
impl rustyline::Helper for Completion {}
