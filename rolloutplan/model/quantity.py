"""Kubernetes resource quantities (``100m``, ``64Mi``, ``1.5``, ``2e3``) as exact numbers."""

from __future__ import annotations

import math
import re
from fractions import Fraction

from rolloutplan.model.memo import remembered

_DECIMAL = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_QUANTITY = re.compile(
    r"([+-]?)([0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE]([+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)\Z",
    re.ASCII,
)


# resource.Quantity keeps any decimal exponent (an int32) exactly; here a magnitude beyond
# 10^HUGE is taken as 10^HUGE, so that no value costs more than a few thousand bits
HUGE = 1000
NANO = Fraction(1, 10**9)
BINARY_CAP = Fraction(2**63 - 1)  # binary-suffixed (Ki...Ei) values are capped at this
_LIMIT = 10**HUGE


def parse_quantity(text: str | int | float) -> Fraction | None:
    """The value of a quantity as resource.ParseQuantity gives it, or None when it is not one.

    As there, a non-zero value is rounded up (away from zero) to a whole nano-unit, the
    exponent of ``1e<n>`` must fit an int64 and wraps to an int32, and a binary-suffixed value
    is capped at 2^63-1.  Unlike there, a magnitude beyond 10^1000 is taken as 10^1000.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, float):
        # a JSON number is parsed from its text: 1.1 is 11/10, not the nearest binary float
        return _rounded(Fraction(repr(text))) if math.isfinite(text) else None
    if isinstance(text, int):
        if -_LIMIT <= text <= _LIMIT:
            return Fraction(text)  # the usual case, without comparing Fractions
        return _capped(Fraction(text))
    return _parse_text(str(text))


@remembered(1024)  # manifests repeat a few quantities ("100m", "128Mi")
def _parse_text(text: str) -> Fraction | None:
    match = _QUANTITY.match(text.strip())
    if match is None:
        return None
    sign, number, exponent, suffix = match.groups()
    whole, _, fraction = number.partition(".")
    power = go_int32(exponent) if exponent is not None else _DECIMAL.get(suffix or "", 0)
    if power is None:
        return None
    value = _magnitude((whole + fraction).lstrip("0"), power - len(fraction), suffix)
    return _rounded(-value if sign == "-" else value)


def _magnitude(digits: str, scale: int, suffix: str | None) -> Fraction:
    """int(digits) x 10^scale (x 2^k for a binary suffix), with bounded work: only the
    digits down to 10^-10 (10^-29 for binary) count, the rest only for rounding up."""
    if not digits:
        return Fraction(0)
    binary = _BINARY.get(suffix or "")
    top = len(digits) + scale  # the value is below 10^top (times 2^binary)
    if binary is not None and top > 20:
        return BINARY_CAP
    if top > HUGE:
        return Fraction(10**HUGE)
    if top < -9:
        return NANO  # below one nano-unit: rounded up to it
    keep = top + (29 if binary is not None else 10)
    head, tail = digits[:keep], digits[keep:]
    value = Fraction(int(head)) * Fraction(10) ** (scale + len(tail))
    if tail.strip("0"):
        value += Fraction(10) ** (scale + len(tail)) / 2  # stands for the dropped digits
    if binary is not None:
        value = min(value * 2**binary, BINARY_CAP)
    return value


# strconv.Atoi: an optional sign and ASCII digits only (no Unicode digits, no underscores)
_GO_INT = re.compile(r"[+-]?0*([0-9]{1,19})\Z")


def go_int64(text: str | None) -> int | None:
    """strconv.Atoi (a 64-bit ParseInt): None for what it rejects (any other character, a
    value beyond int64)."""
    match = None if text is None else _GO_INT.match(text)
    if match is None:
        return None
    value = -int(match.group(1)) if match.group(0).startswith("-") else int(match.group(1))
    return value if -(2**63) <= value < 2**63 else None


def go_int32(text: str | None) -> int | None:
    """strconv.Atoi, then a conversion to int32: a value beyond int32 keeps its low 32
    bits, as Go's int32() conversion does."""
    value = go_int64(text)
    return None if value is None else (value + 2**31) % 2**32 - 2**31


def _rounded(value: Fraction) -> Fraction:
    """Up to a whole nano-unit, away from zero (inf.RoundUp at scale 9)."""
    if (value / NANO).denominator == 1:
        return value
    nanos = math.ceil(abs(value) / NANO)
    return nanos * NANO if value > 0 else -nanos * NANO


def _capped(value: Fraction) -> Fraction:
    limit = Fraction(_LIMIT)
    return max(-limit, min(limit, value))


# How resource.Quantity prints a value: the format it was parsed with (its suffix)
DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT = "DecimalSI", "BinarySI", "DecimalExponent"
_SI_SUFFIX = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}
_BINARY_SUFFIX = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
_EXPONENT = re.compile(r"[eE][+-]?[0-9]+\Z")


def quantity_format(text: str | int | float) -> str:
    """The format ParseQuantity gives a quantity: BinarySI for a Ki..Ei suffix,
    DecimalExponent for an ``e``/``E`` exponent, DecimalSI otherwise."""
    if isinstance(text, str):
        body = text.strip()
        if body[-2:] in _BINARY_SUFFIX[1:]:
            return BINARY_SI
        if _EXPONENT.search(body):
            return DECIMAL_EXPONENT
    return DECIMAL_SI


def canonical(value: Fraction, form: str = DECIMAL_SI) -> str:
    """``value`` as Quantity.String() prints it in ``form``: an integer mantissa with the
    largest suffix that keeps it whole (a power of 1000 for DecimalSI, ``e<n>`` with n a
    multiple of 3 for DecimalExponent, a power of 1024 for BinarySI, which prints as
    DecimalSI below 1024 or with a fraction).  Beyond the largest SI suffix (E) the value is
    printed with all its digits."""
    value = _rounded(value)
    if form == BINARY_SI and abs(value) >= 1024 and value.denominator == 1:
        mantissa, power = int(value), 0
        while mantissa % 1024 == 0 and power < len(_BINARY_SUFFIX) - 1:
            mantissa //= 1024
            power += 1
        return f"{mantissa}{_BINARY_SUFFIX[power]}"
    if not value:
        return "0"
    nanos = int(value * 10**9)  # whole: _rounded
    exponent = -9
    while nanos % 1000 == 0:
        nanos //= 1000
        exponent += 3
    if form == DECIMAL_EXPONENT:
        return f"{nanos}e{exponent}" if exponent else str(nanos)
    if exponent > 18:
        return str(nanos * 10**exponent)
    return f"{nanos}{_SI_SUFFIX[exponent]}"
