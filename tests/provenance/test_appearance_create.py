"""provenance.services.appearance_create"""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from claims.models import Claim
from claimtrail.exceptions import DomainError, NotPermitted
from provenance.models import Appearance
from provenance.services import appearance_create
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_records_appearance_with_history_and_search_document(analyst):
    claim = ClaimFactory(text="A drone attack on the Kremlin")
    source = SourceFactory(name="Kremlin press service")

    appearance = appearance_create(
        actor=analyst,
        claim=claim,
        source=source,
        stance="asserts",
        quote="  Киевский режим предпринял попытку  ",
        quote_language="ru",
        quote_translation="The Kyiv regime made an attempt",
        url="http://kremlin.ru/events/president/news/71054",
        published_at=datetime(2023, 5, 3, 13, 36, tzinfo=UTC),
    )

    appearance.refresh_from_db()
    assert appearance.quote == "Киевский режим предпринял попытку"
    assert appearance.created_by == analyst
    assert appearance.history.first().history_user == analyst
    document = Claim.objects.get(pk=claim.pk).search_document
    assert "Киевский режим" in document
    assert "The Kyiv regime" in document


@pytest.mark.parametrize(
    ("precision", "stored"),
    [
        ("exact", datetime(2023, 5, 3, 13, 36, 20, tzinfo=UTC)),
        ("day", datetime(2023, 5, 3, tzinfo=UTC)),
        ("month", datetime(2023, 5, 1, tzinfo=UTC)),
    ],
)
def test_stores_the_start_of_the_period_for_coarse_precision(analyst, precision, stored):
    appearance = AppearanceFactory(
        published_at=datetime(2023, 5, 3, 13, 36, 20, tzinfo=UTC), published_precision=precision
    )
    appearance.refresh_from_db()
    assert appearance.published_at == stored


def test_quote_in_another_language_needs_translation(analyst):
    claim = ClaimFactory()

    with pytest.raises(DomainError) as exc:
        appearance_create(
            actor=analyst,
            claim=claim,
            source=SourceFactory(),
            stance="asserts",
            quote="Два беспилотника",
            quote_language="ru",
        )

    assert exc.value.message == "A quote in “ru” needs a translation into “en”."
    assert exc.value.code == "translation_required"
    assert exc.value.fields == {"quote_translation": ["Translate the quote into en."]}
    assert not Appearance.objects.exists()


@pytest.mark.parametrize("language", ["en", "EN", "en-GB", ""])
def test_quote_in_working_language_or_unknown_needs_no_translation(analyst, language):
    appearance = AppearanceFactory(quote="Two drones", quote_language=language)
    assert appearance.pk is not None


def test_working_language_comes_from_settings(analyst, settings):
    settings.WORKING_LANGUAGE = "ru"
    appearance = AppearanceFactory(quote="Два беспилотника", quote_language="ru")
    assert appearance.quote_translation == ""
    with pytest.raises(DomainError) as exc:
        AppearanceFactory(quote="Two drones", quote_language="en")
    assert exc.value.message == "A quote in “en” needs a translation into “ru”."


def test_derived_from_at_creation(analyst):
    upstream = AppearanceFactory(published_at=datetime(2023, 5, 3, 13, 0, tzinfo=UTC))

    downstream = appearance_create(
        actor=analyst,
        claim=upstream.claim,
        source=SourceFactory(),
        stance="reports",
        published_at=datetime(2023, 5, 3, 14, 0, tzinfo=UTC),
        derived_from=[upstream],
    )

    assert list(downstream.derived_from.all()) == [upstream]
    assert list(upstream.derivatives.all()) == [downstream]


def test_invalid_url_is_a_validation_error(analyst):
    with pytest.raises(ValidationError) as exc:
        AppearanceFactory(url="not a url")
    assert exc.value.message_dict == {"url": ["Enter a valid URL."]}


def test_viewer_cannot_create(viewer):
    with pytest.raises(NotPermitted) as exc:
        appearance_create(
            actor=viewer, claim=ClaimFactory(), source=SourceFactory(), stance="asserts"
        )
    assert exc.value.message == "Requires the analyst role."
    assert not Appearance.objects.exists()
