//! The top of the program: parse the arguments, run the command, turn the result into an
//! exit code, and print an error once, as `kubectl-zk: …` in one line translated by
//! [`crate::cluster::error::one_line`].
//!
//! Exit codes: 0 success, healthy or safe; 1 a check said no; 2 an error (bad input, no
//! access, cluster unreachable). Usage errors are one line that names the option and the
//! accepted values.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::cli::Cli;
use crate::cluster::error;

/// The hidden first argument that asks for completion candidates (see `cmd::complete`).
pub const COMPLETE: &str = "__complete";

/// Exit code of errors.
pub const EXIT_ERROR: u8 = 2;

/// Runs the program with these arguments (the first is the program name).
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == COMPLETE) {
        // kubectl's plugin completion: raw words, not parsed by clap (they are partial).
        let words: Vec<String> = args[2..]
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        return match crate::cmd::complete::run(&words) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("kubectl-zk: {}", error::one_line(&err));
                ExitCode::from(EXIT_ERROR)
            }
        };
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("kubectl-zk: cannot start the async runtime: {err}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match runtime.block_on(crate::cmd::dispatch(cli)) {
        Ok(outcome) => outcome.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("kubectl-zk: {}", error::one_line(&err));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints help and version as clap does; every other parse error as one line, exit 2.
fn usage_error(err: &clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            return if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
        _ => {}
    }
    eprintln!("kubectl-zk: {}", one_line(err));
    ExitCode::from(EXIT_ERROR)
}

/// One line for a clap error: what was wrong, with which option, and what is accepted.
pub fn one_line(err: &clap::Error) -> String {
    let context = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    let arg = context(ContextKind::InvalidArg).map(|a| option_name(&a));
    let value = context(ContextKind::InvalidValue);
    match err.kind() {
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue).unwrap_or_default();
            match (arg, value) {
                (Some(arg), Some(value)) if value.is_empty() && valid.is_empty() => {
                    format!("{arg} needs a value")
                }
                (Some(arg), Some(value)) if value.is_empty() => {
                    format!("{arg} needs a value; accepted values: {valid}")
                }
                (Some(arg), Some(value)) => {
                    format!("invalid value '{value}' for {arg}; accepted values: {valid}")
                }
                _ => fallback(err),
            }
        }
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(err)
                .map(ToString::to_string)
                .unwrap_or_default();
            match (arg, value) {
                (Some(arg), Some(value)) => format!("invalid value '{value}' for {arg}: {reason}"),
                _ => fallback(err),
            }
        }
        ErrorKind::MissingRequiredArgument => match arg {
            Some(missing) => format!(
                "missing {missing}; see 'kubectl zk {} --help'",
                subcommand(err).unwrap_or_default()
            )
            .replace("  --help", " --help"),
            None => fallback(err),
        },
        _ => fallback(err),
    }
}

/// The subcommand a usage error is about, from clap's usage line (`Usage: kubectl-zk
/// drain-safe [OPTIONS] …`).
fn subcommand(err: &clap::Error) -> Option<String> {
    let rendered = err.render().to_string();
    let usage = rendered
        .lines()
        .find_map(|l| l.trim().strip_prefix("Usage: "))?;
    let word = usage
        .split_whitespace()
        .find(|w| !matches!(*w, "kubectl" | "zk" | "kubectl-zk" | "oc"))?;
    (!word.starts_with(['[', '<', '-'])).then(|| word.to_owned())
}

/// `--replicas <N>` → `--replicas`.
fn option_name(arg: &str) -> String {
    arg.split([' ', '=']).next().unwrap_or(arg).to_owned()
}

fn fallback(err: &clap::Error) -> String {
    let rendered = err.render().to_string();
    let first = rendered.lines().next().unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    format!("{first}; see 'kubectl zk --help'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(args: &[&str]) -> String {
        let mut argv = vec!["kubectl-zk"];
        argv.extend_from_slice(args);
        let err = Cli::try_parse_from(argv).expect_err("must fail");
        one_line(&err)
    }

    #[test]
    fn bad_values_are_one_line_naming_option_and_accepted_values() {
        let cases = [
            (
                vec!["install", "--dry-run", "--replicas", "0"],
                "--replicas",
                "1 to 255",
            ),
            (
                vec!["install", "--dry-run", "--replicas", "abc"],
                "--replicas",
                "1 to 255",
            ),
            (
                vec!["install", "--dry-run", "--storage-size", "10Zz"],
                "--storage-size",
                "10Gi",
            ),
            (
                vec!["install", "--dry-run", "--flavor", "nope"],
                "--flavor",
                "official, k8s-tutorial",
            ),
            (
                vec!["install", "--dry-run", "--anti-affinity", "sometimes"],
                "--anti-affinity",
                "required, preferred, none",
            ),
        ];
        for (args, option, accepted) in cases {
            let line = parse_error(&args);
            assert!(!line.contains('\n'), "{line}");
            assert!(line.contains(option), "{line}");
            assert!(line.contains(accepted), "{line}");
        }
    }

    #[test]
    fn missing_arguments_are_named() {
        let line = parse_error(&["completion"]);
        assert_eq!(line, "missing <SHELL>; see 'kubectl zk completion --help'");
    }

    #[test]
    fn unknown_commands_point_at_help() {
        let line = parse_error(&["frobnicate"]);
        assert!(
            line.contains("frobnicate") && line.contains("--help"),
            "{line}"
        );
    }
}
