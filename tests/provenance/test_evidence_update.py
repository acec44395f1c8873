"""provenance.services.evidence_update"""

import pytest

from claimtrail.exceptions import DomainError
from provenance.models import Evidence, EvidenceClaim
from provenance.services import evidence_update
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def test_changes_metadata(analyst):
    evidence = EvidenceFactory(title="Old")
    evidence_update(evidence=evidence, actor=analyst, title=" New ", kind="video")
    evidence.refresh_from_db()
    assert (evidence.title, evidence.kind) == ("New", "video")


def test_replaces_claim_links_and_changes_relations(analyst):
    keep, drop, add = ClaimFactory(), ClaimFactory(), ClaimFactory()
    evidence = EvidenceFactory(claims=[keep, drop])

    evidence_update(
        evidence=evidence, actor=analyst, claim_links=[(keep, "refutes"), (add, "supports")]
    )

    assert sorted(EvidenceClaim.objects.values_list("claim_id", "relation")) == sorted(
        [(keep.pk, "refutes"), (add.pk, "supports")]
    )


@pytest.mark.parametrize("field", ["url", "file"])
def test_url_and_file_are_fixed(analyst, field):
    evidence = EvidenceFactory(url="https://example.org/a.jpg")
    with pytest.raises(DomainError) as exc:
        evidence_update(evidence=evidence, actor=analyst, **{field: "https://example.org/b"})
    assert exc.value.message == f"Cannot change {field} of evidence; add new evidence instead."
    assert Evidence.objects.get(pk=evidence.pk).url == "https://example.org/a.jpg"
