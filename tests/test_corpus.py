"""Real manifests (kubernetes/examples): no crash, and no finding but the real problems."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURES, RunCli

CORPUS = FIXTURES / "corpus" / "kubernetes-examples"

# Every finding on the corpus, each a real problem kubectl or the API server would hit
# (see fixtures/corpus/README.md): unrendered {{ }} templates, duplicate keys, which
# strict decoding rejects, and a PodDisruptionBudget in policy/v1beta1 (removed in 1.25).
EXPECTED = {
    ("_archived/cockroachdb/cockroachdb-statefulset.yaml", "57:13", "RP013"),
    ("_archived/newrelic-infrastructure/newrelic-config-template.yaml", "7:12", "RP001"),
    ("_archived/newrelic/newrelic-config-template.yaml", "7:12", "RP001"),
    ("_archived/storage/vitess/etcd-controller-template.yaml", "6:14", "RP001"),
    ("_archived/storage/vitess/etcd-service-template.yaml", "7:12", "RP001"),
    ("_archived/storage/vitess/vtgate-controller-template.yaml", "6:14", "RP001"),
    ("_archived/openshift-origin/etcd-controller.yaml", "12:3", "RP002"),
    ("_archived/openshift-origin/etcd-discovery-controller.yaml", "12:3", "RP002"),
    ("_archived/openshift-origin/openshift-controller.yaml", "12:3", "RP002"),
    ("_archived/persistent-volume-provisioning/quobyte/quobyte-admin-secret.yaml", "9:1", "RP002"),
    ("_archived/volumes/scaleio/sc-pvc.yaml", "12:3", "RP002"),
}


# Service reachability, checked one example application at a time (the corpus holds many
# unrelated applications in the default namespace, which would select each other's pods).
# Each names a container port the pod template neither declares nor uses in a probe, env or
# args (a warning: the app may listen there anyway).  vtgate's pods come from an unrendered
# {{ }} template (RP001 above): no workload in the files was made for its Service, so that is
# not proven (RP409, info); vtctld's and vllm's ports are in their args (-port 15000,
# --port=8080).
# _archived/elasticsearch/es-svc.yaml gives none: it and production_cluster/es-svc.yaml are two
# copies of Service elasticsearch, each resolved in its own apply unit (es-rc.yaml declares
# 9200; production_cluster's master and data pods, which it used to be mixed with, do not).
EXPECTED_REACHABILITY = {
    ("_archived/volumes/flocker/flocker-pod-with-rc.yml", "11:17", "RP403"),
}
EXAMPLES = sorted(  # an application is a folder two levels down, e.g. web/guestbook
    {CORPUS / path.relative_to(CORPUS).parts[0] / path.relative_to(CORPUS).parts[1]
     for path in CORPUS.rglob("*.y*ml") if len(path.relative_to(CORPUS).parts) > 2}
)  # fmt: skip


def findings_of(stdout: str) -> set[tuple[str, str, str]]:
    found = set()
    for line in stdout.splitlines()[:-1]:
        location, _, rest = line.partition(": ")
        path, row, column = location.rsplit(":", 2)
        found.add((path.removeprefix(f"{CORPUS}/"), f"{row}:{column}", rest.split()[1]))
    return found


def test_corpus_gives_exactly_the_known_findings(run_cli: RunCli) -> None:
    result = run_cli("lint", "--select", "RP0,RP1,RP2", CORPUS)
    assert result.exit_code == 1
    assert findings_of(result.stdout) == EXPECTED


def test_each_example_gives_exactly_the_known_reachability_findings(run_cli: RunCli) -> None:
    found: set[tuple[str, str, str]] = set()
    for example in EXAMPLES:
        result = run_cli("lint", "--select", "RP401,RP402,RP403,RP404,RP405", example)
        found |= findings_of(result.stdout)
    assert found == EXPECTED_REACHABILITY


def test_corpus_is_checked_in_every_supported_version_without_internal_errors(
    run_cli: RunCli,
) -> None:
    for version in ("1.30", "1.37"):
        result = run_cli("lint", "--kubernetes-version", version, CORPUS)
        assert "RP000" not in result.stdout
        summary = result.stdout.splitlines()[-1]
        assert summary.startswith(
            "245 files, 80 objects checked (Deployment 22, HorizontalPodAutoscaler 2, "
            "PodDisruptionBudget 1, Service 55)"
        )


def test_parallel_run_gives_the_same_bytes(run_cli: RunCli) -> None:
    # 245 files: above the threshold where worker processes are used; --no-cache, or the
    # second run would read every file's results back instead of checking in workers
    one = run_cli("lint", "--format", "json", "--no-cache", "--jobs", "1", CORPUS)
    two = run_cli("lint", "--format", "json", "--no-cache", "--jobs", "2", CORPUS)
    assert one.stdout == two.stdout
    assert one.exit_code == two.exit_code == 1


def test_parallel_check_gives_the_same_plans_and_services(run_cli: RunCli, tmp_path: Path) -> None:
    # typed objects and documents come back from the workers: plans and positions must not
    # move; each run has an empty cache of its own, which the workers fill
    caches = [str(tmp_path / "one"), str(tmp_path / "three")]
    one = run_cli("check", "--format", "json", "--cache-dir", caches[0], "-j", "1", CORPUS)
    three = run_cli("check", "--format", "json", "--cache-dir", caches[1], "-j", "3", CORPUS)
    assert one.stdout == three.stdout
    assert '"plans":[{' in one.stdout.replace("\n", "").replace(" ", "")
    warm = run_cli("check", "--format", "json", "-v", "--cache-dir", caches[1], "-j", "1", CORPUS)
    assert "245 of 245 files from the cache" in warm.stderr
    assert warm.stdout == one.stdout


def test_parallel_run_with_previous_manifests(run_cli: RunCli) -> None:
    # the previous index reaches each worker once, not with every chunk
    args = ("--format", "json", "--no-cache", "--previous", CORPUS, CORPUS)
    assert run_cli("lint", "-j", "1", *args).stdout == run_cli("lint", "-j", "2", *args).stdout
