//! Getting keys into notebooks without pasting them: a snippet that fetches the value at run
//! time through the CLI, so the key never lands in the .ipynb (its source or its outputs).

use std::path::Path;

use crate::error::{Error, Result};
use crate::vault::SecretPath;

/// A Python cell that sets `os.environ[NAME]` from `keyshelf get`. `vault` is added as
/// `--vault` when the vault is not at the default location. Contains no value.
pub fn python_snippet(path: &SecretPath, vault: Option<&Path>) -> String {
    let vault_args = vault
        .map(|v| format!("\"--vault\", {}, ", py_str(&v.display().to_string())))
        .unwrap_or_default();
    format!(
        "import os, subprocess\n\
         _ks = subprocess.run([\"keyshelf\", {vault_args}\"get\", {path}], capture_output=True, text=True)\n\
         if _ks.returncode != 0:\n    raise RuntimeError(\"keyshelf: \" + _ks.stderr.strip())\n\
         os.environ[{name}] = _ks.stdout\n",
        path = py_str(&path.to_string()),
        name = py_str(&path.name),
    )
}

/// A bash line that exports NAME from `keyshelf get`, or stops the script with keyshelf's own
/// message (it names the problem: locked vault, no access) when the value cannot be had. A name
/// with `.` or `-` cannot be a shell variable: refused.
pub fn bash_snippet(path: &SecretPath, vault: Option<&Path>) -> Result<String> {
    if !crate::vault::is_shell_name(&path.name) {
        return Err(Error::InvalidName {
            what: "secret",
            name: path.name.clone(),
            reason: "a shell variable cannot have '.' or '-' in its name (programs read it from the environment)",
        });
    }
    let vault_args = vault
        .map(|v| format!("--vault {} ", sh_str(&v.display().to_string())))
        .unwrap_or_default();
    Ok(format!(
        "{name}=\"$(keyshelf {vault_args}get {path})\" || {{ echo \"keyshelf: could not read {path}\" >&2; exit 1; }}\nexport {name}\n",
        name = path.name,
    ))
}

/// An R statement that sets NAME with `Sys.setenv` from `keyshelf get`. keyshelf's messages go
/// to the console (never into the value); on failure it stops, pointing at them. Arguments are
/// shell-quoted: `system2` passes them to a shell as they are.
pub fn r_snippet(path: &SecretPath, vault: Option<&Path>) -> String {
    let vault_args = vault
        .map(|v| format!("shQuote({}), ", py_str(&v.display().to_string())))
        .map(|v| format!("\"--vault\", {v}"))
        .unwrap_or_default();
    format!(
        ".ks <- suppressWarnings(system2(\"keyshelf\", c({vault_args}\"get\", shQuote({path})), stdout = TRUE, stderr = \"\"))\n\
         if (!is.null(attr(.ks, \"status\"))) stop(\"keyshelf could not read {plain} (its message is above)\")\n\
         Sys.setenv(`{name}` = paste(.ks, collapse = \"\\n\"))\n\
         rm(.ks)\n",
        path = py_str(&path.to_string()),
        plain = path,
        name = path.name,
    )
}

/// A single-quoted shell word.
fn sh_str(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A Python string literal. Paths are restricted to safe characters, but vault paths are not.
fn py_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_fetches_at_run_time_and_quotes_paths() {
        let path: SecretPath = "llm-eval/dev/OPENAI_API_KEY".parse().expect("path");
        let snippet = python_snippet(&path, Some(Path::new("/data/team \"a\".db")));
        assert!(
            snippet.contains(r#"["keyshelf", "--vault", "/data/team \"a\".db", "get", "llm-eval/dev/OPENAI_API_KEY"]"#),
            "{snippet}"
        );
        assert!(snippet.contains(r#"os.environ["OPENAI_API_KEY"] = _ks.stdout"#));
        assert!(!python_snippet(&path, None).contains("--vault"));
    }

    #[test]
    fn bash_and_r_snippets_read_at_run_time() {
        let path: SecretPath = "llm-eval/dev/HF_TOKEN".parse().expect("path");
        let bash = bash_snippet(&path, Some(Path::new("/it's/v.db"))).expect("a shell name");
        assert!(
            bash.starts_with(r#"HF_TOKEN="$(keyshelf --vault '/it'\''s/v.db' get llm-eval/dev/HF_TOKEN)" || {"#),
            "{bash}"
        );
        assert!(bash.ends_with("export HF_TOKEN\n"));
        let r = r_snippet(&path, None);
        assert!(
            r.contains(
                r#"system2("keyshelf", c("get", shQuote("llm-eval/dev/HF_TOKEN")), stdout = TRUE, stderr = "")"#
            ),
            "{r}"
        );
        assert!(r.contains("Sys.setenv(`HF_TOKEN` = "));
    }

    #[test]
    fn a_dotted_name_has_python_and_r_snippets_but_no_bash_one() {
        let path: SecretPath = "svc/prod/spring.datasource.password".parse().expect("path");
        assert!(python_snippet(&path, None).contains(r#"os.environ["spring.datasource.password"]"#));
        assert!(r_snippet(&path, None).contains("Sys.setenv(`spring.datasource.password` = "));
        let err = bash_snippet(&path, None).expect_err("no shell variable has a '.'");
        assert!(err.to_string().contains("'.' or '-'"), "{err}");
    }
}
