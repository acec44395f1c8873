"""The public page of a published claim, `/c/<uuid>/`: the published revision, no login."""

import json
import re
import uuid

import pytest

from claims.services import claim_update
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    PublishedClaimFactory,
    SourceFactory,
    publish_again,
)

BREAKOUT = "</script><script>window.__pwned=1</script><!-- <img src=x onerror=alert(1)>"


def _json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1, "exactly one ClaimReview block, not broken up"
    return json.loads(blocks[0])


@pytest.mark.django_db
def test_anonymous_reads_the_published_revision_with_its_claimreview(client, editor):
    claim = PublishedClaimFactory(actor=editor, text="Drone over the Kremlin", verdict="refuted")
    source = SourceFactory(actor=editor, name="Kremlin press service", state_affiliated=True)
    AppearanceFactory(
        actor=editor, claim=claim, source=source, quote="Statement", url="https://kremlin.ru/1"
    )
    publish_again(claim, actor=editor)

    response = client.get(f"/c/{claim.public_id}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Drone over the Kremlin" in html and "Kremlin press service" in html
    assert "Refuted" in html and "State-affiliated" in html
    document = _json_ld(html)
    assert document["@type"] == "ClaimReview"
    assert document == client.get(f"/api/claims/{claim.public_id}/claimreview/").json()
    assert "Log out" not in html


@pytest.mark.django_db
def test_user_text_cannot_break_out_of_the_json_ld_block(client, editor):
    claim = PublishedClaimFactory(actor=editor, text=BREAKOUT)

    html = client.get(f"/c/{claim.public_id}/").content.decode()

    assert "<script>window.__pwned" not in html
    assert _json_ld(html)["claimReviewed"] == BREAKOUT  # the same text once parsed
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1" in html  # the heading, as text


@pytest.mark.django_db
def test_unpublished_claims_are_404_for_everyone(client, editor):
    draft = ClaimFactory(actor=editor, text="A draft")
    assert client.get(f"/c/{draft.public_id}/").status_code == 404
    assert client.get(f"/c/{uuid.uuid4()}/").status_code == 404
    client.force_login(editor)
    assert client.get(f"/c/{draft.public_id}/").status_code == 404


@pytest.mark.django_db
def test_later_changes_wait_for_republication(client, editor):
    claim = PublishedClaimFactory(actor=editor, text="As published")
    AppearanceFactory(actor=editor, claim=claim, quote="Added after publication")
    claim_update(claim=claim, actor=editor, text="Edited since")

    html = client.get(f"/c/{claim.public_id}/").content.decode()
    assert "As published" in html
    assert "Added after publication" not in html and "Edited since" not in html

    publish_again(claim, actor=editor)
    html = client.get(f"/c/{claim.public_id}/").content.decode()
    assert "Added after publication" in html and "Edited since" in html


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 30])
def test_query_count_is_fixed(client, editor, n, django_assert_max_num_queries):
    claim = PublishedClaimFactory(actor=editor)
    for _ in range(n):
        AppearanceFactory(actor=editor, claim=claim)
    publish_again(claim, actor=editor)
    # published_detail: claim with payload, review events, related texts, latest captures.
    with django_assert_max_num_queries(4):
        response = client.get(f"/c/{claim.public_id}/")
    assert len(response.context["appearances"]) == n


@pytest.mark.django_db
def test_readers_see_who_each_appearance_came_from_and_dates_as_precise_as_known(client, editor):
    from datetime import UTC, datetime

    claim = PublishedClaimFactory(actor=editor)
    origin = AppearanceFactory(
        actor=editor,
        claim=claim,
        source=SourceFactory(actor=editor, name="Kremlin press service"),
        published_at=datetime(2023, 5, 3, 12, 30, tzinfo=UTC),
        published_precision="day",
    )
    elsewhere = AppearanceFactory(actor=editor, claim=PublishedClaimFactory(actor=editor))
    publish_again(elsewhere.claim, actor=editor)  # public: it may be named, not read live
    repeat = AppearanceFactory(
        actor=editor,
        claim=claim,
        source=SourceFactory(actor=editor, name="A yearbook"),
        published_at=datetime(2023, 1, 1, tzinfo=UTC),
        published_precision="year",
        derived_from=[origin, elsewhere],
    )
    publish_again(claim, actor=editor)
    claim_update(claim=claim, actor=editor, text=claim.text)  # unpublished edits stay off
    origin.source.name = "Renamed since"
    origin.source.save()

    html = client.get(f"/c/{claim.public_id}/").content.decode()

    card = html[html.index(f'id="appearance-{repeat.public_id}"') :]
    card = card[: card.index("</li>")]
    assert '<time class="small" datetime="2023-01-01T00:00:00+00:00">2023</time>' in card
    assert (
        f'Derived from:\n          <a href="#appearance-{origin.public_id}">'
        "Kremlin press service (3 May 2023)</a>; an appearance of another published claim"
    ) in card
    assert f'id="appearance-{origin.public_id}"' in html
    assert "Renamed since" not in html
