//! Jupyter notebooks (nbformat 4) as byte spans of the file's own text.
//!
//! Scanning and redacting work on the raw bytes, so that everything not redacted stays exactly as
//! it was (indentation, key order, escapes, trailing newline). serde_json's borrowed `RawValue`
//! gives the exact slice of each part of each cell, hence its position in the file.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, Result};

/// Where in a cell a finding sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum CellPart {
    Source,
    Outputs,
    Metadata,
    Attachments,
}

/// Byte ranges of one cell in the notebook text.
#[derive(Debug, Clone)]
pub struct CellSpans {
    pub whole: (usize, usize),
    pub source: Option<(usize, usize)>,
    pub outputs: Option<(usize, usize)>,
    pub metadata: Option<(usize, usize)>,
    pub attachments: Option<(usize, usize)>,
    /// Base64 payloads of images and PDFs in outputs and attachments: provider patterns found
    /// there are coincidences of the encoding, not keys.
    pub binary_data: Vec<(usize, usize)>,
    pub is_code: bool,
}

impl CellSpans {
    /// Which part of the cell holds byte `at`.
    pub fn part_at(&self, at: usize) -> Option<CellPart> {
        let inside = |span: Option<(usize, usize)>| span.is_some_and(|(s, e)| s <= at && at < e);
        if inside(self.source) {
            Some(CellPart::Source)
        } else if inside(self.outputs) {
            Some(CellPart::Outputs)
        } else if inside(self.attachments) {
            Some(CellPart::Attachments)
        } else if inside(self.metadata) {
            Some(CellPart::Metadata)
        } else {
            None
        }
    }

    pub fn in_binary_data(&self, start: usize, end: usize) -> bool {
        self.binary_data.iter().any(|&(s, e)| s <= start && end <= e)
    }
}

/// The notebook's cells in file order, and its kernel's language.
#[derive(Debug, Clone)]
pub struct Notebook {
    pub cells: Vec<CellSpans>,
    /// `metadata.kernelspec.language` or `metadata.language_info.name` ("python", "R", ...).
    pub language: Option<String>,
}

impl Notebook {
    /// The index of the cell containing byte `at`.
    pub fn cell_at(&self, at: usize) -> Option<usize> {
        let i = self.cells.partition_point(|c| c.whole.1 <= at);
        self.cells.get(i).filter(|c| c.whole.0 <= at).map(|_| i)
    }
}

#[derive(Deserialize)]
struct Top<'a> {
    #[serde(borrow)]
    cells: Vec<&'a RawValue>,
    nbformat: u32,
    #[serde(default)]
    metadata: Option<Meta>,
}

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    kernelspec: Option<Named>,
    #[serde(default)]
    language_info: Option<Named>,
}

#[derive(Deserialize, Default)]
struct Named {
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Cell<'a> {
    cell_type: String,
    #[serde(borrow)]
    source: Option<&'a RawValue>,
    #[serde(borrow)]
    outputs: Option<&'a RawValue>,
    #[serde(borrow)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow)]
    attachments: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Output<'a> {
    #[serde(borrow)]
    data: Option<std::collections::BTreeMap<String, &'a RawValue>>,
}

/// Reads the structure of a notebook. A file that is not nbformat 4 JSON gets an error naming
/// the file and what is wrong, never a panic.
pub fn parse(name: &str, text: &str) -> Result<Notebook> {
    let bad = |reason: String| Error::InvalidFile {
        name: name.to_owned(),
        reason,
    };
    let top: Top = serde_json::from_str(text).map_err(|e| bad(format!("not a Jupyter notebook ({})", describe(&e))))?;
    if top.nbformat != 4 {
        return Err(bad(format!(
            "nbformat {} is not supported (only nbformat 4)",
            top.nbformat
        )));
    }
    let base = text.as_ptr() as usize;
    let span = |raw: &RawValue| {
        let start = raw.get().as_ptr() as usize - base;
        (start, start + raw.get().len())
    };
    let mut cells = Vec::with_capacity(top.cells.len());
    for (i, raw) in top.cells.iter().enumerate() {
        let cell: Cell = serde_json::from_str(raw.get()).map_err(|e| bad(format!("cell {i}: {}", describe(&e))))?;
        // Every borrowed part is a slice of `text` itself, so its pointer gives its offset.
        let mut binary_data = Vec::new();
        if let Some(outputs) = cell.outputs {
            let list: Vec<Output> =
                serde_json::from_str(outputs.get()).map_err(|e| bad(format!("cell {i} outputs: {}", describe(&e))))?;
            for output in list {
                for (mime, data) in output.data.into_iter().flatten() {
                    if is_binary_mime(&mime) {
                        binary_data.push(span(data));
                    }
                }
            }
        }
        if let Some(attachments) = cell.attachments {
            let map: std::collections::BTreeMap<String, std::collections::BTreeMap<String, &RawValue>> =
                serde_json::from_str(attachments.get())
                    .map_err(|e| bad(format!("cell {i} attachments: {}", describe(&e))))?;
            for (mime, data) in map.values().flatten() {
                if is_binary_mime(mime) {
                    binary_data.push(span(data));
                }
            }
        }
        cells.push(CellSpans {
            whole: span(raw),
            source: cell.source.map(span),
            outputs: cell.outputs.map(span),
            metadata: cell.metadata.map(span),
            attachments: cell.attachments.map(span),
            binary_data,
            is_code: cell.cell_type == "code",
        });
    }
    let language = top.metadata.and_then(|m| {
        m.kernelspec
            .and_then(|k| k.language)
            .or_else(|| m.language_info.and_then(|l| l.name))
    });
    Ok(Notebook { cells, language })
}

/// What went wrong and where, without serde_json's own text: it quotes the offending value,
/// which in a leaked notebook may be a key.
fn describe(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected structure",
        serde_json::error::Category::Eof => "the file ends early",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

fn is_binary_mime(mime: &str) -> bool {
    mime.starts_with("image/") && mime != "image/svg+xml" || mime == "application/pdf"
}

#[cfg(test)]
mod tests {
    use super::*;

    const NB: &str = r##"{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {"tags": ["x"]},
   "outputs": [{"output_type": "display_data", "data": {"image/png": "iVBORhf_x", "text/plain": "<Figure>"}, "metadata": {}}],
   "source": ["import os\n", "print(1)"]
  },
  {"cell_type": "markdown", "metadata": {}, "source": "# hi"}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

    #[test]
    fn spans_point_into_the_file() {
        let nb = parse("t.ipynb", NB).expect("notebook");
        assert_eq!(nb.cells.len(), 2);
        let (s, e) = nb.cells[0].source.expect("source");
        assert_eq!(&NB[s..e], r#"["import os\n", "print(1)"]"#);
        let (s, e) = nb.cells[0].outputs.expect("outputs");
        assert!(NB[s..e].starts_with("[{\"output_type\""));
        let (s, e) = nb.cells[0].binary_data[0];
        assert_eq!(&NB[s..e], "\"iVBORhf_x\"");
        let at = NB.find("# hi").expect("markdown");
        assert_eq!(nb.cell_at(at), Some(1));
        assert_eq!(nb.cells[1].part_at(at), Some(CellPart::Source));
        assert!(!nb.cells[1].is_code);
        assert_eq!(nb.cell_at(0), None);
    }

    #[test]
    fn malformed_notebooks_get_a_clear_error() {
        // The error names the place, never the value found there.
        let err = parse(
            "leak.ipynb",
            r#"{"cells": "sk-proj-LeakedInTheWrongPlace0000", "nbformat": 4}"#,
        )
        .expect_err("cells is a string")
        .to_string();
        assert!(
            err.contains("unexpected structure at line 1") && !err.contains("sk-proj"),
            "{err}"
        );
        for (text, expect) in [
            ("{", "not a Jupyter notebook"),
            (r#"{"cells": [], "nbformat": 3}"#, "nbformat 3"),
            (r#"{"cells": [{"source": "x"}], "nbformat": 4}"#, "cell 0"),
            (
                r#"{"cells": [{"cell_type": "code", "outputs": 5}], "nbformat": 4}"#,
                "cell 0 outputs",
            ),
        ] {
            let err = parse("bad.ipynb", text).expect_err(text).to_string();
            assert!(err.contains("bad.ipynb") && err.contains(expect), "{err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in ".{0,400}") {
            let _ = parse("p.ipynb", &text);
        }

        #[test]
        fn never_panics_on_mangled_notebooks(cut in 0usize..NB.len(), byte in proptest::prelude::any::<u8>()) {
            let mut bytes = NB.as_bytes().to_vec();
            bytes[cut] = byte;
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = parse("p.ipynb", text);
            }
        }
    }
}
