"""Who may see what: the one definition of "visible" and of a public id, for every read.

Viewers and the roles above see every row. Everyone else (anonymous visitors, accounts
without a role) sees only what an editor published (claims.revisions):
- a claim: published (`published_claim_q`, the one place that says what that means), and
  then what they read of it is its current published revision, not the working copy;
- an appearance: it is in the current revision of a published claim and unchanged since
  (rows added or edited since wait for an editor to publish the claim again);
- evidence: likewise; a claim link of it, when it is in the current revision of that
  claim;
- a source: it made a visible appearance;
- a capture: its evidence is visible.

Each rule is a condition (`*_visible_q`) on a path from the row being read: `path=""` for
the row itself, "parent" for a source's parent, "derived_from" for the appearances one
relays. Top-level reads (`visible_*`) and nested references (joins, prefetches,
annotations) use the same conditions, so a hidden row never shows through a visible one.
A viewer's condition is the empty Q(), which filters nothing.
"""

from uuid import UUID

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, When

from claims.models import Claim, PublishedRevision
from claimtrail.roles import VIEWER, user_has_role
from provenance.models import Appearance, Capture, Evidence
from sources.models import Source


def sees_unpublished(actor) -> bool:
    """Whether `actor` (a user, AnonymousUser or None) sees unpublished rows: viewers and up."""
    return actor is not None and user_has_role(actor, VIEWER)


def parse_public_id(value) -> UUID | None:
    """`value` as a public id (UUID), or None when it is not one: the caller's 404."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _join(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


# --- Conditions: "the row at `path` is visible to `actor`" --------------------------------


def published_claim_q(path: str = "") -> Q:
    """The claim at `path` is published: what a visitor without a role may read."""
    return Q(
        **{
            _join(path, "review_state"): Claim.ReviewState.PUBLISHED,
            _join(path, "published_revision__isnull"): False,
        }
    )


def claim_visible_q(actor, path: str = "") -> Q:
    """The claim at `path` (a Claim row when empty) is visible to `actor`."""
    return Q() if sees_unpublished(actor) else published_claim_q(path)


def _in_current_revision(through, column: str, outer: str) -> Q:
    """The row `outer` (an OuterRef path) is in the current revision of a published claim,
    by the revision's membership table `through` (its column `column`), and unchanged since
    that revision: an edited row waits for re-publication like an added one (its edit must
    not show before an editor publishes it; the claim detail shows it as published)."""
    members = through.objects.filter(
        published_claim_q("publishedrevision__claim"),
        publishedrevision__claim__published_revision=F("publishedrevision_id"),
        **{
            column: OuterRef(outer),
            f"{column}__updated_at__lte": F("publishedrevision__created_at"),
        },
    )
    return Q(Exists(members))


def appearance_visible_q(actor, path: str = "") -> Q:
    """The appearance at `path` is visible to `actor`: in a published revision now read."""
    if sees_unpublished(actor):
        return Q()
    return _in_current_revision(PublishedRevision.appearances.through, "appearance", path or "pk")


def evidence_visible_q(actor, path: str = "") -> Q:
    """The evidence at `path` is visible to `actor`: in a published revision now read."""
    if sees_unpublished(actor):
        return Q()
    return _in_current_revision(PublishedRevision.evidence.through, "evidence", path or "pk")


def evidence_link_visible_q(actor, path: str = "") -> Q:
    """The evidence-claim link at `path` is visible to `actor`: its claim is, and for a
    visitor the evidence is in that claim's current revision."""
    if sees_unpublished(actor):
        return Q()
    members = PublishedRevision.evidence.through.objects.filter(
        evidence=OuterRef(_join(path, "evidence")),
        publishedrevision=OuterRef(_join(path, "claim__published_revision")),
    )
    return published_claim_q(_join(path, "claim")) & Q(Exists(members))


def source_visible_q(actor, path: str = "") -> Q:
    """The source at `path` is visible to `actor`: it appeared on a visible claim."""
    if sees_unpublished(actor):
        return Q()
    appearances = Appearance.objects.filter(
        appearance_visible_q(actor), source=OuterRef(path or "pk")
    )
    return Q(Exists(appearances))


def capture_visible_q(actor, path: str = "") -> Q:
    """The capture at `path` is visible to `actor`: its evidence is."""
    return evidence_visible_q(actor, _join(path, "evidence"))


def if_visible(condition: Q, value):
    """An expression: `value` where `condition` holds, else null (for a nested reference
    to a row that may be hidden, e.g. `if_visible(source_visible_q(actor, "parent"),
    F("parent__public_id"))`)."""
    if not condition:
        return value
    return Case(When(condition, then=value), default=None)


# --- Querysets of the visible rows --------------------------------------------------------


def visible_claims(actor, claims: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
    """The claims (or those of `claims`) `actor` may see."""
    claims = Claim.objects.all() if claims is None else claims
    return claims.filter(claim_visible_q(actor))


def visible_appearances(actor) -> QuerySet[Appearance]:
    """The appearances `actor` may see."""
    return Appearance.objects.filter(appearance_visible_q(actor))


def visible_evidence(actor) -> QuerySet[Evidence]:
    """The evidence `actor` may see."""
    return Evidence.objects.filter(evidence_visible_q(actor))


def visible_sources(actor) -> QuerySet[Source]:
    """The sources `actor` may see."""
    return Source.objects.filter(source_visible_q(actor))


def visible_captures(actor) -> QuerySet[Capture]:
    """The captures `actor` may see."""
    return Capture.objects.filter(capture_visible_q(actor))
