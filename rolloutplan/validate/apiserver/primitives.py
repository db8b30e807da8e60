"""Syntax checks shared by every kind (apimachinery util/validation): each returns the list of
problems with a value, empty when it is valid, worded as the API server words them."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(_LABEL + r"\Z")
_DNS1123_SUBDOMAIN = re.compile(_LABEL + r"(\." + _LABEL + r")*\Z")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?\Z")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
_LABEL_VALUE = _QUALIFIED_NAME
_IANA_SVC_NAME = re.compile(r"[-a-z0-9]+\Z")
_PERCENT = re.compile(r"[0-9]+%\Z")

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
LABEL_VALUE_MAX = 63
QUALIFIED_NAME_MAX = 63
REMEMBERED = 4096  # valid values each check keeps; manifests repeat a few hundred keys and names

Check = Callable[[str], list[str]]


def remember_valid(check: Check) -> Check:
    """``check``, answering at once for a string it found valid before.  Only valid values
    are kept, so each call still returns a new list (callers extend it)."""
    valid: set[str] = set()

    @functools.wraps(check)
    def checked(value: str) -> list[str]:
        known = value.__class__ is str
        if known and value in valid:
            return []
        problems = check(value)
        if known and not problems:
            if len(valid) >= REMEMBERED:
                valid.clear()
            valid.add(value)
        return problems

    return checked


@remember_valid
def dns1123_label(value: str) -> list[str]:
    problems = []
    if len(value) > DNS1123_LABEL_MAX:
        problems.append(f"must be no more than {DNS1123_LABEL_MAX} characters")
    if not _DNS1123_LABEL.match(value):
        if _DNS1123_SUBDOMAIN.match(value):
            problems.append("must not contain dots")
        else:
            problems.append(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
                "or '-', and must start and end with an alphanumeric character"
            )
    return problems


@remember_valid
def dns1123_subdomain(value: str) -> list[str]:
    problems = []
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        problems.append(f"must be no more than {DNS1123_SUBDOMAIN_MAX} characters")
    if not _DNS1123_SUBDOMAIN.match(value):
        problems.append(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
            "'-' or '.', and must start and end with an alphanumeric character"
        )
    return problems


@remember_valid
def dns1035_label(value: str) -> list[str]:
    problems = []
    if len(value) > DNS1123_LABEL_MAX:
        problems.append(f"must be no more than {DNS1123_LABEL_MAX} characters")
    if not _DNS1035_LABEL.match(value):
        problems.append(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
            "with an alphabetic character, and end with an alphanumeric character"
        )
    return problems


def name_prefix(check: object, value: str) -> list[str]:
    """generateName: the name rule, tolerating one trailing '-' (masked before the check)."""
    masked = value[:-1] + "a" if value.endswith("-") else value
    return check(masked)  # type: ignore[operator, no-any-return]


@remember_valid
def qualified_name(value: str) -> list[str]:
    """A label key: an optional DNS-1123 subdomain prefix and '/', then a 1-63 char name."""
    parts = value.split("/")
    if len(parts) > 2:
        return [
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and "
            "must start and end with an alphanumeric character, with an optional DNS subdomain "
            "prefix and '/'"
        ]
    problems = []
    if len(parts) == 2:
        prefix, name = parts
        if not prefix:
            problems.append("prefix part must be non-empty")
        else:
            problems.extend(f"prefix part {p}" for p in dns1123_subdomain(prefix))
    else:
        name = parts[0]
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > QUALIFIED_NAME_MAX:
        problems.append(f"name part must be no more than {QUALIFIED_NAME_MAX} characters")
    if name and not _QUALIFIED_NAME.match(name):
        problems.append(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
            "and end with an alphanumeric character"
        )
    return problems


@remember_valid
def label_value(value: str) -> list[str]:
    problems = []
    if len(value) > LABEL_VALUE_MAX:
        problems.append(f"must be no more than {LABEL_VALUE_MAX} characters")
    if value and not _LABEL_VALUE.match(value):
        problems.append(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', "
            "'_' or '.', and must start and end with an alphanumeric character"
        )
    return problems


def path_segment_name(value: str) -> list[str]:
    """A name that can be one segment of a URL path (IsValidPathSegmentName)."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{part}'" for part in ("/", "%") if part in value]


def port_number(value: int) -> list[str]:
    return [] if 1 <= value <= 65535 else ["must be between 1 and 65535, inclusive"]


@remember_valid
def port_name(value: str) -> list[str]:
    """IANA_SVC_NAME: container port names and named target ports."""
    problems = []
    if len(value) > 15:
        problems.append("must be no more than 15 characters")
    if not _IANA_SVC_NAME.match(value):
        problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if "--" in value:
        problems.append("must not contain consecutive hyphens")
    if not re.search("[a-z]", value):
        problems.append("must contain at least one letter (a-z)")
    if value.startswith("-") or value.endswith("-"):
        problems.append("must not begin or end with a hyphen")
    return problems


def percent(value: str) -> list[str]:
    if _PERCENT.match(value):
        return []
    return ["a valid percent string must be a numeric string followed by an ending '%'"]


def ip_address(value: str) -> list[str]:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    return []
