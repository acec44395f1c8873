"""Claims in the Django admin: read-only records, review through actions that call services."""

import pytest
from django.contrib.auth.models import Permission, User

from claims.models import Claim, ClaimRelation, PublishedRevision, ReviewEvent
from claims.services import claim_relation_create, claim_review
from tests.factories import ClaimFactory, PublishedClaimFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/claims/claim/"


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@example.org", "pw-root")


@pytest.fixture
def staff_analyst(analyst):
    analyst.is_staff = True
    analyst.save(update_fields=["is_staff"])
    analyst.user_permissions.add(*_view_permissions())
    return analyst


def _view_permissions():
    return Permission.objects.filter(content_type__app_label="claims", codename__startswith="view_")


def _act(client, action: str, claims) -> object:
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in claims]},
        follow=True,
    )


def test_admin_lists_and_shows_claims_read_only(client, admin_user):
    claim = ClaimFactory(text="Drone over the Kremlin")
    client.force_login(admin_user)

    listing = client.get(CHANGELIST, {"q": "Kremlin"})
    detail = client.get(f"{CHANGELIST}{claim.pk}/change/")
    history = client.get(f"{CHANGELIST}{claim.pk}/history/")
    add = client.get(f"{CHANGELIST}add/")

    assert listing.status_code == detail.status_code == history.status_code == 200
    assert "Drone over the Kremlin" in listing.content.decode()
    assert b'name="_save"' not in detail.content
    assert add.status_code == 403


def test_admin_search_by_malformed_public_id_does_not_fail(client, admin_user):
    ClaimFactory()
    client.force_login(admin_user)

    response = client.get(CHANGELIST, {"q": "not-a-uuid"})

    assert response.status_code == 200


def test_admin_submits_claims_for_review_through_the_service(client, admin_user):
    first, second = ClaimFactory(), ClaimFactory()
    client.force_login(admin_user)

    response = _act(client, "submit_for_review", [first, second])

    assert response.status_code == 200
    assert "2 claim(s) submitted." in response.content.decode()
    assert set(Claim.objects.values_list("review_state", flat=True)) == {"in_review"}
    assert ReviewEvent.objects.filter(actor=admin_user, to_state="in_review").count() == 2


def test_admin_publish_reports_claims_without_verdict(client, admin_user):
    ready, not_ready = ClaimFactory(text="Ready"), ClaimFactory(text="Not ready")
    claim_review(claim=ready, actor=admin_user, to_state="in_review", verdict="refuted")
    client.force_login(admin_user)

    response = _act(client, "publish", [ready, not_ready])

    content = response.content.decode()
    assert "1 claim(s) published." in content
    assert "“Not ready”: A claim cannot be published without a verdict." in content
    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert (ready.review_state, not_ready.review_state) == ("published", "draft")


def test_admin_archive_refuses_analyst(client, staff_analyst):
    claim = ClaimFactory(text="Claim")
    client.force_login(staff_analyst)

    response = _act(client, "archive", [claim])

    assert "“Claim”: Only editors can move a claim to archived." in response.content.decode()
    claim.refresh_from_db()
    assert claim.review_state == "draft"


def test_admin_deletes_claims_through_the_service(client, admin_user):
    claim = ClaimFactory()
    client.force_login(admin_user)

    response = _act(client, "delete_claims", [claim])

    assert "1 claim(s) deleted." in response.content.decode()
    assert not Claim.objects.exists()
    assert Claim.history.filter(history_type="-").get().history_user == admin_user


def test_admin_refuses_to_delete_a_published_claim(client, admin_user):
    claim = PublishedClaimFactory()
    client.force_login(admin_user)

    response = _act(client, "delete_claims", [claim])

    content = response.content.decode()
    assert "A claim that was ever published cannot be deleted; archive it instead." in content
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert ReviewEvent.objects.filter(claim=claim).count() == 1


def test_admin_offers_no_way_to_change_or_delete_review_events(client, admin_user):
    claim = PublishedClaimFactory()
    event = claim.review_events.get()
    client.force_login(admin_user)

    delete = client.post(f"/admin/claims/reviewevent/{event.pk}/delete/", {"post": "yes"})
    change = client.post(f"/admin/claims/reviewevent/{event.pk}/change/", {"comment": "rewritten"})
    bulk = client.post(
        "/admin/claims/reviewevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )

    assert delete.status_code == change.status_code == 403
    assert bulk.status_code in (200, 302)
    event.refresh_from_db()
    assert event.comment == ""
    assert ReviewEvent.objects.filter(pk=event.pk).exists()


def test_admin_shows_relations_and_review_events(client, admin_user):
    claim, other = ClaimFactory(), ClaimFactory()
    claim_relation_create(actor=admin_user, from_claim=claim, to_claim=other, kind="supports")
    event = claim_review(claim=claim, actor=admin_user, to_state="in_review")
    client.force_login(admin_user)

    relations = client.get("/admin/claims/claimrelation/")
    relation = client.get(f"/admin/claims/claimrelation/{ClaimRelation.objects.get().pk}/change/")
    events = client.get("/admin/claims/reviewevent/")
    detail = client.get(f"/admin/claims/reviewevent/{event.pk}/change/")

    assert relations.status_code == relation.status_code == events.status_code == 200
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content


def test_admin_claim_page_explains_the_credibility_scale(client, admin_user):
    claim = ClaimFactory()
    client.force_login(admin_user)

    detail = client.get(f"{CHANGELIST}{claim.pk}/change/")

    assert detail.status_code == 200
    assert "Admiralty (NATO) scale" in detail.content.decode()
    assert "6 means there is too little to judge" in detail.content.decode()


def test_admin_shows_published_revisions_read_only(client, admin_user):
    claim = PublishedClaimFactory(text="Frozen for the admin")
    revision = PublishedRevision.objects.get(claim=claim)
    client.force_login(admin_user)

    listing = client.get("/admin/claims/publishedrevision/")
    detail = client.get(f"/admin/claims/publishedrevision/{revision.pk}/change/")

    assert listing.status_code == detail.status_code == 200
    assert revision.sha256.encode() in listing.content
    assert b'name="_save"' not in detail.content
