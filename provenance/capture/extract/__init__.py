"""Type-specific extractors: `extract()` picks one by the detected content type.

Every extractor returns a JSON-safe metadata dict and never raises for bad input: a page
or image that cannot be analysed is still preserved, hashed and archived.
"""

from pathlib import Path

from django.conf import settings

from provenance.capture.extract.html import extract_html
from provenance.capture.extract.image import extract_image
from provenance.capture.extract.jsonsafe import json_safe
from provenance.capture.extract.sniff import detect_content_type

__all__ = ["detect_content_type", "extract"]

HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Formats Pillow decodes; SVG is markup, not pixels, and is kept as bytes only.
RASTER_PREFIX = "image/"
NOT_RASTER = {"image/svg+xml"}


def extract(path: Path, *, content_type: str, base_url: str, workdir: Path) -> dict:
    """Metadata for the file at `path`; keys `embedded_media` and `thumbnail_path` are
    for the caller to act on (capture the media, store the thumbnail)."""
    if content_type in HTML_TYPES:
        metadata = extract_html(
            path,
            base_url=base_url,
            max_bytes=settings.CAPTURE_HTML_MAX_BYTES,
            max_media=settings.CAPTURE_MAX_EMBEDDED,
        )
    elif content_type.startswith(RASTER_PREFIX) and content_type not in NOT_RASTER:
        metadata = extract_image(
            path,
            workdir=workdir,
            max_pixels=settings.CAPTURE_IMAGE_MAX_PIXELS,
            thumb_size=settings.CAPTURE_THUMBNAIL_SIZE,
        )
    else:
        metadata = {}
    return json_safe(metadata)
