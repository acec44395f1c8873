"""Admin for housekeeping: records are read-only; state changes go through services."""

from django import forms
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from claims import services
from claims.models import (
    CREDIBILITY_HELP,
    Claim,
    ClaimRelation,
    PublishedRevision,
    ReviewEvent,
    ReviewEventCapture,
)
from claimtrail.exceptions import DomainError

State = Claim.ReviewState


class ReadOnlyMixin:
    """Rows change through services only (STYLE.md §3), never through admin forms."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _review_each(modeladmin, request, queryset, *, to_state: str, done: str) -> None:
    """Run claim_review on every selected claim, reporting each refusal by claim."""
    moved, refused = 0, []
    for claim in queryset.order_by("id"):
        if claim.review_state == to_state:
            continue
        try:
            services.claim_review(claim=claim, actor=request.user, to_state=to_state)
        except DomainError as exc:
            refused.append(f"“{claim}”: {exc.message}")
        else:
            moved += 1
    if moved:
        modeladmin.message_user(request, f"{moved} claim(s) {done}.", messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.ERROR)


@admin.action(description="Submit selected claims for review")
def submit_for_review(modeladmin, request, queryset):
    _review_each(modeladmin, request, queryset, to_state=State.IN_REVIEW, done="submitted")


@admin.action(description="Return selected claims to draft")
def return_to_draft(modeladmin, request, queryset):
    _review_each(modeladmin, request, queryset, to_state=State.DRAFT, done="returned to draft")


@admin.action(description="Publish selected claims (editors; each needs a verdict)")
def publish(modeladmin, request, queryset):
    _review_each(modeladmin, request, queryset, to_state=State.PUBLISHED, done="published")


@admin.action(description="Archive selected claims (editors)")
def archive(modeladmin, request, queryset):
    _review_each(modeladmin, request, queryset, to_state=State.ARCHIVED, done="archived")


@admin.action(description="Delete selected claims with their appearances (editors)")
def delete_claims(modeladmin, request, queryset):
    deleted = 0
    for claim in queryset.order_by("id"):
        try:
            services.claim_delete(actor=request.user, claim=claim)
        except DomainError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
            return
        deleted += 1
    modeladmin.message_user(request, f"{deleted} claim(s) deleted.", messages.SUCCESS)


class ClaimAdminForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = "__all__"  # noqa: DJ007 - the admin shows every field, read-only
        help_texts = {"credibility": CREDIBILITY_HELP}


@admin.register(Claim)
class ClaimAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    form = ClaimAdminForm
    list_display = [
        "__str__",
        "review_state",
        "verdict",
        "credibility",
        "first_seen",
        "created_by",
        "created_at",
    ]
    list_filter = ["review_state", "verdict", "credibility", "tags"]
    list_select_related = ["created_by"]
    search_fields = ["text", "summary", "=public_id"]
    date_hierarchy = "created_at"
    readonly_fields = ["search_document"]
    actions = [submit_for_review, return_to_draft, publish, archive, delete_claims]


@admin.register(ClaimRelation)
class ClaimRelationAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["from_claim", "kind", "to_claim", "created_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["from_claim", "to_claim", "created_by"]
    search_fields = ["=public_id", "from_claim__text", "to_claim__text"]


class ReviewEventCaptureInline(ReadOnlyMixin, admin.TabularInline):
    model = ReviewEventCapture
    fields = ["capture", "sha256"]
    readonly_fields = fields
    extra = 0


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["claim", "from_state", "to_state", "to_verdict", "actor", "created_at"]
    list_filter = ["to_state", "to_verdict"]
    list_select_related = ["claim", "actor"]
    search_fields = ["=public_id", "claim__text", "comment"]
    date_hierarchy = "created_at"
    inlines = [ReviewEventCaptureInline]


@admin.register(PublishedRevision)
class PublishedRevisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What each publication froze (claims.revisions); written by claim_review only."""

    list_display = ["claim", "number", "sha256", "published_by", "created_at"]
    list_select_related = ["claim", "published_by"]
    search_fields = ["=public_id", "=sha256", "claim__text"]
    date_hierarchy = "created_at"
    fields = ["claim", "number", "sha256", "published_by", "created_at", "payload"]
    readonly_fields = fields
