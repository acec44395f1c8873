"""sources.services.source_create and identifiers unique after normalization."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claimtrail.exceptions import DomainError, NotPermitted
from sources.models import Source, SourceIdentifier
from sources.services import source_create, source_identifier_add
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_creates_source_with_normalized_identifiers(analyst):
    source = source_create(
        actor=analyst,
        name="  Max Seddon ",
        kind="person",
        country="gb",
        aliases=["Seddon", " Seddon ", ""],
        identifiers=[("x_handle", "@MaxSeddon"), ("domain", "https://www.ft.com/")],
    )

    assert source.name == "Max Seddon"
    assert source.country == "GB"
    assert source.aliases == ["Seddon"]
    assert sorted(source.identifiers.values_list("kind", "value", "normalized_value")) == [
        ("domain", "https://www.ft.com/", "ft.com"),
        ("x_handle", "@MaxSeddon", "maxseddon"),
    ]
    assert source.history.first().history_user == analyst


@pytest.mark.parametrize("spelling", ["@MaxSeddon", "maxseddon", "https://x.com/maxseddon"])
def test_refuses_identifier_taken_in_another_spelling(analyst, spelling):
    SourceFactory(name="Max Seddon", identifiers=[("x_handle", "@maxseddon")])

    with pytest.raises(DomainError) as exc:
        source_create(actor=analyst, name="Impostor", identifiers=[("x_handle", spelling)])

    assert exc.value.message == "x_handle “maxseddon” already belongs to Max Seddon."
    assert exc.value.fields == {"identifiers": [exc.value.message]}
    assert not Source.objects.filter(name="Impostor").exists()
    assert SourceIdentifier.objects.count() == 1


def test_same_handle_twice_on_one_source_is_kept_once(analyst):
    source = source_create(
        actor=analyst,
        name="Max Seddon",
        identifiers=[("x_handle", "@MaxSeddon"), ("x_handle", "https://twitter.com/maxseddon")],
    )
    assert source.identifiers.count() == 1


def test_same_value_under_another_kind_is_another_identifier(analyst):
    SourceFactory(name="RIA on X", identifiers=[("x_handle", "rian_ru")])
    source = source_create(
        actor=analyst, name="RIA on Telegram", identifiers=[("telegram", "t.me/rian_ru")]
    )
    assert source.identifiers.get().normalized_value == "rian_ru"


def test_refuses_malformed_identifier(analyst):
    with pytest.raises(DomainError) as exc:
        source_create(actor=analyst, name="Nobody", identifiers=[("wikidata", "P31")])
    assert exc.value.message == "“P31” is not a Wikidata item id such as Q7747."
    assert exc.value.fields == {"identifiers": [exc.value.message]}
    assert not Source.objects.exists()


@pytest.mark.postgres  # SQLite's error names the columns, not the constraint
def test_database_refuses_duplicate_normalized_identifier(analyst):
    first = SourceFactory(identifiers=[("x_handle", "maxseddon")])
    second = SourceFactory()

    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        SourceIdentifier.objects.create(
            source=second, kind="x_handle", value="MAXSEDDON", normalized_value="maxseddon"
        )

    assert "source_identifier_unique_per_kind" in str(exc.value)
    assert list(SourceIdentifier.objects.values_list("source_id", flat=True)) == [first.pk]


def test_model_validation_names_the_unique_constraint(analyst):
    SourceFactory(identifiers=[("x_handle", "maxseddon")])
    duplicate = SourceIdentifier(
        source=SourceFactory(), kind="x_handle", value="x", normalized_value="maxseddon"
    )
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert exc.value.messages == ["This identifier already belongs to a source."]


def test_identifier_add_to_same_source_is_idempotent(analyst):
    source = SourceFactory(identifiers=[("x_handle", "maxseddon")])
    again = source_identifier_add(source=source, actor=analyst, kind="x_handle", value="@MaxSeddon")
    assert again.source_id == source.pk
    assert source.identifiers.count() == 1


def test_viewer_cannot_create(viewer):
    with pytest.raises(NotPermitted) as exc:
        source_create(actor=viewer, name="Nobody")
    assert exc.value.message == "Requires the analyst role."
    assert not Source.objects.exists()
