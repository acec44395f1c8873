"""A claim's history page: changes to the claim and its records, and review events."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from claims.services import claim_relation_create, claim_review, claim_update
from provenance.services import appearance_set_derived_from
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _history(claim, page=None) -> str:
    url = reverse("claims:history", args=[claim.public_id])
    return f"{url}?page={page}" if page else url


def test_history_lists_changes_newest_first_with_who_and_old_to_new(
    client, analyst, editor, succeeded_capture
):
    claim = ClaimFactory(text="Original wording", actor=analyst)
    evidence = EvidenceFactory(claims=[claim], title="The video")
    capture = succeeded_capture(evidence)
    claim_update(actor=analyst, claim=claim, text="Better wording")
    first = AppearanceFactory(
        claim=claim,
        source=SourceFactory(name="Source A"),
        published_at=datetime(2023, 5, 3, tzinfo=UTC),
    )
    second = AppearanceFactory(
        claim=claim,
        source=SourceFactory(name="Source B"),
        published_at=datetime(2023, 5, 4, tzinfo=UTC),
    )
    appearance_set_derived_from(actor=analyst, appearance=second, upstreams=[first])
    other = ClaimFactory(text="Some other claim")
    claim_relation_create(actor=analyst, from_claim=claim, to_claim=other, kind="supports")
    claim_review(
        claim=claim, actor=editor, to_state="published", verdict="refuted", comment="Checked"
    )
    client.force_login(analyst)

    response = client.get(_history(claim))

    assert response.status_code == 200
    entries = response.context["entries"]
    kinds = [e.kind for e in entries]
    assert "review" in kinds[:2]  # the review event, and the claim row it changed
    assert {"claim", "appearance", "evidence link", "relation", "derivation"} <= set(kinds)
    body = response.content.decode()
    assert "<del>Original wording</del> → <ins>Better wording</ins>" in body
    assert "Draft → Published" in body
    assert body.count("verdict: <del>—</del> → <ins>Refuted</ins>") == 2  # claim row, review
    assert "Source B’s asserts derives from Source A’s asserts" in body
    assert "upstream: <del>—</del> → <ins>Source A’s asserts</ins>" in body
    assert capture.sha256 in body
    assert "Checked" in body
    assert editor.username in body
    # newest first
    times = [e.at for e in entries]
    assert times == sorted(times, reverse=True)


def test_history_shows_tag_changes(client, analyst):
    claim = ClaimFactory(tags=["drones"])
    claim_update(actor=analyst, claim=claim, tags=["drones", "moscow"])
    client.force_login(analyst)
    body = client.get(_history(claim)).content.decode()
    assert "tags: <del>drones</del> → <ins>drones, moscow</ins>" in body


def test_history_is_paginated(client, analyst):
    claim = ClaimFactory()
    for n in range(55):
        claim_update(actor=analyst, claim=claim, summary=f"Summary {n}")
    client.force_login(analyst)
    first = client.get(_history(claim))
    assert len(first.context["entries"]) == 50
    assert "<ins>Summary 54</ins>" in first.content.decode()
    second = client.get(_history(claim, page=2))
    assert len(second.context["entries"]) == 6  # 5 edits and the creation
    assert second.context["entries"][-1].action == "created"


def test_history_escapes_user_text(client, analyst):
    claim = ClaimFactory(text="<script>window.__pwned=1</script>")
    claim_update(actor=analyst, claim=claim, text="<img src=x onerror=alert(1)>")
    client.force_login(analyst)
    body = client.get(_history(claim)).content.decode()
    assert "<script>window.__pwned" not in body and "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_history_needs_a_reader_role_and_a_visible_claim(client, django_user_model, analyst):
    claim = ClaimFactory()
    assert client.get(_history(claim)).status_code == 302
    client.force_login(django_user_model.objects.create_user("no_role"))
    assert client.get(_history(claim)).status_code == 403
    client.force_login(analyst)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("claims:history", args=[missing])).status_code == 404


@pytest.mark.parametrize("size", [2, 30])
def test_history_query_count_is_fixed(
    client, analyst, editor, django_assert_max_num_queries, size, succeeded_capture
):
    claim = ClaimFactory()
    start = datetime(2023, 5, 3, tzinfo=UTC)
    appearances = [
        AppearanceFactory(claim=claim, published_at=start + timedelta(minutes=n))
        for n in range(size)
    ]
    for upstream, appearance in itertools.pairwise(appearances):
        appearance_set_derived_from(actor=analyst, appearance=appearance, upstreams=[upstream])
    for evidence in EvidenceFactory.create_batch(size, claims=[claim]):
        succeeded_capture(evidence)
    for other in ClaimFactory.create_batch(size):
        claim_relation_create(actor=analyst, from_claim=claim, to_claim=other, kind="supports")
    for n in range(size):
        claim_update(actor=analyst, claim=claim, summary=f"Summary {n}")
    claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")
    client.force_login(analyst)
    # session, user, roles, claim, count, page keys; per kind (5) records and previous
    # records; the claim rows' tags; review events and their captures
    with django_assert_max_num_queries(19):
        response = client.get(_history(claim))
    assert response.status_code == 200
