"""sources.services.source_update, source_identifiers_replace and parent loops."""

import pytest
from django.db import IntegrityError, transaction

from claimtrail.exceptions import DomainError, NotPermitted
from sources.models import Source
from sources.services import source_identifiers_replace, source_update
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_changes_fields_and_records_history(analyst):
    source = SourceFactory(name="RIA", reliability="C")

    source_update(source=source, actor=analyst, name="RIA Novosti", reliability="D", country="ru")

    source.refresh_from_db()
    assert (source.name, source.reliability, source.country) == ("RIA Novosti", "D", "RU")
    latest = source.history.first()
    assert latest.history_user == analyst
    assert latest.prev_record.name == "RIA"


def test_sets_parent(analyst):
    kremlin = SourceFactory(name="Kremlin")
    press = SourceFactory(name="Kremlin press service")
    source_update(source=press, actor=analyst, parent=kremlin)
    assert Source.objects.get(pk=press.pk).parent == kremlin


def test_refuses_own_parent(analyst):
    source = SourceFactory()
    with pytest.raises(DomainError) as exc:
        source_update(source=source, actor=analyst, parent=source)
    assert (
        exc.value.message == "A source cannot be part of itself, directly or through its parents."
    )
    assert exc.value.fields == {"parent": ["This parent would make a loop."]}
    assert Source.objects.get(pk=source.pk).parent is None


def test_refuses_parent_loop_through_ancestors(analyst):
    top = SourceFactory(name="Top")
    middle = SourceFactory(name="Middle", parent=top)
    bottom = SourceFactory(name="Bottom", parent=middle)

    with pytest.raises(DomainError) as exc:
        source_update(source=top, actor=analyst, parent=bottom)

    assert (
        exc.value.message == "A source cannot be part of itself, directly or through its parents."
    )
    assert Source.objects.get(pk=top.pk).parent is None


def test_database_refuses_own_parent():
    source = SourceFactory()
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        Source.objects.filter(pk=source.pk).update(parent=source)
    assert "source_not_own_parent" in str(exc.value)


def test_refuses_unknown_field(analyst):
    source = SourceFactory()
    with pytest.raises(DomainError) as exc:
        source_update(source=source, actor=analyst, created_by=analyst)
    assert exc.value.message == "Cannot change created_by of a source."


def test_identifiers_replace_keeps_adds_and_removes(analyst):
    source = SourceFactory(identifiers=[("x_handle", "maxseddon"), ("domain", "ft.com")])

    source_identifiers_replace(
        source=source,
        actor=analyst,
        identifiers=[("x_handle", "https://x.com/MaxSeddon"), ("wikidata", "Q123")],
    )

    assert sorted(source.identifiers.values_list("kind", "normalized_value")) == [
        ("wikidata", "Q123"),
        ("x_handle", "maxseddon"),
    ]


def test_identifiers_replace_refuses_one_taken_elsewhere(analyst):
    SourceFactory(name="Max Seddon", identifiers=[("x_handle", "maxseddon")])
    other = SourceFactory(identifiers=[("domain", "ft.com")])

    with pytest.raises(DomainError) as exc, transaction.atomic():
        source_identifiers_replace(
            source=other, actor=analyst, identifiers=[("x_handle", "@MAXSEDDON")]
        )

    assert exc.value.message == "x_handle “maxseddon” already belongs to Max Seddon."
    assert list(other.identifiers.values_list("normalized_value", flat=True)) == ["ft.com"]


def test_viewer_cannot_update(viewer):
    source = SourceFactory(name="RIA")
    with pytest.raises(NotPermitted):
        source_update(source=source, actor=viewer, name="Changed")
    assert Source.objects.get(pk=source.pk).name == "RIA"
