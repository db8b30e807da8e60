"""Generate standalone Kubernetes JSON Schemas from the kubernetes-validate wheel.

Usage::

    python scripts/generate_schemas.py [--wheel PATH_OR_DIR] [--out-dir DIR]

The kubernetes-validate wheel ships per-kind JSON Schemas (draft 2020-12) whose
``$ref``s point into a large shared ``_definitions.json``.  This script reads the
wheel with :mod:`zipfile`, inlines every ``$ref`` for a few kinds, strips
documentation-only keys and writes small, deterministic, self-contained schema
files plus a ``manifest.json`` with their SHA-256 hashes.

Without ``--wheel`` the wheel is fetched with ``pip download --no-deps``.
Only the standard library is used.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

JSON: TypeAlias = Any
"""A decoded JSON value (dict / list / str / int / float / bool / None)."""

PACKAGE = "kubernetes-validate"
PACKAGE_VERSION = "1.37.0"
WHEEL_GLOB = f"kubernetes_validate-{PACKAGE_VERSION}-*.whl"
SCHEMA_ROOT = "kubernetes_validate/kubernetes-json-schema"
MIN_MINOR = 30
MAX_MINOR = 37
KINDS = (
    "deployment-apps-v1",
    "replicaset-apps-v1",
    "service-v1",
    "horizontalpodautoscaler-autoscaling-v2",
    "resourcequota-v1",
    "limitrange-v1",
    "poddisruptionbudget-policy-v1",
)
DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEFS_PREFIX = "/$defs/"

# Keys removed from every schema object: documentation and Kubernetes
# extensions that JSON Schema validators ignore anyway.
STRIPPED_KEYS = frozenset({"description", "$id", "$schema"})
STRIPPED_PREFIX = "x-kubernetes-"

# Keywords whose value is a map of name -> subschema.
SCHEMA_MAP_KEYWORDS = frozenset({"properties", "patternProperties", "$defs"})
# Keywords whose value is a single subschema (or a boolean schema).
SCHEMA_KEYWORDS = frozenset({"items", "additionalProperties", "not"})
# Keywords whose value is a list of subschemas.
SCHEMA_LIST_KEYWORDS = frozenset({"oneOf", "anyOf", "allOf", "prefixItems"})
# The source writes int-or-string as oneOf [string|null, integer|null]: null matches both
# branches, so oneOf rejects `maxSurge: null`, which the API server reads as "unset".
# The branches are otherwise disjoint, so anyOf changes nothing but that false alarm.
ONE_OF_AS = {"oneOf": "anyOf"}
# Keywords whose value is plain data and is copied verbatim.
DATA_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "required",
        "format",
        "default",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    }
)
KNOWN_KEYWORDS = (
    SCHEMA_MAP_KEYWORDS | SCHEMA_KEYWORDS | SCHEMA_LIST_KEYWORDS | DATA_KEYWORDS | {"$ref"}
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "schemas" / "k8s"
VERSION_DIR_RE = re.compile(rf"^{re.escape(SCHEMA_ROOT)}/v1\.(\d+)\.0-local/_definitions\.json$")


class SchemaGenerationError(ValueError):
    """The wheel does not look like the generator expects."""


@dataclass(frozen=True)
class Variant:
    """A flavour of the upstream schemas (plain or strict)."""

    source_suffix: str
    output_suffix: str


VARIANTS = (Variant("-local", ""), Variant("-local-strict", "-strict"))


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def dump_json(value: JSON) -> bytes:
    """Serialise ``value`` compactly and deterministically, newline-terminated."""
    text = json.dumps(value, sort_keys=True, indent=None, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def download_wheel(dest: Path) -> Path:
    """Download the pinned wheel into ``dest`` with pip and return its path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(dest),
        f"{PACKAGE}=={PACKAGE_VERSION}",
    ]
    subprocess.run(command, check=True, stdout=sys.stderr)
    return find_wheel(dest)


def find_wheel(path: Path) -> Path:
    """Return ``path`` if it is a wheel file, else the pinned wheel inside it."""
    if path.is_file():
        return path
    matches = sorted(path.glob(WHEEL_GLOB))
    if not matches:
        msg = f"no {WHEEL_GLOB} in {path}"
        raise FileNotFoundError(msg)
    return matches[-1]


def read_json(archive: zipfile.ZipFile, name: str) -> JSON:
    """Load one JSON member of the wheel."""
    with archive.open(name) as handle:
        return json.load(handle)


def wheel_metadata(archive: zipfile.ZipFile) -> dict[str, str]:
    """Return the single-valued headers of the wheel's METADATA file."""
    name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    headers: dict[str, str] = {}
    for line in archive.read(name).decode("utf-8").splitlines():
        if not line:
            break
        key, sep, value = line.partition(": ")
        if sep:
            headers.setdefault(key, value)
    return headers


def available_minors(archive: zipfile.ZipFile) -> list[int]:
    """Kubernetes 1.x minor versions in range that the wheel has schemas for."""
    minors = set()
    for name in archive.namelist():
        match = VERSION_DIR_RE.match(name)
        if match and MIN_MINOR <= int(match.group(1)) <= MAX_MINOR:
            minors.add(int(match.group(1)))
    return sorted(minors)


def ref_target(ref: str) -> str:
    """Map a ``$ref`` into ``_definitions.json`` to its definition name."""
    document, _, fragment = ref.partition("#")
    if document not in ("", "/api/_definitions.json") or not fragment.startswith(DEFS_PREFIX):
        msg = f"unsupported $ref: {ref!r}"
        raise SchemaGenerationError(msg)
    name = fragment.removeprefix(DEFS_PREFIX)
    if "/" in name:
        msg = f"unsupported nested $ref: {ref!r}"
        raise SchemaGenerationError(msg)
    return name.replace("~1", "/").replace("~0", "~")


def iter_subschemas(schema: JSON) -> Iterator[JSON]:
    """Yield the direct subschemas of a schema object."""
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key in SCHEMA_MAP_KEYWORDS:
            yield from value.values()
        elif key in SCHEMA_KEYWORDS:
            yield value
        elif key in SCHEMA_LIST_KEYWORDS:
            yield from value


def direct_refs(schema: JSON) -> set[str]:
    """Names of all definitions referenced anywhere inside ``schema``."""
    refs: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and "$ref" in node:
            refs.add(ref_target(node["$ref"]))
        stack.extend(iter_subschemas(node))
    return refs


def reachable(start: Iterable[str], defs: Mapping[str, JSON]) -> set[str]:
    """All definitions transitively reachable from the names in ``start``."""
    seen: set[str] = set()
    stack = list(start)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(direct_refs(defs[name]))
    return seen


def recursive_defs(root: JSON, defs: Mapping[str, JSON]) -> set[str]:
    """Definitions used by ``root`` that (indirectly) reference themselves."""
    closure = reachable(direct_refs(root), defs)
    return {name for name in closure if name in reachable(direct_refs(defs[name]), defs)}


def check_keyword(key: str) -> None:
    """Fail loudly on keywords this generator does not know how to handle."""
    if key not in KNOWN_KEYWORDS:
        msg = f"unexpected schema keyword {key!r}; update generate_schemas.py"
        raise SchemaGenerationError(msg)


def is_stripped(key: str) -> bool:
    """Whether ``key`` is documentation / extension data we drop."""
    return key in STRIPPED_KEYS or key.startswith(STRIPPED_PREFIX)


class Inliner:
    """Inline ``$ref``s of one schema against a ``$defs`` table."""

    def __init__(self, defs: Mapping[str, JSON], keep_as_ref: set[str]) -> None:
        """Inline against ``defs``; names in ``keep_as_ref`` stay ``$ref``s."""
        self.defs = defs
        self.keep_as_ref = keep_as_ref

    def schema(self, node: JSON) -> JSON:
        """Return a stripped, fully inlined copy of a schema (or boolean schema)."""
        if not isinstance(node, dict):
            return node
        result: dict[str, JSON] = {}
        for key, value in node.items():
            if is_stripped(key):
                continue
            check_keyword(key)
            result[ONE_OF_AS.get(key, key)] = self.keyword(key, value)
        return self.resolve_ref(result)

    def keyword(self, key: str, value: JSON) -> JSON:
        """Transform the value of one keyword."""
        if key in SCHEMA_MAP_KEYWORDS:
            return {name: self.schema(sub) for name, sub in value.items()}
        if key in SCHEMA_KEYWORDS:
            return self.schema(value)
        if key in SCHEMA_LIST_KEYWORDS:
            return [self.schema(sub) for sub in value]
        return copy.deepcopy(value)

    def resolve_ref(self, node: dict[str, JSON]) -> JSON:
        """Replace a ``$ref`` by its target, or by a local ref if recursive."""
        if "$ref" not in node:
            return node
        name = ref_target(node.pop("$ref"))
        if name in self.keep_as_ref:
            target: JSON = {"$ref": f"#{DEFS_PREFIX}{name}"}
        else:
            target = self.schema(self.defs[name])
        if not node:
            return target
        return {**node, "allOf": [*node.get("allOf", []), target]}

    def definitions(self) -> dict[str, JSON]:
        """Inlined bodies of the definitions kept as local refs."""
        return {name: self.schema(self.defs[name]) for name in sorted(self.keep_as_ref)}


def standalone_schema(root: JSON, defs: Mapping[str, JSON]) -> JSON:
    """Build a self-contained schema for ``root`` using ``defs``."""
    if root.get("$schema") != DIALECT:
        msg = f"unexpected source dialect {root.get('$schema')!r}"
        raise SchemaGenerationError(msg)
    inliner = Inliner(defs, recursive_defs(root, defs))
    result = inliner.schema(root)
    local_defs = inliner.definitions()
    if local_defs:
        result["$defs"] = local_defs
    result["$schema"] = DIALECT
    return result


def version_schemas(archive: zipfile.ZipFile, minor: int) -> dict[str, bytes]:
    """Render every kind and variant for one Kubernetes minor version."""
    outputs: dict[str, bytes] = {}
    for variant in VARIANTS:
        folder = f"{SCHEMA_ROOT}/v1.{minor}.0{variant.source_suffix}"
        defs = read_json(archive, f"{folder}/_definitions.json")["$defs"]
        for kind in KINDS:
            root = read_json(archive, f"{folder}/{kind}.json")
            path = f"v1.{minor}/{kind}{variant.output_suffix}.json"
            outputs[path] = dump_json(standalone_schema(root, defs))
    for kind in KINDS:
        strict = outputs[f"v1.{minor}/{kind}-strict.json"]
        outputs[f"v1.{minor}/{kind}-ranged.json"] = ranged_schema(strict)
    return outputs


def ranged_schema(strict: bytes) -> bytes:
    """The strict schema with each integer field's range as bounds, which rolloutplan
    validates with first (see ``add_ranges``): read from here rather than built at start."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from rolloutplan.validate.schemas import add_ranges

    schema = json.loads(strict)
    add_ranges(schema)
    return dump_json(schema)


def manifest(source: str, wheel_sha: str, minors: list[int], files: dict[str, bytes]) -> bytes:
    """Render ``manifest.json`` describing the generated files."""
    document = {
        "source": source,
        "wheel_sha256": wheel_sha,
        "versions": [f"1.{minor}" for minor in minors],
        "files": {path: sha256_bytes(data) for path, data in sorted(files.items())},
    }
    return (json.dumps(document, sort_keys=True, indent=2) + "\n").encode("utf-8")


def generate(wheel: Path) -> dict[str, bytes]:
    """Return every output file (relative path -> bytes) for ``wheel``."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = wheel_metadata(archive)
        if metadata.get("Version") != PACKAGE_VERSION:
            msg = f"expected {PACKAGE} {PACKAGE_VERSION}, got {metadata}"
            raise SchemaGenerationError(msg)
        minors = available_minors(archive)
        if not minors:
            msg = f"no Kubernetes 1.{MIN_MINOR}..1.{MAX_MINOR} schemas in {wheel}"
            raise SchemaGenerationError(msg)
        files: dict[str, bytes] = {}
        for minor in minors:
            files.update(version_schemas(archive, minor))
    source = f"{PACKAGE} {PACKAGE_VERSION} wheel"
    files["manifest.json"] = manifest(source, sha256_bytes(wheel.read_bytes()), minors, files)
    return files


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write the files, only touching those whose content changed."""
    for relative, data in sorted(files.items()):
        target = out_dir / relative
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    stale = sorted(
        str(path.relative_to(out_dir))
        for path in out_dir.glob("v1.*/*.json")
        if path.relative_to(out_dir).as_posix() not in files
    )
    for path in stale:
        print(f"warning: stale file not produced by this run: {path}", file=sys.stderr)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description="Generate standalone Kubernetes JSON Schemas.")
    parser.add_argument(
        "--wheel",
        type=Path,
        help=f"{PACKAGE} {PACKAGE_VERSION} wheel, or a directory containing it "
        "(default: pip download it into a temporary directory)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="output directory (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if args.wheel is not None:
        files = generate(find_wheel(args.wheel))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            files = generate(download_wheel(Path(tmp)))
    write_outputs(args.out_dir, files)
    total = sum(len(data) for data in files.values())
    print(f"wrote {len(files)} files ({total} bytes) to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
