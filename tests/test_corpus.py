"""Real manifests (kubernetes/examples): no crash, and no finding but the real problems."""

from __future__ import annotations

from tests.conftest import FIXTURES, RunCli

CORPUS = FIXTURES / "corpus" / "kubernetes-examples"

# Every finding on the corpus, each a real problem kubectl or the API server would hit
# (see fixtures/corpus/README.md): unrendered {{ }} templates, and duplicate keys, which
# strict decoding rejects.
EXPECTED = {
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


def test_corpus_gives_exactly_the_known_findings(run_cli: RunCli) -> None:
    result = run_cli("lint", CORPUS)
    assert result.exit_code == 1
    found = set()
    for line in result.stdout.splitlines()[:-1]:
        location, _, rest = line.partition(": ")
        path, row, column = location.rsplit(":", 2)
        found.add((path.removeprefix(f"{CORPUS}/"), f"{row}:{column}", rest.split()[1]))
    assert found == EXPECTED


def test_corpus_is_checked_in_every_supported_version_without_internal_errors(
    run_cli: RunCli,
) -> None:
    for version in ("1.30", "1.37"):
        result = run_cli("lint", "--kubernetes-version", version, CORPUS)
        assert "RP000" not in result.stdout
        summary = result.stdout.splitlines()[-1]
        assert summary.startswith("245 files, 77 objects checked (Deployment 22, Service 55)")
