"""The steps of each command (pipeline.py): order, refusals before work, one repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from spacecoop import pipeline
from spacecoop.publish.site_folder import TargetRefused
from spacecoop.queries.catalogue import QueryError


def _no_loading(*_: object, **__: object) -> None:
    raise AssertionError("nothing may be loaded before the refusal")


def test_build_refuses_its_target_before_reading_anything(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "load", _no_loading)
    with pytest.raises(TargetRefused):
        pipeline.build(repo_root, repo_root / "data")  # a source folder


def test_build_refuses_a_bad_source_date_before_validating(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spacecoop.publish.reproducible import SourceDateError

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    monkeypatch.setattr(pipeline, "validate", _no_loading)
    with pytest.raises(SourceDateError):
        pipeline.build(repo_root, tmp_path / "dist")


def test_a_repository_that_does_not_conform_is_not_published(  # type: ignore[no-untyped-def]
    make_repo, repo_root: Path, tmp_path: Path
) -> None:
    files = {
        str(path.relative_to(repo_root)): path.read_bytes()
        for folder in ("ontology", "data")
        for path in (repo_root / folder).glob("*.ttl")
    }
    broken = (  # a foundation without a label
        "<https://w3id.org/spacecoop/id/organisation/x>"
        " a <https://w3id.org/spacecoop/def#Foundation> .\n"
    )
    root = make_repo({**files, "data/zz.ttl": broken})
    with pytest.raises(pipeline.NotConforming) as refused:
        pipeline.build(root, tmp_path / "dist")
    assert refused.value.report.fails()
    assert not (tmp_path / "dist").exists()


def test_serve_refuses_a_folder_no_build_wrote(tmp_path: Path) -> None:
    options = {"host": "127.0.0.1", "port": 0, "workers": 1, "timeout": 1.0, "queue": 1}
    with pytest.raises(pipeline.NotASite, match="no index.html"):
        pipeline.serve(None, tmp_path, worker_memory=1 << 30, on_listening=print, **options)


def test_the_catalogue_exports_as_a_graph_only(repo_root: Path) -> None:
    assert "sh:SPARQLExecutable" in pipeline.export(repo_root, None, "turtle")
    with pytest.raises(QueryError, match="turtle|jsonld"):
        pipeline.export(repo_root, None, "table")
