"""YAML (and JSON) text -> plain Python documents, read the way Kubernetes reads them.

The only module that imports ruamel.yaml.  Documents are composed into nodes by
libyaml (ruamel.yaml.clib) and constructed here, so that

* plain scalars resolve as go-yaml v2 resolves them (sigs.k8s.io/yaml, YAML 1.1:
  ``yes``/``on`` are booleans, ``017`` is octal, timestamps stay strings, no base 60), and
  what sigs.k8s.io/yaml cannot turn into JSON (null keys, ``.inf``, ``.nan``) is refused;
* what go-yaml v2 changed in libyaml's grammar is read its way: a ``:`` inside a plain
  scalar of a flow collection (``[--listen=0.0.0.0:8080]``), which libyaml refuses, is read
  by retrying with such colons swapped for a character libyaml takes as text, and swapped
  back in the values (same length, so positions stay exact); ``<<`` merges apply in order;
* no tag outside YAML's core set is ever constructed;
* aliases are shared, never copied, and a document whose aliases would add more than
  ``MAX_EXPANDED_NODES`` values when expanded is refused before anything walks it (its own
  values do not count: a List of 5,000 live objects is no bomb);
* positions come from the same parse: with ``positions``, each document keeps its nodes
  (``NodePositions``) while its file is checked, and the positions of the fields later
  findings need (``NodePositions.kept``, a ``positions.PositionIndex``) after; ``locate``
  composes the text again only for a path neither covers.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

try:
    import _ruamel_yaml
    from _ruamel_yaml import CParser  # the libyaml-backed parser of ruamel.yaml.clib
except ImportError as exc:  # pragma: no cover - packaging error, not user input
    raise ImportError(
        "rolloutplan needs ruamel.yaml.clib (the C parser); pip install 'ruamel.yaml.clib'"
    ) from exc

from rolloutplan.load import positions as kept_positions
from rolloutplan.model.source import FieldPath

MAX_DEPTH = 200
MAX_EXPANDED_NODES = 200_000

_PLAIN = "?plain"
_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _BINARY, _TIMESTAMP, _MERGE = (
    _TAG + t for t in ("map", "seq", "binary", "timestamp", "merge")
)
_STRING_TAGS = frozenset({_STR, _BINARY, _TIMESTAMP})
_CORE_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ, _BINARY, _TIMESTAMP})

_WORDS: dict[str, Any] = {}
for _value, _spellings in (
    (True, "y Y yes Yes YES true True TRUE on On ON"),
    (False, "n N no No NO false False FALSE off Off OFF"),
    (None, "~ null Null NULL"),
    (math.nan, ".nan .NaN .NAN"),
    (math.inf, ".inf .Inf .INF +.inf +.Inf +.INF"),
    (-math.inf, "-.inf -.Inf -.INF"),
):
    for _word in _spellings.split():
        _WORDS[_word] = _value
_WORDS[""] = None

_GO_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_TIMESTAMP_START = re.compile(r"[0-9]{4}-")
_NON_FINITE = re.compile(r"\.(?:inf|Inf|INF|nan|NaN|NAN)")
# A run of text between blanks and flow indicators, where a plain scalar may hold a colon;
# a verbatim tag (``!<tag:yaml.org,2002:str>``) is one run, commas and all.
_RUN = re.compile(r"!<[^>\s]*>|[^\s,\[\]{}]+")
_NOT_TEXT_COLON = frozenset("\"'")  # after a closing quote, ':' is the value indicator
_NOT_PLAIN_START = frozenset("!&*#\"'")  # a tag, anchor, alias, comment or quoted scalar
# A character written as an escape in a double-quoted scalar: not free to be a placeholder.
_ESCAPED = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")
_UNEXPECTED_COLON = "found unexpected ':'"
_YAML_VERSION = "%YAML"
_BOM = "\ufeff"
_R = TypeVar("_R")
_INT64 = 2**63
_UINT64 = 2**64
_MAX_INT_DIGITS = 64  # below 2**64 in every base (binary has the most digits)


class YamlProblem(Exception):
    """A document that cannot be read; ``rule_id`` says which loading rule it breaks."""

    def __init__(self, rule_id: str, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.rule_id = rule_id
        self.message = message
        self.line = line
        self.column = column

    def restored(self, swaps: Swaps) -> YamlProblem:
        """This problem with the swapped characters put back in its message."""
        message = self.message
        for placeholder, original in swaps:
            message = message.replace(placeholder, original)
        if message == self.message:
            return self
        return YamlProblem(self.rule_id, message, self.line, self.column)


# (placeholder, original character) pairs: characters that libyaml and go-yaml read
# differently, swapped before libyaml reads the text, put back in every scalar after
Swaps = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class RawDocument:
    index: int
    data: Any
    line: int
    column: int
    positions: NodePositions | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LoadResult:
    documents: tuple[RawDocument, ...]
    problems: tuple[YamlProblem, ...]


# The C composer builds each node by calling three names with positional arguments: its
# ``resolve`` hook, and the node class it looks up in its module's globals.  Python code run
# there for every node was most of the cost of loading, so both are C callables here:
# ``resolve`` is ``slice`` (the slice keeps what resolution needs: the ``implicit`` flags),
# and the node classes derive from BaseException, the one built-in type whose constructor
# keeps any positional arguments as they are, in ``args``: (tag, value, start_mark,
# end_mark, style).  The tag is that slice when the node has none written, else the tag's
# text.  ``_next_node`` swaps the classes in around our own compositions only: any other
# ruamel user in the process keeps ruamel's classes.  Nodes never leave this module.
class _Node(BaseException):
    __slots__ = ()

    @property
    def start_mark(self) -> Any:  # what the composer reads of a node whose anchor repeats
        return self.args[2]


class _ScalarNode(_Node):
    __slots__ = ()


class _SequenceNode(_Node):
    __slots__ = ("end_mark",)  # set by the composer after the items


class _MappingNode(_Node):
    __slots__ = ("end_mark",)


_NODE_CLASSES = ("ScalarNode", "SequenceNode", "MappingNode")
_RUAMEL_NODES = (ScalarNode, SequenceNode, MappingNode)
_OWN_NODES = (_ScalarNode, _SequenceNode, _MappingNode)
# only where the C module reads exactly ruamel's classes (a future clib may not: then its
# nodes are converted, see ``_converted``)
_CAN_SWAP = all(
    getattr(_ruamel_yaml, name, None) is cls
    for name, cls in zip(_NODE_CLASSES, _RUAMEL_NODES, strict=True)
)


def _next_node(composer: _Composer) -> _Node:
    """The next document's node, composed with our node classes."""
    if not _CAN_SWAP:
        return _converted(composer.get_node())
    module = _ruamel_yaml
    module.ScalarNode, module.SequenceNode, module.MappingNode = _OWN_NODES
    try:
        return composer.get_node()  # type: ignore[no-any-return]
    finally:
        module.ScalarNode, module.SequenceNode, module.MappingNode = _RUAMEL_NODES


class _Composer(CParser):  # type: ignore[misc]
    """libyaml composition without ruamel's resolver: plain scalars are resolved later."""

    # called around every node and ignored: C callables that take the arguments and make
    # nothing (the parent node and the index or key node are hashable; get returns the index)
    descend_resolver = {}.get  # (parent, index)
    ascend_resolver = tuple  # ()
    resolve = slice  # (kind, value, implicit): kept as the tag of a node written without one


def _converted(node: Any) -> _Node:
    """One of our nodes for a node of ruamel's classes (composed where ``_CAN_SWAP`` is
    false), sharing as they share: aliases stay aliases, and a cycle stays a cycle."""
    made: dict[int, _Node] = {}

    def convert(node: Any) -> _Node:
        own = made.get(id(node))
        if own is not None:
            return own
        tag = node.ctag.suffix  # what the composer gave: our ``resolve``'s slice, or the text
        if isinstance(node, ScalarNode):
            own = made[id(node)] = _ScalarNode(tag, node.value, node.start_mark, None, None)
            return own
        items: list[Any] = []
        cls = _MappingNode if isinstance(node, MappingNode) else _SequenceNode
        own = made[id(node)] = cls(tag, items, node.start_mark, None, None)
        for item in node.value:
            items.append(tuple(map(convert, item)) if cls is _MappingNode else convert(item))
        return own

    return convert(node)


def _plain(node: _Node) -> bool:
    """An untagged plain scalar: one that YAML resolves (``yes``, ``017``, ``~``)."""
    tag = node.args[0]
    return type(tag) is slice and type(node) is _ScalarNode and tag.step[0] is True


def _tag(node: _Node) -> str:
    tag = node.args[0]
    if type(tag) is not slice:
        return str(Tag(suffix=tag))  # a written tag, read as ruamel reads it
    if type(node) is _ScalarNode:
        return _PLAIN if tag.step[0] else _STR
    return _MAP if type(node) is _MappingNode else _SEQ


def load_documents(text: str, *, positions: bool = False) -> LoadResult:
    """Every non-empty document of ``text``; a problem stops reading the rest of the stream,
    and the documents before it are kept.  With ``positions`` each keeps its nodes to
    locate findings in (memory: hold such documents only while their file is checked)."""
    return _go_grammar(text, functools.partial(_load, positions=positions))


def _go_grammar(text: str, read: Callable[[str, Swaps], tuple[_R, YamlProblem | None]]) -> _R:
    """``read`` of the text as go-yaml v2 reads it: a BOM after the start is text to
    go-yaml (libyaml skips it), and when libyaml refuses a colon in a flow plain scalar,
    again with such colons swapped."""
    first = (_swap(text, colons=False) if text.find(_BOM, 1) > 0 else None) or (text, ())
    result, problem = read(*first)
    if problem is not None and _UNEXPECTED_COLON in problem.message:
        swapped = _swap(text, colons=True)
        if swapped is not None:
            result, _ = read(*swapped)
    return result


def _load(text: str, swaps: Swaps, *, positions: bool) -> tuple[LoadResult, YamlProblem | None]:
    documents: list[RawDocument] = []
    # an alias needs an anchor: without both, no node is met twice (kubectl's output)
    has_aliases = "*" in text and "&" in text
    non_finite = _NON_FINITE.search(text) is not None
    stop = _stop(text)
    try:
        limit = None if stop is None else stop[0]
        for index, node in enumerate(_compose_all(text, limit, swaps)):
            if _is_empty(node):
                continue
            data = _build(node, has_aliases=has_aliases, non_finite=non_finite)
            mark = node.args[2]
            kept = NodePositions(node) if positions else None
            documents.append(RawDocument(index, data, mark.line + 1, mark.column + 1, kept))
    except YamlProblem as problem:
        return LoadResult(tuple(documents), (problem.restored(swaps),)), problem
    return LoadResult(tuple(documents), (stop[1].restored(swaps),) if stop else ()), None


def _swap(text: str, *, colons: bool) -> tuple[str, Swaps] | None:
    """``text`` with the characters go-yaml v2 reads as text but libyaml does not swapped
    for private-use characters (of the same length: positions stay exact), and the swaps;
    None when the text leaves too few such characters unused.  Every BOM goes (the one
    that starts the text is gone already); with ``colons``, each ':' that go-yaml reads as
    part of a plain scalar even in a flow collection (see ``_text_colons``)."""
    free = _free_characters(text)
    bom, placeholder = next(free, None), next(free, None)
    if bom is None or placeholder is None:
        return None
    text = text[:1] + text[1:].replace(_BOM, bom)  # a BOM that starts the text is one
    if not colons:
        return text, ((bom, _BOM),)
    return _text_colons(text, placeholder), ((bom, _BOM), (placeholder, ":"))


def _free_characters(text: str) -> Iterator[str]:
    """Private-use characters that neither the text nor an escape in it (``"\\ue000"``)
    holds: put back as the swapped character in every scalar, one that was there would
    change its value."""
    used = set(text)
    escaped = {int(short or long, 16) for short, long in _ESCAPED.findall(text)}
    return (chr(c) for c in range(0xE000, 0xF900) if c not in escaped and chr(c) not in used)


def _text_colons(text: str, placeholder: str) -> str:
    """``text`` with ``placeholder`` for each ':' that go-yaml reads as part of a plain
    scalar: one followed by a non-blank, not after a closing quote nor in a tag, anchor or
    alias, and at the start of a run only where it goes on a plain scalar after blanks
    (``[a :b]`` is the text "a :b").  One in a quoted, block or block-context scalar or a
    comment is text either way, and is put back."""
    after_plain = False  # the run before, with only blanks since, ends a plain scalar
    end_before = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal after_plain, end_before
        run = match.group()
        start, end = match.span()
        goes_on = after_plain and text[end_before:start].isspace()
        after_plain = (
            run[0] not in _NOT_PLAIN_START and run[-1] not in ":\"'" and run not in ("-", "?")
        )
        end_before = end
        if ":" not in run[0 if goes_on else 1 :] or run[0] in "!&*":
            return run
        last_is_text = end < len(text) and text[end] in ",[]{}"
        chars = list(run)
        for index in range(0 if goes_on else 1, len(chars)):
            if (
                chars[index] == ":"
                and (index == 0 or run[index - 1] not in _NOT_TEXT_COLON)
                and (index + 1 < len(chars) or last_is_text)
            ):
                chars[index] = placeholder
        return "".join(chars)

    return _RUN.sub(swap, text)


def _compose_all(text: str, limit: int | None = None, swaps: Swaps = ()) -> Iterator[_Node]:
    """The node of each document, up to (not including) document ``limit``, with the
    swapped characters put back in every scalar."""
    composer = _Composer(text)
    try:
        index = 0
        while (limit is None or index < limit) and composer.check_node():
            node = _next_node(composer)
            if swaps:
                _restore(node, swaps)
            yield node
            index += 1
    except MarkedYAMLError as exc:
        raise _syntax_problem(exc) from None
    except YAMLError as exc:  # ReaderError: a character YAML does not allow
        raise _reader_problem(text, exc) from None


def _restore(root: _Node, swaps: Swaps) -> None:
    """Put the swapped characters back in every scalar of a document, each node once
    (aliases share nodes, and a cycle is reported later by the builder)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        args = node.args
        if type(node) is _ScalarNode:
            text = args[1]
            for placeholder, original in swaps:
                text = text.replace(placeholder, original)
            node.args = (args[0], text, *args[2:])
        elif type(node) is _MappingNode:
            for key, value in args[1]:
                stack.extend((key, value))
        else:
            stack.extend(args[1])


def _syntax_problem(exc: MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    parts = [p for p in (exc.problem, exc.context) if p]
    message = "YAML syntax error: " + "; ".join(parts)
    if exc.context_mark is not None and exc.context:
        message += f" (started at line {exc.context_mark.line + 1})"
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return YamlProblem("RP001", message, line, column)


def _reader_problem(text: str, exc: YAMLError) -> YamlProblem:
    position = getattr(exc, "position", 0) or 0
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = getattr(exc, "character", None)
    what = f"character {character!r}" if character is not None else "a character"
    return YamlProblem("RP001", f"YAML syntax error: {what} is not allowed in YAML", line, column)


def _is_empty(node: _Node) -> bool:
    return _plain(node) and node.args[1].strip() in ("", "~", "null")


def _stop(text: str) -> tuple[int, YamlProblem] | None:
    """The first document that must not be composed, and why: nested too deep, or a YAML
    version other than 1.1 (go-yaml v2 reads no other)."""
    too_deep = _too_deep(text)
    version = _bad_version(text) if _YAML_VERSION in text else None
    if too_deep is None or version is None:
        return too_deep or version
    return min(too_deep, version, key=lambda stop: stop[0])


@functools.lru_cache(maxsize=4)
def _bad_version(text: str) -> tuple[int, YamlProblem] | None:
    """The first document whose ``%YAML`` directive names a version other than 1.1."""
    parser = _Composer(text)
    document = -1
    try:
        while parser.check_event():
            event = parser.get_event()
            if type(event).__name__ != "DocumentStartEvent":
                continue
            document += 1
            version = getattr(event, "version", None)
            if version is not None and tuple(version) != (1, 1):
                mark = event.start_mark
                message = (
                    f"YAML syntax error: %YAML {version[0]}.{version[1]} is not read by "
                    "Kubernetes (go-yaml v2 reads only YAML 1.1: found incompatible YAML document)"
                )
                return document, YamlProblem("RP001", message, mark.line + 1, mark.column + 1)
    except YAMLError:
        return None
    return None


@functools.lru_cache(maxsize=4)  # load_documents, then locate: one scan
def _too_deep(text: str) -> tuple[int, YamlProblem] | None:
    """The first document nested deeper than MAX_DEPTH, with the RP009 problem, found before
    libyaml's recursive composer sees it; None when there is none before any syntax error
    (the composer reports that, and nests no deeper than the text before it)."""
    if _shallow(text):
        return None
    return _nested_too_deep(text)


_OTHER_BREAKS = "\r\x85\u2028\u2029"  # line breaks besides LF, in YAML 1.1 and libyaml
_BREAKS = f"[\n{_OTHER_BREAKS}]"


def _shallow(text: str) -> bool:
    """Whether ``text`` surely nests no deeper than MAX_DEPTH: each flow collection needs a
    bracket, and a block one starts after its line's lead (indentation, then "- ", "? ",
    ": "), with at most two in a column (a mapping, and a sequence written at its key's
    indentation).  One search in C for a lead too long for the room the brackets leave."""
    room = MAX_DEPTH - text.count("[") - text.count("{")
    if room < 2:
        return False
    lead = f"[ \t?:-]{{{room // 2}}}"  # re keeps the patterns it compiled
    # each line break YAML knows (libyaml's too: CR, NEL, LS and PS besides LF) starts a
    # line; a literal LF first lets the engine skip from line to line in C
    breaks = _BREAKS if any(other in text for other in _OTHER_BREAKS) else "\n"
    return re.match(lead, text) is None and re.search(breaks + lead, text) is None


def _nested_too_deep(text: str) -> tuple[int, YamlProblem] | None:
    """``_too_deep`` by reading every event."""
    parser = _Composer(text)
    depth = 0
    document = -1
    try:
        while parser.check_event():
            event = parser.get_event()
            name = type(event).__name__
            if name in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    message = f"YAML nesting deeper than {MAX_DEPTH} levels; refused"
                    return document, YamlProblem("RP009", message, mark.line + 1, mark.column + 1)
            elif name in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
            elif name == "DocumentStartEvent":
                document += 1
    except YAMLError:
        return None
    return None


def _build(node: _Node, *, has_aliases: bool, non_finite: bool) -> Any:
    """The plain data of one document's nodes.  Most documents hold no alias, no tag, no
    merge key, no non-text key and no non-finite float: ``_plain_data`` builds those; any
    other is built by ``_Builder``, which reads every case (and reports its problems)."""
    if not has_aliases and not non_finite:
        try:
            return _plain_data(node)
        except _Unusual:
            pass
    return _Builder(has_aliases=has_aliases, non_finite=non_finite).build(node)


class _Unusual(Exception):
    """A node ``_plain_data`` leaves to ``_Builder``."""


def _plain_data(node: _Node) -> Any:
    """What ``_Builder`` builds from a document without aliases (each node is met once),
    for the common nodes only; ``_Unusual`` for any other (a tag, a merge key, a key that is
    a collection, null, a number beyond int64 or a duplicate).  Inlined for scalars: this is
    called for most values of every document."""
    args = node.args
    tag = args[0]
    if type(tag) is not slice:
        raise _Unusual
    kind = type(node)
    if kind is _ScalarNode:
        text = args[1]
        if tag.step[0]:
            value = _RESOLVED.get(text, _MISSING)
            return _resolve_short(text) if value is _MISSING else value
        return text
    if kind is _SequenceNode:
        return [_plain_data(item) for item in args[1]]
    result: dict[str, Any] = {}
    items = args[1]
    for key_node, value_node in items:
        key_args = key_node.args
        key_tag = key_args[0]
        if type(key_tag) is not slice or type(key_node) is not _ScalarNode:
            raise _Unusual
        key = key_args[1]
        if key_tag.step[0]:
            key = _KEY_TEXTS.get(key) or _plain_key(key)
        value_args = value_node.args
        value_tag = value_args[0]
        if type(value_node) is not _ScalarNode or type(value_tag) is not slice:
            result[key] = _plain_data(value_node)
        elif value_tag.step[0]:
            text = value_args[1]
            value = _RESOLVED.get(text, _MISSING)
            result[key] = _resolve_short(text) if value is _MISSING else value
        else:
            result[key] = value_args[1]
    if len(result) != len(items):
        raise _Unusual  # a duplicate key
    return result


def _plain_key(text: str) -> str:
    """The JSON key of an untagged plain scalar key, as ``_Builder`` reads it; ``_Unusual``
    for a merge key and for the keys it refuses."""
    if text == "<<":
        raise _Unusual
    key = _key_text(_resolve_short(text))
    if key is None:
        raise _Unusual
    if len(text) <= _SHORT and len(_KEY_TEXTS) < _CACHED:  # bounded in size, not only count
        _KEY_TEXTS[text] = key
    return key


class _Builder:
    """Builds plain data from one document's nodes, sharing aliased nodes."""

    def __init__(self, *, has_aliases: bool, non_finite: bool = False) -> None:
        self.non_finite = non_finite  # the text may hold .inf or .nan: check float values
        self.built: dict[int, tuple[Any, int]] = {}
        self.building: set[int] = set()
        self.expanded = 0
        # scalars seen, to count aliased ones; not needed (nor paid for) without any alias
        self.scalars: set[int] | None = set() if has_aliases else None

    def build(self, node: _Node) -> Any:
        return self._value(node)[0]

    def _value(self, node: _Node) -> tuple[Any, int]:
        if type(node) is _ScalarNode:
            if self.scalars is not None:
                self._count_scalar(node)
            # the common case first: an untagged plain scalar
            value = _resolve_short(node.args[1]) if _plain(node) else _scalar(node)
            return (_finite(value, node) if self.non_finite else value), 1
        known = self.built.get(id(node))
        if known is not None:  # an alias: reuse, but count its full expansion
            self._count(known[1], node)
            return known
        if id(node) in self.building:
            raise _problem(
                node,
                "RP001",
                "YAML error: an alias refers to a value that contains it (a cycle)",
            )
        self.building.add(id(node))
        build = self._mapping if type(node) is _MappingNode else self._sequence
        result = build(node)
        self.building.discard(id(node))
        self.built[id(node)] = result
        return result

    def _count(self, size: int, node: _Node) -> None:
        """Count the values an alias adds: the document's own nodes are bounded by the file
        size, so only what aliases repeat can grow without bound."""
        self.expanded += size
        if self.expanded > MAX_EXPANDED_NODES:
            raise _problem(
                node,
                "RP008",
                f"aliases expand this document to more than {MAX_EXPANDED_NODES:,} values; "
                "refused (a YAML alias bomb?)",
            )

    def _count_scalar(self, node: _Node) -> None:
        """A scalar node met again is an alias of it: one more value."""
        assert self.scalars is not None
        if id(node) in self.scalars:
            self._count(1, node)
        else:
            self.scalars.add(id(node))

    def _sequence(self, node: _Node) -> tuple[list[Any], int]:
        _check_tag(node, _SEQ)
        items: list[Any] = []
        size = 1
        for child in node.args[1]:
            value, child_size = self._value(child)
            items.append(value)
            size += child_size
        return items, size

    def _mapping(self, node: _Node) -> tuple[dict[str, Any], int]:
        _check_tag(node, _MAP)
        result: dict[str, Any] = {}
        written: set[str] | None = None  # the keys written, once a merge mixes in others
        size = 1
        for key_node, value_node in node.args[1]:
            if _is_merge_key(key_node):
                # go-yaml v2 merges in place: the merged keys replace those written before
                # the <<, keys written after it replace them, and of several sources the
                # first wins
                value, child_size = self._value(value_node)
                if written is None:
                    written = set(result)
                for source in reversed(_merge_sources(value, value_node)):
                    result.update(source)
                size += child_size
                continue
            key = self._key(key_node)
            if written is None:
                duplicate = key in result
            else:
                duplicate = key in written
                written.add(key)
            if duplicate:
                mark = key_node.args[2]
                raise YamlProblem(
                    "RP002",
                    f'duplicate key "{key}" (Kubernetes rejects duplicate fields)',
                    mark.line + 1,
                    mark.column + 1,
                )
            value, child_size = self._value(value_node)
            result[key] = value
            size += child_size
        return result, size

    def _key(self, node: _Node) -> str:
        if type(node) is not _ScalarNode:
            hint = " (an unrendered {{ template }}?)" if node.args[4] else ""
            raise _problem(
                node,
                "RP001",
                f"YAML syntax error: a mapping key must be a scalar, not a collection{hint}",
            )
        if self.scalars is not None:
            self._count_scalar(node)
        return _json_key(_scalar(node), node)


def _finite(value: Any, node: _Node) -> Any:
    """``value``, unless it is a float JSON cannot hold (sigs.k8s.io/yaml fails on it)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _problem(
            node,
            "RP001",
            f"YAML value {node.args[1]!r} is {value} as a float, which JSON cannot hold: "
            "Kubernetes fails to convert the document (quote it to make it a string)",
        )
    return value


def _json_key(key: Any, node: _Node) -> str:
    """The key as sigs.k8s.io/yaml turns it into a JSON key; null keys and integers beyond
    int64 (go-yaml's uint64) are refused, as it refuses them."""
    text = _key_text(key)
    if text is None:
        what = "null" if key is None else f"the integer {key} (beyond int64)"
        raise _problem(
            node,
            "RP001",
            f"YAML error: a mapping key cannot be {what}; Kubernetes cannot convert it to a "
            "JSON key (quote it to make it a string)",
        )
    return text


def _is_merge_key(node: _Node) -> bool:
    if type(node) is not _ScalarNode:
        return False
    if type(node.args[0]) is slice:  # no tag written
        return node.args[1] == "<<" and _plain(node)
    return _tag(node) == _MERGE


def _merge_sources(value: Any, node: _Node) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    raise _problem(
        node,
        "RP001",
        "YAML syntax error: a merge key (<<) needs a mapping or a list of mappings",
    )


def _check_tag(node: _Node, expected: str) -> None:
    """go-yaml v2 reads a collection by its kind whatever core tag it has (``!!str {}`` is
    a mapping); any other tag is refused."""
    if type(node.args[0]) is slice:
        return  # no tag written: its kind's
    tag = _tag(node)
    if tag != expected and tag not in _CORE_TAGS:
        _refuse_tag(node)


def _refuse_tag(node: _Node) -> None:
    raise _problem(
        node,
        "RP007",
        f"YAML tag {_tag(node).replace(_TAG, '!!')!r} is not allowed in Kubernetes manifests; "
        "it was not constructed",
    )


def _scalar(node: _Node) -> Any:
    tag = _tag(node)
    text: str = node.args[1]
    if tag == _PLAIN:
        return resolve_plain(text)
    if tag == _BINARY:
        return _binary(node)
    if tag in _STRING_TAGS:
        return text
    if tag in (_INT, _FLOAT, _BOOL, _NULL):
        value = resolve_plain(text)
        if _type_tag(value) == tag or (tag == _FLOAT and _type_tag(value) == _INT):
            return float(value) if tag == _FLOAT else value
        raise _problem(
            node,
            "RP001",
            f"YAML error: cannot decode {text!r} as {tag.replace(_TAG, '!!')}",
        )
    _refuse_tag(node)
    return None  # pragma: no cover - _refuse_tag raises


def _binary(node: _Node) -> str:
    """A ``!!binary`` scalar decoded, as go-yaml v2 does (the bytes as a string; JSON then
    replaces what is not UTF-8)."""
    text: str = node.args[1].replace("\n", "").replace("\r", "")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode(
            "utf-8", errors="replace"
        )
    except (binascii.Error, UnicodeEncodeError):
        raise _problem(
            node,
            "RP001",
            "YAML error: a !!binary value is not valid base64",
        ) from None


def _type_tag(value: Any) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INT
    if isinstance(value, float):
        return _FLOAT
    return _STR


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar as go-yaml v2 does (sigs.k8s.io/yaml)."""
    if text in _WORDS:
        return _WORDS[text]
    first = text[0]
    if first == ".":
        return _go_float(text, text)
    if not (first.isdigit() and first.isascii()) and first not in "+-":
        return text
    if _TIMESTAMP_START.match(text):
        return text  # go-yaml keeps timestamps as strings when decoding into interface{}
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None and -_INT64 <= number < _UINT64:
        return number
    return _go_float(plain, text)


# Keys and many values repeat from file to file: the short ones are resolved once (what
# resolve_plain returns is immutable, and shared as the builder shares aliased values), in
# dicts that the builders read inline (cheaper than calling a cache), up to _CACHED texts
_SHORT = 64
_CACHED = 1 << 14
_RESOLVED: dict[str, Any] = {}  # plain scalar text -> resolve_plain(text)
_KEY_TEXTS: dict[str, str] = {}  # plain key text -> its JSON key (see _plain_key)
_MISSING = object()


def _resolve_short(text: str) -> Any:
    """``resolve_plain(text)``, remembered for short texts."""
    value = _RESOLVED.get(text, _MISSING)
    if value is _MISSING:
        value = resolve_plain(text)
        if len(text) <= _SHORT and len(_RESOLVED) < _CACHED:
            _RESOLVED[text] = value
    return value


def _go_float(plain: str, text: str) -> float | str:
    """strconv.ParseFloat behind go-yaml's float pattern; out of range (1e400) it fails and
    the scalar stays the string ``text``."""
    if not _GO_FLOAT.match(plain):
        return text
    value = float(plain)
    return text if math.isinf(value) else value


def _go_int(text: str) -> int | None:
    """strconv.ParseInt/ParseUint with base 0: 0x, 0o, 0b prefixes and leading-zero octal."""
    match = _GO_INT.match(text)
    if match is None:
        return None
    sign, digits = match.groups()
    prefixed = len(digits) > 1 and digits[1] in "xXoObB"
    if len(digits[2 if prefixed else 0 :].lstrip("0")) > _MAX_INT_DIGITS:
        return None  # out of range in any base (and int() refuses over 4,300 digits)
    if len(digits) > 1 and digits[0] == "0" and digits[1] not in "xXoObB":
        value = int(digits[1:], 8)
    else:
        value = int(digits, 0)
    return -value if sign == "-" else value


def _key_text(key: Any) -> str | None:
    """sigs.k8s.io/yaml turns non-string keys into strings before JSON conversion; None for
    the keys it refuses (null, and go-yaml's uint64: integers beyond int64)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key) if key < _INT64 else None
    if isinstance(key, float):
        return _go_float32_text(key)
    return None


def _go_float32_text(value: float) -> str:
    """Go's strconv.FormatFloat(value, 'g', -1, 32), as sigs.k8s.io/yaml writes float keys:
    the shortest digits that read back as the same float32, in exponent form when the
    exponent is below -4 or 6 and above."""
    if math.isnan(value):
        return ".nan"
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:  # beyond float32: Go's conversion gives an infinity
        single = math.copysign(math.inf, value)
    if math.isinf(single):
        return ".inf" if single > 0 else "-.inf"
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for precision in range(1, 10):
        digits = f"{single:.{precision - 1}e}"
        if struct.unpack("f", struct.pack("f", float(digits)))[0] == single:
            break
    mantissa, exponent_text = digits.split("e")
    exponent = int(exponent_text)
    sign = "-" if mantissa.startswith("-") else ""
    figures = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    if exponent < -4 or exponent >= 6:
        tail = "." + figures[1:] if len(figures) > 1 else ""
        return f"{sign}{figures[0]}{tail}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{figures}"
    whole = figures[: exponent + 1].ljust(exponent + 1, "0")
    fraction = figures[exponent + 1 :]
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def locate(
    text: str, document_index: int, path: FieldPath, *, at_key: bool = False
) -> tuple[int, int, FieldPath]:
    """1-based (line, column) of ``path`` in the document, and the part of the path that exists.

    A path that exists points at its scalar value (at its key with ``at_key``), or at the
    key of a mapping or list value.  A path that does not exist points at the key of its
    deepest existing ancestor.
    """
    nodes, keys = _composed(text)
    if document_index >= len(nodes):
        return 1, 1, ()
    return _walk(nodes[document_index], path, at_key, keys)


def _walk(
    node: _Node, path: FieldPath, at_key: bool, keys: _KeyIndexes
) -> tuple[int, int, FieldPath]:
    """``locate`` in the nodes of one document."""
    mark = node.args[2]
    key_mark = mark
    found: list[str | int] = []
    for part in path:
        step = _child(node, part, keys)
        if step is None:
            break
        key_mark, node = step
        found.append(part)
    if found and len(found) == len(path) and type(node) is _ScalarNode and not at_key:
        mark = node.args[2]
    elif found:
        mark = key_mark
    return mark.line + 1, mark.column + 1, tuple(found)


class _KeyIndex:
    """One mapping node's keys, read once: the first key of each text with its place in the
    mapping, and the ``<<`` sources, the one that wins first (as the builder merges: a later
    ``<<`` over an earlier one, the first source of a list over the rest).  The node is held
    too, so that its id, the index's key, is not reused while the index lives."""

    __slots__ = ("keys", "merged", "node")

    def __init__(self, node: _Node) -> None:
        self.node = node
        self.keys: dict[str | None, tuple[int, Any, _Node]] = {}
        self.merged: list[tuple[int, _Node]] = []
        for place, (key_node, value_node) in enumerate(node.args[1]):
            tag, key, mark = key_node.args[:3]
            if type(tag) is slice and type(key_node) is _ScalarNode and key != "<<":
                if tag.step[0]:  # most keys are plain text
                    key = _resolve_short(key)
                text = key if type(key) is str else _key_text(key)
                self.keys.setdefault(text, (place, mark, value_node))
            elif _is_merge_key(key_node):
                sources = value_node.args[1] if type(value_node) is _SequenceNode else [value_node]
                self.merged[:0] = [(place, source) for source in sources]
            elif type(key_node) is _ScalarNode:
                text = _key_text(_scalar_or_text(key_node))
                self.keys.setdefault(text, (place, mark, value_node))


_KeyIndexes = dict[int, _KeyIndex]  # by id() of the mapping node


@functools.lru_cache(maxsize=4)
def _composed(text: str) -> tuple[tuple[_Node, ...], _KeyIndexes]:
    """The documents' nodes up to the first one that cannot be read (positions before a
    broken document stay exact), and their mappings' key indexes, built as findings are
    located: a lookup costs O(1), not a scan of the mapping (10^5 unknown keys would make
    locating their findings quadratic)."""
    return _go_grammar(text, _compose_nodes), {}


def _compose_nodes(text: str, swaps: Swaps) -> tuple[tuple[_Node, ...], YamlProblem | None]:
    stop = _stop(text)
    nodes: list[_Node] = []
    try:
        for node in _compose_all(text, None if stop is None else stop[0], swaps):
            nodes.append(node)
    except YamlProblem as problem:
        return tuple(nodes), problem
    return tuple(nodes), None


def _key_index(node: _Node, indexes: _KeyIndexes) -> _KeyIndex:
    index = indexes.get(id(node))
    if index is None:
        index = indexes[id(node)] = _KeyIndex(node)
    return index


def _child(node: _Node, part: str | int, indexes: _KeyIndexes) -> tuple[Any, _Node] | None:
    if type(node) is _SequenceNode and isinstance(part, int):
        items = node.args[1]
        if 0 <= part < len(items):
            child = items[part]
            return child.args[2], child
        return None
    if type(node) is not _MappingNode:
        return None
    index = _key_index(node, indexes)
    written = index.keys.get(str(part))
    for place, source in index.merged:
        if written is not None and place < written[0]:
            break  # written after this merge and every later-listed one: it wins
        found = _child(source, part, indexes)
        if found is not None:
            return found
    return None if written is None else (written[1], written[2])


class NodePositions:
    """One document's nodes, to locate its findings in without composing it again."""

    __slots__ = ("indexes", "root")

    def __init__(self, root: _Node) -> None:
        self.root = root
        self.indexes: _KeyIndexes = {}

    def locate(self, path: FieldPath, at_key: bool = False) -> tuple[int, int, FieldPath]:
        return _walk(self.root, path, at_key, self.indexes)

    def kept(self, paths: Iterable[FieldPath]) -> kept_positions.PositionIndex:
        """The positions ``locate`` gives for every path that starts with one of ``paths``
        (and for their ancestors), without the nodes.  A kept field whose content holds
        more than MAX_KEPT_POSITIONS values (aliases) is left out: its paths are not known;
        so is the whole document when one of them is beyond ``positions.MAX_COLUMN``."""
        try:
            root = _Keeper(self.indexes).node(self.root, _wanted(tuple(paths)))
        except ValueError:  # a column beyond MAX_COLUMN (minified JSON)
            root = [kept_positions.pack(1, 1), kept_positions.UNKNOWN, None]
        return kept_positions.PositionIndex(root)


MAX_KEPT_POSITIONS = 10_000  # per kept field: far beyond any selector or list of ports


class _Wanted:
    """The fields of a collection whose positions are kept: for each part, its own wanted
    fields, or None for the whole content."""

    __slots__ = ("by_text", "parts")

    def __init__(self, parts: dict[Any, _Wanted | None]) -> None:
        self.parts = parts
        # every part a text that no other spelling of a key reads as (not "1", "true"): a
        # mapping's keys as written can be compared with them (see ``_written_keys``)
        self.by_text = all(
            type(part) is str and type(_resolve_short(part)) is str for part in parts
        )


@functools.lru_cache(maxsize=64)  # the same few paths for every document
def _wanted(paths: tuple[FieldPath, ...]) -> _Wanted | None:
    """The fields ``kept`` keeps for ``paths``: a path under one kept whole adds nothing."""
    tree: dict[Any, Any] = {}  # nested, with _WHOLE for a field kept whole
    for path in paths:
        if not path:
            return None  # the whole document
        level = tree
        for part in path[:-1]:
            level = level.setdefault(part, {})
            if level is _WHOLE:
                break
        else:
            level[path[-1]] = _WHOLE
    return _frozen(tree)


_WHOLE: dict[Any, Any] = {}  # compared by identity


def _frozen(tree: dict[Any, Any]) -> _Wanted | None:
    if tree is _WHOLE:
        return None
    return _Wanted({part: _frozen(inner) for part, inner in tree.items()})


def _position(mark: Any) -> int:
    """``positions.pack`` of a mark (inlined: called for every kept value)."""
    if mark.column >= kept_positions.MAX_COLUMN:
        raise ValueError("column beyond MAX_COLUMN")
    return (mark.line + 1) << kept_positions.LINE_SHIFT | (mark.column + 1)


class _Keeper:
    """Builds a ``PositionIndex`` node from a node, as ``_walk`` would find its fields."""

    def __init__(self, indexes: _KeyIndexes) -> None:
        self.indexes = indexes
        self.budget = 0

    def node(self, node: _Node, wanted: _Wanted | None) -> Any:
        start = _position(node.args[2])
        if type(node) is _ScalarNode:
            return start
        if wanted is None:
            self.budget = MAX_KEPT_POSITIONS
            try:
                return self._every(node)
            except _TooMany:
                return [start, kept_positions.UNKNOWN, None]
        if type(node) is _SequenceNode:
            items: dict[str, Any] = {}
            values = node.args[1]
            for part, inner in wanted.parts.items():
                if isinstance(part, int):
                    found = values[part] if 0 <= part < len(values) else None
                    items[str(part)] = None if found is None else self.node(found, inner)
            return [start, kept_positions.SOME_ITEMS, items]
        keys: dict[str, Any] = {}
        scanned = _written_keys(node, wanted.parts) if wanted.by_text else None
        for part, inner in wanted.parts.items():
            step = _child(node, part, self.indexes) if scanned is None else scanned.get(part)
            keys[str(part)] = (
                None if step is None else [_position(step[0]), self.node(step[1], inner)]
            )
        return [start, kept_positions.SOME_KEYS, keys]

    def _every(self, node: _Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooMany
        args = node.args
        start = _position(args[2])
        if type(node) is _ScalarNode:
            return start
        if type(node) is _SequenceNode:
            return [start, kept_positions.SEQUENCE, [self._every(item) for item in args[1]]]
        # most mappings: untagged scalar keys and no merge, each key as written is what
        # _child finds, read here without an index (all keys first: a merge may replace the
        # value of a key written before it, and the general path never counts that value)
        pairs = args[1]
        texts: list[str | None] = []
        for key_node, _ in pairs:
            key_args = key_node.args
            tag, text = key_args[0], key_args[1]
            if type(tag) is not slice or type(key_node) is not _ScalarNode or text == "<<":
                return self._every_found(node, start)
            if tag.step[0]:
                text = _KEY_TEXTS.get(text) or _key_text(_resolve_short(text))
            texts.append(text)
        keys: dict[str, Any] = {}
        for text, (key_node, value_node) in zip(texts, pairs, strict=True):
            if text is not None and text not in keys:
                keys[text] = [_position(key_node.args[2]), self._every(value_node)]
        return [start, kept_positions.MAPPING, keys]

    def _every_found(self, node: _Node, start: int) -> Any:
        """A mapping's content as ``_child`` finds it: by its key index, merges and all."""
        keys: dict[str, Any] = {}
        index = _key_index(node, self.indexes)
        if not index.merged:  # each key as written: what _child finds, without the calls
            for text, (_, mark, value) in index.keys.items():
                if text is not None:
                    keys[text] = [_position(mark), self._every(value)]
            return [start, kept_positions.MAPPING, keys]
        for key in _every_key(node, self.indexes):
            step = _child(node, key, self.indexes)
            if step is not None:
                keys[key] = [_position(step[0]), self._every(step[1])]
        return [start, kept_positions.MAPPING, keys]


def _written_keys(node: _Node, wanted: dict[Any, Any]) -> dict[str, Any] | None:
    """The ``wanted`` keys of a mapping as ``_child`` finds them, by one scan of the keys as
    written (a kept document's root, spec, metadata), for wanted keys that only a text key
    spells (``_Wanted.by_text``); None when that is not the same: a merge key."""
    found: dict[str, Any] = {}
    for key_node, value_node in node.args[1]:
        if type(key_node) is not _ScalarNode:
            continue
        args = key_node.args
        text = args[1]
        if text == "<<" or (type(args[0]) is not slice and _is_merge_key(key_node)):
            return None
        if text in wanted and text not in found:
            found[text] = (args[2], value_node)
    return found


class _TooMany(Exception):
    """A kept field holds more than MAX_KEPT_POSITIONS values."""


def _every_key(node: _Node, indexes: _KeyIndexes) -> dict[str, None]:
    """Every key ``_child`` finds in a mapping: its own and its merged ones."""
    index = _key_index(node, indexes)
    keys = dict.fromkeys(key for key in index.keys if key is not None)
    for _, source in index.merged:
        if type(source) is _MappingNode:
            keys.update(_every_key(source, indexes))
    return keys


def _scalar_or_text(node: _Node) -> Any:
    return resolve_plain(node.args[1]) if _plain(node) else node.args[1]


def _problem(node: _Node, rule: str, message: str) -> YamlProblem:
    """A problem at the start of ``node``."""
    mark = node.args[2]
    return YamlProblem(rule, message, mark.line + 1, mark.column + 1)
