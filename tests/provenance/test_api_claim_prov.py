"""GET /api/claims/{id}/prov/: the claim's provenance as PROV-JSON, PROV-N or PROV-O
(Turtle), each read back with the prov library."""

from datetime import UTC, datetime, timedelta

import pytest
from prov.constants import PROV
from prov.model import ProvActivity, ProvAgent, ProvDocument, ProvEntity, ProvRelation

from claims.services import claim_review
from tests.claims.conftest import make_succeeded_capture
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory
from tests.schema_check import assert_matches_schema

pytestmark = pytest.mark.django_db

SITE = "https://claims.example.org"
API = f"{SITE}/api/"
START = datetime(2023, 5, 3, 13, 0, tzinfo=UTC)
FORMATS = {
    "json": ("application/json", {"format": "json"}),
    "provn": ("text/provenance-notation", {"format": "provn"}),
    "ttl": ("text/turtle", {"format": "rdf", "rdf_format": "turtle"}),
}
QUOTATION = str(PROV["Quotation"].uri)
PRIMARY = str(PROV["PrimarySource"].uri)


def url(claim) -> str:
    return f"/api/claims/{claim.public_id}/prov/"


def uri(kind: str, row) -> str:
    return f"{API}{kind}/{row.public_id}"


def read(response, fmt: str) -> ProvDocument:
    media_type, options = FORMATS[fmt]
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    return ProvDocument.deserialize(content=response.content.decode(), **options)


def relations(document: ProvDocument) -> set[tuple]:
    found = set()
    for record in document.get_records(ProvRelation):
        first, second = (value for _, value in record.formal_attributes[:2])
        types = tuple(sorted(str(t.uri) for t in record.get_asserted_types()))
        found.add((record.get_type().localpart, first.uri, second and second.uri, types))
    return found


@pytest.fixture
def case(editor, settings):
    """The Kremlin statement, relayed by state news and quoted by a correspondent; a draft
    claim relays the quote further; a video refutes it; the editor publishes."""
    settings.SITE_URL = SITE
    kremlin = SourceFactory(actor=editor, name="Kremlin", kind="government_body")
    press = SourceFactory(
        actor=editor, name="Kremlin press service", kind="organization", parent=kremlin
    )
    ria = SourceFactory(actor=editor, name="RIA Novosti", kind="outlet")
    seddon = SourceFactory(actor=editor, name="Max Seddon", kind="person")
    claim = ClaimFactory(actor=editor, text="Ukraine attacked the Kremlin with drones.")
    origin = AppearanceFactory(
        actor=editor,
        claim=claim,
        source=press,
        url="http://kremlin.ru/1",
        published_at=START,
        quote="Киевский режим",
        quote_language="ru",
        quote_translation="The Kyiv regime",
    )
    relay = AppearanceFactory(
        actor=editor,
        claim=claim,
        source=ria,
        stance="repeats",
        derived_from=[origin],
        published_at=START + timedelta(minutes=30),
    )
    quote = AppearanceFactory(
        actor=editor,
        claim=claim,
        source=seddon,
        stance="quotes",
        derived_from=[relay],
        published_at=START + timedelta(minutes=60),
    )
    # The Kremlin speaks on the claim too, so anyone may see it as the press service's parent.
    AppearanceFactory(
        actor=editor,
        claim=claim,
        source=kremlin,
        stance="repeats",
        derived_from=[origin],
        published_at=START + timedelta(minutes=90),
    )
    draft = ClaimFactory(actor=editor, text="Draft relay")
    hidden = AppearanceFactory(
        actor=editor,
        claim=draft,
        source=ria,
        stance="repeats",
        derived_from=[quote],
        published_at=START + timedelta(hours=2),
    )
    video = EvidenceFactory(actor=editor, kind="video", claims=[claim], relation="refutes")
    capture = make_succeeded_capture(video, content=b"the video")
    event = claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")
    return {
        "claim": claim,
        "kremlin": kremlin,
        "press": press,
        "ria": ria,
        "seddon": seddon,
        "origin": origin,
        "relay": relay,
        "quote": quote,
        "draft": draft,
        "hidden": hidden,
        "video": video,
        "capture": capture,
        "event": event,
    }


def _check_relations(document: ProvDocument, case, editor) -> None:
    found = relations(document)
    a1, a2, a3 = (uri("appearances", case[key]) for key in ("origin", "relay", "quote"))
    capture = case["capture"]
    copy = f"nih:sha-256;{capture.sha256}"
    review = f"urn:uuid:{case['event'].public_id}"
    editor_uri = f"urn:claimtrail:user:{editor.username}"

    assert (
        "Delegation",
        uri("sources", case["press"]),
        uri("sources", case["kremlin"]),
        (),
    ) in found
    assert ("Attribution", a1, uri("sources", case["press"]), ()) in found
    assert ("Derivation", a2, a1, ()) in found
    assert ("Derivation", a3, a2, (QUOTATION,)) in found
    assert ("Derivation", a3, a1, (PRIMARY,)) in found
    assert ("Derivation", a2, a1, (PRIMARY,)) in found
    assert ("Generation", copy, uri("captures", capture), ()) in found
    assert ("Usage", uri("captures", capture), uri("evidence", case["video"]), ()) in found
    assert ("Association", review, editor_uri, ()) in found
    assert ("Usage", review, copy, ()) in found
    revision = f"nih:sha-256;{case['event'].revision.sha256}"
    assert ("Generation", revision, review, ()) in found
    assert ("Specialization", revision, uri("claims", case["claim"]), ()) in found

    entities = {e.identifier.uri: e for e in document.get_records(ProvEntity)}
    assert set(entities[copy].get_attribute("ct:sha256")) == {capture.sha256}
    activities = {a.identifier.uri: a for a in document.get_records(ProvActivity)}
    assert set(activities[review].get_attribute("ct:verdict")) == {"refuted"}
    agents = {a.identifier.uri: a for a in document.get_records(ProvAgent)}
    assert PROV["Person"] in agents[editor_uri].get_asserted_types()
    quote = next(iter(entities[a1].get_attribute("prov:value")))
    assert (str(quote.value), quote.langtag) == ("Киевский режим", "ru")


@pytest.mark.parametrize("fmt", ["json", "provn", "ttl"])
def test_format_by_query_parameter(anon_client, case, editor, fmt):
    response = anon_client.get(url(case["claim"]), {"format": fmt})

    _check_relations(read(response, fmt), case, editor)


@pytest.mark.parametrize("fmt", ["json", "provn", "ttl"])
def test_format_by_accept_header(anon_client, case, editor, fmt):
    response = anon_client.get(url(case["claim"]), HTTP_ACCEPT=FORMATS[fmt][0])

    _check_relations(read(response, fmt), case, editor)


def test_prov_json_is_the_default(anon_client, case):
    response = anon_client.get(url(case["claim"]))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "prefix" in response.json()


def test_anonymous_reader_sees_nothing_of_unpublished_claims(anon_client, viewer_client, case):
    hidden = uri("appearances", case["hidden"])
    quote = uri("appearances", case["quote"])

    public = relations(read(anon_client.get(url(case["claim"])), "json"))
    full = relations(read(viewer_client.get(url(case["claim"])), "json"))

    assert not [r for r in public if hidden in r or uri("claims", case["draft"]) in r]
    assert ("Derivation", hidden, quote, ()) in full
    assert ("Specialization", hidden, uri("claims", case["draft"]), ()) in full


def test_draft_claim_is_a_json_404_whatever_the_format(anon_client, case):
    response = anon_client.get(url(case["draft"]), HTTP_ACCEPT="text/turtle")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "No claim with this id.",
        "code": "not_found",
        "fields": {},
    }


def test_unknown_format_is_a_400(anon_client, case):
    response = anon_client.get(url(case["claim"]), {"format": "xml"})

    assert response.status_code == 400
    assert response.json()["detail"] == "Unknown format “xml”: use one of json, provn, ttl."
    assert_matches_schema(response.json(), path="/api/claims/{public_id}/prov/", status=400)


@pytest.mark.parametrize("size", [5, 500])
def test_query_count_is_flat(viewer_client, editor, django_assert_max_num_queries, size):
    claim = ClaimFactory(actor=editor)
    parent = SourceFactory(actor=editor, kind="organization")
    sources = [SourceFactory(actor=editor, parent=parent) for _ in range(5)]
    previous = None
    for n in range(size):
        previous = AppearanceFactory(
            actor=editor,
            claim=claim,
            source=sources[n % 5],
            published_at=START + timedelta(minutes=n),
            derived_from=[previous] if previous and n % 10 else [],
        )
    for n in range(5):
        make_succeeded_capture(EvidenceFactory(actor=editor, claims=[claim]), content=bytes([n]))
    claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")

    with django_assert_max_num_queries(PROV_QUERIES):
        response = viewer_client.get(url(claim), {"format": "ttl"})

    document = read(response, "ttl")
    assert (
        len([e for e in document.get_records(ProvEntity) if "/appearances/" in e.identifier.uri])
        == size
    )


# The viewer's roles; the graph selector's six (claim, the recursive walk with its edges,
# source parents, evidence, captures, relations); appearance quotes; capture custody
# details; review events (+ editor, revision, captures relied on).
PROV_QUERIES = 10
