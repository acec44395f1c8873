"""Read shape of a capture in the API: status, error, hashes, metadata, download links."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from provenance.models import Capture, CaptureStatus

CHANGES = [("first", "first"), ("changed", "changed"), ("unchanged", "unchanged")]


class CaptureErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable reason, e.g. gone, timeout, refused_address.")
    message = serializers.CharField(help_text="What went wrong, for an analyst to act on.")


class CaptureLinksSerializer(serializers.Serializer):
    blob = serializers.URLField(allow_null=True, help_text="The captured bytes.")
    warc = serializers.URLField(allow_null=True, help_text="The WARC of the exchange.")
    thumbnail = serializers.URLField(allow_null=True)
    screenshot = serializers.URLField(
        allow_null=True, help_text="Full-page screenshot (PNG) of a browser capture."
    )
    dom = serializers.URLField(
        allow_null=True, help_text="Rendered DOM (HTML) of a browser capture; never rendered."
    )


class CaptureSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    evidence = serializers.UUIDField(source="evidence.public_id")
    parent = serializers.UUIDField(
        source="parent.public_id",
        allow_null=True,
        help_text="The page capture this embedded media was found in.",
    )
    status = serializers.ChoiceField(choices=CaptureStatus.choices)
    method = serializers.ChoiceField(choices=Capture.Method.choices)
    attempts = serializers.IntegerField()
    error = serializers.SerializerMethodField()
    gone = serializers.SerializerMethodField(help_text="The server answered 404 or 410.")
    change = serializers.SerializerMethodField(
        help_text="first, changed or unchanged against the previous successful capture; null "
        "until the capture succeeds."
    )
    changed_from = serializers.SerializerMethodField(
        help_text="SHA-256 of the previous capture when the bytes changed, else null."
    )
    requested_url = serializers.CharField()
    final_url = serializers.CharField()
    redirect_chain = serializers.JSONField()
    remote_ip = serializers.IPAddressField(allow_null=True)
    http_status = serializers.IntegerField(allow_null=True)
    http_headers = serializers.JSONField(
        help_text='{"request": [[name, value], ...], "response": [[name, value], ...]}, '
        "in the order sent."
    )
    content_type = serializers.CharField(help_text="Detected from the bytes, else the header.")
    size = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField(
        help_text="SHA-256 of the captured bytes (the blob; for a browser capture, the screenshot)."
    )
    warc_sha256 = serializers.CharField()
    metadata = serializers.JSONField()
    timings = serializers.JSONField()
    software_version = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    links = serializers.SerializerMethodField()

    @extend_schema_field(CaptureErrorSerializer(allow_null=True))
    def get_error(self, capture: Capture):
        if not capture.error_code:
            return None
        return {"code": capture.error_code, "message": capture.error_message}

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_gone(self, capture: Capture) -> bool:
        return capture.error_code == "gone"

    @extend_schema_field(
        serializers.ChoiceField(choices=CHANGES, allow_null=True, help_text=change.help_text)
    )
    def get_change(self, capture: Capture):
        return capture.metadata.get("change")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_changed_from(self, capture: Capture):
        return capture.metadata.get("changed_from")

    @extend_schema_field(CaptureLinksSerializer)
    def get_links(self, capture: Capture) -> dict:
        request = self.context.get("request")

        def link(name: str, present: str):
            if not present:
                return None
            return reverse(
                f"capture-{name}", kwargs={"public_id": capture.public_id}, request=request
            )

        return {
            "blob": link("blob", capture.blob),
            "warc": link("warc", capture.warc),
            "thumbnail": link("thumbnail", capture.thumbnail),
            "screenshot": link("screenshot", capture.screenshot),
            "dom": link("dom", capture.dom),
        }
