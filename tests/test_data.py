"""The data: declared terms, labels, types, provenance, dates and external links."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from spacecoop.namespaces import ID, PROV, RDF, RDFS, SCO, SKOS, XSD
from spacecoop.repository.files import find_sources, parse_file
from spacecoop.validation import ontology_checks as checks

SHARED_SOURCES = Path(__file__).resolve().parents[2] / "shared" / "sources"
SOURCE_CLASSES = {SCO.SourceDocument, SCO.WebPage, SCO.NewsArticle, SCO.ReferenceTable}
DATE_PROPERTIES = (SCO.startDate, SCO.endDate, SCO.statedStartDate, SCO.statedEndDate)
PRECISIONS = {XSD.date, XSD.gYearMonth, XSD.gYear}


def _repo_files(root: Path) -> list[Path]:
    return list(find_sources(root).all)


def test_the_repository_has_ontology_and_data_files(repo_root: Path) -> None:
    names = {p.name for p in _repo_files(repo_root)}
    assert {"spacecoop.ttl", "events.ttl", "sources.ttl", "memoranda.ttl"} <= names


@pytest.mark.parametrize(
    "name",
    [
        "ontology/spacecoop.ttl",
        "data/events.ttl",
        "data/parties.ttl",
        "data/places.ttl",
        "data/memoranda.ttl",
        "data/initiatives.ttl",
        "data/concepts.ttl",
        "data/sources.ttl",
    ],
)
def test_every_file_parses(repo_root: Path, name: str) -> None:
    assert len(parse_file(repo_root / name, Graph())) > 10


def test_every_term_used_in_data_is_declared(data: Graph, ontology: Graph) -> None:
    assert checks.undeclared_terms(checks.used_terms(data), ontology) == []


def test_a_misspelt_property_is_caught(data: Graph, ontology: Graph) -> None:
    broken = Graph() + data
    broken.add(
        (
            ID["event/first-symposium-2018"],
            SCO.startdate,
            Literal("2018-01", datatype=XSD.gYearMonth),
        )
    )
    broken.add((ID["event/first-symposium-2018"], RDF.type, SCO.Symposum))
    undeclared = checks.undeclared_terms(checks.used_terms(broken), ontology)
    assert undeclared == [SCO.Symposum, SCO.startdate]


def _entities(data: Graph) -> list[URIRef]:
    return sorted({s for s in data.subjects() if isinstance(s, URIRef) and s.startswith(str(ID))})


def test_every_entity_has_a_type_and_an_english_label(data: Graph) -> None:
    entities = _entities(data)
    assert len(entities) > 80
    assert [e for e in entities if (e, RDF.type, None) not in data] == []
    unlabelled = [
        e
        for e in entities
        if not any(getattr(lbl, "language", None) == "en" for lbl in data.objects(e, RDFS.label))
    ]
    assert unlabelled == []


def test_every_entity_cites_a_source_paragraph(data: Graph) -> None:
    """Everything but the sources themselves links to the paragraph(s) stating it."""
    paragraphs = set(data.subjects(RDF.type, SCO.SourceParagraph))
    uncited = []
    for entity in _entities(data):
        types = set(data.objects(entity, RDF.type))
        if types & (SOURCE_CLASSES | {SCO.SourceParagraph}):
            continue
        cited = set(data.objects(entity, PROV.wasDerivedFrom))
        if not cited or not cited <= paragraphs:
            uncited.append(entity)
    assert uncited == []


def test_every_source_paragraph_is_cited(data: Graph) -> None:
    """No paragraph of either document is left out of the graph."""
    cited = set(data.objects(None, PROV.wasDerivedFrom))
    paragraphs = set(data.subjects(RDF.type, SCO.SourceParagraph))
    assert len(paragraphs) == 4 + 8 + 14
    assert sorted(paragraphs - cited) == []


def test_paragraph_counts_match_the_source_files(data: Graph) -> None:
    if not SHARED_SOURCES.is_dir():
        pytest.skip("../shared/sources is not beside the repository")
    for doc in [ID["source/background-page"], ID["source/wenchang-news-article"]]:
        text = (SHARED_SOURCES / str(data.value(doc, SCO.sourceFile))).read_text(encoding="utf-8")
        blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
        numbers = sorted(
            int(n)
            for p in data.subjects(SCO.inDocument, doc)
            for n in data.objects(p, SCO.paragraphNumber)
        )
        body = len(blocks) - 1  # the first block is the title line
        expected = list(range(1, body + 1))
        assert [n for n in numbers if n > 0] == expected


def test_dates_are_valid_and_keep_the_source_precision(data: Graph) -> None:
    dates = [(s, p, o) for p in DATE_PROPERTIES for s, o in data.subject_objects(p)]
    assert len(dates) >= 10
    for s, p, o in dates:
        assert isinstance(o, Literal) and o.datatype in PRECISIONS, (s, p, o)
        assert not o.ill_typed, (s, p, o)


@pytest.mark.parametrize(
    ("entity", "prop", "lexical", "datatype"),
    [
        ("event/first-symposium-2018", SCO.startDate, "2018-01-29", XSD.date),
        ("event/first-symposium-2018", SCO.endDate, "2018-01-30", XSD.date),
        (
            "account/first-symposium-2018-background-page",
            SCO.statedStartDate,
            "2018-01",
            XSD.gYearMonth,
        ),
        ("event/preparatory-meeting-2018-05", SCO.startDate, "2018-05", XSD.gYearMonth),
        ("event/preparatory-meeting-2019-04", SCO.startDate, "2019-04", XSD.gYearMonth),
        ("event/second-symposium-2019", SCO.startDate, "2019", XSD.gYear),
    ],
)
def test_a_month_stays_a_month_and_a_year_a_year(
    data: Graph, entity: str, prop: URIRef, lexical: str, datatype: URIRef
) -> None:
    (value,) = data.objects(ID[entity], prop)
    assert (str(value), value.datatype) == (lexical, datatype)


def test_relative_timing_is_a_relation_not_a_guessed_date(data: Graph) -> None:
    founding = ID["event/founding-international-institute-for-space-technology-innovation"]
    assert (founding, SCO.startDate, None) not in data
    assert data.value(founding, SCO.happenedShortlyAfter) == ID["event/preparatory-meeting-2018-05"]


def _verified_table() -> dict[str, tuple[set[str], str | None]]:
    """Rows of the verified-identifier table: English name -> (external IRIs, Chinese name)."""
    rows: dict[str, tuple[set[str], str | None]] = {}
    for line in (SHARED_SOURCES / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in {"thing", ""} or set(cells[0]) <= {"-"}:
            continue
        thing, wikidata, dbpedia, chinese = cells
        iris = set()
        if re.fullmatch(r"Q\d+", wikidata):
            iris.add(f"http://www.wikidata.org/entity/{wikidata}")
        if dbpedia not in {"—", "-"}:
            iris.add(f"http://dbpedia.org/resource/{dbpedia}")
        rows[thing] = (iris, None if chinese in {"—", "-"} else chinese)
    return rows


def test_external_identifiers_and_chinese_labels_come_only_from_the_verified_table(
    data: Graph,
) -> None:
    if not (SHARED_SOURCES / "README.md").is_file():
        pytest.skip("../shared/sources is not beside the repository")
    table = _verified_table()
    assert len(table) == 14
    allowed_iris = set().union(*(iris for iris, _ in table.values()))
    allowed_chinese = {zh for _, zh in table.values() if zh}
    used_iris = {str(o) for o in data.objects(None, SKOS.exactMatch)}
    used_chinese = {str(o) for o in data.objects(None, RDFS.label) if o.language == "zh"}
    assert used_iris <= allowed_iris
    assert used_chinese <= allowed_chinese
    # ...and every verified fact is used: the table was made for this data.
    assert used_iris == allowed_iris
    assert used_chinese == allowed_chinese


def test_no_text_is_copied_from_the_sources(repo_root: Path) -> None:
    script = SHARED_SOURCES.parent / "tools" / "copied-text"
    if not script.is_file():
        pytest.skip("../shared/tools/copied-text is not beside the repository")
    result = subprocess.run(
        [sys.executable, str(script), str(repo_root)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout
