"""HTML extractor: title, canonical, description, Open Graph, JSON-LD, embedded media."""

from provenance.capture.extract import detect_content_type, extract
from tests.provenance.capture.pipeline_support import PAGE, capture_settings_fixture  # noqa: F401

BASE = "https://news.example.org/2023/05/03/drone.html"


def _extract(tmp_path, html: bytes, base=BASE, content_type="text/html"):
    path = tmp_path / "page"
    path.write_bytes(html)
    return extract(path, content_type=content_type, base_url=base, workdir=tmp_path)


def test_html_metadata_from_a_real_parser(capture_settings, tmp_path):
    meta = _extract(tmp_path, PAGE)

    assert meta["title"] == "Drone over the Kremlin"
    assert meta["description"] == "Footage of the night of 3 May 2023."
    assert meta["canonical_url"] == "https://news.example.org/news/drone"
    assert meta["language"] == "en"
    assert meta["opengraph"]["og:title"] == "Drone over the Kremlin (OG)"
    assert meta["json_ld"][0]["@type"] == "VideoObject"


def test_embedded_media_resolved_deduplicated_and_ordered(capture_settings, tmp_path):
    meta = _extract(tmp_path, PAGE)

    assert meta["embedded_media"] == [
        "https://video.example.org/clip.mp4",  # og:video first
        "https://news.example.org/media/og.jpg",  # og:image (twitter:image is the same)
        "https://news.example.org/media/clip.mp4",  # JSON-LD contentUrl, also <video src>
        "https://news.example.org/media/clip.webm",  # <source>
        "https://news.example.org/media/photo.png",  # <img>, once; data: and js: dropped
    ]


def test_embedded_media_is_capped(capture_settings, tmp_path):
    capture_settings.CAPTURE_MAX_EMBEDDED = 3
    imgs = b"".join(b'<img src="/i/%d.png">' % n for n in range(50))
    meta = _extract(tmp_path, b"<html><body>" + imgs + b"</body></html>")
    assert meta["embedded_media"] == [
        "https://news.example.org/i/0.png",
        "https://news.example.org/i/1.png",
        "https://news.example.org/i/2.png",
    ]


def test_base_href_changes_resolution(capture_settings, tmp_path):
    html = b'<html><head><base href="https://cdn.example.net/a/"></head><body><img src="b.png">'
    assert _extract(tmp_path, html)["embedded_media"] == ["https://cdn.example.net/a/b.png"]


def test_broken_markup_and_bad_json_ld_do_not_fail(capture_settings, tmp_path):
    html = (
        b"<html><head><title>Half\x00 a page</title>"
        b'<script type="application/ld+json">{not json</script>'
        b"<body><p><img src='/x.png'"
    )
    meta = _extract(tmp_path, html)
    assert meta["title"].startswith("Half")
    assert "\x00" not in meta["title"]
    assert meta["json_ld"] == []


def test_empty_file_gives_a_reason_not_an_exception(capture_settings, tmp_path):
    assert "html_error" in _extract(tmp_path, b"")


def test_type_is_detected_from_bytes_before_header(tmp_path):
    page = tmp_path / "p"
    page.write_bytes(b"\n  <!DOCTYPE html><html><body>hi</body></html>")
    assert detect_content_type(page, "text/plain") == ("text/html", "text/html")

    svg = tmp_path / "s"
    svg.write_bytes(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>')
    assert detect_content_type(svg, "image/png") == ("image/svg+xml", "image/svg+xml")

    jpeg = tmp_path / "j"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100)
    assert detect_content_type(jpeg, "text/html; charset=utf-8") == ("image/jpeg", "image/jpeg")

    unknown = tmp_path / "u"
    unknown.write_bytes(b"plain words")
    assert detect_content_type(unknown, "Text/Plain; charset=utf-8") == ("", "text/plain")
    assert detect_content_type(unknown, "") == ("", "application/octet-stream")
