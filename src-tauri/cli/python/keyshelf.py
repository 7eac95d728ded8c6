"""Read Keyshelf secrets from Python (a notebook, a training script) without pasting them.

    import keyshelf
    client = openai.OpenAI(api_key=keyshelf.get("llm-eval/dev/OPENAI_API_KEY"))
    keyshelf.export("llm-eval/dev/HF_TOKEN")   # sets os.environ["HF_TOKEN"]

Each call runs `keyshelf get`, so the value is fetched at run time, is never written into the
notebook, and the read is audited. The vault must be unlocked (`keyshelf unlock` caches the key
in the OS keychain). Single file, standard library only: copy it next to your notebook or put
`keyshelf snippet --lang python` in a cell instead.
"""

import os
import subprocess

__all__ = ["KeyshelfError", "get", "export"]


class KeyshelfError(RuntimeError):
    """The value could not be read; the message is keyshelf's own (locked vault, no access...)."""


def get(path, vault=None, binary=False):
    """The current value of PROJECT/ENV/NAME, as str (or bytes with binary=True)."""
    command = ["keyshelf"]
    if vault is not None:
        command += ["--vault", os.fspath(vault)]
    command += ["get", path]
    try:
        done = subprocess.run(command, capture_output=True, check=False)
    except FileNotFoundError:
        raise KeyshelfError("keyshelf: the keyshelf command is not on PATH") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise KeyshelfError(message or f"keyshelf get {path} failed ({done.returncode})")
    return done.stdout if binary else done.stdout.decode("utf-8")


def export(path, vault=None, name=None):
    """Sets os.environ[NAME] (the secret's name unless given) from PROJECT/ENV/NAME."""
    value = get(path, vault=vault)
    os.environ[name or path.rsplit("/", 1)[-1]] = value
    return None
