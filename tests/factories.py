"""factory_boy factories; every domain row is made through its service (STYLE.md §3)."""

from datetime import UTC, datetime, timedelta

import factory
from django.contrib.auth.models import Group, User

from claims import services as claim_services
from claims.models import Claim
from claimtrail.roles import ensure_role_groups
from provenance import services as provenance_services
from provenance.models import Appearance, Evidence
from sources import services as source_services
from sources.models import Source


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a usable password "pw-<username>" and the given role groups."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.set_password(f"pw-{self.username}")
        self.save()
        if extracted:
            groups = ensure_role_groups()
            self.groups.add(*[groups[name] for name in extracted])


def _system_editor() -> User:
    """The editor behind factory-made rows, created once per test database."""
    existing = User.objects.filter(username="factory_editor").first()
    return existing or UserFactory(username="factory_editor", roles=["editor"])


class ServiceFactory(factory.Factory):
    """Builds keyword arguments, then creates through a service."""

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("Domain rows are created through services; use create().")


class SourceFactory(ServiceFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    kind = Source.Kind.OUTLET
    reliability = Source.Reliability.C

    @classmethod
    def _create(cls, model_class, *args, actor=None, **kwargs):
        return source_services.source_create(actor=actor or _system_editor(), **kwargs)


class ClaimFactory(ServiceFactory):
    class Meta:
        model = Claim

    text = factory.Sequence(lambda n: f"Claim number {n} about a drone over the Kremlin")
    summary = ""

    @classmethod
    def _create(cls, model_class, *args, actor=None, **kwargs):
        return claim_services.claim_create(actor=actor or _system_editor(), **kwargs)


class PublishedClaimFactory(ClaimFactory):
    @classmethod
    def _create(cls, model_class, *args, actor=None, verdict="unverifiable", **kwargs):
        actor = actor or _system_editor()
        claim = super()._create(model_class, *args, actor=actor, **kwargs)
        claim_services.claim_review(
            claim=claim, actor=actor, to_state="published", verdict=verdict, credibility=6
        )
        claim.refresh_from_db()
        return claim


def publish_again(claim: Claim, *, actor=None) -> Claim:
    """An editor publishes a published claim again, so that the public reads what was added
    or changed since (claims.revisions)."""
    claim_services.claim_review(claim=claim, actor=actor or _system_editor(), to_state="published")
    claim.refresh_from_db()
    return claim


class AppearanceFactory(ServiceFactory):
    class Meta:
        model = Appearance

    claim = factory.SubFactory(ClaimFactory)
    source = factory.SubFactory(SourceFactory)
    stance = Appearance.Stance.ASSERTS
    quote = factory.Sequence(lambda n: f"Quote number {n}")
    quote_language = "en"
    # Later for each appearance made, never earlier (an upstream made first is never dated
    # after what derives from it); the minute of n % 60 went back to 06:00 every 60th.
    published_at = factory.Sequence(
        lambda n: datetime(2023, 5, 3, 6, tzinfo=UTC) + timedelta(seconds=n)
    )

    @classmethod
    def _create(cls, model_class, *args, actor=None, **kwargs):
        return provenance_services.appearance_create(actor=actor or _system_editor(), **kwargs)


class EvidenceFactory(ServiceFactory):
    """Link evidence; pass claims=[claim, ...] to link them with relation context."""

    class Meta:
        model = Evidence

    kind = Evidence.Kind.IMAGE
    url = factory.Sequence(lambda n: f"https://example.org/media/{n}.jpg")
    title = factory.Sequence(lambda n: f"Evidence {n}")

    @classmethod
    def _create(cls, model_class, *args, actor=None, claims=(), relation="context", **kwargs):
        return provenance_services.evidence_create(
            actor=actor or _system_editor(),
            claim_links=[(claim, relation) for claim in claims],
            **kwargs,
        )


__all__ = [
    "AppearanceFactory",
    "ClaimFactory",
    "EvidenceFactory",
    "Group",
    "PublishedClaimFactory",
    "SourceFactory",
    "UserFactory",
    "publish_again",
]
