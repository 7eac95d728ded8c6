r"""Writes vectors.json: the python-dotenv cases the tests of Keyshelf's dotenv module check.

How to run it (from the repository root), with python-dotenv 1.2.4, the release the cases were
recorded with; other releases read a few differently (1.2.2 keeps a byte-order mark and reads
`A= # c` as `# c` and `A='a\'` as `a\`), so the script refuses them:

    python3 -m venv /tmp/dotenv-1.2.4 && /tmp/dotenv-1.2.4/bin/pip install python-dotenv==1.2.4
    /tmp/dotenv-1.2.4/bin/python src-tauri/core/src/dotenv/testdata/gen_vectors.py
    git diff --exit-code src-tauri/core/src/dotenv/testdata/vectors.json

The committed vectors.json is exactly this script's output, so the diff is empty. To add a case,
add its input below and run the script again.

- "parse": each input is written to a file and read with `dotenv_values(path)`, interpolating,
  with ENV as the whole environment. A case holds the returned dict's items in order or, where
  python-dotenv warned about a statement or gave a key the value None (Keyshelf refuses both
  files), "error_line": the line where the first such statement starts.
- "emit": each value and the statement body Keyshelf's emit writes for it after `K=`, as
  `written()` below spells out its rules; python-dotenv reads `K=<written>` back to the value,
  from a file and from a stream. (1.0.1 and 1.1.1 do too: import this script and call
  `emit_case` under them.)
- "python_isspace": the code points for which Python's `str.isspace()` is true, which is what
  python-dotenv's `\s` matches.
"""

import importlib.metadata
import io
import json
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

import dotenv
from dotenv.parser import parse_stream

PYTHON_DOTENV = "1.2.4"
OUTPUT = Path(__file__).with_name("vectors.json")

# The whole process environment while python-dotenv reads the parse inputs.
ENV = {"ENV_SET": "from-env", "ENV_EMPTY": ""}

PARSE_INPUTS = [
    'A=1',
    'A=1\nB=2',
    'A=1\r\nB=2\r\n',
    'A=1\rB=2\r',
    '\n\n  A=1\n\n',
    '',
    '\n',
    '   \n\t\n',
    '# only a comment',
    '  # indented comment\nA=1',
    '#A=1',
    'A=1 # comment',
    'A=1# not a comment',
    'A=1 #',
    'A= # comment',
    'A=#novalue',
    'A=\t#c',
    'A=',
    'A=   ',
    'A=\nB=',
    'A=  \r\nB=x',
    'A =1',
    'A= 1',
    'A = 1 ',
    '  A=1',
    '\tA=1',
    'A=a b c',
    'A=a  b   ',
    'A=a\tb\t#c',
    'A=a\xa0#c',
    'A=a\xa0',
    'A=a\u3000#c',
    'A=a\x1c#c',
    'A=a\x0b',
    'A=\x0bb',
    'A=a\x85b',
    'A=a\u2028b',
    'export A=1',
    'export  A=1',
    'export\tA=1',
    'export A =1',
    'export=1',
    'export =1',
    'exportA=1',
    'export',
    'export ',
    'export A',
    'export # c',
    'export\nA=1',
    'export export=1',
    "'A'=1",
    "'A B'=1",
    "'a=b'=1",
    "'#x'=1",
    "''=1",
    "'A=1",
    "'A\nB'=1",
    "'A\r\nB'=1",
    "a'b=1",
    'A.B-c/d=1',
    '=1',
    ' =1',
    'A',
    'A # comment',
    'A\nB=1',
    'A B=1',
    'A B',
    "A 'x'",
    'é=1',
    'Kéy=vé',
    '\ufeffA=1',
    '\ufeff\ufeffA=1',
    ' \ufeffA=1',
    'A\x1cB=1',
    'A\xa0B=1',
    "A='x'",
    "A=''",
    "A='a b'",
    "A=' a '",
    "A='a#b'",
    "A='a' # c",
    "A='a'#c",
    "A='a'x",
    "A='a' x",
    "A='a",
    "A='a\nb'",
    "A='a\r\nb'",
    "A='a\rb'",
    "A='\\''",
    "A='\\\\'",
    "A='\\n'",
    'A=\'\\"\'',
    "A='a\\'",
    "A='a\\\\' # c",
    "A='\\",
    "A='\\x'",
    "A='it\\'s'",
    'A=\'"\'',
    "A='a'  ",
    "A='a'\t#c\nB=2",
    "A='x'\nB='y'",
    "A='a\\\nb'",
    "A='a\\\r\nb'",
    'A="x"',
    'A=""',
    'A="a b"',
    'A="a\\nb"',
    'A="a\\tb"',
    'A="\\a\\b\\f\\n\\r\\t\\v"',
    'A="\\\\"',
    'A="\\\'"',
    'A="\\""',
    'A="\\x"',
    'A="\\u0041"',
    'A="\\0"',
    'A="\\$"',
    'A="a',
    'A="a\nb"',
    'A="a\r\nb"',
    'A="a\rb"',
    'A="a"b',
    'A="a" # c',
    'A="a"#c',
    'A="\\',
    'A="a\\"',
    'A="a\\\\"',
    'A="a\\\\"x',
    'A="x"\nB="y"',
    'A="a\\\nb"',
    'A="a\\\rb"',
    'A="a\\\r\nb"',
    'A="\'"',
    'A="a\'b"',
    "A=a'b",
    'A=a"b',
    "A=a'",
    'A=\\n',
    'A=a\\ b',
    'A="',
    "A='",
    'A=a=b',
    'A==',
    'A=a #b #c',
    'A=#a #b',
    'A=1\nB=${A}',
    'B=${A}\nA=1',
    "A=1\nB='${A}'",
    'A=1\nB="${A}"',
    'A=1\nB=$A',
    'B=${UNDEFINED}',
    'B=${UNDEFINED:-dflt}',
    'B=${ENV_SET}',
    'B=${ENV_SET:-d}',
    'B=${ENV_EMPTY:-d}',
    'A=\nB=${A:-d}',
    'A=file\nB=${ENV_SET}\nENV_SET=over\nC=${ENV_SET}',
    'A=1\nA=${A}2\nA=${A}3',
    'A=${A}',
    'B=${}',
    'B=${:-x}',
    'B=${:-$}{A}',
    'A=1\nB=${:-$}{A}',
    'B=${A',
    'B=${A:x}',
    'B=${A:-x',
    'B=${A:-a:-b}',
    'B=${A:-{}}',
    'B=${A}}',
    'B=${${A}}',
    'A=1\nB=${${A}}',
    'B=$${A}',
    'A=1\nB=$${A}',
    'B=${A:}',
    'B=${A:-}',
    'B=${ A }',
    "' A '=1\nB=${ A }",
    'B=x${A:-d}y${ENV_SET}z',
    'B=${A:-${ENV_SET}}',
    'B=${:x}${ENV_SET}',
    'B=${a:b${ENV_SET}',
    'B=${a:b}${ENV_SET}',
    'B=${a${ENV_SET}',
    'B=${a:-b${ENV_SET}',
    "A=1\nB='x'\nC=${B}${A}",
    "A='${ENV_SET}'",
    'A="\\${ENV_SET}"',
    'A=${ENV_SET} # c',
    'A=${ENV_SET# c}',
    'A=1 # ${B}',
    'A="a" # ${B}',
    'A=1\nB="${A:-x}"',
    'A=${ENV_SET:-}',
    'A=${\nENV_SET}',
    'A="${\nENV_SET}"',
    'A="${A\n}"',
    "A='$'\nB=${A}{A}",
    'A=1 B=2',
    "A='1' B=2",
    'A=1\n\n\n# c\nB=2\n   \nC=3',
    "A=1\r\n\r\nB='x\r\ny'\r\nC=3",
    'A="multi\nline\nvalue"\nB=2',
    "A='multi\nline' # c\nB=2",
]

EMIT_VALUES = [
    '',
    ' ',
    '  lead',
    'trail  ',
    ' both ',
    'plain',
    "it's",
    "'",
    "''",
    '"',
    'say "hi"',
    '\\',
    '\\\\',
    'a\\',
    'a\\\\',
    "\\'",
    '\\"',
    '\\n',
    '${X}',
    '${HOME}',
    '$${X}',
    '${',
    '${:-$}',
    '$',
    '$$',
    '${X:-y}',
    '${}',
    'a${b}c${d:-e}f',
    'line1\nline2',
    'a\n',
    '\n',
    '\r',
    'a\r\nb',
    'crlf\r\n',
    '\r\r\n\n',
    '#',
    ' # not a comment',
    'a #b',
    '#x',
    'unicode é ü 漢字 🙂',
    '\xa0nbsp\xa0',
    '\u2028',
    '\x85',
    '\x1c',
    '\x0b\x0c',
    '\t',
    '\ttab\t',
    '\x00nul',
    '=',
    'a=b',
    'export X=1',
    "'quoted'",
    '"dq"',
    '\\${X}',
    '$\\{X}',
    "x'${A}'y",
    '\ufeff',
    '\ufeffbom',
    'sk-SECRET123',
    '\\\r\n',
    "'\n'",
    '\\\n',
    '${A}\r',
]


class Warnings(logging.Handler):
    """Collects python-dotenv's "could not parse statement starting at line N" warnings."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.args[0])


def read(environ, **source):
    """`dotenv_values(**source)` with `environ` as the whole environment, and the lines of the
    statements python-dotenv warned about."""
    os.environ.clear()
    os.environ.update(environ)
    warnings = Warnings()
    logger = logging.getLogger("dotenv.main")
    logger.addHandler(warnings)
    logger.propagate = False
    try:
        return dotenv.dotenv_values(**source), warnings.lines
    finally:
        logger.removeHandler(warnings)


def read_file(text, environ):
    """`read()` of a file holding `text`, and the text as Python reads it (universal newlines)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ".env"
        path.write_bytes(text.encode("utf-8"))
        values, warned = read(environ, dotenv_path=path)
        return values, warned, path.read_text(encoding="utf-8")


def parse_case(text):
    values, warned, as_read = read_file(text, ENV)
    if not warned and None not in values.values():
        return {"input": text, "entries": [[key, value] for key, value in values.items()]}
    for binding in parse_stream(io.StringIO(as_read)):
        if binding.error or (binding.key is not None and binding.value is None):
            assert not binding.error or binding.original.line == warned[0], text
            # python-dotenv counts from the blank lines before the statement; Keyshelf names the
            # line where the statement itself starts.
            blanks = re.match(r"\s*", binding.original.string).group()
            return {"input": text, "error_line": binding.original.line + blanks.count("\n")}
    raise AssertionError(f"no rejected statement found in {text!r}")


def written(value):
    """What Keyshelf's `emit` writes for `value` after `K=` (the rules of dotenv/emit.rs)."""
    double = "\r" in value
    quote = '"' if double else "'"
    out = [quote]
    for i, c in enumerate(value):
        following = value[i + 1 : i + 2]
        if c == "\\":
            out.append("${:-\\\\}" if not following else "\\\\")
        elif double and c == "\r":
            out.append("\\r")
        elif double and c == "\n":
            out.append("\\n")
        elif c == "$" and following == "{":
            out.append("${:-$}")
        elif c == quote:
            out.append("\\" + c)
        else:
            out.append(c)
    out.append(quote)
    return "".join(out)


def emit_case(value):
    body = written(value)
    text = f"K={body}\n"
    # Every name the value seems to reference is set, so an escape that fails shows.
    environ = {name: "from-env" for name in re.findall(r"\$\{([^}:]+)", value)}
    from_file, warned_file, _ = read_file(text, environ)
    from_stream, warned_stream = read(environ, stream=io.StringIO(text))
    for got, warned in ((from_file, warned_file), (from_stream, warned_stream)):
        assert not warned and got == {"K": value}, f"{value!r}: {body!r} reads back as {got!r}"
    return {"value": value, "written": body}


def render(doc):
    """JSON with one case per line; non-ASCII escaped so invisible characters show."""
    fields = []
    for key, value in doc.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            cases = ",\n".join(f"    {json.dumps(case)}" for case in value)
            fields.append(f"  {json.dumps(key)}: [\n{cases}\n  ]")
        else:
            fields.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def main():
    found = importlib.metadata.version("python-dotenv")
    if found != PYTHON_DOTENV:
        sys.exit(f"needs python-dotenv {PYTHON_DOTENV}, found {found}: see the top of gen_vectors.py")
    saved = dict(os.environ)
    try:
        doc = {
            "about": f"gen_vectors.py wrote this with python-dotenv {PYTHON_DOTENV}: do not edit",
            "env": ENV,
            "parse": [parse_case(text) for text in PARSE_INPUTS],
            "emit": [emit_case(value) for value in EMIT_VALUES],
            "python_isspace": [c for c in range(sys.maxunicode + 1) if chr(c).isspace()],
        }
    finally:
        os.environ.clear()
        os.environ.update(saved)
    OUTPUT.write_text(render(doc), encoding="utf-8", newline="\n")
    print(f"wrote {OUTPUT}: {len(doc['parse'])} parse cases, {len(doc['emit'])} emit cases")


if __name__ == "__main__":
    main()
