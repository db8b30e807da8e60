"""Settings: built-in defaults, then a config file, then the command line.

The config file is the first of ``.rolloutplan.yaml`` / ``.rolloutplan.yml`` or a
``pyproject.toml`` with a ``[tool.rolloutplan]`` table, found by walking up from the working
directory (or given with ``--config``).  Keys (kebab-case, as on the command line)::

    select: [RP1, unknown-field]     # ids, id prefixes or names; default: every rule
    ignore: [RP3]
    severity: {RP102: warning}       # per rule id or name: error, warning or info
    fail-on: warning
    kubernetes-version: "1.33"
    namespace: shop
    strict-kinds: true
    suppressions: false              # honour rolloutplan.io/ignore-* annotations (default true)
    service-node-port-range: 30000-32767
    cache: false                     # the result cache (default true)
    exclude: [legacy/, "*.tmpl.yaml"]  # globs left out, besides the defaults (see inputs.py)
    default-excludes: false          # check the well-known non-manifest files too
    units: [deploy/staging/**, deploy/prod/**]  # apply units, a glob (or list) each
    pod-startup: 20                  # seconds from pod creation to ready, for plans
    pod-startup-overrides:           # per Deployment, before pod-startup; first match wins
      - {name: "shop/payments", seconds: 90}  # namespace/name or name, fnmatch globs
      - {label: "tier=batch", seconds: 300}   # a label of the Deployment's pod template

``pod-startup`` replaces the readiness-probe estimate of how long a new pod takes to become
ready (image pull, container start, first passing probe; minReadySeconds is still added);
``--pod-startup`` on the command line replaces both keys for every Deployment.

A config file found by walking up must belong to the user running rolloutplan (or to root),
as git's ``safe.directory`` asks of a repository: another user's ``/tmp/.rolloutplan.yaml``
must not switch rules off.  ``cache-dir`` is no longer read from a config file (it may be a
repository's, which must not choose where results come from): the CLI says so and ignores it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rolloutplan.load.text import TextProblem, decode
from rolloutplan.model.finding import Severity
from rolloutplan.rules import REGISTRY

CONFIG_NAMES = (".rolloutplan.yaml", ".rolloutplan.yml")
LEVELS = {s.value: s for s in Severity}
ALWAYS_ENABLED = frozenset({"RP000", "RP012"})  # our own failure, and a path we could not read


class ConfigError(Exception):
    """An invalid config file or setting; the CLI exits 2 with this message."""


@dataclass(frozen=True, slots=True)
class RuleSelection:
    """The rules a run reports (--select, --ignore) and their severities (--severity)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()  # rule id -> level

    def enabled(self, rule_id: str) -> bool:
        """flake8's rule: the longest matching selector wins; an empty select means all."""
        if rule_id in ALWAYS_ENABLED:
            return True
        selected = _best_match(self.select, rule_id) if self.select else 0
        if selected < 0:
            return False
        ignored = _best_match(self.ignore, rule_id)
        return ignored < 0 or selected > ignored

    def severity_of(self, rule_id: str) -> Severity:
        return dict(self.severity).get(rule_id) or REGISTRY.severity(rule_id)

    @property
    def disabled(self) -> frozenset[str]:
        """The ids of the rules this selection leaves out (computed once per selection)."""
        return _disabled(self)

    def any_enabled(self, rule_ids: Iterable[str]) -> bool:
        """Whether a stage that can only find ``rule_ids`` has anything to do."""
        return not self.disabled.issuperset(rule_ids)


@functools.lru_cache(maxsize=16)
def _disabled(selection: RuleSelection) -> frozenset[str]:
    return frozenset(rule for rule in REGISTRY.by_id if not selection.enabled(rule))


def _best_match(selectors: tuple[str, ...], rule_id: str) -> int:
    """Length of the most specific selector matching the rule; a name counts as exact."""
    name = REGISTRY.by_id[rule_id].name
    best = -1
    for selector in selectors:
        if selector in (name, rule_id):
            best = max(best, 100)
        elif rule_id.startswith(selector):
            best = max(best, len(selector))
    return best


@dataclass(frozen=True, slots=True)
class FileSettings:
    """What a config file set; None where it is silent."""

    path: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


KNOWN_KEYS = {
    "select", "ignore", "severity", "fail-on", "kubernetes-version", "namespace",
    "strict-kinds", "suppressions", "service-node-port-range", "cache", "cache-dir",
    "exclude", "default-excludes", "units", "pod-startup", "pod-startup-overrides",
}  # fmt: skip


MAX_CONFIG_BYTES = 1024 * 1024  # a larger config file (or /dev/zero) is refused unread
MAX_GLOB = 1024  # characters in one exclude pattern; no path needs more
MAX_SECONDS = 2**31 - 1  # pod-startup: Kubernetes' own durations are int32 seconds
MAX_OVERRIDES = 256  # pod-startup-overrides entries; each Deployment may try every one


def trusted(path: Path) -> bool:
    """Whether ``path`` belongs to the current user or to root (always, without owners)."""
    if not hasattr(os, "geteuid"):
        return True
    try:
        owner = path.stat().st_uid
    except (OSError, ValueError):
        return False
    return owner in (os.geteuid(), 0)


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    import tomllib  # only where a pyproject.toml is found: a run without one starts faster

    try:
        text = _read_limited(pyproject).decode("utf-8")
        return "rolloutplan" in tomllib.loads(text).get("tool", {})
    except (OSError, ConfigError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    except ValueError:  # valid TOML Python cannot hold (an integer of 4,301 digits)
        return "tool.rolloutplan" in text  # read_config says what is wrong


def read_config(path: Path) -> FileSettings:
    """The settings in ``path``, checked; ConfigError says what is wrong and where."""
    try:
        raw = _read_limited(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    values = _parse_toml(path, raw) if path.name.endswith(".toml") else _parse_yaml(path, raw)
    _check(path, values)
    return FileSettings(str(path), values)


def _read_limited(path: Path) -> bytes:
    with path.open("rb") as file:  # a FIFO named with --config (<(...)) is read as given
        raw = file.read(MAX_CONFIG_BYTES + 1)
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; not a config")
    return raw


def _parse_toml(path: Path, raw: bytes) -> dict[str, Any]:
    import tomllib

    try:
        table = tomllib.loads(raw.decode("utf-8")).get("tool", {}).get("rolloutplan", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except ValueError:  # tomllib's int(): more than 4,300 digits
        raise ConfigError(f"{path}: a number in it is too large to read") from None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.rolloutplan] must be a table")
    return table


def _parse_yaml(path: Path, raw: bytes) -> dict[str, Any]:
    text = decode(raw)
    if isinstance(text, TextProblem):
        raise ConfigError(f"{path}:{text.line}:{text.column}: {text.message}")
    from rolloutplan.load.yaml_docs import load_documents

    loaded = load_documents(text)
    if loaded.problems:
        problem = loaded.problems[0]
        raise ConfigError(f"{path}:{problem.line}:{problem.column}: {problem.message}")
    if not loaded.documents:
        return {}
    data = loaded.documents[0].data
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping of settings")
    return data


def _check(path: Path, values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(KNOWN_KEYS))}"
        )
    for key in ("select", "ignore"):
        if key in values:
            try:
                values[key] = tuple(parse_rule_selectors(_string_list(path, key, values[key])))
            except ConfigError as exc:
                raise ConfigError(f"{path}: {key!r}: {exc}") from None
    if "severity" in values:
        severity = values["severity"]
        if not isinstance(severity, dict):
            raise ConfigError(f"{path}: 'severity' must map rule ids or names to levels")
        values["severity"] = tuple(
            parse_severity_override(f"{rule}={level}", where=str(path))
            for rule, level in severity.items()
        )
    if "fail-on" in values and values["fail-on"] not in LEVELS:
        raise ConfigError(f"{path}: 'fail-on' must be one of {', '.join(LEVELS)}")
    if "exclude" in values:
        values["exclude"] = _globs(path, values["exclude"])
    if "units" in values:
        values["units"] = parse_units(path, values["units"])
    if "pod-startup" in values:
        values["pod-startup"] = _seconds(path, "'pod-startup'", values["pod-startup"])
    if "pod-startup-overrides" in values:
        values["pod-startup-overrides"] = parse_startup_overrides(
            path, values["pod-startup-overrides"]
        )
    for key in ("strict-kinds", "suppressions", "cache", "default-excludes"):
        if key in values and not isinstance(values[key], bool):
            raise ConfigError(f"{path}: {key!r} must be true or false")
    for key in ("kubernetes-version", "namespace", "service-node-port-range"):
        if key in values:
            values[key] = str(values[key])
    if "service-node-port-range" in values:
        try:
            parse_port_range(values["service-node-port-range"])
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    if "kubernetes-version" in values:
        try:
            values["kubernetes-version"] = kubernetes_version(values["kubernetes-version"])
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None


def _string_list(path: Path, key: str, value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f"{path}: {key!r} must be a list of rule ids, prefixes or names")
    return items


def _globs(path: Path, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        raise ConfigError(f"{path}: 'exclude' must be a list of glob patterns, e.g. [legacy/]")
    try:
        return tuple(parse_globs(value))
    except ConfigError as exc:
        raise ConfigError(f"{path}: 'exclude': {exc}") from None


def parse_globs(globs: list[str] | tuple[str, ...]) -> list[str]:
    """Exclude patterns as given; an empty one (or only slashes) would match nothing."""
    for glob in globs:
        if not glob.strip("/") or glob.strip("/") == ".":
            raise ConfigError(f"{glob!r} is not a glob pattern; e.g. legacy/ or '**/*.tmpl.yaml'")
        if len(glob) > MAX_GLOB:
            raise ConfigError(f"{glob[:40]!r}...: longer than {MAX_GLOB} characters")
    return list(globs)


def parse_units(path: Path, value: Any) -> tuple[tuple[str, ...], ...]:
    """``units:``: one entry per apply unit, a glob or a list of globs, in the syntax of
    ``exclude`` (see inputs.py)."""
    example = "e.g. [deploy/staging/**, [deploy/base/**, deploy/prod/**]]"
    if not isinstance(value, list):
        raise ConfigError(f"{path}: 'units' must be a list of globs, one per unit; {example}")
    units = []
    for number, entry in enumerate(value, 1):
        globs = [entry] if isinstance(entry, str) else entry
        if not isinstance(globs, list) or not globs or not all(isinstance(g, str) for g in globs):
            raise ConfigError(
                f"{path}: 'units' entry {number} must be a glob or a non-empty list of globs; "
                f"{example}"
            )
        try:
            units.append(tuple(parse_globs(globs)))
        except ConfigError as exc:
            raise ConfigError(f"{path}: 'units' entry {number}: {exc}") from None
    return tuple(units)


def _seconds(path: Path, what: str, value: Any) -> int:
    # bool is an int to Python; `pod-startup: yes` is not a number of seconds
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SECONDS:
        raise ConfigError(
            f"{path}: {what} must be a whole number of seconds from 0 to {MAX_SECONDS}, "
            "e.g. pod-startup: 20"
        )
    return value


OVERRIDE_EXAMPLE = '[{name: "shop/payments", seconds: 90}, {label: "tier=batch", seconds: 300}]'
Override = tuple[int, str, tuple[str, str] | None]  # seconds, name glob, label


def parse_startup_overrides(path: Path, value: Any) -> tuple[Override, ...]:
    """``pod-startup-overrides:``: each entry's seconds, name glob ("" when it names a
    label) and label (key, value), in the order given."""
    if not isinstance(value, list) or len(value) > MAX_OVERRIDES:
        raise ConfigError(
            f"{path}: 'pod-startup-overrides' must be a list of at most {MAX_OVERRIDES} "
            f"entries, e.g. {OVERRIDE_EXAMPLE}"
        )
    return tuple(_override(path, number, entry) for number, entry in enumerate(value, 1))


def _override(path: Path, number: int, entry: Any) -> Override:
    where = f"{path}: 'pod-startup-overrides' entry {number}"
    keys = set(entry) if isinstance(entry, dict) else set()
    if keys not in ({"name", "seconds"}, {"label", "seconds"}):
        raise ConfigError(
            f"{where} must have seconds and either name or label, e.g. {OVERRIDE_EXAMPLE}"
        )
    seconds = _seconds(path, f"'pod-startup-overrides' entry {number}: seconds", entry["seconds"])
    if "name" in entry:
        name = entry["name"]
        if not isinstance(name, str) or not name or len(name) > MAX_GLOB:
            raise ConfigError(
                f"{where}: name must be a Deployment's namespace/name or name (globs allowed), "
                'e.g. "shop/payments" or "payments-*"'
            )
        return seconds, name, None
    label = entry["label"]
    key, sep, label_value = label.partition("=") if isinstance(label, str) else ("", "", "")
    if not sep or not key:
        raise ConfigError(
            f'{where}: label must be key=value (a pod template label), e.g. "tier=batch"'
        )
    return seconds, "", (key, label_value)


def parse_rule_selectors(items: list[str] | tuple[str, ...]) -> list[str]:
    """Rule ids (RP102), id prefixes (RP1) or names (unknown-field); comma lists allowed."""
    selectors = []
    for item in (part.strip() for entry in items for part in entry.split(",")):
        if not item:
            continue
        rule = REGISTRY.get(item)
        if rule is not None:
            selectors.append(rule.id if item.upper() == rule.id else rule.name)
        elif item.upper().startswith("RP") and item[2:].isdigit() and len(item) < 5:
            selectors.append(item.upper())
        else:
            raise ConfigError(
                f"unknown rule or rule prefix {item!r}; `rolloutplan rules` lists them"
            )
    return selectors


def parse_severity_override(text: str, where: str = "--severity") -> tuple[str, Severity]:
    rule_text, _, level = text.partition("=")
    rule = REGISTRY.get(rule_text.strip())
    if rule is None:
        raise ConfigError(f"{where}: unknown rule {rule_text.strip()!r} in {text!r}")
    if level.strip() not in LEVELS:
        raise ConfigError(
            f"{where}: {text!r}: the level must be one of {', '.join(LEVELS)} (RULE=LEVEL)"
        )
    return rule.id, LEVELS[level.strip()]


def kubernetes_version(value: str | None) -> str:
    """A supported minor version from '1.33', 'v1.33' or '1.33.4'; None means the newest."""
    from rolloutplan.validate.schemas import newest_version, supported_versions

    if value is None:
        return newest_version()
    version = str(value).removeprefix("v")
    if version.count(".") == 2:  # the schemas are per minor version
        version = version.rsplit(".", 1)[0]
    if version not in supported_versions():
        raise ConfigError(
            f"Kubernetes version {value!r} is not supported; choose one of "
            f"{', '.join(supported_versions())}"
        )
    return version


def parse_port_range(text: str) -> tuple[int, int]:
    low, sep, high = text.partition("-")
    if not sep or not _port_digits(low) or not _port_digits(high):
        raise ConfigError(f"service node port range {text!r} must look like 30000-32767")
    first, last = int(low), int(high)  # at most 5 ASCII digits each
    if not 1 <= first <= last <= 65535:
        raise ConfigError(f"service node port range {text!r} must be within 1-65535, low-high")
    return first, last


def _port_digits(text: str) -> bool:
    text = text.strip()
    return text.isascii() and text.isdigit() and len(text) <= 5
