"""IP and CIDR parsing as the API server does it for Service fields.

Service fields (clusterIPs, externalIPs, loadBalancerSourceRanges) are "legacy" fields: the server
parses them with k8s.io/utils/net's ``ParseIPSloppy`` / ``ParseCIDRSloppy`` (Go 1.16 semantics,
kept because the ``StrictIPCIDRValidation`` gate is off by default): IPv4 octets may carry
leading zeros (read as decimal), IPv6 groups may have more than four hex digits when the value
fits, zones (``%eth0``) are refused.  An IPv4-mapped IPv6 address (``::ffff:1.2.3.4``) counts as
IPv4, as Go's ``To4`` does.  The server then warns about such non-standard forms.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_DIGITS = re.compile(r"[0-9]+\Z")
_HEX = re.compile(r"[0-9A-Fa-f]+\Z")

INVALID_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
INVALID_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _ipv4(text: str) -> ipaddress.IPv4Address | None:
    parts = text.split(".")
    if len(parts) != 4 or not all(_DIGITS.match(part) for part in parts):
        return None
    octets = [int(part) for part in parts]
    if any(octet > 255 for octet in octets):
        return None
    return ipaddress.IPv4Address(bytes(octets))


def _ipv6(text: str) -> ipaddress.IPv6Address | None:
    if "%" in text or not text.isascii() or any(c.isspace() for c in text):
        return None
    head, _, last = text.rpartition(":")
    if "." in last:  # an embedded IPv4 address closes the value
        embedded = _ipv4(last)
        if embedded is None:
            return None
        text = f"{head}:{embedded}"
    groups = text.split(":")
    normalized = []
    for group in groups:
        if group and "." not in group:
            if not _HEX.match(group) or int(group, 16) > 0xFFFF:
                return None
            group = format(int(group, 16), "x")
        normalized.append(group)
    try:
        return ipaddress.IPv6Address(":".join(normalized))
    except ValueError:
        return None


def parse_ip(text: str) -> IPAddress | None:
    """The address, or None when the server would refuse it."""
    if ":" in text:
        return _ipv6(text)
    return _ipv4(text)


def as_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 form of an address, mapped IPv6 included (Go's ``To4``)."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    return address.ipv4_mapped


def is_ipv6(text: str) -> bool:
    """k8s.io/utils/net ``IsIPv6String``: parses, and is not IPv4 (nor IPv4-mapped)."""
    address = parse_ip(text)
    return address is not None and as_ipv4(address) is None


def family(text: str) -> str:
    return "IPv6" if is_ipv6(text) else "IPv4"


def go_string(address: IPAddress) -> str:
    """How Go prints the address (``net.IP.String``): mapped addresses as plain IPv4."""
    v4 = as_ipv4(address)
    return str(v4) if v4 is not None else str(address)


def special_ip_problems(text: str) -> list[str]:
    """ValidateNonSpecialIP: unspecified, loopback and link-local addresses are refused for
    external IPs (they are meaningless there, or reserved for node-local services)."""
    address = parse_ip(text)
    if address is None:
        return [INVALID_IP]
    v4 = as_ipv4(address)
    problems = []
    if (v4 if v4 is not None else address).is_unspecified:
        problems.append(f"may not be unspecified ({text})")
    if v4 is not None:
        loopback = v4.is_loopback
        link_local = v4 in ipaddress.IPv4Network("169.254.0.0/16")
        link_local_multicast = v4 in ipaddress.IPv4Network("224.0.0.0/24")
    else:
        raw = address.packed
        loopback = address == ipaddress.IPv6Address("::1")
        link_local = raw[0] == 0xFE and raw[1] & 0xC0 == 0x80
        link_local_multicast = raw[0] == 0xFF and raw[1] & 0x0F == 0x02
    if loopback:
        problems.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if link_local:
        problems.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    if link_local_multicast:
        problems.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return problems


@dataclass(frozen=True, slots=True)
class Cidr:
    address: IPAddress
    prefix: int
    network: ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_cidr(text: str) -> Cidr | None:
    """ParseCIDRSloppy: an address, '/', a decimal prefix length; host bits may be set."""
    address_text, slash, length = text.partition("/")
    if not slash or not _DIGITS.match(length):
        return None
    v4 = _ipv4(address_text)
    address: IPAddress | None = v4 if v4 is not None else _ipv6(address_text)
    if address is None:
        return None
    prefix = int(length)
    if prefix > address.max_prefixlen:
        return None
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    return Cidr(address, prefix, network)


def ip_warnings(text: str) -> list[str]:
    """GetWarningsForIP: forms the server accepts today but calls non-standard."""
    address = parse_ip(text)
    if address is None:
        return []
    standard = _standard_ip(text)
    if standard is None or (isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped):
        return [
            f"non-standard IP address {_q(text)} will be considered invalid in a future "
            f"Kubernetes release: use {_q(go_string(address))}"
        ]
    if isinstance(address, ipaddress.IPv6Address) and str(address) != text:
        return [
            f"IPv6 address {_q(text)} should be in RFC 5952 canonical format ({_q(str(address))})"
        ]
    return []


def cidr_warnings(text: str) -> list[str]:
    """GetWarningsForCIDR: host bits set, leading zeros, mapped or non-canonical IPv6."""
    cidr = parse_cidr(text)
    if cidr is None:
        return []
    warnings = []
    if cidr.address != cidr.network.network_address:
        single = f"{go_string(cidr.address)}/{cidr.address.max_prefixlen}"
        warnings.append(
            f"CIDR value {_q(text)} is ambiguous in this context "
            f"(should be {_q(str(cidr.network))} or {_q(single)}?)"
        )
    address_text, _, length = text.partition("/")
    mapped = isinstance(cidr.address, ipaddress.IPv6Address) and cidr.address.ipv4_mapped
    if _standard_ip(address_text) is None or length != str(int(length)) or mapped:
        warnings.append(
            f"non-standard CIDR value {_q(text)} will be considered invalid in a future "
            f"Kubernetes release: use {_q(str(cidr.network))}"
        )
    canonical = f"{cidr.address}/{cidr.prefix}"
    if not warnings and isinstance(cidr.address, ipaddress.IPv6Address) and canonical != text:
        warnings.append(
            f"IPv6 CIDR value {_q(text)} should be in RFC 5952 canonical format ({_q(canonical)})"
        )
    return warnings


def _q(value: object) -> str:
    return json.dumps(str(value))


def _standard_ip(text: str) -> IPAddress | None:
    """Go's ``netip.ParseAddr`` without zones: no leading zeros, at most 4 hex digits."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
