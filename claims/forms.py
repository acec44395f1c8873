"""Forms of the analyst's claim pages. They only read and check what was typed; the
services (claims.services, provenance.services, sources.services) decide the rest."""

import uuid

from django import forms

from claims.models import ClaimRelation
from claimtrail.lib import dates
from provenance.models import Appearance, Evidence, EvidenceRelation
from sources.models import Source

URLS_MAX = 50


def _tag_names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


class UUIDListField(forms.Field):
    """Any number of public ids (checkboxes of one name); the view resolves them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        try:
            return list(dict.fromkeys(uuid.UUID(str(each)) for each in values if each))
        except ValueError as exc:
            raise forms.ValidationError("Not an appearance id.") from exc


class ClaimCreateForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="The proposition, stated neutrally.",
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. energy, ukraine.")
    first_seen = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="First seen"
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("A claim needs its text.")
        return text

    def clean_tags(self) -> list[str]:
        return _tag_names(self.cleaned_data["tags"])


class AppearanceForm(forms.Form):
    """An appearance: an existing source (its id, picked by search) or a new one (name and
    kind); `derived_from` holds the public ids of upstream appearances, of any claim."""

    url = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=2000,
        label="Post or article URL",
        help_text="Paste it first: the source is suggested from its handle or domain.",
    )
    source = forms.UUIDField(
        required=False, label="Source", help_text="Search by name, alias or identifier."
    )
    new_source_name = forms.CharField(required=False, max_length=300, label="New source name")
    new_source_kind = forms.ChoiceField(
        choices=Source.Kind.choices,
        initial=Source.Kind.UNKNOWN,
        required=False,
        label="New source kind",
    )
    record_identifier = forms.BooleanField(
        required=False,
        initial=True,
        label="Record the URL's handle or domain as the new source's identifier",
    )
    stance = forms.ChoiceField(choices=Appearance.Stance.choices)
    published = forms.CharField(
        required=False,
        label="Published",
        help_text="2023-05 (month), 2023-05-03 (day) or 2023-05-03T06:40Z (exact, UTC).",
    )
    quote = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Verbatim."
    )
    quote_language = forms.CharField(
        required=False, max_length=16, label="Quote language", help_text="BCP 47, e.g. ru."
    )
    quote_translation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Translation"
    )
    derived_from = UUIDListField(
        required=False, label="Derived from", help_text="The appearances it repeats or relays."
    )

    def clean_published(self):
        value = self.cleaned_data["published"].strip()
        if not value:
            return None
        try:
            return dates.parse_partial(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        cleaned["new_source_kind"] = cleaned.get("new_source_kind") or Source.Kind.UNKNOWN
        has_source = cleaned.get("source") is not None
        has_new = bool(cleaned.get("new_source_name", "").strip())
        if has_source == has_new and not self.has_error("source"):
            self.add_error(
                "source", "Pick an existing source, or give a new source's name (not both)."
            )
        return cleaned


class EvidenceForm(forms.Form):
    """One link, one file, or many links (one a line); each becomes evidence of the claim."""

    url = forms.URLField(assume_scheme="https", required=False, max_length=2000, label="URL")
    file = forms.FileField(required=False, label="File")
    urls = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Many URLs",
        help_text=f"One a line, up to {URLS_MAX}; each is captured at once.",
    )
    kind = forms.ChoiceField(choices=Evidence.Kind.choices, initial=Evidence.Kind.WEB_PAGE)
    relation = forms.ChoiceField(
        choices=EvidenceRelation.choices,
        initial=EvidenceRelation.CONTEXT,
        label="It is",
        help_text="How it bears on the claim: supports, refutes or gives context.",
    )
    title = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        # Its own ids: the claim page holds this form beside the appearance form.
        kwargs.setdefault("auto_id", "evidence_%s")
        super().__init__(*args, **kwargs)

    def clean_urls(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["urls"].splitlines()]
        urls = list(dict.fromkeys(line for line in lines if line))
        if len(urls) > URLS_MAX:
            raise forms.ValidationError(f"At most {URLS_MAX} URLs at once.")
        validate = forms.URLField(assume_scheme="https", max_length=2000).clean
        bad = []
        for url in urls:
            try:
                validate(url)
            except forms.ValidationError:
                bad.append(url)
        if bad:
            raise forms.ValidationError(f"Not web addresses: {', '.join(bad)}")
        return urls

    def clean(self):
        cleaned = super().clean()
        given = [
            name
            for name in ("url", "file", "urls")
            if cleaned.get(name) and not self.has_error(name)
        ]
        if len(given) != 1 and not self.errors:
            self.add_error(None, "Give one URL, one file, or a list of URLs.")
        return cleaned

    def targets(self) -> list[dict]:
        """The evidence to create, as keyword arguments of evidence_create."""
        common = {"kind": self.cleaned_data["kind"], "title": self.cleaned_data["title"]}
        if self.cleaned_data.get("file"):
            return [{**common, "file": self.cleaned_data["file"]}]
        if self.cleaned_data.get("url"):
            return [{**common, "url": self.cleaned_data["url"]}]
        return [{**common, "url": url} for url in self.cleaned_data["urls"]]


class RelationForm(forms.Form):
    other = forms.UUIDField(label="Other claim", help_text="Search claims by their words.")
    kind = forms.ChoiceField(
        choices=ClaimRelation.Kind.choices,
        label="How they relate",
        help_text="Read as: this claim … the other claim.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "relation_%s")
        super().__init__(*args, **kwargs)
