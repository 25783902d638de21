//! Rendering: one serialisable model per command, printed as a table, a wide table,
//! JSON or YAML; colour only where the user allows it.

use std::io::{self, IsTerminal, Write};

use owo_colors::{OwoColorize, Style as OwoStyle};
use serde::Serialize;
use tabled::Table;
use tabled::settings::{Padding, Style as TableStyle};

use crate::cli::{ColorChoice, OutputFormat};

/// Whether to colour, decided once from `--color`, `NO_COLOR` and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Decides from the user's choice and the environment.
    pub fn new(choice: ColorChoice) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && io::stdout().is_terminal()
            }
        };
        Self { color }
    }

    /// No colour at all.
    pub fn plain() -> Self {
        Self { color: false }
    }

    /// Whether colour is on.
    pub fn color(self) -> bool {
        self.color
    }

    /// A word that is good news (still printed as the word itself).
    pub fn good(self, text: &str) -> String {
        self.paint(text, OwoStyle::new().green())
    }

    /// A word that is bad news.
    pub fn bad(self, text: &str) -> String {
        self.paint(text, OwoStyle::new().red().bold())
    }

    /// A word that needs attention.
    pub fn warn(self, text: &str) -> String {
        self.paint(text, OwoStyle::new().yellow())
    }

    /// A heading.
    pub fn bold(self, text: &str) -> String {
        self.paint(text, OwoStyle::new().bold())
    }

    /// One of six colours picked by `index`, to tell members apart (`logs`).
    pub fn nth(self, index: usize, text: &str) -> String {
        let style = match index % 6 {
            0 => OwoStyle::new().cyan(),
            1 => OwoStyle::new().magenta(),
            2 => OwoStyle::new().green(),
            3 => OwoStyle::new().yellow(),
            4 => OwoStyle::new().blue(),
            _ => OwoStyle::new().red(),
        };
        self.paint(text, style)
    }

    fn paint(self, text: &str, style: OwoStyle) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_owned()
        }
    }
}

/// A model that knows how to draw itself as a table.
pub trait Tabular {
    /// The table (`wide` adds columns).
    fn table(&self, style: Style, wide: bool) -> String;
}

/// The `apiVersion` of every document `-o json|yaml` prints (see `docs/output.md`).
pub const API_VERSION: &str = "kubectl-zk.io/v1alpha1";

/// A model printed as a versioned document: `apiVersion`, `kind`, then its own fields. Each
/// kind has a JSON Schema in `docs/schema/<kind>.json`.
pub trait Document {
    /// The document's `kind`.
    const KIND: &'static str;
}

/// A document as printed: `apiVersion` and `kind` before the model's fields.
#[derive(Serialize)]
struct Versioned<'a, T> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    #[serde(flatten)]
    model: &'a T,
}

impl<'a, T: Document> Versioned<'a, T> {
    fn of(model: &'a T) -> Self {
        Versioned {
            api_version: API_VERSION,
            kind: T::KIND,
            model,
        }
    }
}

/// The model with its `apiVersion` and `kind`, as a JSON value.
pub fn versioned<T: Serialize + Document>(model: &T) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::to_value(Versioned::of(model))?)
}

/// Serializes a list document's entries as its `items`, as Kubernetes lists do.
pub fn serialize_items<S: serde::Serializer, T: Serialize>(
    items: &[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut list = serializer.serialize_struct("List", 1)?;
    list.serialize_field("items", items)?;
    list.end()
}

/// Prints `model` in the chosen format on stdout; JSON and YAML carry `apiVersion` and `kind`.
pub fn emit<T: Serialize + Tabular + Document>(
    model: &T,
    format: OutputFormat,
    style: Style,
) -> anyhow::Result<()> {
    let text = match format {
        OutputFormat::Table => model.table(style, false),
        OutputFormat::Wide => model.table(style, true),
        OutputFormat::Json => to_json(&Versioned::of(model))?,
        OutputFormat::Yaml => to_yaml(&Versioned::of(model))?,
    };
    write_stdout(&text)
}

/// One document as YAML (for streams of documents).
pub fn to_yaml_document<T: Serialize + Document>(model: &T) -> anyhow::Result<String> {
    to_yaml(&Versioned::of(model))
}

/// One document as one line of JSON (for streams such as `leader --watch -o json`).
pub fn to_json_line<T: Serialize + Document>(model: &T) -> anyhow::Result<String> {
    let mut text = serde_json::to_string(&Versioned::of(model))?;
    text.push('\n');
    Ok(text)
}

/// Pretty JSON with a final newline.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// YAML (block style) of one value.
pub fn to_yaml<T: Serialize>(value: &T) -> anyhow::Result<String> {
    let mut text = serde_saphyr::to_string(value)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// A multi-document YAML stream (`---` between documents), as `kubectl apply -f` reads it.
pub fn to_yaml_stream<T: Serialize>(values: &[T]) -> anyhow::Result<String> {
    let mut text = String::new();
    for value in values {
        text.push_str("---\n");
        text.push_str(&to_yaml(value)?);
    }
    Ok(text)
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// A plain table from rows of cells, kubectl's look: no borders, left aligned.
pub fn plain_table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut builder = tabled::builder::Builder::default();
    builder.push_record(header.iter().map(|h| (*h).to_owned()));
    for row in rows {
        builder.push_record(row);
    }
    let mut table: Table = builder.build();
    table.with(TableStyle::empty());
    table.with(Padding::new(0, 3, 0, 0));
    let mut text = table.to_string();
    // tabled pads every line to the table width; kubectl does not.
    text = text
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tables_look_like_kubectl() {
        let text = plain_table(&["NAME", "READY"], vec![vec!["zk-0".into(), "1/1".into()]]);
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("NAME"), "{text}");
        assert!(!lines[0].ends_with(' '), "{text}");
        assert!(
            lines[1].contains("zk-0") && lines[1].contains("1/1"),
            "{text}"
        );
    }

    #[test]
    fn colour_never_means_plain_words() {
        let style = Style::new(ColorChoice::Never);
        assert_eq!(style.bad("UNSAFE"), "UNSAFE");
        let style = Style::new(ColorChoice::Always);
        assert!(style.bad("UNSAFE").contains("UNSAFE"));
        assert_ne!(style.bad("UNSAFE"), "UNSAFE");
    }

    #[test]
    fn yaml_stream_separates_documents() {
        let text = to_yaml_stream(&[serde_json::json!({"a": 1}), serde_json::json!({"b": "x"})])
            .expect("yaml");
        assert_eq!(text.matches("---\n").count(), 2, "{text}");
    }
}
