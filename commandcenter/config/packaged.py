"""Files shipped inside the package (the default config, scenarios, fonts, translations, sounds), found through
`importlib.resources` so an installed wheel finds them wherever it runs from, never next to a checkout."""
from __future__ import annotations

import atexit
import contextlib
from importlib.resources import as_file, files
from pathlib import Path

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def packaged_path(package: str, *parts: str) -> Path:
    """A real file-system path to a file or folder shipped in `package` (Qt and tomllib want paths).

    An ordinary install has the files on disk; from a zip import they are extracted once for this process."""
    resource = files(package).joinpath(*parts)
    if isinstance(resource, Path):
        return resource
    return _extracted.enter_context(as_file(resource))


DEFAULT_CONFIG = packaged_path("commandcenter.config", "default.toml")
SCENARIOS_DIR = packaged_path("commandcenter.config", "scenarios")
EXAMPLES_DIR = packaged_path("commandcenter.config", "examples")
