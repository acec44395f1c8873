"""sources.services.source_update: fields and identifiers change together or not at all."""

import pytest

from claimtrail.exceptions import DomainError
from sources.models import Source
from sources.services import source_update
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_update_replaces_fields_and_identifiers(analyst):
    source = SourceFactory(name="RIA", identifiers=[("domain", "ria.ru")])

    source_update(
        source=source, actor=analyst, name="RIA Novosti", identifiers=[("telegram", "rian_ru")]
    )

    source.refresh_from_db()
    assert source.name == "RIA Novosti"
    assert list(source.identifiers.values_list("kind", "normalized_value")) == [
        ("telegram", "rian_ru")
    ]


def test_update_without_identifiers_keeps_them(analyst):
    source = SourceFactory(name="RIA", identifiers=[("domain", "ria.ru")])

    source_update(source=source, actor=analyst, name="RIA Novosti")

    assert list(source.identifiers.values_list("normalized_value", flat=True)) == ["ria.ru"]


def test_refused_identifier_leaves_the_fields_unchanged(analyst):
    SourceFactory(name="Max Seddon", identifiers=[("x_handle", "maxseddon")])
    source = SourceFactory(name="Someone", identifiers=[("domain", "example.org")])

    with pytest.raises(DomainError) as exc:
        source_update(
            source=source,
            actor=analyst,
            name="Renamed",
            identifiers=[("x_handle", "x.com/maxseddon")],
        )

    assert exc.value.message == "x_handle “maxseddon” already belongs to Max Seddon."
    fresh = Source.objects.get(pk=source.pk)
    assert fresh.name == "Someone"
    assert list(fresh.identifiers.values_list("normalized_value", flat=True)) == ["example.org"]
