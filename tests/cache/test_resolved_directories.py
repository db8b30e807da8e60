"""A file's cache key holds its directory's real path, worked out from its parent's (one
look per directory): a file reached through a symbolic link, a chain of them, a relative
link or a deep tree keys as realpath would have it."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from tests.cache.test_result_cache import cached_count
from tests.conftest import RunCli

MANIFEST = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 99999
"""


def _lint(run_cli: RunCli, cache: Path, *paths: str | Path) -> tuple[tuple[int, int], str]:
    result = run_cli("lint", "-v", "--jobs", "1", "--cache-dir", cache, *paths)
    return cached_count(result.stderr), result.stdout


def test_links_and_their_targets_share_entries(run_cli: RunCli, tmp_path: Path) -> None:
    real = tmp_path / "real" / "team" / "app"
    real.mkdir(parents=True)
    (real / "service.yaml").write_text(MANIFEST)
    (tmp_path / "real" / "team" / "alias").symlink_to("app")  # relative, in the tree
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "chain").symlink_to(tmp_path / "link")
    cache = tmp_path / "cache"
    assert _lint(run_cli, cache, real / "service.yaml")[0] == (0, 1)
    for spelling in ("link/team/app", "chain/team/alias", "real/team/../team/app"):
        counted, stdout = _lint(run_cli, cache, tmp_path / spelling / "service.yaml")
        assert counted == (1, 1), spelling
        assert f"{tmp_path / spelling / 'service.yaml'}:10:19: error RP257" in stdout


def test_a_directory_deeper_than_the_recursion_limit_is_keyed(
    run_cli: RunCli, tmp_path: Path
) -> None:
    chain = [str(tmp_path / "d")]
    for _ in range(sys.getrecursionlimit() + 100):  # os.makedirs would recurse as deep
        chain.append(chain[-1] + "/d")
    deep = Path(chain[-1])
    try:
        for directory in chain:
            os.mkdir(directory)
        (deep / "service.yaml").write_text(MANIFEST)
        (tmp_path / "shortcut").symlink_to(deep)
        cache = tmp_path / "cache"
        assert _lint(run_cli, cache, deep / "service.yaml")[0] == (0, 1)
        assert _lint(run_cli, cache, tmp_path / "shortcut" / "service.yaml")[0] == (1, 1)
    finally:  # pytest removes old temporary directories recursively: not this deep
        (deep / "service.yaml").unlink(missing_ok=True)
        for directory in reversed(chain):
            with contextlib.suppress(FileNotFoundError):
                os.rmdir(directory)
