"""``--format svg``: a standalone SVG chart per planned Deployment.

Checked as a browser would take it: well-formed XML (ElementTree), rendered to a PNG of the
declared size by CairoSVG (a test-only package; that test is skipped when libcairo cannot
be loaded), nothing active in it (no script, stylesheet or reference out), and file names
and Deployment names that stay text.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan import engine
from rolloutplan.report.chart import MAX_POINTS, chart_series
from rolloutplan.report.svg import MAX_CHARTS, render_svg
from tests.conftest import ROOT, RunCli
from tests.report.test_chart import rolling_plan

NS = "{http://www.w3.org/2000/svg}"
FOUR_REPLICAS = ROOT / "fixtures/plans/deployment-nginx-4-replicas.yaml"
HOSTILE_FILE = "web<script>alert('&')\"<x>.yaml"  # no slash: a file name
# elements and attributes that run code, load something or style from elsewhere
ACTIVE_TAGS = {"script", "style", "foreignObject", "use", "image", "a", "iframe", "object"}


def deployment(name: str, replicas: int, surge: int = 1, unavailable: int = 0) -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  strategy: {{rollingUpdate: {{maxSurge: {surge}, maxUnavailable: {unavailable}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - {{name: web, image: "example.com/web:1.0.0"}}
"""


def svg_of(run_cli: RunCli, tmp_path: Path, *args: str | Path, command: str = "plan") -> str:
    out = tmp_path / "plan.svg"
    result = run_cli(command, *args, "--format", "svg", "--output", out)
    assert result.exit_code in (0, 1), result.stderr
    return out.read_text(encoding="utf-8")


def parsed(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{NS}svg" and root.get("version") == "1.1"
    width, height = int(root.get("width", "")), int(root.get("height", ""))
    assert root.get("viewBox") == f"0 0 {width} {height}"
    return root


def assert_inert(root: ET.Element) -> None:
    for element in root.iter():
        assert element.tag.removeprefix(NS) not in ACTIVE_TAGS, element.tag
        assert element.tag.startswith(NS), element.tag  # nothing from another namespace
        for key, value in element.attrib.items():
            assert "href" not in key and not key.startswith("on"), key
            assert "url(" not in value and "javascript:" not in value, (key, value)


def polylines(root: ET.Element) -> list[list[tuple[float, float]]]:
    return [
        [(float(x), float(y)) for x, y in (p.split(",") for p in line.get("points", "").split())]
        for line in root.iter(f"{NS}polyline")
    ]


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{NS}text")]


def test_plan_svg_draws_one_point_per_step(run_cli: RunCli, tmp_path: Path) -> None:
    root = parsed(svg_of(run_cli, tmp_path, FOUR_REPLICAS))
    assert_inert(root)
    lines = polylines(root)
    assert len(lines) == 3  # old, new, available
    assert [len(line) for line in lines] == [9, 9, 9]  # the start and 8 steps
    assert "Deployment default/nginx-deployment (" in texts(root)[0]
    assert {"old pods", "new pods", "available pods"} <= set(texts(root))
    old, new, available = lines
    assert old[0][1] == available[0][1] and old[-1][1] == new[0][1]  # 4 -> 0, 0 -> 4
    assert old[0][1] < old[-1][1]  # y grows downwards: 4 pods are above 0 pods


def test_a_long_plan_is_sampled_in_the_svg(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(deployment("web", 300))
    root = parsed(svg_of(run_cli, tmp_path, tmp_path / "web.yaml"))
    lines = polylines(root)
    assert len({len(line) for line in lines}) == 1
    assert len(lines[0]) <= MAX_POINTS
    assert any("900 steps (" in text and " drawn)" in text for text in texts(root))


def test_series_values_are_the_polyline_points() -> None:
    plan = rolling_plan(300)
    series = chart_series(plan)
    report = engine.Report((), (), 1, 1, plans=(plan,), planned=True)
    lines = polylines(parsed(render_svg(report)))
    assert [len(line) for line in lines] == [len(values) for values in series.values]
    xs = [x for x, _ in lines[0]]
    assert xs == sorted(xs)


def test_a_hostile_file_name_stays_text(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / HOSTILE_FILE).write_text(deployment("web", 3))
    monkeypatch.chdir(tmp_path)  # the path as given, short enough to show whole
    text = svg_of(run_cli, tmp_path, HOSTILE_FILE)
    assert "<script" not in text and "&lt;script&gt;alert(" in text
    root = parsed(text)
    assert_inert(root)
    assert texts(root)[0].endswith(f"{HOSTILE_FILE})")


def test_a_hostile_deployment_name_stays_text() -> None:
    """Invalid names are never planned through the CLI (RP201); the reporter escapes anyway."""
    name = '<script>alert("&")</script>\'\x1b[31m\u202e\n::error::x'
    plans = (rolling_plan(3, name=name, namespace="a&b"),)
    text = render_svg(engine.Report((), (), 1, 1, plans=plans, planned=True))
    root = parsed(text)
    assert_inert(root)
    title = texts(root)[0]
    assert title.startswith('Deployment a&b/<script>alert("&")</script>\'\\x1b[31m\\u202e\\n')
    assert "\n::" not in text


def test_no_plan_is_a_picture_that_says_so(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("# nothing here\n")
    root = parsed(svg_of(run_cli, tmp_path, tmp_path / "empty.yaml"))
    assert texts(root) == ["No Deployment to plan."]
    assert polylines(root) == []


def test_many_deployments_are_drawn_up_to_the_limit() -> None:
    plans = tuple(rolling_plan(2, name=f"web-{n:03}") for n in range(MAX_CHARTS + 2))
    root = parsed(render_svg(engine.Report((), (), 1, 1, plans=plans, planned=True)))
    assert len(polylines(root)) == 3 * MAX_CHARTS
    assert texts(root)[-1] == f"2 more planned Deployments not drawn (at most {MAX_CHARTS} are)."


def test_check_writes_svg_to_standard_output(run_cli: RunCli) -> None:
    result = run_cli("check", FOUR_REPLICAS, "--format", "svg")
    parsed(result.stdout)
    assert result.stdout.count("<polyline") == 3


@pytest.mark.parametrize("command", ["lint", "services"])
def test_svg_without_plans_is_a_usage_error(run_cli: RunCli, command: str) -> None:
    result = run_cli(command, FOUR_REPLICAS, "--format", "svg")
    assert result.exit_code == 2
    assert "svg draws rollout plans: use it with `rolloutplan plan` or `rolloutplan check`" in (
        result.stderr
    )


def test_the_same_input_gives_the_same_bytes(run_cli: RunCli, tmp_path: Path) -> None:
    first = run_cli("plan", FOUR_REPLICAS, "--format", "svg").stdout_bytes
    second = run_cli("plan", FOUR_REPLICAS, "--format", "svg").stdout_bytes
    assert first == second


def cairosvg() -> Any:
    try:
        import cairosvg
    except ImportError as exc:
        pytest.skip(f"cairosvg is not installed (pip install -e '.[test]'): {exc}")
    except OSError as exc:  # cairocffi found no libcairo
        pytest.skip(f"cairosvg cannot load libcairo: {exc}")
    return cairosvg


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize("files", [["web.yaml", "api.yaml"], ["empty.yaml"]])
def test_the_svg_renders_at_its_declared_size(
    run_cli: RunCli, tmp_path: Path, files: list[str]
) -> None:
    renderer = cairosvg()
    (tmp_path / "web.yaml").write_text(deployment("web", 4, 1, 1))
    (tmp_path / "api.yaml").write_text(deployment("api", 120, 0, 5))
    (tmp_path / "empty.yaml").write_text("# nothing here\n")
    text = svg_of(run_cli, tmp_path, *(tmp_path / f for f in files))
    root = parsed(text)
    png = renderer.svg2png(bytestring=text.encode("utf-8"))
    assert png_size(png) == (int(root.get("width", "")), int(root.get("height", "")))


@given(st.text(max_size=120), st.text(max_size=30), st.text(max_size=120))
def test_any_name_or_path_gives_well_formed_inert_svg(name: str, namespace: str, path: str) -> None:
    plan = replace(rolling_plan(3, name=name, namespace=namespace), path=path)
    text = render_svg(engine.Report((), (), 1, 1, plans=(plan,), planned=True))
    text.encode("utf-8")  # no lone surrogate left
    root = parsed(text)
    assert_inert(root)
    assert [len(line) for line in polylines(root)] == [len(plan.steps) + 1] * 3
