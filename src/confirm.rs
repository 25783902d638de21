//! Asking before a destructive step: a yes/no question, or a name typed back.
//!
//! Shared by every command that changes the cluster in a way that could cost data or
//! availability (`uninstall`, `leader --failover`; `drain-safe --execute` and
//! `persist-check --restart|--recreate` can use it the same way). `--yes` skips the
//! question. With stdin not a terminal and no `--yes` the command refuses with an error
//! (exit 2) that says to pass `--yes`, before anything is changed. Questions go to stderr,
//! so stdout keeps only the command's result.

use std::io::{self, BufRead, IsTerminal, Write};

use anyhow::bail;

/// Asks `question [y/N]` on stderr unless `yes`. `action` names what would happen, for the
/// refusal when nobody can answer (`uninstall ensemble zk in namespace kafka`).
/// Ok(true) to go on, Ok(false) when the user said no.
pub fn confirm(question: &str, action: &str, yes: bool) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    ensure_can_ask(false, action)?;
    let stdin = io::stdin();
    ask_yes_no(&mut stdin.lock(), &mut io::stderr(), question)
}

/// Asks the user to type `expected` back (e.g. the ensemble's name before its data is
/// deleted) unless `yes`. Ok(true) only for exactly that text.
pub fn confirm_typed(
    question: &str,
    expected: &str,
    action: &str,
    yes: bool,
) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    ensure_can_ask(false, action)?;
    let stdin = io::stdin();
    ask_typed(&mut stdin.lock(), &mut io::stderr(), question, expected)
}

/// The refusal when nobody can answer: not `yes` and stdin is not a terminal. Commands call
/// it before their first change, so they refuse before anything happens.
pub fn ensure_can_ask(yes: bool, action: &str) -> anyhow::Result<()> {
    if !yes && !io::stdin().is_terminal() {
        bail!(
            "refusing to {action} without confirmation: stdin is not a terminal; pass --yes to confirm; nothing was changed"
        );
    }
    Ok(())
}

/// `question [y/N]: ` and one answer line; `y` or `yes` (any case) is yes.
pub fn ask_yes_no(
    input: &mut impl BufRead,
    prompt: &mut impl Write,
    question: &str,
) -> anyhow::Result<bool> {
    write!(prompt, "{question} [y/N]: ")?;
    prompt.flush()?;
    let answer = read_line(input)?;
    Ok(matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// `question` then the expected text in the prompt; true only when typed exactly.
pub fn ask_typed(
    input: &mut impl BufRead,
    prompt: &mut impl Write,
    question: &str,
    expected: &str,
) -> anyhow::Result<bool> {
    write!(prompt, "{question}\nType {expected} to confirm: ")?;
    prompt.flush()?;
    Ok(read_line(input)? == expected)
}

fn read_line(input: &mut impl BufRead) -> anyhow::Result<String> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

/// `text` with its first letter upper-case, for a question made from an action.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes_no(answer: &str) -> bool {
        let mut prompt = Vec::new();
        let result = ask_yes_no(&mut answer.as_bytes(), &mut prompt, "Go on?").expect("io");
        assert_eq!(String::from_utf8_lossy(&prompt), "Go on? [y/N]: ");
        result
    }

    #[test]
    fn only_y_or_yes_is_yes() {
        assert!(yes_no("y\n"));
        assert!(yes_no("YES\n"));
        assert!(yes_no("  yes  \n"));
        assert!(!yes_no("\n"));
        assert!(!yes_no(""), "end of input is no");
        assert!(!yes_no("n\n"));
        assert!(!yes_no("yep\n"));
    }

    #[test]
    fn the_typed_name_must_match_exactly() {
        let typed = |answer: &str| {
            let mut prompt = Vec::new();
            ask_typed(&mut answer.as_bytes(), &mut prompt, "Delete data?", "zk").expect("io")
        };
        assert!(typed("zk\n"));
        assert!(!typed("ZK\n"));
        assert!(!typed("y\n"));
        assert!(!typed(""));
    }

    #[test]
    fn yes_skips_the_question() {
        assert!(confirm("Go on?", "do it", true).expect("no question asked"));
        assert!(confirm_typed("Sure?", "zk", "do it", true).expect("no question asked"));
    }
}
