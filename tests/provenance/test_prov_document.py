"""provenance.exports.prov: the PROV document built from plain data, read back from every
serialization with the prov library."""

import uuid
from datetime import UTC, datetime

import pytest
from prov.constants import PROV, PROV_VALUE
from prov.model import (
    ProvActivity,
    ProvAgent,
    ProvDocument,
    ProvEntity,
    ProvRelation,
)

from provenance.exports.prov import FORMATS, claim_prov_document, prov_serialize

BASE = "https://claims.example.org"
API = f"{BASE}/api/"
NIH = "nih:sha-256;"
NAMES = ["claim", "other", "kremlin", "press", "nbc", "a1", "a2", "a3", "a4", "ev", "cap", "rv"]
ids = {name: str(uuid.uuid4()) for name in NAMES}
COPY = "ab" * 32
REVISION = "cd" * 32


def at(hour: int) -> datetime:
    return datetime(2023, 5, 3, hour, tzinfo=UTC)


def _appearance(key, *, source, stance, derived_from=(), published_at=None, **extra):
    return {
        "public_id": ids[key],
        "claim": ids["claim"],
        "source": ids[source],
        "stance": stance,
        "quote": "",
        "quote_language": "",
        "url": "",
        "published_at": published_at,
        "published_precision": "exact",
        "derived_from": [ids[up] for up in derived_from],
        **extra,
    }


def kremlin_graph() -> dict:
    """The founding case in small: the press service asserts, state news repeats it, NBC
    quotes state news, and a fourth appearance relays something outside the graph."""
    return {
        "claims": [
            {
                "public_id": ids["claim"],
                "text": "Ukraine attacked the Kremlin.",
                "verdict": "refuted",
                "review_state": "published",
            },
            {
                "public_id": ids["other"],
                "text": "The drones were Russian.",
                "verdict": "",
                "review_state": "draft",
            },
        ],
        "sources": [
            {
                "public_id": ids["kremlin"],
                "name": "Kremlin",
                "kind": "government_body",
                "country": "RU",
                "reliability": "E",
                "state_affiliated": True,
                "parent": None,
            },
            {
                "public_id": ids["press"],
                "name": "Kremlin press service",
                "kind": "organization",
                "country": "RU",
                "reliability": "E",
                "state_affiliated": True,
                "parent": ids["kremlin"],
            },
            {
                "public_id": ids["nbc"],
                "name": "Max Seddon",
                "kind": "person",
                "country": "",
                "reliability": "B",
                "state_affiliated": False,
                "parent": str(uuid.uuid4()),
            },
        ],
        "appearances": [
            _appearance(
                "a1",
                source="press",
                stance="asserts",
                published_at=at(13),
                quote="Киевский режим",
                quote_language="ru",
                url="http://kremlin.ru/1",
            ),
            _appearance(
                "a2", source="kremlin", stance="repeats", derived_from=["a1"], published_at=at(14)
            ),
            _appearance(
                "a3",
                source="nbc",
                stance="quotes",
                derived_from=["a2"],
                published_at=at(15),
                quote="Kyiv regime",
            ),
            _appearance("a4", source="nbc", stance="reports", derived_from=[], published_at=None)
            | {"derived_from": [str(uuid.uuid4())]},
        ],
        "evidence": [
            {
                "public_id": ids["ev"],
                "kind": "video",
                "url": "https://t.me/v/1",
                "title": "Video",
                "claims": [{"claim": ids["claim"], "relation": "refutes"}],
            },
        ],
        "captures": [
            {
                "public_id": ids["cap"],
                "evidence": ids["ev"],
                "method": "fetch",
                "started_at": at(16),
                "finished_at": at(17),
                "requested_url": "https://t.me/v/1",
                "final_url": "https://t.me/v/1?single",
                "content_type": "video/mp4",
                "size": 1234,
                "sha256": COPY,
                "software_version": "claimtrail 1",
            },
        ],
        "review_events": [
            {
                "public_id": ids["rv"],
                "claim": ids["claim"],
                "actor": "ed.editor+1@x",
                "from_state": "in_review",
                "to_state": "published",
                "to_verdict": "refuted",
                "comment": "Checked.",
                "created_at": at(18),
                "captures": [COPY],
                "revision_sha256": REVISION,
            },
        ],
        "relations": [
            {
                "public_id": str(uuid.uuid4()),
                "kind": "contradicts",
                "from_claim": ids["other"],
                "to_claim": ids["claim"],
            },
            {
                "public_id": str(uuid.uuid4()),
                "kind": "supports",
                "from_claim": ids["claim"],
                "to_claim": str(uuid.uuid4()),
            },
        ],
    }


def read_back(document: ProvDocument, fmt: str) -> ProvDocument:
    text, media_type = prov_serialize(document, format=fmt)
    assert media_type == FORMATS[fmt][2]
    serializer, options, _ = FORMATS[fmt]
    return ProvDocument.deserialize(content=text, format=serializer, **options)


def uri(kind: str, key: str) -> str:
    return f"{API}{kind}/{ids[key]}"


def relations(document: ProvDocument) -> set[tuple]:
    """(relation type, first formal argument URI, second, sorted prov:type values)."""
    found = set()
    for record in document.get_records(ProvRelation):
        args = [value for _, value in record.formal_attributes[:2]]
        types = tuple(sorted(str(t.uri) for t in record.get_asserted_types()))
        found.add((record.get_type().localpart, *(a and a.uri for a in args), types))
    return found


def by_uri(document: ProvDocument, cls) -> dict:
    return {record.identifier.uri: record for record in document.get_records(cls)}


def attribute(record, name):
    values = record.get_attribute(name)
    assert len(values) == 1, values
    return next(iter(values))


@pytest.fixture(scope="module")
def document() -> ProvDocument:
    return claim_prov_document(graph=kremlin_graph(), base_url=BASE + "/")


@pytest.mark.parametrize("fmt", ["json", "provn", "ttl"])
def test_each_serialization_reads_back_to_the_same_document(document, fmt):
    assert read_back(document, fmt) == document


@pytest.mark.parametrize("fmt", ["json", "provn", "ttl"])
def test_sources_are_agents_acting_for_their_parents(document, fmt):
    doc = read_back(document, fmt)
    agents = by_uri(doc, ProvAgent)

    assert attribute(agents[uri("sources", "press")], "prov:label") == "Kremlin press service"
    assert PROV["Organization"] in agents[uri("sources", "kremlin")].get_asserted_types()
    assert PROV["Person"] in agents[uri("sources", "nbc")].get_asserted_types()
    delegations = {r for r in relations(doc) if r[0] == "Delegation"}
    # Max Seddon's parent is not in the graph: no edge to a record that is not there.
    assert delegations == {("Delegation", uri("sources", "press"), uri("sources", "kremlin"), ())}


@pytest.mark.parametrize("fmt", ["json", "provn", "ttl"])
def test_appearances_are_attributed_and_derived_from_what_they_relay(document, fmt):
    doc = read_back(document, fmt)
    found = relations(doc)
    a1, a2, a3, a4 = (uri("appearances", key) for key in ("a1", "a2", "a3", "a4"))
    quotation, primary = str(PROV["Quotation"].uri), str(PROV["PrimarySource"].uri)

    assert ("Attribution", a1, uri("sources", "press"), ()) in found
    assert ("Attribution", a3, uri("sources", "nbc"), ()) in found
    assert ("Specialization", a1, uri("claims", "claim"), ()) in found
    derivations = {r for r in found if r[0] == "Derivation" and r[1].startswith(f"{API}appear")}
    assert derivations == {
        ("Derivation", a2, a1, ()),  # repeats: a plain derivation
        ("Derivation", a2, a1, (primary,)),
        ("Derivation", a3, a2, (quotation,)),  # quotes: wasQuotedFrom
        ("Derivation", a3, a1, (primary,)),  # hadPrimarySource: the origin, two hops up
    }
    assert not {r for r in found if r[1] == a4 and r[0] == "Derivation"}


@pytest.mark.parametrize("fmt", ["json", "provn", "ttl"])
def test_appearance_keeps_its_quote_language_and_publication_time(document, fmt):
    doc = read_back(document, fmt)
    entity = by_uri(doc, ProvEntity)[uri("appearances", "a1")]

    quote = attribute(entity, PROV_VALUE)
    assert (str(quote.value), quote.langtag) == ("Киевский режим", "ru")
    generations = [
        r
        for r in doc.get_records(ProvRelation)
        if r.get_type().localpart == "Generation" and r.args[0].uri == entity.identifier.uri
    ]
    assert [g.args[1:3] for g in generations] == [(None, at(13))]


@pytest.mark.parametrize("fmt", ["json", "provn", "ttl"])
def test_captures_are_activities_generating_the_preserved_copy_with_its_sha256(document, fmt):
    doc = read_back(document, fmt)
    capture = by_uri(doc, ProvActivity)[uri("captures", "cap")]
    copy = by_uri(doc, ProvEntity)[f"{NIH}{COPY}"]
    found = relations(doc)

    assert (capture.get_startTime(), capture.get_endTime()) == (at(16), at(17))
    assert attribute(copy, "ct:sha256") == COPY
    assert attribute(copy, "ct:size") == 1234
    assert ("Generation", copy.identifier.uri, capture.identifier.uri, ()) in found
    assert ("Usage", capture.identifier.uri, uri("evidence", "ev"), ()) in found
    assert ("Derivation", copy.identifier.uri, uri("evidence", "ev"), ()) in found
    refutes = (
        "Influence",
        uri("claims", "claim"),
        uri("evidence", "ev"),
        ("urn:claimtrail:refutes",),
    )
    assert refutes in found


@pytest.mark.parametrize("fmt", ["json", "provn", "ttl"])
def test_review_decision_is_an_activity_associated_with_the_editor(document, fmt):
    doc = read_back(document, fmt)
    review = by_uri(doc, ProvActivity)[f"urn:uuid:{ids['rv']}"]
    editors = by_uri(doc, ProvAgent)
    editor_uri = "urn:claimtrail:user:ed.editor%2B1%40x"
    found = relations(doc)

    assert attribute(review, "ct:toState") == "published"
    assert attribute(review, "ct:verdict") == "refuted"
    assert attribute(editors[editor_uri], "prov:label") == "ed.editor+1@x"
    assert PROV["Person"] in editors[editor_uri].get_asserted_types()
    assert ("Association", review.identifier.uri, editor_uri, ()) in found
    assert ("Usage", review.identifier.uri, f"{NIH}{COPY}", ()) in found
    assert ("Generation", f"{NIH}{REVISION}", review.identifier.uri, ()) in found
    assert ("Specialization", f"{NIH}{REVISION}", uri("claims", "claim"), ()) in found


@pytest.mark.parametrize("fmt", ["json", "provn", "ttl"])
def test_claim_relations_inside_the_graph_only(document, fmt):
    found = {r for r in relations(read_back(document, fmt)) if r[0] == "Influence"}

    contradicts = ("urn:claimtrail:contradicts",)
    assert ("Influence", uri("claims", "other"), uri("claims", "claim"), contradicts) in found
    assert {r[1] for r in found} == {uri("claims", "claim"), uri("claims", "other")}
    assert len(found) == 2  # the evidence link and `contradicts`; `supports` leaves the graph


def _as_uuids(value):
    """`value` with every public id a UUID instead of a string (as the database gives)."""
    if isinstance(value, list):
        return [_as_uuids(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_uuids(item) for key, item in value.items()}
    if isinstance(value, str) and value in ids.values():
        return uuid.UUID(value)
    return value


def test_public_ids_as_uuids_give_the_same_document(document):
    assert claim_prov_document(graph=_as_uuids(kremlin_graph()), base_url=BASE) == document


def test_same_as_is_alternate_of():
    graph = kremlin_graph()
    graph["relations"] = [
        {"public_id": "r", "kind": "same_as", "from_claim": ids["other"], "to_claim": ids["claim"]}
    ]
    doc = read_back(claim_prov_document(graph=graph, base_url=BASE), "provn")

    assert ("Alternate", uri("claims", "other"), uri("claims", "claim"), ()) in relations(doc)


def test_a_copy_captured_twice_is_one_entity_generated_twice():
    graph = kremlin_graph()
    second = dict(graph["captures"][0], public_id=str(uuid.uuid4()), finished_at=at(20))
    graph["captures"].append(second)
    doc = read_back(claim_prov_document(graph=graph, base_url=BASE), "json")

    copies = [e for e in doc.get_records(ProvEntity) if e.identifier.uri == f"{NIH}{COPY}"]
    generations = {r for r in relations(doc) if r[0] == "Generation" and r[1] == f"{NIH}{COPY}"}
    assert len(copies) == 1
    assert len(generations) == 2


def test_an_empty_graph_is_a_valid_document():
    doc = claim_prov_document(graph={}, base_url=BASE)

    assert read_back(doc, "ttl") == doc
    assert doc.get_records() == []
