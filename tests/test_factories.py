"""The test factories themselves: data they make must satisfy the services' rules."""

import pytest

from provenance.services import appearance_set_derived_from
from tests.factories import AppearanceFactory


@pytest.mark.django_db
def test_an_appearance_made_later_is_never_dated_earlier(analyst):
    """An upstream made first may always be derived from: the 60th appearance of a test
    run was dated 06:00 again and failed whichever test made it (seen in CI)."""
    AppearanceFactory.reset_sequence(59)
    upstream = AppearanceFactory()
    downstream = AppearanceFactory(claim=upstream.claim)
    assert downstream.published_at > upstream.published_at
    appearance_set_derived_from(appearance=downstream, actor=analyst, upstreams=[upstream])
