"""`spacecoop validate`: located results, ontology checks, the schema it uses, and exit statuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from source_lines import line_of
from spacecoop.cli import main
from spacecoop.namespaces import ID, ONTOLOGY_IRI, SCO
from spacecoop.repository import files as repository_files
from spacecoop.repository.files import ROOT_ENV_VAR, LoadError, find_root
from spacecoop.repository.load import load, load_data
from spacecoop.validation import run as validation
from spacecoop.validation.report import Severity

SHAPES = Path(__file__).parent / "fixtures" / "shapes"
BASE = SHAPES / "base.ttl"


def test_a_result_names_the_file_and_line_of_its_focus_node() -> None:
    fixture = SHAPES / "event_ends_before_it_starts.ttl"
    (result,) = validation.validate(load_data([BASE, fixture])).results
    assert (result.file, result.line) == (fixture, line_of(fixture, "event:event-ends-before"))
    assert result.path == str(SCO.endDate)
    assert result.value == '"2018-02-27"^^xsd:date'
    assert "2018-03-01" in result.message  # the start date, substituted into the message


def _repo_copy(make_repo, repo_root: Path, ontology: str | None = None) -> Path:
    ontology_text = (repo_root / "ontology" / "spacecoop.ttl").read_text(encoding="utf-8")
    return make_repo(
        {
            "ontology/spacecoop.ttl": ontology if ontology is not None else ontology_text,
            "ontology/shapes.ttl": (repo_root / "ontology" / "shapes.ttl").read_bytes(),
            "data/base.ttl": BASE.read_bytes(),
        }
    )


def test_ontology_checks_are_results_at_the_term_s_line(make_repo, repo_root: Path) -> None:
    ontology = (repo_root / "ontology" / "spacecoop.ttl").read_text(encoding="utf-8")
    broken = ontology.replace('    rdfs:label "founding"@en ;\n', "").replace(
        "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;\n", ""
    )
    assert broken.count("\n") == ontology.count("\n") - 2
    root = _repo_copy(make_repo, repo_root, broken)

    report = validation.validate(load(root))

    found = {(r.constraint, r.focus_node, r.severity, r.line) for r in report.results}
    path = root / "ontology" / "spacecoop.ttl"
    assert (
        "missing_label",
        str(SCO.Founding),
        Severity.VIOLATION,
        line_of(path, "sco:Founding"),
    ) in found
    assert (
        "missing_ontology_license",
        str(ONTOLOGY_IRI),
        Severity.VIOLATION,
        line_of(path, "<https://w3id.org/spacecoop/def>"),
    ) in found
    assert not report.conforms


def test_unused_terms_are_infos_for_the_whole_repository_only(make_repo, repo_root: Path) -> None:
    root = _repo_copy(make_repo, repo_root)
    whole = validation.validate(load(root))
    files = validation.validate(load_data([root / "data" / "base.ttl"], schema=root))
    unused = {r.focus_node for r in whole.results if r.constraint == "unused_term"}
    assert str(SCO.RecurringEventPlan) in unused  # the base data has no recurring event plan
    assert str(SCO.Event) not in unused  # relied on as the superclass of a used class
    assert {r.severity for r in whole.results} == {Severity.INFO}
    assert files.results == ()
    assert "unused_term" in whole.checks and "unused_term" not in files.checks


def test_paths_are_validated_against_our_schema_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path
) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "ontology" / "spacecoop.ttl").write_text("this is not turtle", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert find_root(None, schema_only=True) == repo_root
    assert validation.validate(load_data([BASE])).conforms


def test_the_installed_schema_is_found_outside_a_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = tmp_path / "share" / "spacecoop"
    (installed / "ontology").mkdir(parents=True)
    (installed / "ontology" / "spacecoop.ttl").write_text("", encoding="utf-8")
    monkeypatch.setattr(repository_files, "_PACKAGE_DIR", tmp_path / "site-packages" / "spacecoop")
    monkeypatch.setattr(repository_files, "_INSTALLED_SCHEMA", installed)
    assert find_root(None, schema_only=True) == installed
    monkeypatch.setenv(ROOT_ENV_VAR, str(tmp_path / "elsewhere"))
    assert find_root(None, schema_only=True) == tmp_path / "elsewhere"
    monkeypatch.delenv(ROOT_ENV_VAR)
    (installed / "ontology" / "spacecoop.ttl").unlink()
    with pytest.raises(LoadError, match="not installed"):
        find_root(None, schema_only=True)


def test_an_inconsistent_closure_is_located_at_the_individual() -> None:
    fixture = SHAPES / "member_of_owl_nothing.ttl"
    (result,) = validation.validate(load_data([BASE, fixture])).results
    assert result.constraint == validation.CONSISTENCY_CHECK
    assert result.focus_node == str(ID["organisation/member-of-owl-nothing"])
    assert (result.file, result.line) == (fixture, line_of(fixture, "organisation:member-of"))


@pytest.mark.parametrize(
    ("arguments", "status"),
    [
        ([str(BASE)], 0),
        ([str(BASE), str(SHAPES / "event_without_status.ttl")], 1),
        ([str(BASE), str(SHAPES / "conference_nobody_attended.ttl")], 0),  # a warning
        (["--strict", str(BASE), str(SHAPES / "conference_nobody_attended.ttl")], 1),
        (["--strict", str(BASE), str(SHAPES / "event_without_any_date.ttl")], 0),  # an info
    ],
)
def test_exit_status(arguments: list[str], status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *arguments]) == status
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary.endswith("validation fails" if status else "validation passes")


def test_the_repository_validates_from_the_command_line(repo_root: Path) -> None:
    assert main(["validate", "--root", str(repo_root)]) == 0


def test_report_goes_to_the_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    fixture = str(SHAPES / "event_without_status.ttl")
    assert main(["validate", "--format", "json", "--output", str(out), str(BASE), fixture]) == 1
    assert capsys.readouterr().out == ""
    assert (
        '"constraint": "http://www.w3.org/ns/shacl#MinCountConstraintComponent"' in out.read_text()
    )


def test_unreadable_input_exits_2_with_file_line_and_column(fixtures_dir: Path) -> None:
    broken = fixtures_dir / "broken_syntax.ttl"
    script = Path(sys.executable).parent / "spacecoop"
    result = subprocess.run(
        [str(script), "validate", str(broken)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert f"{broken}:8:78: " in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
