"""provenance.services.evidence_delete"""

import pytest

from claimtrail.exceptions import NotPermitted
from provenance.models import Capture, Evidence
from provenance.services import evidence_delete
from tests.factories import EvidenceFactory

pytestmark = pytest.mark.django_db


def test_editor_deletes_evidence_and_capture_records(editor):
    evidence = EvidenceFactory()
    evidence_delete(actor=editor, evidence=evidence)
    assert not Evidence.objects.exists()
    assert not Capture.objects.exists()


def test_analyst_cannot_delete(analyst):
    evidence = EvidenceFactory()
    with pytest.raises(NotPermitted) as exc:
        evidence_delete(actor=analyst, evidence=evidence)
    assert exc.value.message == "Only editors can delete evidence."
    assert Evidence.objects.filter(pk=evidence.pk).exists()
