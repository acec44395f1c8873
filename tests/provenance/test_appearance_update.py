"""provenance.services.appearance_update"""

from datetime import UTC, datetime

import pytest

from claimtrail.exceptions import DomainError, NotPermitted
from provenance.models import Appearance
from provenance.services import appearance_set_derived_from, appearance_update
from tests.factories import AppearanceFactory, ClaimFactory

pytestmark = pytest.mark.django_db
MAY_3 = datetime(2023, 5, 3, 12, 0, tzinfo=UTC)


def test_changes_fields_and_records_history(analyst):
    appearance = AppearanceFactory(stance="asserts")

    appearance_update(appearance=appearance, actor=analyst, stance="denies", quote=" No. ")

    appearance.refresh_from_db()
    assert (appearance.stance, appearance.quote) == ("denies", "No.")
    assert appearance.history.first().history_user == analyst


def test_coarser_precision_truncates_stored_time(analyst):
    appearance = AppearanceFactory(published_at=MAY_3)
    appearance_update(appearance=appearance, actor=analyst, published_precision="month")
    appearance.refresh_from_db()
    assert appearance.published_at == datetime(2023, 5, 1, tzinfo=UTC)


def test_translation_rule_holds_on_update(analyst):
    appearance = AppearanceFactory(quote="Two drones", quote_language="en")

    with pytest.raises(DomainError) as exc:
        appearance_update(appearance=appearance, actor=analyst, quote_language="uk")

    assert exc.value.message == "A quote in “uk” needs a translation into “en”."
    assert Appearance.objects.get(pk=appearance.pk).quote_language == "en"


def test_moving_date_after_a_derivative_is_refused(analyst):
    upstream = AppearanceFactory(published_at=MAY_3)
    downstream = AppearanceFactory(claim=upstream.claim, published_at=MAY_3.replace(hour=14))
    appearance_set_derived_from(appearance=downstream, actor=analyst, upstreams=[upstream])

    with pytest.raises(DomainError) as exc:
        appearance_update(appearance=upstream, actor=analyst, published_at=MAY_3.replace(hour=15))

    assert exc.value.code == "derived_from_later"
    assert exc.value.fields == {"derived_from": ["Points to a later appearance."]}
    assert Appearance.objects.get(pk=upstream.pk).published_at == MAY_3


def test_claim_cannot_change(analyst):
    appearance = AppearanceFactory()
    with pytest.raises(DomainError) as exc:
        appearance_update(appearance=appearance, actor=analyst, claim=ClaimFactory())
    assert exc.value.message == "Cannot change claim of an appearance."


def test_viewer_cannot_update(viewer):
    appearance = AppearanceFactory(stance="asserts")
    with pytest.raises(NotPermitted):
        appearance_update(appearance=appearance, actor=viewer, stance="denies")
    assert Appearance.objects.get(pk=appearance.pk).stance == "asserts"
