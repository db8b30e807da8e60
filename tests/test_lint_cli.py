"""`rolloutplan lint` through the CLI: exit codes, positions, bad input, formats, versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rolloutplan.validate.schemas import supported_versions
from tests.conftest import FIXTURES, RunCli

BAD = FIXTURES / "bad"
# Reading and schema rules only: these tests are about loading, and the realistic manifests
# beside the bad inputs carry rollout-risk warnings (no readiness probe) of their own.
LOADING = ("--select", "RP0,RP1")
GOOD = FIXTURES / "yaml11" / "multi-document.yaml"

# file, rule, line, column of the one finding each bad input must give
BAD_INPUTS = [
    ("syntax-error.yaml", "RP001", 12, 11),
    ("duplicate-key.yaml", "RP002", 13, 3),
    ("not-utf8.yaml", "RP003", 9, 14),
    ("binary.yaml", "RP003", 3, 1),
    ("list-document.yaml", "RP004", 3, 1),
    ("scalar-document.yaml", "RP004", 2, 1),
    ("missing-kind.yaml", "RP005", 2, 1),
    ("missing-apiversion.yaml", "RP006", 2, 1),
    ("python-tag.yaml", "RP007", 9, 11),
    ("billion-laughs.yaml", "RP008", 9, 4),
    ("deep-nesting.yaml", "RP009", 3, 201),
    ("missing-selector.yaml", "RP101", 9, 1),
    ("string-containerport.yaml", "RP101", 21, 26),
]


def lines_of(output: str) -> list[str]:
    return output.splitlines()[:-1]  # the last line is the summary


@pytest.mark.parametrize(("name", "rule", "line", "column"), BAD_INPUTS)
def test_each_bad_input_is_one_finding_and_the_good_file_beside_it_is_still_checked(
    run_cli: RunCli, name: str, rule: str, line: int, column: int
) -> None:
    result = run_cli("lint", *LOADING, BAD / name, GOOD)
    assert result.exit_code == 1
    (finding,) = lines_of(result.stdout)
    assert finding.startswith(f"{BAD / name}:{line}:{column}: error {rule} ")
    assert "Traceback" not in result.output
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("2 files, ")
    assert int(summary.split(", ")[1].split()[0]) >= 3  # the good file's three objects


def test_typo_fields_point_at_the_key_and_suggest_the_right_name(run_cli: RunCli) -> None:
    result = run_cli("lint", BAD / "typo-field.yaml")
    assert result.exit_code == 1
    path = BAD / "typo-field.yaml"
    assert lines_of(result.stdout) == [
        f'{path}:10:3: error RP102 spec.replica: unknown field "replica" (did you mean "replicas"?)'
        " [Deployment default/web]",
        f"{path}:38:5: error RP101 spec.template.spec.containers: required field"
        ' "containers" is missing [Deployment default/api]',
        f'{path}:39:7: error RP102 spec.template.spec.contianers: unknown field "contianers"'
        ' (did you mean "containers"?) [Deployment default/api]',
    ]


def test_string_container_port_message_names_the_field_and_object(run_cli: RunCli) -> None:
    result = run_cli("lint", BAD / "string-containerport.yaml")
    assert lines_of(result.stdout) == [
        f"{BAD / 'string-containerport.yaml'}:21:26: error RP101"
        " spec.template.spec.containers[0].ports[0].containerPort: '80' is not of type 'integer'"
        " [Deployment default/web]"
    ]


def test_valid_yaml_1_1_manifests_are_clean(run_cli: RunCli) -> None:
    result = run_cli("lint", FIXTURES / "yaml11")
    assert result.exit_code == 0, result.stdout
    assert "0 errors" in result.stdout
    loading = run_cli("lint", *LOADING, FIXTURES / "yaml11")
    assert loading.stdout.endswith("0 errors, 0 warnings, 0 info.\n")


def test_missing_path_exits_2_but_the_other_files_are_checked(run_cli: RunCli) -> None:
    result = run_cli("lint", "no/such/file.yaml", BAD / "duplicate-key.yaml")
    assert result.exit_code == 2
    assert "no/such/file.yaml: error RP012 no such file or directory" in lines_of(result.stdout)
    assert any(" RP002 " in line for line in lines_of(result.stdout))


def test_directory_without_manifests_is_unreadable_input(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = run_cli("lint", tmp_path)
    assert result.exit_code == 2
    assert "RP012 directory holds no *.yaml, *.yml or *.json files" in result.stdout


def test_directories_are_walked_recursively_skipping_hidden_ones(
    run_cli: RunCli, tmp_path: Path
) -> None:
    nested = tmp_path / "apps" / "web"
    nested.mkdir(parents=True)
    (nested / "svc.yml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n"
        "    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n"
    )
    (tmp_path / "deploy.json").write_bytes((FIXTURES / "yaml11" / "deployment.json").read_bytes())
    (tmp_path / "README.md").write_text("not a manifest")
    hidden = tmp_path / ".git"
    hidden.mkdir()
    (hidden / "broken.yaml").write_text("a: [")
    result = run_cli("lint", tmp_path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith(
        "2 files, 2 objects checked (Deployment 1, Service 1)"
    )


def test_stdin_is_read_for_dash(run_cli: RunCli) -> None:
    result = run_cli("lint", "-", stdin=(BAD / "typo-field.yaml").read_bytes())
    assert result.exit_code == 1
    assert lines_of(result.stdout)[0].startswith("<stdin>:10:3: error RP102 spec.replica:")


def test_other_kinds_are_skipped_unless_strict(run_cli: RunCli) -> None:
    result = run_cli("lint", BAD / "unknown-kind.yaml")
    assert result.exit_code == 0
    assert "skipped (ConfigMap 1, Foo 1)" in result.stdout
    strict = run_cli("lint", "--strict-kinds", BAD / "unknown-kind.yaml")
    assert strict.exit_code == 1
    assert [line.split()[2] for line in lines_of(strict.stdout)] == ["RP010", "RP010"]


def test_removed_api_versions_are_reported(run_cli: RunCli, tmp_path: Path) -> None:
    manifest = tmp_path / "old.yaml"
    manifest.write_text(
        "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: old\n"
    )
    result = run_cli("lint", manifest)
    assert result.exit_code == 1
    assert f"{manifest}:1:13: error RP013 apiVersion:" in result.stdout
    assert "use apiVersion: apps/v1" in result.stdout


def test_kubernetes_version_changes_which_schema_applies(run_cli: RunCli) -> None:
    manifest = FIXTURES / "versions" / "hostname-override.yaml"
    old = run_cli("lint", "--kubernetes-version", "1.33", manifest)
    assert old.exit_code == 1
    assert lines_of(old.stdout) == [
        f"{manifest}:17:7: error RP102 spec.template.spec.hostnameOverride: unknown field"
        ' "hostnameOverride" in Kubernetes 1.33 (known from 1.34; see --kubernetes-version)'
        " [Deployment default/web]"
    ]
    assert run_cli("lint", "--kubernetes-version", "1.34", manifest).exit_code == 0
    assert run_cli("lint", manifest).exit_code == 0  # the default is the newest


@pytest.mark.parametrize("version", ["1.29", "1.99", "banana"])
def test_unsupported_kubernetes_version_is_a_usage_error(run_cli: RunCli, version: str) -> None:
    result = run_cli("lint", "--kubernetes-version", version, GOOD)
    assert result.exit_code == 2
    assert "is not supported; choose one of 1.30" in result.stderr


def test_patch_versions_and_v_prefix_select_the_minor(run_cli: RunCli) -> None:
    manifest = FIXTURES / "versions" / "hostname-override.yaml"
    assert run_cli("lint", "--kubernetes-version", "v1.33.4", manifest).exit_code == 1


def test_bundled_versions_span_1_30_to_at_least_1_35() -> None:
    versions = supported_versions()
    assert versions[0] == "1.30"
    assert tuple(map(int, versions[-1].split("."))) >= (1, 35)


def test_fail_on_threshold(run_cli: RunCli) -> None:
    assert run_cli("lint", *LOADING, "--fail-on", "warning", GOOD).exit_code == 0
    assert run_cli("lint", "--fail-on", "warning", GOOD).exit_code == 1  # no readiness probe
    assert run_cli("lint", "--strict-kinds", "--fail-on", "info", BAD / "empty.yaml").exit_code == 1


def test_json_format_has_the_documented_shape(run_cli: RunCli) -> None:
    result = run_cli("lint", "--format", "json", BAD / "typo-field.yaml", BAD / "unknown-kind.yaml")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["schemaVersion"] == 1
    first = document["findings"][0]
    assert first == {
        "rule": "RP102",
        "severity": "error",
        "message": 'unknown field "replica" (did you mean "replicas"?)',
        "file": str(BAD / "typo-field.yaml"),
        "line": 10,
        "column": 3,
        "kind": "Deployment",
        "namespace": "default",
        "name": "web",
        "field": "spec.replica",
    }
    assert document["summary"] == {
        "files": 2,
        "documents": 4,
        "checked": {"Deployment": 2},
        "skipped": {"ConfigMap": 1, "Foo": 1},
        "notObjects": 0,
        "excluded": 0,
        "error": 3,
        "warning": 0,
        "info": 0,
        "suppressed": 0,
    }
    assert document["suppressed"] == []


def test_output_is_deterministic(run_cli: RunCli) -> None:
    first = run_cli("lint", "--format", "json", BAD, FIXTURES / "seed")
    second = run_cli("lint", "--format", "json", BAD, FIXTURES / "seed")
    assert first.stdout == second.stdout


def test_namespace_option_sets_the_default_namespace(run_cli: RunCli) -> None:
    result = run_cli("lint", "-n", "shop", BAD / "string-containerport.yaml")
    assert "[Deployment shop/web]" in result.stdout


def test_no_paths_is_a_usage_error(run_cli: RunCli) -> None:
    assert run_cli("lint").exit_code == 2


def test_rules_and_explain(run_cli: RunCli) -> None:
    listing = run_cli("rules")
    assert listing.exit_code == 0
    assert any(line.startswith("RP102  unknown-field") for line in listing.stdout.splitlines())
    by_id = run_cli("explain", "RP102")
    assert by_id.exit_code == 0
    assert "## Why is this bad?" in by_id.stdout
    assert run_cli("explain", "unknown-field").stdout == by_id.stdout
    assert run_cli("explain", "RP999").exit_code == 2


@pytest.mark.parametrize(
    ("target", "code", "errors"),
    [(BAD / "typo-field.yaml", 1, 3), (FIXTURES / "seed", 0, 0), (Path("missing"), 2, 1)],
)
def test_the_command_leaves_with_its_exit_code_and_all_its_output(
    target: Path, code: int, errors: int, tmp_path: Path
) -> None:
    """The process skips the interpreter's teardown (os._exit): the exit code must be kept,
    and the output complete, both on a pipe and in --output files."""
    import subprocess
    import sys

    report = tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, "-m", "rolloutplan", "lint", "--select", "RP0,RP1",
         "--format", "json", "-o", str(report), "--format", "text", str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == code
    summary = json.loads(report.read_text())["summary"]
    assert summary["error"] == errors
    assert run.stdout.endswith(f"{errors} error{'s' if errors != 1 else ''}, 0 warnings, 0 info.\n")
    assert run.stdout.count(": error RP") == errors
