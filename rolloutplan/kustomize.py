"""What a kustomization lists that is not an object kubectl applies (pure).

kubectl applies only what ``kustomize build`` prints; the files a kustomization lists as
patches, replacements, transformer configurations or generator data are inputs of the
build, not manifests, so walking a repository must not check them as objects.  Only paths in
or below the kustomization's own directory count, as kustomize's default load restrictor
allows.  Reading the file is ``inputs``' job.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

KUSTOMIZATIONS = ("Kustomization", "kustomization.yaml", "kustomization.yml")
MAX_KUSTOMIZATION_BYTES = 1024 * 1024  # real ones are a few KiB
_MAX_LISTED_PATH = 4096
_PATCH = "a kustomize patch"
# field -> what the files it lists are: none is an object kubectl applies
_KUSTOMIZE_FILES = {
    "patchesStrategicMerge": _PATCH,  # paths (or inline patches: no such file)
    "patches": _PATCH,  # {path: ...} or a path
    "patchesJson6902": _PATCH,  # {path: ...}
    "replacements": "kustomize replacements",  # {path: ...}
    "configurations": "a kustomize transformer configuration",  # paths
}
_GENERATORS = ("configMapGenerator", "secretGenerator")  # files: [key=path], envs: [path]
_GENERATOR_FILE = "a data file of a kustomize generator"
_KUSTOMIZE_RESOURCES = ("resources", "bases", "crds")  # objects: listed here, always checked


def listed_files(settings: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
    """The files a kustomization lists that are not objects (path -> what it is) and the
    resources it lists, as paths relative to its directory."""
    files: dict[str, str] = {}
    for field, what in _KUSTOMIZE_FILES.items():
        for entry in _entries(settings.get(field)):
            path = _local(entry.get("path") if isinstance(entry, dict) else entry)
            if path is not None:
                files.setdefault(path, what)
    for path in _generator_files(settings):
        files.setdefault(path, _GENERATOR_FILE)
    resources = {
        path
        for field in _KUSTOMIZE_RESOURCES
        for path in map(_local, _entries(settings.get(field)))
        if path is not None
    }
    return files, resources


def _generator_files(settings: dict[str, Any]) -> Iterator[str]:
    """The files ConfigMap and Secret generators read: ``files`` (``key=path`` or a path),
    ``envs`` and ``env``."""
    for generator in (g for field in _GENERATORS for g in _entries(settings.get(field))):
        if isinstance(generator, dict):
            sources = [*_entries(generator.get("files")), *_entries(generator.get("envs"))]
            for source in (s for s in [*sources, generator.get("env")] if isinstance(s, str)):
                key, equals, after = source.partition("=")
                path = _local(after if equals else key)
                if path is not None:
                    yield path


def _entries(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _local(entry: object) -> str | None:
    """A path listed in a kustomization, normalized, when it lies in or below the
    kustomization's directory; None for anything else: not a string, an inline patch, a
    URL, an absolute path, or a '..' that leaves the directory."""
    if not isinstance(entry, str) or not 0 < len(entry) <= _MAX_LISTED_PATH:
        return None
    if "://" in entry or any(c in entry for c in "\n\r\0\\") or entry.startswith("/"):
        return None
    if re.match(r"[A-Za-z]:", entry):  # a Windows drive
        return None
    normal = posixpath.normpath(entry)
    if normal in (".", "..") or normal.startswith("../"):
        return None
    return normal
