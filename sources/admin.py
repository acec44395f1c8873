"""Source housekeeping in the Django admin; every write goes through sources.services."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from claimtrail.exceptions import DomainError
from sources.models import Source, SourceIdentifier
from sources.services import (
    SOURCE_FIELDS,
    source_create,
    source_delete,
    source_identifiers_replace,
    source_update,
)


class ServiceAdmin(SimpleHistoryAdmin):
    """Admin whose saves call services; a refused change comes back as a message.

    The admin wraps each change form and deletion in a transaction, so a DomainError
    raised by a service rolls back everything the request did before it.
    """

    def _refused(self, request, exc: Exception) -> HttpResponseRedirect:
        message = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (DomainError, ValidationError) as exc:
            return self._refused(request, exc)

    def delete_view(self, request, *args, **kwargs):
        try:
            return super().delete_view(request, *args, **kwargs)
        except (DomainError, ValidationError) as exc:
            return self._refused(request, exc)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                self.delete_model(request, obj)
            except DomainError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)

    @staticmethod
    def adopt(obj, created) -> None:
        """Make the admin's unsaved `obj` the row a service created, for the admin's log."""
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False


class SourceIdentifierInline(admin.TabularInline):
    model = SourceIdentifier
    fields = ["kind", "value", "normalized_value"]
    readonly_fields = ["normalized_value"]
    extra = 1


@admin.register(Source)
class SourceAdmin(ServiceAdmin):
    list_display = [
        "name",
        "kind",
        "country",
        "parent",
        "state_affiliated",
        "reliability",
        "created_at",
    ]
    list_filter = ["kind", "reliability", "state_affiliated", "country"]
    search_fields = ["name", "aliases", "identifiers__normalized_value", "=public_id"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    fields = [*SOURCE_FIELDS, "public_id", "created_by", "created_at", "updated_at"]
    readonly_fields = ["public_id", "created_by", "created_at", "updated_at"]
    inlines = [SourceIdentifierInline]

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in SOURCE_FIELDS if name in form.cleaned_data
        }
        if change:
            changes = {name: data[name] for name in form.changed_data if name in data}
            source_update(source=obj, actor=request.user, **changes)
        else:
            self.adopt(obj, source_create(actor=request.user, **data))

    def save_formset(self, request, form, formset, change):
        if formset.model is not SourceIdentifier:
            return super().save_formset(request, form, formset, change)
        identifiers = [
            (f.cleaned_data["kind"], f.cleaned_data["value"])
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        source_identifiers_replace(
            source=form.instance, actor=request.user, identifiers=identifiers
        )
        # What formset.save() would have set; the admin's change message reads them.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None

    def delete_model(self, request, obj):
        source_delete(source=obj, actor=request.user)
