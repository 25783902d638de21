//! Completion through kubectl's plugin completion (kubectl ≥ 1.26).
//!
//! On `kubectl zk <TAB>`, kubectl runs `kubectl_complete-zk` with the words after `zk` and
//! the word being completed (`""` for a new one). That script runs `kubectl-zk __complete
//! WORDS…`, which prints one candidate a line (`word<TAB>description`), filtered by the typed
//! prefix, and a last line `:4` (cobra's "no file completion") or `:0` where a file fits.
//! Candidates come from the clap definition itself, so they never go stale.

use clap::{Arg, ArgAction, Command, CommandFactory};

use crate::cli::Cli;
use crate::render::write_stdout;

/// cobra's ShellCompDirectiveNoFileComp.
const NO_FILES: u8 = 4;
/// cobra's ShellCompDirectiveDefault (the shell may complete file names).
const FILES: u8 = 0;

/// Prints the candidates for `words` (the last is the word being completed).
pub fn run(words: &[String]) -> anyhow::Result<()> {
    let (candidates, directive) = complete(words);
    let mut text = String::new();
    for (word, help) in candidates {
        if help.is_empty() {
            text.push_str(&format!("{word}\n"));
        } else {
            text.push_str(&format!("{word}\t{help}\n"));
        }
    }
    text.push_str(&format!(":{directive}\n"));
    write_stdout(&text)
}

/// Candidates (word, description) and the cobra directive.
pub fn complete(words: &[String]) -> (Vec<(String, String)>, u8) {
    let root = Cli::command();
    let (done, current) = match words.split_last() {
        Some((current, done)) => (done, current.as_str()),
        None => (&[][..], ""),
    };
    let mut command = &root;
    let mut globals: Vec<&Arg> = root.get_arguments().filter(|a| a.is_global_set()).collect();
    let mut pending_value: Option<&Arg> = None;
    for word in done {
        if pending_value.take().is_some() {
            continue;
        }
        if let Some(name) = word.strip_prefix("--") {
            if !name.contains('=') {
                pending_value = find_long(command, &globals, name).filter(|a| takes_value(a));
            }
        } else if let Some(short) = word.strip_prefix('-').filter(|s| s.len() == 1) {
            let c = short.chars().next().unwrap_or('-');
            pending_value = find_short(command, &globals, c).filter(|a| takes_value(a));
        } else if let Some(sub) = command.find_subcommand(word) {
            command = sub;
            globals.extend(sub.get_arguments().filter(|a| a.is_global_set()));
        }
    }
    if let Some(arg) = pending_value {
        return values_of(arg, current);
    }
    if let Some((name, value)) = current.strip_prefix("--").and_then(|c| c.split_once('='))
        && let Some(arg) = find_long(command, &globals, name)
    {
        let (values, directive) = values_of(arg, value);
        let prefixed = values
            .into_iter()
            .map(|(v, h)| (format!("--{name}={v}"), h))
            .collect();
        return (prefixed, directive);
    }
    let mut candidates = Vec::new();
    if current.starts_with('-') {
        let args = command
            .get_arguments()
            .chain(globals.iter().copied())
            .filter(|a| !a.is_hide_set());
        for arg in args {
            if let Some(long) = arg.get_long() {
                candidates.push((format!("--{long}"), help_of(arg)));
            }
        }
    } else {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            candidates.push((sub.get_name().to_owned(), about_of(sub)));
        }
        for arg in command.get_positionals() {
            candidates.extend(possible_values(arg));
        }
    }
    if current.starts_with('-') {
        candidates.sort();
    }
    candidates.dedup_by(|a, b| a.0 == b.0);
    candidates.retain(|(word, _)| word.starts_with(current));
    (candidates, NO_FILES)
}

fn values_of(arg: &Arg, prefix: &str) -> (Vec<(String, String)>, u8) {
    let mut values = possible_values(arg);
    values.retain(|(word, _)| word.starts_with(prefix));
    let directive = if arg.get_id() == "kubeconfig" {
        FILES
    } else {
        NO_FILES
    };
    (values, directive)
}

fn possible_values(arg: &Arg) -> Vec<(String, String)> {
    arg.get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| {
            (
                v.get_name().to_owned(),
                v.get_help().map(ToString::to_string).unwrap_or_default(),
            )
        })
        .collect()
}

fn find_long<'a>(command: &'a Command, globals: &[&'a Arg], name: &str) -> Option<&'a Arg> {
    command
        .get_arguments()
        .chain(globals.iter().copied())
        .find(|a| a.get_long() == Some(name))
}

fn find_short<'a>(command: &'a Command, globals: &[&'a Arg], c: char) -> Option<&'a Arg> {
    command
        .get_arguments()
        .chain(globals.iter().copied())
        .find(|a| a.get_short() == Some(c))
}

fn takes_value(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Set | ArgAction::Append)
        && arg.get_num_args().is_none_or(|n| n.min_values() > 0)
}

fn help_of(arg: &Arg) -> String {
    first_line(arg.get_help().map(ToString::to_string))
}

fn about_of(command: &Command) -> String {
    first_line(command.get_about().map(ToString::to_string))
}

fn first_line(text: Option<String>) -> String {
    text.unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn names(list: &[&str]) -> Vec<String> {
        complete(&words(list))
            .0
            .into_iter()
            .map(|(w, _)| w)
            .collect()
    }

    #[test]
    fn commands_filtered_by_prefix() {
        assert_eq!(names(&["st"]), ["status"]);
        let all = names(&[""]);
        for command in [
            "install",
            "status",
            "myid",
            "config",
            "leader",
            "drain-safe",
            "persist-check",
            "scale",
            "uninstall",
            "completion",
            "version",
        ] {
            assert!(
                all.contains(&command.to_owned()),
                "{command} missing from {all:?}"
            );
        }
        assert!(
            !all.iter().any(|w| w.starts_with("__")),
            "hidden commands stay hidden"
        );
    }

    #[test]
    fn options_of_the_command_and_global_ones() {
        let options = names(&["install", "--st"]);
        assert_eq!(options, ["--storage-class", "--storage-size"]);
        assert!(names(&["status", "--"]).contains(&"--namespace".to_owned()));
        assert!(names(&["-n", "kafka", "status", "--v"]).contains(&"--via".to_owned()));
    }

    #[test]
    fn enum_values_after_their_option() {
        assert_eq!(
            names(&["install", "--anti-affinity", ""]),
            ["required", "preferred", "none"]
        );
        assert_eq!(names(&["install", "--flavor", "k"]), ["k8s-tutorial"]);
        assert_eq!(names(&["install", "--flavor=o"]), ["--flavor=official"]);
        assert_eq!(names(&["completion", "z"]), ["zsh"]);
        let (_, directive) = complete(&words(&["--kubeconfig", ""]));
        assert_eq!(directive, FILES);
        let (_, directive) = complete(&words(&["st"]));
        assert_eq!(directive, NO_FILES);
    }
}
