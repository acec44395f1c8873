"""The founding demo case: the Kremlin drone claims of 3 May 2023.

Built from ../shared/seed/kremlin-drone-2023-05-03.txt through the services, as an analyst
(`demo-analyst`) would enter it and an editor (`demo-editor`) would review it. Every row is
looked up by a stable key before it is created — a source by its identifier or name, a claim
by its text under DEMO_TAG, an appearance by claim, source, stance and quote, evidence by
URL — so a second run finds everything and changes nothing. Rows that exist are left as
they are (an editor may have moved the claims on since); only what is missing is added.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction

from claims.demo_case import (
    APPEARANCES,
    CLAIMS,
    DAY,
    DEMO_ANALYST,
    DEMO_EDITOR,
    DEMO_TAG,
    EVIDENCE,
    FALSE_FLAG_COMMENT,
    MAIN,
    PUBLISH_COMMENT,
    RELATIONS,
    SOURCES,
    SUBMIT_COMMENT,
    AppearanceSpec,
    ClaimSpec,
    EvidenceSpec,
    SourceSpec,
)
from claims.models import Claim, ClaimRelation
from claims.services import claim_create, claim_relation_create, claim_review
from claimtrail.lib.normalize import normalize_identifier
from claimtrail.roles import ANALYST, EDITOR, ensure_role_groups
from provenance.models import Appearance, Evidence
from provenance.services import appearance_create, evidence_create
from sources.models import Source, SourceIdentifier
from sources.services import source_create

__all__ = ["DEMO_ANALYST", "DEMO_EDITOR", "DEMO_TAG", "DemoResult", "demo_load", "demo_main_claim"]


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.existing
        bucket[kind] = bucket.get(kind, 0) + 1


def _system_user(username: str, role: str) -> User:
    """A role account the demo is attributed to; it has no usable password."""
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(ensure_role_groups()[role])
    return user


def _source(spec: SourceSpec, *, actor, parents: dict, result: DemoResult) -> Source:
    for kind, value in spec.identifiers:
        found = SourceIdentifier.objects.filter(
            kind=kind, normalized_value=normalize_identifier(kind, value)
        ).first()
        if found is not None:
            result.count("sources", False)
            return found.source
    found = Source.objects.filter(name=spec.name).first()
    if found is not None:
        result.count("sources", False)
        return found
    result.count("sources", True)
    return source_create(
        actor=actor,
        name=spec.name,
        kind=spec.kind,
        description=spec.description,
        country=spec.country,
        parent=parents[spec.parent] if spec.parent else None,
        state_affiliated=spec.state_affiliated,
        reliability=spec.reliability,
        aliases=spec.aliases,
        identifiers=spec.identifiers,
    )


def _claim(spec: ClaimSpec, *, actor, result: DemoResult) -> tuple[Claim, bool]:
    found = Claim.objects.filter(tags__name=DEMO_TAG, text=spec.text).first()
    result.count("claims", found is None)
    if found is not None:
        return found, False
    claim = claim_create(
        actor=actor, text=spec.text, summary=spec.summary, tags=spec.tags, first_seen=DAY.date()
    )
    return claim, True


def _relation(*, actor, from_claim: Claim, to_claim: Claim, kind: str, result: DemoResult):
    exists = ClaimRelation.objects.filter(
        from_claim=from_claim, to_claim=to_claim, kind=kind
    ).exists()
    result.count("relations", not exists)
    if not exists:
        claim_relation_create(actor=actor, from_claim=from_claim, to_claim=to_claim, kind=kind)


def _appearance(spec: AppearanceSpec, *, actor, claims, sources, done, result) -> Appearance:
    claim, source = claims[spec.claim], sources[spec.source]
    found = Appearance.objects.filter(
        claim=claim, source=source, stance=spec.stance, quote=spec.quote
    ).first()
    result.count("appearances", found is None)
    if found is not None:
        return found
    return appearance_create(
        actor=actor,
        claim=claim,
        source=source,
        stance=spec.stance,
        quote=spec.quote,
        quote_language=spec.language,
        quote_translation=spec.translation,
        published_at=DAY,
        published_precision=Appearance.Precision.DAY,
        derived_from=[done[key] for key in spec.derived_from],
    )


def _evidence(spec: EvidenceSpec, *, actor, claims, appearances, result) -> Evidence:
    found = Evidence.objects.filter(url=spec.url, created_by=actor).first()
    result.count("evidence", found is None)
    if found is not None:
        return found
    return evidence_create(
        actor=actor,
        kind=spec.kind,
        url=spec.url,
        title=spec.title,
        description=spec.description,
        claim_links=[(claims[key], relation) for key, relation in spec.claims],
        appearance=appearances[spec.appearance],
    )


@transaction.atomic
def demo_load() -> DemoResult:
    """Build the Kremlin drone case, adding only what is missing; returns what it did.

    One transaction: a failure leaves nothing half-built. Evidence queues its captures
    on commit (without internet they fail, with the reason recorded).
    """
    result = DemoResult()
    analyst = _system_user(DEMO_ANALYST, ANALYST)
    editor = _system_user(DEMO_EDITOR, EDITOR)

    sources: dict[str, Source] = {}
    for spec in SOURCES:
        sources[spec.key] = _source(spec, actor=analyst, parents=sources, result=result)

    claims: dict[str, Claim] = {}
    new_claims: set[str] = set()
    for spec in CLAIMS:
        claims[spec.key], created = _claim(spec, actor=analyst, result=result)
        if created:
            new_claims.add(spec.key)
    relations = [(s.key, ClaimRelation.Kind.PART_OF, s.part_of) for s in CLAIMS if s.part_of]
    for from_key, kind, to_key in (*relations, *RELATIONS):
        _relation(
            actor=analyst,
            from_claim=claims[from_key],
            to_claim=claims[to_key],
            kind=kind,
            result=result,
        )

    appearances: dict[str, Appearance] = {}
    for spec in APPEARANCES:
        appearances[spec.key] = _appearance(
            spec, actor=analyst, claims=claims, sources=sources, done=appearances, result=result
        )
    for spec in EVIDENCE:
        _evidence(spec, actor=analyst, claims=claims, appearances=appearances, result=result)

    # Review only claims this run created: an existing one may have been reviewed since.
    if MAIN in new_claims:
        claim_review(
            claim=claims[MAIN], actor=analyst, to_state="in_review", comment=SUBMIT_COMMENT
        )
        claim_review(
            claim=claims[MAIN],
            actor=editor,
            to_state="published",
            verdict=Claim.Verdict.UNVERIFIABLE,
            credibility=Claim.Credibility.CANNOT_BE_JUDGED,
            comment=PUBLISH_COMMENT,
        )
        result.count("reviews", True)
    if "false_flag" in new_claims:
        claim_review(
            claim=claims["false_flag"],
            actor=analyst,
            to_state="in_review",
            comment=FALSE_FLAG_COMMENT,
        )
        result.count("reviews", True)
    return result


def demo_main_claim() -> Claim | None:
    """The demo's published main claim, if the demo is loaded."""
    return Claim.objects.filter(tags__name=DEMO_TAG, text=CLAIMS[0].text).first()
