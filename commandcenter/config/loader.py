"""Reading and validating config files; every error names the file, the key path and what was expected."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .packaged import DEFAULT_CONFIG
from .schema import Config

__all__ = ["DEFAULT_CONFIG", "ConfigError", "config_from_dict", "default_store_url", "load_config", "parse_config",
           "store_url"]


def default_store_url() -> str:
    """An SQLite file in the user data directory. Only named here: the commands that write a store create its
    folder (cli.common.store_url_or_exit), so a failing or read-only command leaves nothing behind."""
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('commandcenter', appauthor=False)) / 'wall.db'}"


def store_url(config: Config) -> str:
    return config.store.url or default_store_url()


class ConfigError(ValueError):
    """A config that cannot be used. `problems` holds (key path, message) pairs."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]) -> None:
        self.path = str(path)
        self.problems = problems
        lines = [f"{self.path}: {key or '(top level)'}: {msg}" for key, msg in problems]
        super().__init__("\n".join(lines))


def load_config(path: Path | str) -> Config:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, [("", f"cannot read the file: {exc.strerror or exc}")]) from None
    return parse_config(raw, path)


def parse_config(raw: bytes | str, path: Path | str = "<config>") -> Config:
    text = raw.decode("utf-8", errors="strict") if isinstance(raw, bytes) else raw
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [("", f"not valid TOML: {exc}")]) from None
    return config_from_dict(data, path)


def config_from_dict(data: dict[str, Any], path: Path | str = "<config>") -> Config:
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, [(_key_path(e["loc"]), _message(e)) for e in exc.errors()]) from None
    return _map_files(config, path)


def _map_files(config: Config, path: Path | str) -> Config:
    """The basemap's files made absolute (a relative path is relative to the config file's folder) and checked to
    exist, so a wrong path is named with its key now rather than as an empty map later."""
    m = config.map
    if not m.layers and not m.basemap:
        return config
    here = Path(path).resolve().parent if Path(path).is_file() else Path.cwd()

    def resolved(value: str, key: str, problems: list[tuple[str, str]]) -> str:
        p = Path(value).expanduser()
        p = p if p.is_absolute() else here / p
        if not p.is_file():
            problems.append((key, f"no such file {str(p)!r} (expected an existing file)"))
        return str(p)

    problems: list[tuple[str, str]] = []
    layers = [layer.model_copy(update={"path": resolved(layer.path, f"map.layers[{i}].path", problems)})
              for i, layer in enumerate(m.layers)]
    basemap = m.basemap
    if basemap and not basemap.startswith(("http://", "https://")):
        basemap = resolved(basemap, "map.basemap", problems)
    if problems:
        raise ConfigError(path, problems)
    return config.model_copy(update={"map": m.model_copy(update={"layers": layers, "basemap": basemap})})


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: ErrorDetails) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    got = err.get("input")
    if err["type"] not in ("missing",) and not isinstance(got, dict | list):
        msg += f" (got {got!r})"
    return msg
