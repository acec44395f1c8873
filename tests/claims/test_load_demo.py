"""`manage.py load_demo`: the Kremlin drone case, built once however often it runs."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from claims.demo import DEMO_EDITOR, DEMO_TAG
from claims.models import Claim, ClaimRelation, PublishedRevision, ReviewEvent
from provenance.models import Appearance, AppearanceDerivation, Capture, Evidence, EvidenceClaim
from sources.models import Source, SourceIdentifier

pytestmark = pytest.mark.django_db

MAIN_TEXT = (
    "Ukraine launched a drone attack on the Kremlin on the night of 2–3 May 2023 "
    "in an attempt to assassinate Vladimir Putin."
)


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    """Rows of every model, history tables included."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("sources", "claims", "provenance", "auth", "authtoken")
    }


def _main() -> Claim:
    return Claim.objects.get(text=MAIN_TEXT)


def test_load_demo_builds_the_case():
    output = _load()

    assert "Demo case loaded" in output
    assert Claim.objects.filter(tags__name=DEMO_TAG).count() == 9
    assert Source.objects.count() == 10
    assert Appearance.objects.count() == 19
    assert Evidence.objects.count() == 3
    assert EvidenceClaim.objects.count() == 6
    assert ClaimRelation.objects.count() == 8
    assert AppearanceDerivation.objects.count() == 10
    assert Capture.objects.filter(status="queued").count() == 3


def test_main_claim_is_published_unverifiable_by_the_demo_editor():
    _load()
    main = _main()

    assert main.review_state == "published"
    assert main.verdict == "unverifiable"
    assert main.credibility == 6
    assert main.reviewed_by.username == DEMO_EDITOR
    assert main.first_seen.isoformat() == "2023-05-03"
    events = ReviewEvent.objects.filter(claim=main)
    assert list(events.values_list("from_state", "to_state", "actor__username")) == [
        ("draft", "in_review", "demo-analyst"),
        ("in_review", "published", DEMO_EDITOR),
    ]
    assert not main.created_by.has_usable_password()


def test_parts_and_counter_claim_are_related_to_the_main_claim():
    _load()
    main = _main()

    parts = Claim.objects.filter(
        relations_out__to_claim=main, relations_out__kind="part_of"
    ).values_list("text", flat=True)
    assert len(parts) == 6
    assert any("two drones" in text for text in parts)
    assert any("retaliate" in text for text in parts)
    assert all(
        state == "draft"
        for state in Claim.objects.filter(text__in=parts).values_list("review_state", flat=True)
    )
    counter = Claim.objects.get(relations_out__to_claim=main, relations_out__kind="contradicts")
    assert "false flag" in counter.text
    assert counter.review_state == "in_review"
    assert counter.verdict == ""


def test_sources_have_parents_identifiers_and_reliability():
    _load()

    press = Source.objects.get(name="Kremlin press service")
    assert press.parent.name == "Office of the President of Russia"
    assert "Russian presidency" in press.parent.aliases
    assert (press.kind, press.country, press.state_affiliated) == ("government_body", "RU", True)
    seddon = Source.objects.get(name="Max Seddon")
    assert (seddon.kind, seddon.parent.name) == ("person", "Financial Times")
    identifiers = {
        (i.kind, i.normalized_value): i.source.name
        for i in SourceIdentifier.objects.select_related("source")
    }
    assert identifiers[("x_handle", "maxseddon")] == "Max Seddon"
    assert identifiers[("domain", "ft.com")] == "Financial Times"
    assert identifiers[("domain", "nbcnews.com")] == "NBC News"
    assert identifiers[("domain", "kremlin.ru")] == "Office of the President of Russia"
    assert Source.objects.get(name="Telegram channels (unnamed)").kind == "channel"
    assert Source.objects.get(name="U.S. intelligence").kind == "government_body"


def test_statement_travels_from_the_kremlin_through_state_news_to_nbc_and_seddon():
    _load()
    main = _main()
    on_main = Appearance.objects.filter(claim=main).select_related("source")
    by_source = {}
    for appearance in on_main:
        by_source.setdefault(appearance.source.name, []).append(appearance)
    kremlin = by_source["Kremlin press service"][0]
    ria = by_source["RIA Novosti"][0]
    nbc = by_source["NBC News"][0]

    assert kremlin.quote.startswith("Расцениваем эти действия как спланированную")
    assert (kremlin.quote_language, kremlin.stance) == ("ru", "asserts")
    assert kremlin.quote_translation.startswith("We regard these actions as a planned terrorist")
    assert kremlin.published_at.isoformat() == "2023-05-03T00:00:00+00:00"
    assert kremlin.published_precision == "day"
    assert list(kremlin.derived_from.all()) == []
    assert list(ria.derived_from.all()) == [kremlin]
    assert list(nbc.derived_from.all()) == [ria]
    assert nbc.stance == "quotes"
    for tweet in by_source["Max Seddon"]:
        assert kremlin in tweet.derived_from.all()


def test_evidence_is_linked_to_claims_and_the_tweets_that_carried_it():
    _load()
    main = _main()
    evidence = {e.url: e for e in Evidence.objects.select_related("appearance__source")}

    assert set(evidence) == {
        "https://pic.twitter.com/Bw6Bp4OwFk",
        "https://pic.twitter.com/AkUTbYYeiH",
        "https://pic.twitter.com/1XiwCbC4lI",
    }
    drone_video = evidence["https://pic.twitter.com/1XiwCbC4lI"]
    assert drone_video.kind == "video"
    assert drone_video.appearance.source.name == "Max Seddon"
    assert drone_video.appearance.claim == main
    assert "Incredible footage" in drone_video.appearance.quote
    assert set(Evidence.objects.filter(claims=main).values_list("url", flat=True)) == set(evidence)


def test_main_claim_is_searchable_in_russian_and_english():
    _load()
    main = _main()

    assert "Расцениваем" in main.search_document
    assert "Incredible footage" in main.search_document


def test_load_demo_twice_changes_nothing():
    _load()
    before = _counts()
    main_before = _main()

    output = _load()

    assert "already loaded" in output
    assert _counts() == before
    main_after = _main()
    assert main_after.public_id == main_before.public_id
    assert main_after.updated_at == main_before.updated_at


def test_main_claim_is_published_as_revision_one_that_anonymous_readers_see(anon_client):
    _load()
    main = _main()
    _load()

    revision = PublishedRevision.objects.get(claim=main)
    assert revision.number == 1
    assert main.published_revision == revision
    assert ReviewEvent.objects.get(claim=main, to_state="published").revision == revision
    body = anon_client.get(f"/api/claims/{main.public_id}/").json()
    assert body["published_revision"]["sha256"] == revision.sha256
    assert len(body["appearances"]) == Appearance.objects.filter(claim=main).count() > 0


def test_migration_freezes_claims_published_before_revisions(anon_client):
    _load()
    main = _main()
    first_event = ReviewEvent.objects.get(claim=main, to_state="published")
    # The state before migration 0005: a published claim without a revision.
    ReviewEvent.objects.filter(claim=main).update(revision=None)
    Claim.objects.filter(pk=main.pk).update(published_revision=None)
    PublishedRevision.objects.filter(claim=main).delete()
    migration = importlib.import_module("claims.migrations.0005_published_revision")

    migration.freeze_published_claims(apps, None)

    revision = PublishedRevision.objects.get(claim=main)
    assert (revision.number, ReviewEvent.objects.get(pk=first_event.pk).revision) == (1, revision)
    assert revision.published_by.username == DEMO_EDITOR
    assert anon_client.get(f"/api/claims/{main.public_id}/").status_code == 200
