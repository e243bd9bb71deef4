"""The command line: output of `spacecoop stats`, exit statuses, and errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from spacecoop import __version__
from spacecoop.cli import ExitStatus, main
from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES

DATA_TTL = """\
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix id: <https://w3id.org/spacecoop/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

id:organisation\\/alpha a sco:Organisation ; rdfs:label "Alpha"@en .
id:organisation\\/beta a sco:Organisation ; rdfs:label "Beta"@en .
id:organisation\\/gamma a sco:Organisation , sco:Partner ; rdfs:label "Gamma"@en .
id:event\\/meeting a sco:Event ; rdfs:label "Meeting"@en .
"""
"""Three organisations (one also a partner, a class the ontology does not label), one event."""


def _expected(ontology_ttl: str) -> tuple[dict[str, int], dict[str, int]]:
    """Triples per graph and entities per class, computed with plain rdflib, not spacecoop."""
    ontology = Graph().parse(data=ontology_ttl, format="turtle")
    data = Graph().parse(data=DATA_TTL, format="turtle")
    members: dict[str, set] = defaultdict(set)
    for subject, cls in data.subject_objects(RDF.type):
        members[str(cls)].add(subject)
    triples = {str(GRAPH_ONTOLOGY): len(ontology), str(GRAPH_SHAPES): 0, str(GRAPH_DATA): len(data)}
    return triples, {cls: len(subjects) for cls, subjects in members.items()}


def _run_console_script(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `spacecoop` command as a user would."""
    script = Path(sys.executable).parent / "spacecoop"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "spacecoop.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=False)


def test_stats_prints_triples_per_graph_and_entities_per_class(
    make_repo, ontology_ttl: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, "data/x.ttl": DATA_TTL})
    triples, entities = _expected(ontology_ttl)

    assert main(["stats", "--root", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()

    for graph_iri, count in triples.items():
        assert [graph_iri, str(count)] in [line.split() for line in lines]
    assert ["total", str(sum(triples.values()))] in [line.split() for line in lines]
    assert ["sco:Organisation", "organisation", str(entities[_sco("Organisation")])] in [
        line.split() for line in lines
    ]
    assert ["sco:Event", "event", str(entities[_sco("Event")])] in [line.split() for line in lines]
    assert ["sco:Partner", str(entities[_sco("Partner")])] in [line.split() for line in lines]


def test_stats_json_parses_and_matches_counts(
    make_repo, ontology_ttl: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, "data/x.ttl": DATA_TTL})
    triples, entities = _expected(ontology_ttl)

    assert main(["stats", "--root", str(root), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)

    assert report["triples_per_graph"] == triples
    assert report["total_triples"] == sum(triples.values())
    assert {c["iri"]: c["entities"] for c in report["classes"]} == entities
    labels = {c["iri"]: c["label"] for c in report["classes"]}
    assert labels[_sco("Organisation")] == "organisation"
    assert labels[_sco("Partner")] is None


def test_broken_file_exits_2_with_file_and_line_and_no_traceback(
    make_repo, ontology_ttl: str, fixtures_dir: Path
) -> None:
    broken = (fixtures_dir / "broken_syntax.ttl").read_text(encoding="utf-8")
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, "data/broken.ttl": broken})

    result = _run_console_script("stats", "--root", str(root))

    assert result.returncode == 2
    assert f"error: {root / 'data' / 'broken.ttl'}:8:78: " in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_missing_root_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--root", str(tmp_path / "absent")]) == 2
    assert "spacecoop.ttl: no such file" in capsys.readouterr().err


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"spacecoop {__version__}"


@pytest.mark.parametrize(
    "argv", [[], ["no-such-command"], ["stats", "--format", "xml"], ["stats", "--bogus"]]
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "usage:" in capsys.readouterr().err


def _sco(local: str) -> str:
    return f"https://w3id.org/spacecoop/def#{local}"


def test_each_exit_status_has_one_name() -> None:
    assert len(ExitStatus.__members__) == len(ExitStatus)  # no aliases
    assert {status.name: int(status) for status in ExitStatus} == {
        "OK": 0,
        "FAILED": 1,
        "USAGE": 2,
        "INTERNAL": 3,
        "OS": 4,
        "INTERRUPTED": 130,
        "BROKEN_PIPE": 141,
    }
