//! `completion SHELL`: print a completion script for `kubectl-zk` (checked in under
//! `completions/`; a test fails when they are stale).

use clap::CommandFactory;
use clap_complete::Shell as CompleteShell;

use crate::cli::{Cli, CompletionArgs, Shell};
use crate::cmd::Outcome;
use crate::render::write_stdout;

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    let generator = match shell {
        Shell::Bash => CompleteShell::Bash,
        Shell::Zsh => CompleteShell::Zsh,
        Shell::Fish => CompleteShell::Fish,
        Shell::Powershell => CompleteShell::PowerShell,
    };
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(generator, &mut command, "kubectl-zk", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs `completion`.
pub fn run(args: CompletionArgs) -> anyhow::Result<Outcome> {
    write_stdout(&script(args.shell))?;
    Ok(Outcome::Ok)
}
