"""A small provenance graph across claims, shared by the graph selector and endpoint tests.

    claim C (published)   u0  Kremlin website, 10:00           (origin)
    claim A (published)   a0  press service, 12:00   ← u0
                          a1  TASS, 12:30            ← a0
    claim D (draft)       h   Hidden blog, 13:00     ← a1      (hidden from anonymous)
    claim B (published)   a2  NBC News, 14:00        ← a1
                          a3  Reporter, 15:00        ← a2
                          h2  Relay, 16:00           ← h       (reached only through h)

The press service's parent is the Kremlin (public, it made u0), whose parent is a party
that only appears on the draft claim (hidden from anonymous). Claim A has evidence that
backs it, carried by a1, with one capture; A contradicts a published claim R and is part
of the draft claim D.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from claims.models import Claim
from claims.services import claim_relation_create, claim_review
from sources.models import Source
from tests.claims.conftest import make_succeeded_capture
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 5, 3, hour, minute, tzinfo=UTC)


def publish(claim: Claim, *, actor, verdict: str = "unverifiable") -> None:
    claim_review(claim=claim, actor=actor, to_state="published", verdict=verdict, credibility=6)


@dataclass
class Scenario:
    claims: dict
    appearances: dict
    sources: dict
    evidence: object
    capture: object


def build_scenario(editor) -> Scenario:
    claims = {name: ClaimFactory(actor=editor, text=f"Claim {name}") for name in "ABCDR"}
    hidden_party = SourceFactory(actor=editor, name="Hidden party", kind="organization")
    kremlin = SourceFactory(
        actor=editor,
        name="Kremlin",
        kind=Source.Kind.GOVERNMENT_BODY,
        country="RU",
        state_affiliated=True,
        parent=hidden_party,
    )
    sources = {
        "hidden_party": hidden_party,
        "kremlin": kremlin,
        "press": SourceFactory(
            actor=editor,
            name="Kremlin press service",
            kind=Source.Kind.GOVERNMENT_BODY,
            country="RU",
            state_affiliated=True,
            parent=kremlin,
        ),
        "tass": SourceFactory(
            actor=editor, name="TASS", country="RU", state_affiliated=True, kind="outlet"
        ),
        "nbc": SourceFactory(actor=editor, name="NBC News", country="US", kind="outlet"),
        "reporter": SourceFactory(actor=editor, name="Reporter", country="US", kind="person"),
        "blog": SourceFactory(actor=editor, name="Hidden blog", kind="outlet"),
        "relay": SourceFactory(actor=editor, name="Relay", kind="social_account"),
    }

    def appear(name, claim, source, when, upstream=()):
        return AppearanceFactory(
            actor=editor,
            claim=claims[claim],
            source=sources[source],
            quote=f"Quote {name}",
            published_at=when,
            derived_from=upstream,
        )

    a = {}
    a["u0"] = appear("u0", "C", "kremlin", at(10))
    a["a0"] = appear("a0", "A", "press", at(12), [a["u0"]])
    a["a1"] = appear("a1", "A", "tass", at(12, 30), [a["a0"]])
    a["h"] = appear("h", "D", "blog", at(13), [a["a1"]])
    a["a2"] = appear("a2", "B", "nbc", at(14), [a["a1"]])
    a["a3"] = appear("a3", "B", "reporter", at(15), [a["a2"]])
    a["h2"] = appear("h2", "B", "relay", at(16), [a["h"]])
    AppearanceFactory(actor=editor, claim=claims["D"], source=hidden_party, published_at=at(9))
    evidence = EvidenceFactory(
        actor=editor,
        claims=[claims["A"]],
        relation="supports",
        appearance=a["a1"],
        title="TASS video",
    )
    capture = make_succeeded_capture(evidence)
    claim_relation_create(
        actor=editor, from_claim=claims["A"], to_claim=claims["R"], kind="contradicts"
    )
    claim_relation_create(
        actor=editor, from_claim=claims["A"], to_claim=claims["D"], kind="part_of"
    )
    for name in "ABCR":
        publish(claims[name], actor=editor)
        claims[name].refresh_from_db()
    return Scenario(
        claims=claims, appearances=a, sources=sources, evidence=evidence, capture=capture
    )


def build_wide(editor, *, size: int) -> Claim:
    """A published claim whose one appearance derives from `size` appearances of another
    claim (one of them at the end of a chain of three) and is relayed by `size`
    appearances of a third, all by one source with a parent and a grandparent; evidence
    with a capture on the first two claims.

    Wide rather than deep: the cycle check of each new derivation walks everything
    upstream, so a long chain built through the services costs its length squared.
    """
    claim, upstream_claim, downstream_claim = (ClaimFactory(actor=editor) for _ in range(3))
    grandparent = SourceFactory(actor=editor)
    parent = SourceFactory(actor=editor, parent=grandparent)
    source = SourceFactory(actor=editor, parent=parent)

    def appear(on, upstream=()):
        return AppearanceFactory(
            actor=editor, claim=on, source=source, published_at=None, derived_from=upstream
        )

    chain = [appear(upstream_claim)]
    for _ in range(2):
        chain = [appear(upstream_claim, chain)]
    upstream = chain + [appear(upstream_claim) for _ in range(size - 1)]
    seed = appear(claim, upstream)
    for _ in range(size):
        appear(downstream_claim, [seed])
    evidence = EvidenceFactory(actor=editor, claims=[claim, upstream_claim])
    make_succeeded_capture(evidence)
    for each in (claim, upstream_claim, downstream_claim):
        publish(each, actor=editor)
    claim.refresh_from_db()
    return claim
