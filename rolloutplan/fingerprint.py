"""What identifies the tool's behaviour, for the result cache: a cached result is valid only
for the same rolloutplan (its rules, validators and schemas), the same Python and the same
libraries the results depend on.

An installed rolloutplan is identified by the hashes in its RECORD (written by pip, the
same for every install of one wheel, so a CI runner that installs afresh each time still
hits its cache); a source tree or editable install, whose files change without a new
version, by the size and modification time of every file.  A library is identified by the
version in its ``.dist-info`` name, or else by its entry file's modification time.  Nothing
is imported: this runs at every start.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
from pathlib import Path

PACKAGE = "rolloutplan"
# the libraries whose behaviour is part of a file's results: module -> distribution
RESULT_LIBRARIES = {
    "_ruamel_yaml": "ruamel.yaml.clib",
    "ruamel.yaml": "ruamel.yaml",
    "jsonschema_rs": "jsonschema_rs",
    "jsonschema": "jsonschema",
}


def tool_fingerprint() -> str:
    from rolloutplan import __version__

    package = Path(__file__).resolve().parent
    parts = [__version__, sys.version, _package_identity(package, __version__)]
    parts += [f"{m}={_library_identity(m, d)}" for m, d in RESULT_LIBRARIES.items()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _package_identity(package: Path, version: str) -> str:
    record = package.parent / f"{PACKAGE}-{version}.dist-info" / "RECORD"
    try:
        lines = record.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    ours = sorted(line for line in lines if line.startswith(f"{PACKAGE}/"))
    if ours:
        return hashlib.sha256("\n".join(ours).encode()).hexdigest()
    folders = [package]
    if not (package / "schemas").is_dir():  # a source tree: the schemas sit beside it
        folders.append(package.parent / "schemas")
    return files_fingerprint(folders)


def files_fingerprint(folders: list[Path]) -> str:
    """Every file under ``folders`` by path, size and modification time."""
    digest = hashlib.sha256()
    pending = [str(folder) for folder in folders]
    while pending:
        with os.scandir(pending.pop()) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
        for entry in entries:
            if entry.is_dir():
                if entry.name != "__pycache__":
                    pending.append(entry.path)
            else:
                stat = entry.stat()
                digest.update(f"\0{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _library_identity(module: str, distribution: str) -> str:
    spec = importlib.util.find_spec(module)  # finds without importing
    origin = spec.origin if spec is not None else None
    if not origin or not os.path.exists(origin):
        return "absent"
    spelled = "[-_.]".join(re.escape(part) for part in re.split(r"[-_.]", distribution))
    name = re.compile(spelled + r"-([^-]+)\.dist-info", re.IGNORECASE)
    folder = Path(origin).parent
    for _ in range(3):  # the module's folder, or the one or two above it (site-packages)
        with os.scandir(folder) as scan:
            versions = sorted(m.group(1) for e in scan if (m := name.fullmatch(e.name)))
        if versions:
            return ",".join(versions)
        folder = folder.parent
    return f"mtime {os.stat(origin).st_mtime_ns}"
