//! Asking before a step that changes the cluster: `--yes` skips the question; without a
//! terminal on stdin (a script, CI) and without `--yes` the command refuses (exit 2) before
//! changing anything. Shared by every command with a destructive step.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::bail;

/// What the user answered, or why nobody could be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Go ahead (`--yes`, or "y"/"yes" typed).
    Yes,
    /// Anything else typed, or end of input.
    No,
}

/// The answer to a typed line: "y" or "yes" in any case go ahead. Pure.
pub fn parse_answer(line: &str) -> Answer {
    match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Answer::Yes,
        _ => Answer::No,
    }
}

/// Asks `question` on stderr (with ` [y/N] `) and reads one line from stdin. `yes` answers
/// without asking. Errors (exit 2, nothing changed): stdin is not a terminal, or the answer
/// was no. `action` names the step in the message, e.g. `persist-check --recreate`.
pub async fn confirm(action: &str, question: &str, yes: bool) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "{action} changes the cluster and asks first, but stdin is not a terminal; pass --yes to go ahead (nothing was changed)"
        );
    }
    let question = question.to_owned();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "{question} [y/N] ");
        let _ = stderr.flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => Answer::No,
            Ok(_) => parse_answer(&line),
        }
    })
    .await?;
    if answer == Answer::No {
        bail!("{action}: not confirmed; nothing was changed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_goes_ahead() {
        assert_eq!(parse_answer("y\n"), Answer::Yes);
        assert_eq!(parse_answer(" YES "), Answer::Yes);
        assert_eq!(parse_answer("\n"), Answer::No);
        assert_eq!(parse_answer("no"), Answer::No);
        assert_eq!(parse_answer("yep"), Answer::No);
    }
}
