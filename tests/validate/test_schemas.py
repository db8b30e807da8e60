"""The bundled schemas: provenance hashes, strict variants, and the messages built from them."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rolloutplan.validate import schemas

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas" / "k8s"
MANIFEST = json.loads((SCHEMAS / "manifest.json").read_text(encoding="utf-8"))

WEB = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
        },
    },
}


def test_every_schema_file_matches_its_recorded_hash() -> None:
    on_disk = {p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*.json")} - {
        "manifest.json"
    }
    assert on_disk == set(MANIFEST["files"])
    for name, digest in MANIFEST["files"].items():
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("version", MANIFEST["versions"])
def test_each_version_has_strict_and_lenient_schemas_for_the_three_kinds(version: str) -> None:
    for stem in schemas.SCHEMA_FILES.values():
        for suffix in ("", "-strict", "-ranged"):
            assert (SCHEMAS / f"v{version}" / f"{stem}{suffix}.json").is_file()


@functools.cache
def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "generate_schemas", ROOT / "scripts" / "generate_schemas.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("version", MANIFEST["versions"])
def test_each_ranged_schema_is_its_strict_schema_with_the_integer_ranges(version: str) -> None:
    """What the generator derives from the bundled strict schemas (without the wheel): the
    same bytes as the bundled ranged schemas, and no change but the added bounds."""
    ranged_schema = _generator().ranged_schema
    for stem in schemas.SCHEMA_FILES.values():
        strict = (SCHEMAS / f"v{version}" / f"{stem}-strict.json").read_bytes()
        ranged = (SCHEMAS / f"v{version}" / f"{stem}-ranged.json").read_bytes()
        assert ranged_schema(strict) == ranged, stem
        assert _without_bounds(json.loads(ranged)) == json.loads(strict)


def _without_bounds(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            key: _without_bounds(value)
            for key, value in schema.items()
            if key not in ("minimum", "exclusiveMaximum") or not isinstance(value, int)
        }
    if isinstance(schema, list):
        return [_without_bounds(item) for item in schema]
    return schema


def test_a_ranged_schema_bounds_the_int32_and_int64_fields() -> None:
    ranged = json.loads((SCHEMAS / "v1.37" / "deployment-apps-v1-ranged.json").read_bytes())
    spec = ranged["properties"]["spec"]["properties"]
    assert (spec["replicas"]["minimum"], spec["replicas"]["exclusiveMaximum"]) == (-(2**31), 2**31)
    pod = spec["template"]["properties"]["spec"]["properties"]
    grace = pod["terminationGracePeriodSeconds"]
    assert (grace["minimum"], grace["exclusiveMaximum"]) == (-(2**63), 2**63)


def test_a_valid_deployment_has_no_violations() -> None:
    assert schemas.validate(WEB, schemas.newest_version()) == []


def test_null_int_or_string_is_accepted_as_unset() -> None:
    data = json.loads(json.dumps(WEB))
    data["spec"]["strategy"] = {"rollingUpdate": {"maxSurge": None, "maxUnavailable": "25%"}}
    assert schemas.validate(data, "1.30") == []


def test_int_or_string_type_error_names_both_types() -> None:
    data = json.loads(json.dumps(WEB))
    data["spec"]["strategy"] = {"rollingUpdate": {"maxSurge": 1.5}}
    (violation,) = schemas.validate(data, "1.30")
    assert violation.message == "1.5 is not of type 'string' or 'integer'"
    assert violation.field == ("spec", "strategy", "rollingUpdate", "maxSurge")


def test_booleans_are_not_integers() -> None:
    data = json.loads(json.dumps(WEB))
    data["spec"]["replicas"] = True
    (violation,) = schemas.validate(data, "1.30")
    assert violation.message == "true is not of type 'integer'"


def test_kinds_without_a_schema_are_not_validated() -> None:
    assert schemas.validate({"apiVersion": "v1", "kind": "ConfigMap", "x": 1}, "1.30") == []


@pytest.mark.slow
def test_the_generator_reproduces_the_bundled_schemas_byte_for_byte(tmp_path: Path) -> None:
    # downloads the pinned kubernetes-validate wheel from PyPI, as the script documents
    out = tmp_path / "k8s"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_schemas.py"), "--out-dir", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    generated = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.json")}
    bundled = {p.relative_to(SCHEMAS).as_posix(): p.read_bytes() for p in SCHEMAS.rglob("*.json")}
    assert generated == bundled


def _documents() -> list[tuple[str, dict[str, object]]]:
    from rolloutplan.load.text import decode
    from rolloutplan.load.yaml_docs import load_documents

    found = []
    for path in sorted((ROOT / "fixtures").rglob("*.y*ml")) + sorted(
        (ROOT / "fixtures").rglob("*.json")
    ):
        text = decode(path.read_bytes())
        if isinstance(text, str):
            for document in load_documents(text).documents:
                items = document.data.get("items") if isinstance(document.data, dict) else None
                for data in items if isinstance(items, list) else [document.data]:
                    if isinstance(data, dict) and (
                        (data.get("apiVersion"), data.get("kind")) in schemas.SCHEMA_FILES
                    ):
                        found.append((str(path.relative_to(ROOT)), data))
    return found


@pytest.mark.parametrize("version", ["1.30", "1.37"])
def test_the_fast_pre_check_agrees_with_jsonschema_on_every_fixture(version: str) -> None:
    documents = _documents()
    assert len(documents) > 300  # fixtures, rule fixtures and the kubernetes/examples corpus
    for path, data in documents:
        stem = schemas.SCHEMA_FILES[(data["apiVersion"], data["kind"])]  # type: ignore[index]
        reference = not any(True for _ in schemas._validator(version, stem).iter_errors(data))
        assert schemas._fast_validator(version, stem).is_valid(data) == reference, path
