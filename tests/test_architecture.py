"""Each third-party library belongs to one module; the core never imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rolloutplan"

OWNERS = {
    "click": {"cli.py"},
    "ruamel": {"load/yaml_docs.py"},
    "_ruamel_yaml": {"load/yaml_docs.py"},
    "jsonschema": {"validate/schemas.py"},
    "jsonschema_rs": {"validate/schemas.py"},
    "referencing": {"validate/schemas.py"},
    "tabulate": {"report/table.py"},
    "sqlite3": {"cache.py"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0] if node.module != "rolloutplan.cli" else "cli")
    return roots


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_third_party_imports_stay_in_their_module(module: Path) -> None:
    name = module.relative_to(PACKAGE).as_posix()
    for root in imported_roots(module):
        owners = OWNERS.get(root)
        if owners is not None:
            assert name in owners, f"{name} imports {root}, which belongs to {sorted(owners)}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_imports_the_cli(module: Path) -> None:
    if module.name not in ("cli.py", "__main__.py"):
        assert "cli" not in imported_roots(module)


def test_model_imports_nothing_else_from_the_package() -> None:
    for module in (PACKAGE / "model").glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rolloutplan"):
                assert node.module.startswith("rolloutplan.model"), f"{module.name}: {node.module}"


def test_lint_starts_without_what_only_other_commands_need() -> None:
    """Startup is most of a pre-commit run: lint must not import the replay or tabulate,
    and a run served by the result cache must not import the YAML loader or validators."""
    import subprocess
    import sys

    seed = str(PACKAGE.parent / "fixtures" / "seed")
    script = (
        "import sys\n"
        "from rolloutplan.cli import main\n"
        "main(sys.argv[1:])\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(("
        "'rolloutplan.planner', 'rolloutplan.validate', 'rolloutplan.load.yaml_docs', "
        "'tabulate', 'jsonschema', 'ruamel')))))\n"
    )

    def loaded(*args: str) -> set[str]:
        run = subprocess.run(
            [sys.executable, "-c", script, "lint", "-q", *args, seed],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return set(run.stdout.splitlines()[-1].split())

    cold = loaded("--no-cache")
    heavy = ("rolloutplan.planner.plan", "rolloutplan.planner.simulate", "tabulate")
    assert not cold & set(heavy)  # planner.budget is in: the risk rules use it
    # two runs: the first fills a cache of its own (ROLLOUTPLAN_CACHE_DIR, set per test)
    loaded()
    warm = loaded()
    checking = {"rolloutplan.validate.apiserver", "rolloutplan.load.yaml_docs", "ruamel.yaml"}
    assert not warm & (checking | {"jsonschema", "jsonschema_rs"})
    assert checking <= cold
