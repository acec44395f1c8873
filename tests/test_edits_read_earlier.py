"""Two people edit the same record: each edit changes the fields it names and keeps what
the other saved meanwhile. The API and the admin read a record, validate, then save; an
edit made from a copy read earlier must not put back that copy's other fields."""

import pytest

from claims.models import Claim
from claims.services import claim_update
from provenance.models import Appearance, Evidence
from provenance.services import appearance_update, evidence_update
from sources.models import Source
from sources.services import source_update
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_appearance(analyst):
    appearance = AppearanceFactory(quote="First wording", stance="asserts")
    read_earlier = Appearance.objects.get(pk=appearance.pk)
    appearance_update(appearance=appearance, actor=analyst, quote="Corrected wording")

    appearance_update(appearance=read_earlier, actor=analyst, stance="repeats")

    saved = Appearance.objects.get(pk=appearance.pk)
    assert (saved.quote, saved.stance) == ("Corrected wording", "repeats")


def test_evidence(analyst):
    evidence = EvidenceFactory(title="A photo", description="")
    read_earlier = Evidence.objects.get(pk=evidence.pk)
    evidence_update(evidence=evidence, actor=analyst, title="The photo of the dome")

    evidence_update(evidence=read_earlier, actor=analyst, description="Taken from the bridge")

    saved = Evidence.objects.get(pk=evidence.pk)
    assert (saved.title, saved.description) == ("The photo of the dome", "Taken from the bridge")


def test_source(analyst):
    source = SourceFactory(name="RIA", description="")
    read_earlier = Source.objects.get(pk=source.pk)
    source_update(source=source, actor=analyst, name="RIA Novosti")

    source_update(source=read_earlier, actor=analyst, description="State news agency")

    saved = Source.objects.get(pk=source.pk)
    assert (saved.name, saved.description) == ("RIA Novosti", "State news agency")


def test_claim(analyst):
    claim = ClaimFactory(text="First wording", summary="")
    read_earlier = Claim.objects.get(pk=claim.pk)
    claim_update(claim=claim, actor=analyst, text="Corrected wording")

    claim_update(claim=read_earlier, actor=analyst, summary="A summary")

    saved = Claim.objects.get(pk=claim.pk)
    assert (saved.text, saved.summary) == ("Corrected wording", "A summary")
