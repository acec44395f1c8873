"""Capture housekeeping in the Django admin: browse by status, re-queue failures.

Captures are records of what happened, so every field is read-only here; the one state
change offered goes through the service like everywhere else.
"""

from django.contrib import admin, messages
from django.db import transaction

from claimtrail.exceptions import DomainError
from provenance.capture.services import capture_requeue
from provenance.models import Capture


@admin.register(Capture)
class CaptureAdmin(admin.ModelAdmin):
    list_display = [
        "public_id",
        "status",
        "method",
        "error_code",
        "attempts",
        "requested_url",
        "http_status",
        "content_type",
        "size",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "method", "error_code"]
    search_fields = ["public_id", "sha256", "requested_url", "final_url"]
    list_select_related = ["evidence"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    actions = ["requeue"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # captures are made by the pipeline, from evidence

    def has_delete_permission(self, request, obj=None) -> bool:
        # Captures go only with their evidence (evidence_delete), which keeps the ones a
        # review relied on and removes the files no other capture uses.
        return False

    @admin.action(description="Re-queue the selected captures (fresh attempts)")
    def requeue(self, request, queryset):
        done, refused = 0, []
        for capture in queryset.select_related(None).only("pk", "public_id"):
            try:
                with transaction.atomic():
                    capture_requeue(capture=capture, reset_attempts=True)
                done += 1
            except DomainError as exc:
                refused.append(f"{capture.public_id}: {exc.message}")
        if done:
            self.message_user(request, f"Re-queued {done} capture(s).", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)
