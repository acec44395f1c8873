"""Two people edit the same record: each edit changes the fields it names and keeps what
the other saved meanwhile. The API and the admin read a record, validate, then save; an
edit made from a copy read earlier must not put back that copy's other fields, nor make
again a record deleted meanwhile."""

import pytest

from claims.services import claim_update
from claimtrail.exceptions import NotFound
from provenance.services import appearance_update, evidence_update
from sources.services import source_update
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db

# (make a record, edit it; a field edited first, another edited from the copy read earlier)
KINDS = {
    "claim": (ClaimFactory, lambda c, **edit: claim_update(claim=c, **edit), "text", "summary"),
    "appearance": (
        AppearanceFactory,
        lambda a, **edit: appearance_update(appearance=a, **edit),
        "quote",
        "quote_translation",
    ),
    "evidence": (
        EvidenceFactory,
        lambda e, **edit: evidence_update(evidence=e, **edit),
        "title",
        "description",
    ),
    "source": (
        SourceFactory,
        lambda s, **edit: source_update(source=s, **edit),
        "name",
        "description",
    ),
}


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_keeps_what_another_saved_since_it_read(analyst, kind):
    make, edit, first_field, second_field = KINDS[kind]
    record = make()
    read_earlier = type(record).objects.get(pk=record.pk)
    edit(record, actor=analyst, **{first_field: "Corrected first"})

    edit(read_earlier, actor=analyst, **{second_field: "Added second"})

    saved = type(record).objects.get(pk=record.pk)
    assert (getattr(saved, first_field), getattr(saved, second_field)) == (
        "Corrected first",
        "Added second",
    )


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_of_a_record_deleted_meanwhile_is_not_found(analyst, kind):
    make, edit, first_field, _ = KINDS[kind]
    record = make()
    type(record).objects.filter(pk=record.pk).delete()

    with pytest.raises(NotFound, match="was deleted meanwhile"):
        edit(record, actor=analyst, **{first_field: "Too late"})

    assert not type(record).objects.filter(pk=record.pk).exists()
