"""The salt of the result cache: what identifies the tool, the Python and the libraries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rolloutplan import fingerprint


def test_a_source_tree_is_known_by_its_files(tmp_path: Path) -> None:
    (tmp_path / "rules.py").write_text("RULES = 1\n")
    first = fingerprint.files_fingerprint([tmp_path])
    assert fingerprint.files_fingerprint([tmp_path]) == first
    (tmp_path / "rules.py").write_text("RULES = 22\n")
    changed = fingerprint.files_fingerprint([tmp_path])
    assert changed != first
    os.utime(tmp_path / "rules.py", ns=(1, 1))  # an edit that keeps the size
    assert fingerprint.files_fingerprint([tmp_path]) != changed


def test_an_installed_package_is_known_by_its_record_not_its_install_time(
    tmp_path: Path,
) -> None:
    package = tmp_path / "rolloutplan"
    package.mkdir()
    (package / "rules.py").write_text("RULES = 1\n")
    record = tmp_path / "rolloutplan-0.1.0.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("rolloutplan/rules.py,sha256=abc,10\n../../../bin/rolloutplan,sha256=x,1\n")
    first = fingerprint._package_identity(package, "0.1.0")
    os.utime(package / "rules.py", ns=(1, 1))  # pip stamps files with the install time
    assert fingerprint._package_identity(package, "0.1.0") == first
    record.write_text("rolloutplan/rules.py,sha256=def,11\n")  # another wheel
    assert fingerprint._package_identity(package, "0.1.0") != first


def test_a_library_is_known_by_its_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fake_validator.py").write_text("VALID = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert fingerprint._library_identity("fake_validator", "fake-validator").startswith("mtime")
    (tmp_path / "fake_validator-1.2.dist-info").mkdir()
    assert fingerprint._library_identity("fake_validator", "fake-validator") == "1.2"
    (tmp_path / "fake_validator-1.2.dist-info").rename(tmp_path / "Fake.Validator-1.3.dist-info")
    assert fingerprint._library_identity("fake_validator", "fake-validator") == "1.3"
    assert fingerprint._library_identity("not_installed_anywhere", "x") == "absent"


def test_the_real_libraries_are_found_by_version() -> None:
    for module, distribution in fingerprint.RESULT_LIBRARIES.items():
        identity = fingerprint._library_identity(module, distribution)
        assert identity[0].isdigit(), (module, identity)
    assert len(fingerprint.tool_fingerprint()) == 64
