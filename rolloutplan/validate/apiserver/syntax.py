"""Syntax checks the pod template needs beyond ``primitives`` (apimachinery util/validation and
core validation helpers): each returns the problems with a value, empty when it is valid."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from rolloutplan.model.quantity import parse_quantity

_ENV_VAR_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*\Z")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+\Z")
_HTTP_HEADER = re.compile(r"[-A-Za-z0-9]+\Z")
_SYSCTL = re.compile(r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?\Z")
_ATOI = re.compile(r"[+-]?[0-9]+\Z")
ID_MAX = 2147483647
INT32_MAX = 2147483647


def env_var_name(value: str, *, relaxed: bool) -> list[str]:
    """IsEnvVarName, or IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, on by
    default from Kubernetes 1.32, GA in 1.34)."""
    if value.__class__ is str and _ENV_VAR_NAME.match(value):
        return []  # valid under both rules (the usual NAME_LIKE_THIS): one match decides
    if relaxed:
        if all(" " <= char <= "~" and char != "=" for char in value):
            return []
        return [
            "a valid environment variable name must consist only of printable ASCII "
            "characters other than '='"
        ]
    if _ENV_VAR_NAME.match(value):
        return []
    return [
        "a valid environment variable name must consist of alphabetic characters, digits, "
        "'_', '-', or '.', and must not start with a digit"
    ]


def config_map_key(value: str) -> list[str]:
    problems = []
    if len(value) > 253:
        problems.append("must be no more than 253 characters")
    if not _CONFIG_KEY.match(value):
        problems.append(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
        )
    if value == ".":
        problems.append("must not be '.'")
    elif value == "..":
        problems.append("must not be '..'")
    elif value.startswith(".."):
        problems.append("must not start with '..'")
    return problems


def http_header_name(value: str) -> list[str]:
    if _HTTP_HEADER.match(value):
        return []
    return [
        "a valid HTTP header must consist of alphanumeric characters or '-' "
        "(e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"
    ]


def unix_id(value: int) -> list[str]:
    """IsValidUserID / IsValidGroupID."""
    return [] if 0 <= value <= ID_MAX else [f"must be between 0 and {ID_MAX}, inclusive"]


def sysctl_name(value: str) -> bool:
    return len(value) <= 253 and bool(_SYSCTL.match(value))


def local_descending_path(value: str) -> list[str]:
    problems = ["must be a relative path"] if value.startswith("/") else []
    return problems + no_backsteps(value)


def no_backsteps(value: str) -> list[str]:
    return ["must not contain '..'"] if ".." in value.replace("\\", "/").split("/") else []


def local_non_reserved_path(value: str) -> list[str]:
    problems = local_descending_path(value)
    if value.startswith("..") and not value.startswith("../"):
        problems.append("must not start with '..'")
    return problems


def atoi(value: str) -> int | None:
    """Go's strconv.Atoi: an optional sign and decimal digits, nothing else."""
    return int(value) if _ATOI.match(value) else None


def quantity(value: Any) -> Fraction | None:
    """A resource quantity as the API server decodes it, or None when it cannot."""
    if value is None:
        return None
    return parse_quantity(value)


def quantity_error(value: Any) -> str:
    return (
        f"quantities must match the regular expression "
        f"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got {value!r})"
    )
