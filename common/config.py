"""Reading a TOML config so that every mistake is one clear line.

The lane's and the hub's configs follow the same rules: each problem is a
:class:`ConfigError` naming the file, the key and what is wrong (so an
installer fixes it without reading a traceback), and unknown keys are
errors too: a misspelt ``baudrat`` silently ignored is a scale that never
answers.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SITE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
"""A lane's or a hub's id: letters, digits and '-'."""
LOCAL_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
"""A device's or a camera's id at one lane: letters, digits, '.', '_' and '-'."""


class ConfigError(Exception):
    """One line: ``file: key: what is wrong``."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.key, self.problem = key, problem
        super().__init__(f"{source}: {key}: {problem}" if key else f"{source}: {problem}")


def read_toml(path: str | Path) -> tuple[dict[str, Any], str, Path]:
    """The parsed file, its name for messages and its folder (what relative
    paths in it resolve against); :class:`ConfigError` if it cannot be read."""
    path = Path(path)
    source = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(source, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, "", f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "", f"not valid TOML: {exc}") from None
    return raw, source, path.resolve().parent


class Section:
    """Reads typed keys from one table and remembers which were used."""

    def __init__(self, source: str, prefix: str, table: Any) -> None:
        self.source, self.prefix = source, prefix
        if not isinstance(table, dict):
            raise ConfigError(source, prefix, "must be a table")
        self.table = table
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.source, self.key(name), problem)

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ..., *, required: bool = False) -> Any:
        self.used.add(name)
        if name not in self.table:
            if required or default is ...:
                raise self.fail(name, "missing (required)")
            return default
        value = self.table[name]
        if isinstance(value, bool) and kind is not bool and (not isinstance(kind, tuple) or bool not in kind):
            raise self.fail(name, f"must be {_kind_name(kind)}, not a boolean")
        if not isinstance(value, kind):
            raise self.fail(name, f"must be {_kind_name(kind)}, not {type(value).__name__} {value!r}")
        return value

    def local_id(self, name: str = "id") -> str:
        """A required id of something at one site, a device or a camera (:data:`LOCAL_ID`)."""
        value = self.get(name, str, required=True)
        if not LOCAL_ID.match(value):
            raise self.fail(name, "letters, digits, '.', '_' and '-' only (1-64 characters)")
        return value

    def one_of(self, name: str, choices: Sequence[str], default: Any = ..., *, required: bool = False) -> Any:
        """A string key that must be one of ``choices`` (named in the error, in their order); a
        ``default`` of None leaves it optional."""
        value = self.get(name, str, default, required=required)
        if value is not None and value not in choices:
            raise self.fail(name, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def site_id(self, name: str = "id") -> str:
        """A required lane or hub id (:data:`SITE_ID`)."""
        value = self.get(name, str, required=True)
        if not SITE_ID.match(value):
            raise self.fail(name, "letters, digits and '-' only (1-64 characters)")
        return value

    def port(self, name: str, default: int) -> int:
        """A TCP port number (0: any free port)."""
        value = self.get(name, int, default)
        if not 0 <= value <= 65535:
            raise self.fail(name, f"{value} is not a TCP port (0-65535)")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.fail(unknown[0], "unknown key")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def config_path(value: str, base_dir: Path) -> Path:
    """A path from the config: relative ones resolve against the config file's folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base_dir / path).resolve()


def parse_tls(section: Section, base_dir: Path) -> tuple[Path, Path] | None:
    """``tls_cert`` and ``tls_key`` (both or neither), as existing files.

    Tablets need HTTPS on the lane network: browsers give the service
    worker (offline use), crypto.randomUUID and persistent storage only to
    secure origins — plain http works only on 127.0.0.1.
    """
    cert, key = section.get("tls_cert", str, None), section.get("tls_key", str, None)
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise section.fail("tls_key" if key is None else "tls_cert", "tls_cert and tls_key go together")
    paths = []
    for name, value in (("tls_cert", cert), ("tls_key", key)):
        path = config_path(value, base_dir)
        if not path.is_file():
            raise section.fail(name, f"no such file: {path}")
        paths.append(path)
    return paths[0], paths[1]
