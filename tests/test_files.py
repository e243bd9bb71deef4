"""The loader: which files go into which named graph, and errors that point at file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES, SCO
from spacecoop.repository import files as repository_files
from spacecoop.repository.files import LoadError, find_sources, parse_file
from spacecoop.repository.load import load

AGENCY = URIRef("https://w3id.org/spacecoop/id/organisation/example-agency")


def _error_for(path: Path) -> LoadError:
    with pytest.raises(LoadError) as caught:
        parse_file(path, Graph())
    return caught.value


def test_valid_minimal_file_parses(fixtures_dir: Path) -> None:
    graph = parse_file(fixtures_dir / "valid_minimal.ttl", Graph())
    assert len(graph) == 3
    assert (AGENCY, RDF.type, SCO.Organisation) in graph


def test_syntax_error_names_file_line_and_column(fixtures_dir: Path) -> None:
    path = fixtures_dir / "broken_syntax.ttl"
    error = _error_for(path)
    assert error.path == path
    assert (error.line, error.column) == (8, 78)
    assert str(error).startswith(f"{path}:8:78: ")


def test_undefined_prefix_is_reported_where_it_is_used(fixtures_dir: Path) -> None:
    error = _error_for(fixtures_dir / "undefined_prefix.ttl")
    assert (error.line, error.column) == (7, 5)
    assert "schema:" in error.message


def test_latin1_byte_is_reported_at_its_line_and_column(fixtures_dir: Path) -> None:
    error = _error_for(fixtures_dir / "bad_encoding.ttl")
    assert (error.line, error.column) == (6, 35)
    assert "0xe9" in error.message and "UTF-8" in error.message


def test_rdflib_location_is_used_when_oxigraph_gives_none(
    fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository_files, "_oxigraph_error", lambda *args: None)
    error = _error_for(fixtures_dir / "broken_syntax.ttl")
    assert (error.line, error.column) == (8, 78)


def test_missing_file_is_a_load_error_without_position(tmp_path: Path) -> None:
    error = _error_for(tmp_path / "nowhere.ttl")
    assert (error.line, error.column) == (None, None)
    assert str(error) == f"{tmp_path / 'nowhere.ttl'}: no such file"


def test_directory_instead_of_file_is_a_load_error(tmp_path: Path) -> None:
    assert "directory" in _error_for(tmp_path).message


def test_load_error_str_omits_missing_column() -> None:
    assert str(LoadError(Path("a.ttl"), 3, None, "bad")) == "a.ttl:3: bad"
    assert str(LoadError(Path("a.ttl"), 3, 7, "bad")) == "a.ttl:3:7: bad"


def test_strict_parsing_rejects_what_only_rdflib_accepts(tmp_path: Path) -> None:
    path = tmp_path / "literal_subject.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\n\n"x" ex:p ex:o .\n', encoding="utf-8")
    assert len(parse_file(path, Graph())) == 1
    with pytest.raises(LoadError) as caught:
        parse_file(path, Graph(), strict=True)
    assert (caught.value.line, caught.value.column) == (3, 1)


def test_relative_iris_resolve_against_the_file(tmp_path: Path) -> None:
    path = tmp_path / "relative.ttl"
    path.write_text("<a> <b> <c> .\n", encoding="utf-8")
    graph = parse_file(path, Graph(), strict=True)
    assert (URIRef((tmp_path / "a").as_uri()), None, None) in graph


def test_find_sources_groups_and_sorts_files(make_repo, ontology_ttl: str) -> None:
    root = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "ontology/shapes.ttl": "",
            "ontology/shapes/event.ttl": "",
            "data/b.ttl": "",
            "data/a.ttl": "",
            "data/notes.txt": "not RDF",
        }
    )
    files = find_sources(root)
    assert files.ontology == (root / "ontology/spacecoop.ttl",)
    assert files.shapes == (root / "ontology/shapes.ttl", root / "ontology/shapes/event.ttl")
    assert files.data == (root / "data/a.ttl", root / "data/b.ttl")


def test_load_puts_each_part_in_its_named_graph(make_repo, ontology_ttl: str) -> None:
    root = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "ontology/shapes.ttl": (
                "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
                "<https://example.org/S> a sh:NodeShape .\n"
            ),
            "data/x.ttl": (
                "@prefix sco: <https://w3id.org/spacecoop/def#> .\n"
                f"<{AGENCY}> a sco:Organisation .\n"
            ),
        }
    )
    ds = load(root).dataset()
    assert len(ds.graph(GRAPH_ONTOLOGY)) == len(Graph().parse(data=ontology_ttl, format="turtle"))
    assert len(ds.graph(GRAPH_SHAPES)) == 1
    assert set(ds.graph(GRAPH_DATA)) == {(AGENCY, RDF.type, SCO.Organisation)}
    assert ds.namespace_manager.store.namespace("sco") == URIRef(str(SCO))


def test_empty_data_directory_gives_empty_data_graph(make_repo, ontology_ttl: str) -> None:
    ds = load(make_repo({"ontology/spacecoop.ttl": ontology_ttl})).dataset()
    assert len(ds.graph(GRAPH_DATA)) == 0
    assert len(ds.graph(GRAPH_SHAPES)) == 0
    assert len(ds.graph(GRAPH_ONTOLOGY)) > 0


def test_missing_ontology_file_is_reported(make_repo) -> None:
    root = make_repo({"data/x.ttl": ""})
    with pytest.raises(LoadError) as caught:
        load(root)
    assert caught.value.path == root / "ontology/spacecoop.ttl"


def test_error_in_a_data_file_names_that_file(make_repo, ontology_ttl: str) -> None:
    root = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "data/a.ttl": "",
            "data/b.ttl": "<https://example.org/a> <https://example.org/p> .\n",
        }
    )
    with pytest.raises(LoadError) as caught:
        load(root)
    assert caught.value.path == root / "data/b.ttl"
    assert caught.value.line == 1


def test_root_comes_from_environment_variable(
    make_repo, ontology_ttl: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl})
    monkeypatch.setenv(repository_files.ROOT_ENV_VAR, str(root))
    assert repository_files.find_root() == root
    assert len(load().graph(GRAPH_ONTOLOGY)) > 0
