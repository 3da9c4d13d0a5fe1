"""A Config written back as TOML (the demo leaves its running config where other commands find it).

The standard library reads TOML but does not write it; a config is small and regular (tables, arrays of tables,
scalars, lists of scalars, string-keyed maps), so this writer covers exactly that. `parse_config(dump_toml(c))`
gives `c` back (a test checks).
"""
from __future__ import annotations

import json
from typing import Any

from .schema import Config


def dump_toml(config: Config, header: str = "") -> str:
    data = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    lines = [f"# {line}" for line in header.splitlines()]
    lines += _table(data, [])
    return "\n".join(lines) + "\n"


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(data: dict[str, Any], path: list[str]) -> list[str]:
    out = [f"{_key(k)} = {_value(v)}" for k, v in data.items()
           if not (isinstance(v, dict) and not _is_map(k, v)) and not _is_table_array(v)]
    for k, v in data.items():
        if isinstance(v, dict) and not _is_map(k, v):
            out += ["", f"[{'.'.join(_key(p) for p in path + [k])}]"] + _table(v, path + [k])
        elif _is_table_array(v):
            for item in v:
                out += ["", f"[[{'.'.join(_key(p) for p in path + [k])}]]"] + _table(item, path + [k])
    return out


# String-keyed maps of values (feeds' categories, alert guidance): written inline, their keys are data.
_MAPS = frozenset({"categories", "guidance"})


def _is_map(key: str, value: dict[str, Any]) -> bool:
    return key in _MAPS


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)     # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
