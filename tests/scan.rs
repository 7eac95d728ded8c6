//! Notebooks and jobs from the CLI: a corpus of realistic notebooks scanned for leaked keys
//! (exact findings, no false positive on an embedded image), redaction that keeps notebooks valid
//! for nbformat and byte-identical outside the changed cells, `--staged`, snippets and the Python
//! helper run by a real python3, and `run --only`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::Vault;
use keyshelf_core::scan::ipynb;
use serde_json::{json, Value};

const OPENAI: &str = "sk-proj-CorpusVaultKey0123456789abcdefXYZ";
const HF: &str = "hf_CorpusVaultToken0123456789abcdefghij";
/// Not in the vault: found by its format only.
const LEAKED_OPENAI: &str = "sk-proj-SomeoneElsesKey9876543210zyxwvu";
const ANTHROPIC: &str = "sk-ant-api03-LongNotebookKey0123456789abcdef";
const WANDB: &str = "0123456789abcdef0123456789abcdef01234567";

/// Jupyter's own layout: one-space indent, sorted keys, trailing newline.
fn notebook(cells: Vec<Value>) -> String {
    let nb = json!({
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python", "version": "3.11.7"}},
        "nbformat": 4,
        "nbformat_minor": 5
    });
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(b" "));
    serde::Serialize::serialize(&nb, &mut ser).expect("json");
    String::from_utf8(out).expect("utf8") + "\n"
}

fn lines(text: &str) -> Value {
    let parts: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    json!(parts)
}

fn code(id: &str, source: &str, outputs: Vec<Value>, metadata: Value) -> Value {
    json!({"cell_type": "code", "execution_count": 1, "id": id, "metadata": metadata, "outputs": outputs, "source": lines(source)})
}

fn markdown(id: &str, source: &str) -> Value {
    json!({"cell_type": "markdown", "id": id, "metadata": {}, "source": lines(source)})
}

/// A 1x1 PNG whose base64 happens to contain `/hf_` and a long alphanumeric run.
fn image_with_hf_bytes() -> String {
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+/hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AAAAAElFTkSuQmCC".to_owned()
}

struct Corpus {
    dir: PathBuf,
}

fn build_corpus(root: &Path) -> Corpus {
    let dir = root.join("project");
    fs::create_dir_all(dir.join("notebooks")).expect("dirs");
    fs::create_dir_all(dir.join("ignored")).expect("dirs");
    let eval = notebook(vec![
        markdown("m0", "# Eval run\nCompare models on the held-out set."),
        code(
            "c1",
            &format!("import pandas as pd\nimport openai\nclient = openai.OpenAI(api_key=\"{OPENAI}\")\n"),
            vec![],
            json!({}),
        ),
        code(
            "c2",
            "df = pd.read_csv(\"runs.csv\")\ndf.head()",
            vec![
                json!({"output_type": "execute_result", "execution_count": 2, "metadata": {},
                        "data": {"text/plain": ["   run  score\n", "0  a1   0.71"]}}),
            ],
            json!({}),
        ),
        code(
            "c3",
            "client.models.list()",
            vec![
                json!({"output_type": "error", "ename": "AuthenticationError", "evalue": "401",
                        "traceback": ["Traceback (most recent call last):\n",
                                      format!("AuthenticationError: Incorrect API key provided: {LEAKED_OPENAI}.")]}),
            ],
            json!({}),
        ),
        code(
            "c4",
            "!env | grep HF",
            vec![json!({"output_type": "stream", "name": "stdout", "text": [format!("HF_TOKEN={HF}\n")]})],
            json!({}),
        ),
        code(
            "c5",
            "import wandb\nwandb.init(project=\"eval\")",
            vec![],
            json!({"secrets": {"WANDB_API_KEY": WANDB}}),
        ),
        code(
            "c6",
            "plt.plot(df.score)",
            vec![json!({"output_type": "display_data", "metadata": {},
                        "data": {"image/png": image_with_hf_bytes(), "text/plain": ["<Figure size 640x480 with 1 Axes>"]}})],
            json!({}),
        ),
    ]);
    fs::write(dir.join("notebooks/eval.ipynb"), eval).expect("eval");
    let mut long = Vec::new();
    for i in 0..500 {
        let source = if i == 377 {
            format!("# temporary, remove: {ANTHROPIC}\nresult = run({i})")
        } else {
            format!("result = run({i})")
        };
        long.push(code(&format!("l{i}"), &source, vec![], json!({})));
    }
    fs::write(dir.join("notebooks/long.ipynb"), notebook(long)).expect("long");
    fs::write(
        dir.join("notebooks/clean.ipynb"),
        notebook(vec![markdown("x", "Nothing to see.")]),
    )
    .expect("clean");
    fs::write(dir.join("notebooks/broken.ipynb"), "{\"cells\": [\n").expect("broken");
    fs::write(
        dir.join("train.py"),
        "import os\nos.environ[\"AWS_ACCESS_KEY_ID\"] = \"AKIAIOSFODNN7EXAMPLE\"\nos.environ[\"AWS_SECRET_ACCESS_KEY\"] = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n",
    )
    .expect("train");
    fs::write(dir.join(".env"), format!("OPENAI_API_KEY={OPENAI}\nBATCH=32\n")).expect(".env");
    fs::write(dir.join(".gitignore"), "ignored/\n").expect("gitignore");
    fs::write(dir.join("ignored/scratch.txt"), format!("{LEAKED_OPENAI}\n")).expect("ignored");
    fs::write(
        dir.join("model.bin"),
        [b"\0\0weights".as_slice(), OPENAI.as_bytes()].concat(),
    )
    .expect("bin");
    Corpus { dir }
}

fn seeded_vault() -> Vault {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    v.set("llm-eval/dev/OPENAI_API_KEY", OPENAI);
    v.set("llm-eval/dev/HF_TOKEN", HF);
    for value in [LEAKED_OPENAI, ANTHROPIC, WANDB] {
        v.remember(value);
    }
    v
}

fn scan(v: &Vault, dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["scan", "--json"];
    args.extend_from_slice(extra);
    let mut cmd = v.cmd(&args);
    cmd.current_dir(dir);
    cmd.arg(".");
    cmd.output().expect("scan")
}

/// (file, cell, part, kind, secret, line) of each finding.
type Row = (String, Option<u64>, Option<String>, String, Option<String>, u64);

fn rows(out: &Output) -> Vec<Row> {
    let found: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    found
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().trim_start_matches("./").to_owned(),
                f["cell"].as_u64(),
                f["part"].as_str().map(str::to_owned),
                f["kind"].as_str().unwrap().to_owned(),
                f["secret"].as_str().map(str::to_owned),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn row(file: &str, cell: Option<u64>, part: Option<&str>, kind: &str, secret: Option<&str>, line: u64) -> Row {
    (
        file.into(),
        cell,
        part.map(Into::into),
        kind.into(),
        secret.map(Into::into),
        line,
    )
}

fn line_of(path: &Path, needle: &str) -> u64 {
    let text = fs::read_to_string(path).expect("read");
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {}", path.display()));
    text[..at].matches('\n').count() as u64 + 1
}

#[test]
fn the_corpus_yields_exactly_the_expected_findings() {
    let v = seeded_vault();
    let corpus = build_corpus(v.dir.path());
    let out = scan(&v, &corpus.dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "findings exit 1: {stderr}");
    assert!(stderr.contains("broken.ipynb: not a Jupyter notebook"), "{stderr}");
    let eval = corpus.dir.join("notebooks/eval.ipynb");
    let long = corpus.dir.join("notebooks/long.ipynb");
    let train = corpus.dir.join("train.py");
    let expected = vec![
        row(".env", None, None, "openai-key", Some("llm-eval/dev/OPENAI_API_KEY"), 1),
        row(
            "notebooks/eval.ipynb",
            Some(1),
            Some("source"),
            "openai-key",
            Some("llm-eval/dev/OPENAI_API_KEY"),
            line_of(&eval, OPENAI),
        ),
        row(
            "notebooks/eval.ipynb",
            Some(3),
            Some("outputs"),
            "openai-key",
            None,
            line_of(&eval, LEAKED_OPENAI),
        ),
        row(
            "notebooks/eval.ipynb",
            Some(4),
            Some("outputs"),
            "hugging-face-token",
            Some("llm-eval/dev/HF_TOKEN"),
            line_of(&eval, HF),
        ),
        row(
            "notebooks/eval.ipynb",
            Some(5),
            Some("metadata"),
            "wandb-key",
            None,
            line_of(&eval, WANDB),
        ),
        row(
            "notebooks/long.ipynb",
            Some(377),
            Some("source"),
            "anthropic-key",
            None,
            line_of(&long, ANTHROPIC),
        ),
        row("train.py", None, None, "aws-access-key-id", None, 2),
        row(
            "train.py",
            None,
            None,
            "aws-secret-access-key",
            None,
            line_of(&train, "wJalr"),
        ),
    ];
    assert_eq!(
        rows(&out),
        expected,
        "the image, the ignored dir and the binary yield nothing"
    );
    // Findings carry a masked preview, never the value (stdout is checked as well as stderr).
    let stdout = String::from_utf8_lossy(&out.stdout);
    for value in [OPENAI, HF, LEAKED_OPENAI, ANTHROPIC, WANDB] {
        assert!(!stdout.contains(value), "a value in the findings");
    }
    assert!(stdout.contains("\"preview\": \"sk-p…\""), "{stdout}");

    // The vault keys found in a notebook are now exposed (the .env match alone would not be).
    let ls = v.ok(&["ls"]);
    assert!(ls.lines().filter(|l| l.contains("EXPOSED")).count() == 2, "{ls}");
    let audit = v.ok(&["audit", "ls", "--limit", "100"]);
    assert!(audit.contains("secret.leak-found"), "{audit}");
    v.ok(&["audit", "verify"]);
}

#[test]
fn redaction_keeps_notebooks_valid_and_other_cells_byte_identical() {
    let v = seeded_vault();
    let corpus = build_corpus(v.dir.path());
    let eval = corpus.dir.join("notebooks/eval.ipynb");
    let long = corpus.dir.join("notebooks/long.ipynb");
    let before_eval = fs::read_to_string(&eval).expect("eval");
    let before_long = fs::read_to_string(&long).expect("long");
    let out = scan(&v, &corpus.dir, &["--redact"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        fs::read_to_string(eval.with_extension("ipynb.keyshelf-bak")).expect("backup"),
        before_eval
    );

    // Nothing left to find but the backups, which still hold the keys.
    let again = scan(&v, &corpus.dir, &[]);
    let mut left: Vec<String> = rows(&again).into_iter().map(|r| r.0).collect();
    left.dedup();
    assert_eq!(
        left,
        [
            ".env.keyshelf-bak",
            "notebooks/eval.ipynb.keyshelf-bak",
            "notebooks/long.ipynb.keyshelf-bak",
            "train.py.keyshelf-bak"
        ]
    );
    for backup in &left {
        fs::remove_file(corpus.dir.join(backup)).expect("remove backup");
    }
    let again = scan(&v, &corpus.dir, &[]);
    assert_eq!(rows(&again), vec![], "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(again.status.code(), Some(0));

    for (path, before, changed) in [
        (&eval, &before_eval, vec![1, 3, 4, 5]),
        (&long, &before_long, vec![377]),
    ] {
        let after = fs::read_to_string(path).expect("after");
        let (old, new) = (
            ipynb::parse("a", before).expect("old"),
            ipynb::parse("b", &after).expect("new"),
        );
        assert_eq!(old.cells.len(), new.cells.len());
        for (i, (o, n)) in old.cells.iter().zip(&new.cells).enumerate() {
            let same = before[o.whole.0..o.whole.1] == after[n.whole.0..n.whole.1];
            assert_eq!(!same, changed.contains(&i), "cell {i} of {}", path.display());
        }
        // Everything around the cells (notebook metadata, formatting, trailing newline) too.
        assert_eq!(before[..old.cells[0].whole.0], after[..new.cells[0].whole.0]);
        let (o_end, n_end) = (old.cells.last().unwrap().whole.1, new.cells.last().unwrap().whole.1);
        assert_eq!(before[o_end..], after[n_end..]);
    }
    let after_eval = fs::read_to_string(&eval).expect("after");
    assert!(
        after_eval.contains(r#"client = openai.OpenAI(api_key=__import__(\"os\").environ[\"OPENAI_API_KEY\"])"#),
        "{after_eval}"
    );
    assert!(after_eval.contains("[REDACTED: wandb-key]"));

    // nbformat (installed by .ci/setup) validates both.
    let check = "import sys, nbformat\nfor p in sys.argv[1:]:\n    nbformat.validate(nbformat.read(p, as_version=4))\nprint('valid')";
    let out = Command::new("python3")
        .args(["-c", check])
        .arg(&eval)
        .arg(&long)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "nbformat: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Other files get a marker.
    let env = fs::read_to_string(corpus.dir.join(".env")).expect(".env");
    assert_eq!(
        env,
        "OPENAI_API_KEY=[REDACTED: keyshelf llm-eval/dev/OPENAI_API_KEY]\nBATCH=32\n"
    );
}

#[test]
fn staged_scans_the_git_index_and_locked_vaults_still_scan_formats() {
    let v = seeded_vault();
    let repo = v.dir.path().join("repo");
    fs::create_dir_all(&repo).expect("repo");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repo)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    fs::write(repo.join("config.yaml"), format!("hf: {HF}\n")).expect("write");
    git(&["add", "config.yaml"]);
    // The working copy no longer has it, the index still does: --staged looks at what commits.
    fs::write(repo.join("config.yaml"), "hf: from-env\n").expect("write");
    let mut cmd = v.cmd(&["scan", "--staged", "--json"]);
    let out = cmd.current_dir(&repo).output().expect("scan");
    assert_eq!(
        rows(&out),
        vec![row(
            "config.yaml",
            None,
            None,
            "hugging-face-token",
            Some("llm-eval/dev/HF_TOKEN"),
            1
        )]
    );

    // A pre-commit hook cannot type a passphrase: formats only, said in one line.
    let mut cmd = v.cmd_no_pass(&["scan", "--staged", "--json"]);
    let out = cmd.current_dir(&repo).output().expect("scan");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("provider formats only"));
    assert_eq!(
        rows(&out),
        vec![row("config.yaml", None, None, "hugging-face-token", None, 1)]
    );
}

#[test]
fn snippets_and_the_python_helper_read_through_the_keychain() {
    common::require_secret_service();
    let v = Vault::init_with_keychain();
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    v.set("llm-eval/dev/OPENAI_API_KEY", OPENAI);
    v.ok(&["unlock"]);
    let snippet = v.ok_no_pass(&["snippet", "llm-eval/dev/OPENAI_API_KEY"]);
    assert!(!snippet.contains(OPENAI) && snippet.contains("keyshelf"), "{snippet}");
    let bin_dir = Path::new(common::bin()).parent().expect("bin dir").to_owned();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let helper_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("python");
    let python = |code: &str| {
        let mut cmd = v.cmd_raw("python3");
        cmd.args(["-c", code]).env("PATH", &path).env("PYTHONPATH", &helper_dir);
        cmd.output().expect("python3")
    };
    let program = format!("{snippet}\nimport os\nprint(len(os.environ['OPENAI_API_KEY']))");
    let out = python(&program);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), OPENAI.len().to_string());
    let out = python("import keyshelf\nprint(len(keyshelf.get('llm-eval/dev/OPENAI_API_KEY')))");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        OPENAI.len().to_string(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let bash = v.ok_no_pass(&["snippet", "--lang", "bash", "llm-eval/dev/OPENAI_API_KEY"]);
    let mut cmd = v.cmd_raw("bash");
    cmd.args(["-c", &format!("{bash}\necho ${{#OPENAI_API_KEY}}")])
        .env("PATH", &path);
    assert_eq!(
        String::from_utf8_lossy(&cmd.output().expect("bash").stdout).trim(),
        OPENAI.len().to_string()
    );

    // Locked: a readable error naming the problem, not a stack of subprocess noise or a value.
    v.ok_no_pass(&["lock"]);
    let out = python(&program);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("RuntimeError: keyshelf: ") && err.contains("locked"),
        "{err}"
    );
    let out = python("import keyshelf\nkeyshelf.get('llm-eval/dev/OPENAI_API_KEY')");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keyshelf.KeyshelfError") && err.contains("locked"),
        "{err}"
    );
}

#[test]
fn run_only_narrows_and_dotenv_out_is_refused() {
    let v = seeded_vault();
    let out = v.ok(&[
        "run",
        "--scope",
        "llm-eval/dev",
        "--only",
        "HF_TOKEN",
        "--",
        "sh",
        "-c",
        "echo ${#HF_TOKEN}:${OPENAI_API_KEY:-unset}",
    ]);
    assert_eq!(out.trim(), format!("{}:unset", HF.len()));
    let err = v.fail(&["run", "--scope", "llm-eval/dev", "--only", "HF_TOKN", "--", "true"]);
    assert!(err.contains("HF_TOKN"), "{err}");
    let err = v.fail(&["run", "--scope", "llm-eval/dev", "--dotenv-out", ".env", "--", "true"]);
    assert!(err.contains("never writes secrets to a plaintext file"), "{err}");

    // A service-account file under any name reaches the variable its kind names, privately.
    let sa = v.dir.path().join("sa.json");
    fs::write(&sa, br#"{"type": "service_account", "private_key": "k"}"#).expect("sa");
    v.ok(&[
        "set",
        "llm-eval/dev/TRAINING_SA",
        "--kind",
        "gcp-service-account",
        "--file",
        sa.to_str().unwrap(),
    ]);
    let out = v.ok(&[
        "run", "--scope", "llm-eval/dev", "--only", "TRAINING_SA", "--", "sh", "-c",
        r#"stat -c %a "$GOOGLE_APPLICATION_CREDENTIALS"; test "$GOOGLE_APPLICATION_CREDENTIALS" = "$TRAINING_SA" && echo same; echo "$TRAINING_SA""#,
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(&lines[..2], ["600", "same"], "{out}");
    assert!(!Path::new(lines[2]).exists(), "the file is removed after the command");
}

#[test]
fn redaction_never_writes_through_a_planted_backup_link() {
    let v = seeded_vault();
    let repo = v.dir.path().join("cloned-repo");
    fs::create_dir(&repo).expect("repo");
    let script = repo.join("train.py");
    let leaking = format!("import openai\nclient = openai.OpenAI(api_key=\"{OPENAI}\")\n");
    fs::write(&script, &leaking).expect("script");
    // The repository ships train.py.keyshelf-bak as a link to a file of the victim's.
    let victim = v.dir.path().join("bashrc");
    fs::write(&victim, "# the victim's shell start-up\n").expect("victim");
    std::os::unix::fs::symlink(&victim, repo.join("train.py.keyshelf-bak")).expect("link");

    let out = scan(&v, &repo, &["--redact"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("train.py.keyshelf-bak") && said.contains("already exists"),
        "{said}"
    );
    assert_eq!(
        fs::read_to_string(&victim).expect("victim"),
        "# the victim's shell start-up\n"
    );
    assert_eq!(
        fs::read_to_string(&script).expect("script"),
        leaking,
        "nothing redacted without a backup"
    );
}
