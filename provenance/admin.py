"""Appearance and evidence housekeeping in the Django admin, through provenance.services.

Derivation edges and evidence–claim links are shown read-only here: they have rules
(cycles, publication order, relations) that the API and the services enforce.
"""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html_join

from provenance.capture import admin as capture_admin  # noqa: F401  (registers Capture)
from provenance.models import Appearance, Capture, Evidence, EvidenceClaim
from provenance.services import (
    APPEARANCE_FIELDS,
    appearance_create,
    appearance_delete,
    appearance_update,
    evidence_delete,
    evidence_update,
)
from sources.admin import ServiceAdmin

EVIDENCE_FIELDS = ["kind", "title", "description", "appearance"]


@admin.register(Appearance)
class AppearanceAdmin(ServiceAdmin):
    list_display = [
        "public_id",
        "source",
        "stance",
        "claim_text",
        "published_at",
        "published_precision",
        "quote_language",
    ]
    list_filter = ["stance", "published_precision", "quote_language", "claim__review_state"]
    search_fields = ["quote", "quote_translation", "url", "source__name", "claim__text"]
    list_select_related = ["source", "claim"]
    raw_id_fields = ["claim", "source"]
    date_hierarchy = "published_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [
        "claim",
        *APPEARANCE_FIELDS,
        "upstream_list",
        "public_id",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["upstream_list", "public_id", "created_by", "created_at", "updated_at"]

    @admin.display(description="Claim")
    def claim_text(self, obj: Appearance) -> str:
        return str(obj.claim)

    @admin.display(description="Derived from")
    def upstream_list(self, obj: Appearance) -> str:
        upstreams = obj.derived_from.select_related("source") if obj.pk else []
        return (
            format_html_join(
                "",
                "<div>{} — {} ({})</div>",
                ((u.public_id, u.source.name, u.published_at or "date unknown") for u in upstreams),
            )
            or "—"
        )

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ["claim", *APPEARANCE_FIELDS]}
        if change:
            changes = {name: data[name] for name in form.changed_data if name in data}
            appearance_update(appearance=obj, actor=request.user, **changes)
        else:
            self.adopt(obj, appearance_create(actor=request.user, **data))

    def delete_model(self, request, obj):
        appearance_delete(actor=request.user, appearance=obj)


class EvidenceClaimInline(admin.TabularInline):
    model = EvidenceClaim
    fields = ["claim", "relation", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(ServiceAdmin):
    list_display = ["public_id", "kind", "title", "url", "original_filename", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["title", "description", "url", "original_filename"]
    raw_id_fields = ["appearance"]
    fields = [
        *EVIDENCE_FIELDS,
        "url",
        "file",
        "original_filename",
        "public_id",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "url",
        "file",
        "original_filename",
        "public_id",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [EvidenceClaimInline]

    def has_add_permission(self, request) -> bool:
        # Evidence is added through the API or the UI, which link claims and queue capture.
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        evidence_update(evidence=obj, actor=request.user, **changes)

    def get_deleted_objects(self, objs, request):
        # Captures cannot be deleted on their own in the admin, but evidence_delete removes
        # them with their evidence (and refuses evidence a review relied on).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Capture._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        evidence_delete(actor=request.user, evidence=obj)
