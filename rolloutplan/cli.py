"""The command line: the only module that imports click or exits.  The manifests are read
by ``inputs``; the outputs are written here."""

from __future__ import annotations

import atexit
import contextlib
import errno
import gc
import os
import re
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from rolloutplan import __version__
from rolloutplan.inputs import (
    DEFAULT_EXCLUDES,
    Excludes,
    exclusion,
    is_file_source,
    read_sources,
)

if TYPE_CHECKING:
    from rolloutplan.cache import ResultCache

SEVERITIES = ("error", "warning", "info")
FORMATS = ("text", "json", "sarif", "github", "markdown", "junit", "svg")
PLAN_FORMATS = ("svg",)  # draw rollout plans only: plan and check
PROGRESS_FROM = 50  # files; fewer finish before a progress line would help
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
# the status a shell reports for a program a closed pipe ends (128 + SIGPIPE), as `| head` does
EXIT_BROKEN_PIPE = 141


class _Commands(click.Group):
    """The commands' errors may quote what the user or a repository gave (a revision, a
    config value, a path): escaped before click prints them, as every output is."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            exc.message = _escaped(exc.message)
            raise


def _escaped(text: str) -> str:
    from rolloutplan.report.escape import shown_line

    return shown_line(text)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="rolloutplan")
def cli() -> None:
    """Lint Kubernetes Deployment, ReplicaSet and Service manifests and plan their rollouts."""


def _with_options(
    command: Callable[..., None], options: tuple[Callable[..., Any], ...]
) -> Callable[..., None]:
    """Apply click decorators in the order they are listed (the first shows first in --help)."""
    for option in reversed(options):
        command = option(command)
    return command


def _plan_formats(ctx: click.Context, _: click.Parameter, formats: tuple[str, ...]) -> Any:
    """--format svg draws plans: lint and services plan nothing, so it is a usage error there."""
    drawn = [f for f in formats if f in PLAN_FORMATS]
    if drawn and ctx.info_name not in ("plan", "check"):
        raise click.BadParameter(
            f"{drawn[0]} draws rollout plans: use it with `rolloutplan plan` or `rolloutplan check`"
        )
    return formats


def check_options(command: Callable[..., None]) -> Callable[..., None]:
    """Options shared by every command that reads manifests; None means "not given", so a
    config file can supply the value."""
    options = (
        click.argument("paths", nargs=-1, required=True),
        click.option("--format", "output_formats", type=click.Choice(FORMATS), multiple=True,
                     callback=_plan_formats,
                     help="Output format [default: text]; repeat it with --output to write "
                     "several formats in one run."),
        click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
                     help="Write the n-th --format to this file instead of standard output."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                     show_default=True,
                     help="Colour severities in text output (auto: on a terminal, unless "
                     "NO_COLOR is set)."),
        click.option("-q", "--quiet", is_flag=True,
                     help="Text output: only the findings, no plans, tables or summary."),
        click.option("--fail-on", type=click.Choice(SEVERITIES),
                     help="Exit 1 when a finding is at least this severe [default: error]."),
        click.option("--kubernetes-version", metavar="X.Y",
                     help="Kubernetes minor version whose schemas apply [default: newest]."),
        click.option("--strict-kinds", is_flag=True, default=None,
                     help="Report kinds rolloutplan does not check."),
        click.option("-n", "--namespace",
                     help="Namespace of objects that do not set one [default: default]."),
        click.option("--previous", "previous_paths", multiple=True, metavar="PATH",
                     help="The manifests as they are now (repeatable): objects found there are "
                     "checked as updates of them, and plan classifies each change."),
        click.option("--select", multiple=True, metavar="RULES",
                     help="Only these rules: ids, id prefixes (RP1) or names, comma-separated."),
        click.option("--ignore", multiple=True, metavar="RULES",
                     help="Not these rules: ids, id prefixes or names, comma-separated."),
        click.option("--severity", "severities", multiple=True, metavar="RULE=LEVEL",
                     help="Override a rule's severity, e.g. RP102=warning (repeatable)."),
        click.option("--no-suppressions", is_flag=True, default=None,
                     help="Ignore rolloutplan.io/ignore-* annotations (strict CI)."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False),
                     help="Config file [default: .rolloutplan.yaml or pyproject.toml "
                     "[tool.rolloutplan], found from the working directory up]."),
        click.option("--service-node-port-range", metavar="LOW-HIGH",
                     help="The cluster's nodePort range [default: 30000-32767]."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
                     help="Processes for inputs of 1 MB or more not in the cache: this one "
                     "and N-1 workers [default: the CPUs available; one off Linux]."),
        click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
                     help="Where results of unchanged files are kept between runs; safe to "
                     "delete [default: $ROLLOUTPLAN_CACHE_DIR, else "
                     "$XDG_CACHE_HOME/rolloutplan, else ~/.cache/rolloutplan]."),
        click.option("--cache/--no-cache", "use_cache", default=None,
                     help="Read and write the result cache [default: on]; --no-cache checks "
                     "every file afresh."),
        click.option("--exclude", "excludes", multiple=True, metavar="GLOB",
                     help="Leave out files and directories matching GLOB, walked or named "
                     "(repeatable; adds to exclude: in the config and the defaults)."),
        click.option("--no-default-excludes", is_flag=True, default=None,
                     help="Also check the well-known files that are not manifests "
                     "(.pre-commit-config.yaml, docker-compose.yml, Chart.yaml, ...)."),
        click.option("-v", "--verbose", is_flag=True,
                     help="Also list suppressed findings with their reasons and the excluded "
                     "paths, and say how many files came from the cache."),
    )  # fmt: skip
    return _with_options(command, options)


@cli.command()
@check_options
@click.pass_context
def lint(ctx: click.Context, paths: tuple[str, ...], **options: Any) -> None:
    """Check manifests as the API server would: YAML, type meta, the Kubernetes schema and
    the server's own validation.

    PATHS are files, directories (searched recursively for *.yaml, *.yml and *.json) or
    - for standard input.
    """
    from rolloutplan import engine

    settings = _settings(options)
    sources, excluded = _read(paths, settings)
    report = engine.run(sources, settings.config, _previous(options, settings))
    _finish(ctx, report, settings, excluded)


@cli.command()
@check_options
@click.pass_context
def services(ctx: click.Context, paths: tuple[str, ...], **options: Any) -> None:
    """Show each Service in PATHS: the workloads it selects and where each port lands.

    Services are resolved against every pod template in PATHS (Deployments, ReplicaSets,
    StatefulSets, DaemonSets, Jobs, CronJobs, ReplicationControllers, Pods).
    """
    from dataclasses import replace

    from rolloutplan import engine

    settings = _settings(options)
    sources, excluded = _read(paths, settings)
    previous = _previous(options, settings)
    report = engine.run(sources, settings.config, previous, service_table=True)
    _finish(ctx, replace(report, show_services=True), settings, excluded)


def plan_options(command: Callable[..., None]) -> Callable[..., None]:
    """Options of the commands that plan rollouts."""
    options = (
        click.option("--new-pods", type=click.Choice(["ready", "never-ready"]), default="ready",
                     show_default=True,
                     help="Whether new pods become available (never-ready: e.g. a bad image)."),
        click.option("--pod-startup", type=click.IntRange(min=0), metavar="SECONDS",
                     help="Seconds from pod creation to ready, for every Deployment: instead "
                     "of the probe estimate and of pod-startup in the config."),
        click.option("--nodes", type=click.IntRange(min=1), metavar="N",
                     help="The cluster's nodes: a Deployment whose pods keep each other off a "
                     "node (required pod anti-affinity on kubernetes.io/hostname) runs at most "
                     "N of them; new pods beyond the free nodes stay Pending. Also the "
                     "domains of kubernetes.io/hostname for topologySpreadConstraints. Over "
                     "Node objects in the inputs."),
        click.option("--zones", type=click.IntRange(min=1), metavar="N",
                     help="The cluster's zones (topology.kubernetes.io/zone): required pod "
                     "anti-affinity on the zone runs at most N of the pods; "
                     "topologySpreadConstraints with minDomains above N hold each zone to "
                     "maxSkew pods. Over Node objects in the inputs."),
        click.option("--diagram", is_flag=True, help="Draw each step (text output)."),
        click.option("--plans", "plans", type=click.Choice(["full", "brief"]), default="full",
                     show_default=True,
                     help="Text output: each plan step by step, or in one line (brief: what "
                     "the pre-commit hook prints)."),
    )  # fmt: skip
    return _with_options(command, options)


@cli.command()
@check_options
@plan_options
@click.pass_context
def plan(
    ctx: click.Context,
    paths: tuple[str, ...],
    new_pods: str,
    pod_startup: int | None,
    nodes: int | None,
    zones: int | None,
    diagram: bool,
    **options: Any,
) -> None:
    """Plan the rollout each Deployment in PATHS goes through, step by step.

    Without --previous, each Deployment's pod template is taken as changed, with the
    previous template running at full strength. ReplicaSets owned by a Deployment in the
    inputs (kubectl get deploy,rs -o yaml) give the live starting state instead.
    """
    from rolloutplan import engine

    settings = _settings(options, diagram=diagram)
    sources, excluded = _read(paths, settings)
    previous = _previous(options, settings)
    report = engine.plan(
        sources,
        settings.config,
        _plan_options(new_pods, pod_startup, (nodes, zones), settings),
        previous,
    )
    _finish(ctx, report, settings, excluded)


@cli.command()
@check_options
@plan_options
@click.option(
    "--base",
    metavar="REV",
    help="Compare with the manifests at this git revision (e.g. origin/main).",
)
@click.option("--all", "all_files", is_flag=True,
              help="With --base, report every finding, not only the new ones.")  # fmt: skip
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[str, ...],
    new_pods: str,
    pod_startup: int | None,
    nodes: int | None,
    zones: int | None,
    diagram: bool,
    base: str | None,
    all_files: bool,
    **options: Any,
) -> None:
    """Lint, plan and check reachability in one run: the command for hooks and CI.

    With --base, PATHS are also read as they are at REV (with git, no checkout; added,
    renamed and deleted files handled) and only the findings the change introduces are
    reported, wherever they are (--all: every finding), with those it fixes; only the
    Deployments that change are planned. Services are always resolved against every
    manifest in PATHS.
    """
    from rolloutplan import baseline, engine, vcs

    settings = _settings(options, diagram=diagram)
    sources, excluded = _read(paths, settings)
    previous = _previous(options, settings)
    renamed = None
    if base is not None:
        if previous is not None:
            raise click.UsageError("--base and --previous both name the previous manifests")
        try:
            version = vcs.read_base(base, [Path(p) for p in paths if p != "-"])
        except vcs.GitError as exc:
            raise click.UsageError(f"--base {base}: {exc}") from None
        for note in version.notes:  # they hold file names: from the pull request
            _say(f"--base {base}: {note}")
        files = [s for s in sources if is_file_source(s)]
        changed_paths = version.changed_paths
        changed_now = {s.path for s in files if Path(s.path).resolve() in changed_paths}
        # an unchanged file is its own base version: as read, not read again
        previous = [s for s in files if s.path not in changed_now]
        previous += [
            _source(name, content)
            for name, content in version.files
            if exclusion(name, settings.excludes, paths) is None
        ]  # a file now excluded: its Deployments are not deleted
        moves = {c.old_path: c.path for c in version.changes if c.old_path and c.status != "D"}
        renamed = baseline.renamed_files(
            (name for name, _ in version.files), moves, (s.path for s in files)
        )
    report = engine.check(
        sources,
        settings.config,
        _plan_options(new_pods, pod_startup, (nodes, zones), settings),
        previous,
        renamed,
        everything=all_files,
    )
    _finish(ctx, report, settings, excluded)


def _read(paths: Sequence[str], settings: Settings) -> tuple[list[object], int]:
    """The manifests, and how many paths the excludes left out: each one named on the
    command line is mentioned on stderr (never silently lost), and with -v every one."""
    sources, excluded = read_sources(paths, settings.excludes)
    for item in excluded:
        if item.named or settings.verbose:
            why = item.pattern if item.rule else f"excluded by {item.pattern!r}"
            default = item.rule or item.pattern in DEFAULT_EXCLUDES
            how = " (a default exclude; --no-default-excludes checks it)" if default else ""
            _say(f"{item.path}: not checked: {why}{how}")
    return sources, len(excluded)


def _previous(options: dict[str, Any], settings: Settings) -> list[object] | None:
    """The --previous manifests, read with the same excludes; None when none were given."""
    paths = options["previous_paths"]
    return read_sources(paths, settings.excludes)[0] if paths else None


def _plan_options(
    new_pods: str,
    pod_startup: int | None,
    domains: tuple[int | None, int | None],
    settings: Settings,
) -> Any:
    """--pod-startup applies to every Deployment, over the config file's pod-startup keys."""
    from rolloutplan.planner.plan import PlanOptions
    from rolloutplan.planner.simulate import NewPods
    from rolloutplan.planner.timing import configured

    file = settings.file
    startups = configured(file.path, file.get("pod-startup"), file.get("pod-startup-overrides", ()))
    nodes, zones = domains
    return PlanOptions(NewPods(new_pods), pod_startup, startups, nodes, zones)


def _source(name: str, content: bytes) -> Any:
    from rolloutplan.model.source import SourceText

    return SourceText(name, content)


@dataclass(frozen=True)
class Settings:
    """What a command runs with: the command line over the config file over defaults."""

    config: Any  # engine.Config
    outputs: tuple[tuple[str, str | None], ...]  # (format, file or None for stdout)
    fail_on: str
    verbose: bool
    diagram: bool
    color: bool
    quiet: bool
    excludes: Excludes
    file: Any = None  # config.FileSettings: what the config file set


def _settings(options: dict[str, Any], *, diagram: bool = False) -> Settings:
    """Command line over config file over defaults; a bad value is a usage error (exit 2)."""
    from rolloutplan import batch, engine
    from rolloutplan import config as settings_file
    from rolloutplan.config import ConfigError, RuleSelection

    try:
        path = options["config_path"]
        found = Path(path) if path else settings_file.find_config(Path.cwd())
        if found is not None and not path and not settings_file.trusted(found):
            _say(f"{found}: ignored: it belongs to another user (name it with --config to use it)")
            found = None
        file = settings_file.read_config(found) if found else settings_file.FileSettings()

        def pick(key: str, option: str, default: Any) -> Any:
            given = options.get(option)
            return given if given not in (None, ()) else file.get(key, default)

        selection = RuleSelection(
            select=tuple(settings_file.parse_rule_selectors(options["select"]))
            or file.get("select", ()),
            ignore=tuple(settings_file.parse_rule_selectors(options["ignore"]))
            or file.get("ignore", ()),
            severity=(
                *file.get("severity", ()),
                *(settings_file.parse_severity_override(s) for s in options["severities"]),
            ),
        )
        config = engine.Config(
            kubernetes_version=settings_file.kubernetes_version(
                pick("kubernetes-version", "kubernetes_version", None)
            ),
            strict_kinds=bool(pick("strict-kinds", "strict_kinds", False)),
            default_namespace=pick("namespace", "namespace", "default"),
            rules=selection,
            suppressions=not options["no_suppressions"] and file.get("suppressions", True),
            progress=_progress if sys.stderr is not None and sys.stderr.isatty() else None,
            jobs=options["jobs"] or batch.default_jobs(),
            cache=_cache(options, file),
            node_port_range=settings_file.parse_port_range(
                pick("service-node-port-range", "service_node_port_range", "30000-32767")
            ),
            units=file.get("units", ()),
        )
        excludes = Excludes(
            (*file.get("exclude", ()), *settings_file.parse_globs(options["excludes"])),
            defaults=not options["no_default_excludes"] and file.get("default-excludes", True),
        )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    return Settings(
        config, _outputs(options["output_formats"], options["outputs"]),
        pick("fail-on", "fail_on", "error"), options["verbose"], diagram,
        _use_color(options["color"]), options["quiet"], excludes, file,
    )  # fmt: skip


def _cache(options: dict[str, Any], file: Any) -> ResultCache | None:
    """The result cache, or None with --no-cache (or ``cache: false`` in the config file).
    Only the command line and the environment choose the directory: a config file may be
    the repository's, which must not choose where results are read from or written to."""
    wanted = options["use_cache"]
    if not (wanted if wanted is not None else file.get("cache", True)):
        return None
    from rolloutplan import cache

    if file.get("cache-dir") is not None:
        _say(
            f"{file.path}: 'cache-dir' is ignored (a repository must not choose where the "
            "cache is); use --cache-dir or ROLLOUTPLAN_CACHE_DIR"
        )
    directory = options["cache_dir"]
    try:
        return cache.ResultCache.open(Path(directory) if directory else cache.default_directory())
    except cache.CacheUnavailable as exc:
        if options["verbose"]:
            _say(f"the result cache is off: {exc}")
        return None


def _outputs(
    formats: tuple[str, ...], files: tuple[str, ...]
) -> tuple[tuple[str, str | None], ...]:
    """Pair the n-th --format with the n-th --output; the formats left over go to stdout,
    and at most one may."""
    formats = formats or ("text",)
    if len(files) > len(formats):
        raise click.UsageError("more --output files than --format options to write to them")
    if len(formats) - len(files) > 1:
        raise click.UsageError(
            "only one --format can go to standard output; give the others an --output file"
        )
    if len(set(files)) != len(files):
        raise click.UsageError("the same --output file is given twice")
    pairs: list[tuple[str, str | None]] = list(zip(formats, files, strict=False))
    pairs += [(fmt, None) for fmt in formats[len(files) :]]
    return tuple(pairs)


def _progress(done: int, total: int) -> None:
    """A progress line on the terminal's stderr, for runs long enough to need one."""
    if total < PROGRESS_FROM:
        return
    click.echo(f"\rchecked {done}/{total} files", err=True, nl=done == total)


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    # stdout is None when the process was started with it closed (`>&-`)
    return sys.stdout is not None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _finish(ctx: click.Context, report: Any, settings: Settings, excluded: int) -> None:
    """Print the report and exit with the code its findings call for, or 2 when an output
    could not be written (EXIT_BROKEN_PIPE, quietly, when the reader went away)."""
    report = replace(report, excluded=excluded)
    from rolloutplan.model.finding import Severity
    from rolloutplan.report import reporter
    from rolloutplan.report.text import render_findings

    failed: list[tuple[str, OSError]] = []
    for output_format, path in settings.outputs:
        if output_format == "text" and settings.quiet:
            text = render_findings(report)
        elif output_format == "text" and ctx.params.get("plans") == "brief":
            from rolloutplan.report.brief import render_brief

            text = render_brief(report)
        else:
            text = reporter(output_format)(
                report, diagram=settings.diagram, verbose=settings.verbose
            )
        if path is None and output_format == "text" and settings.color:
            text = _colored(text)
        # backslashreplace: a lone surrogate no reporter should let through is \udcff, not a crash
        data = text.encode("utf-8", "backslashreplace")
        try:
            if path is None:
                _write_stdout(data)
            else:
                _write_file(path, data)
        except OSError as exc:
            failed.append((path or "standard output", exc))
    cache = settings.config.cache
    if cache is not None:
        cache.close()
    if settings.verbose and cache is not None:
        _say(f"{report.from_cache} of {report.files} files from the cache in {cache.directory}")
    if failed:
        ctx.exit(_write_failure(failed))
    threshold = Severity(settings.fail_on).rank
    if report.unreadable:
        ctx.exit(EXIT_USAGE)
    if any(finding.severity.rank >= threshold for finding in report.findings):
        ctx.exit(EXIT_FINDINGS)
    ctx.exit(EXIT_CLEAN)


def _write_stdout(data: bytes) -> None:
    """``data`` to standard output, flushed now: a full disk or a closed pipe is an error
    here, not at exit."""
    if sys.stdout is None:  # started with standard output closed (>&-)
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    sys.stdout.flush()
    stream = sys.stdout.buffer
    stream.write(data)
    stream.flush()


def _write_file(path: str, data: bytes) -> None:
    """``data`` as the whole of ``path`` or not at all: written to a temporary file beside it,
    then renamed over it, so a full disk or a crash leaves any old file as it was.  What is
    not a regular file (a device such as /dev/stdout, a FIFO) cannot be replaced: it is
    written in place."""
    try:
        info: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(path, "wb") as stream:
            stream.write(data)
        return
    import tempfile

    target = os.path.realpath(path)  # a symlink keeps pointing at the new file
    folder, name = os.path.split(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode) if info else _new_file_mode())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _new_file_mode() -> int:
    """The mode open() would give a new file (mkstemp's is 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_failure(failed: list[tuple[str, OSError]]) -> int:
    """Say which outputs could not be written; the exit code for it (141 only when every
    failure was a reader going away)."""
    codes = {_write_error(target, exc) for target, exc in failed}
    return EXIT_USAGE if EXIT_USAGE in codes else EXIT_BROKEN_PIPE


def _write_error(target: str, exc: OSError | ValueError) -> int:
    """The exit code for an output that could not be written: 141, quietly, when its reader
    went away (| head); otherwise a message and 2."""
    if isinstance(exc, BrokenPipeError):
        return EXIT_BROKEN_PIPE
    _say(f"cannot write {target}: {getattr(exc, 'strerror', None) or exc}")
    return EXIT_USAGE


def _say(message: str) -> None:
    """A message on stderr, which may be unwritable as well.  It may quote a file name, a
    setting or a git message: escaped, as every output is (see report.escape)."""
    with contextlib.suppress(OSError, ValueError):
        click.echo(_escaped(f"rolloutplan: {message}"), err=True)


_SEVERITY_WORD = re.compile(r"^(\S.*?: )(error|warning|info)( RP\d{3} )", re.MULTILINE)
_COLORS = {"error": "red", "warning": "yellow", "info": "cyan"}


def _colored(text: str) -> str:
    """Severity words of finding lines in colour; everything else as it is."""
    return _SEVERITY_WORD.sub(
        lambda m: (
            m.group(1) + click.style(m.group(2), fg=_COLORS[m.group(2)], bold=True) + m.group(3)
        ),
        text,
    )


@cli.command("rules")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: the page kept as docs/rules.md.",
)
def list_rules(output_format: str) -> None:
    """List every rule: id, name, default severity and summary."""
    from rolloutplan.rules import REGISTRY

    if output_format == "markdown":
        from rolloutplan.report.rules_doc import render_rules_markdown

        click.echo(render_rules_markdown(REGISTRY), nl=False)
        return
    for rule in REGISTRY:
        click.echo(f"{rule.id}  {rule.name:<34} {rule.severity.value:<8} {rule.summary}")


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show the documentation of RULE (an id such as RP101, or a name)."""
    from rolloutplan.rules import REGISTRY

    info = REGISTRY.get(rule)
    if info is None:
        raise click.BadParameter(
            f"no rule {rule!r}; `rolloutplan rules` lists them", param_hint="RULE"
        )
    click.echo(
        f"{info.id} {info.name} ({info.severity.value})\n\n{info.summary}\n\n{info.doc}", nl=False
    )


def entry_point() -> NoReturn:
    """The ``rolloutplan`` command: run, flush the output, and leave without the
    interpreter's teardown of every module and object, which is pure cost for a one-shot
    process (20 ms of a 140 ms pre-commit run).  Nothing is left to clean up: output files
    are closed, the result cache is closed, worker processes have ended."""
    # A run builds many objects and almost no reference cycles, so the cycle collector only
    # costs time: 15% of a large run.  Peak memory is the same without it (measured on the
    # benchmark corpus and on 20,000 documents); the process is short-lived.
    gc.disable()
    code = main()
    try:  # what rules, explain and --help printed; a report is flushed as it is written
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError) as exc:
        code = _write_error("standard output", exc)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
    if sys.getprofile() is not None:
        # `python -m cProfile` writes its profile once the module ends, which os._exit
        # would skip, and it swallows SystemExit; registered last, this handler runs first
        # at interpreter exit, after the profile is written, and keeps the exit code
        atexit.register(os._exit, code)
        sys.exit(code)
    if sys.gettrace() is not None:  # coverage or a debugger: let it finish its work
        sys.exit(code)
    os._exit(code)


_WRITE_FAULTS = frozenset((errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="rolloutplan",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.message = _escaped(exc.message)  # click's own (parsing) errors too
        with contextlib.suppress(OSError, ValueError):  # stderr may be unwritable too
            exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    except SystemExit:
        # without standalone mode, click exits only for a closed pipe (EPIPE) under a
        # command's click.echo (rules, explain); its code, 1, is our findings code
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        if exc.filename is not None or exc.errno not in _WRITE_FAULTS:
            raise
        return _write_error("standard output", exc)  # rules > /dev/full
    return result if isinstance(result, int) else EXIT_CLEAN
