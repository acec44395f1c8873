"""Image extractor: dimensions, EXIF, perceptual hash, thumbnail, bomb guard."""

import io
import threading
from pathlib import Path

from PIL import Image

from provenance.capture.extract import extract
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    jpeg_bytes,
    png_bytes,
)


def _extract(tmp_path, data: bytes, content_type: str):
    path = tmp_path / "image"
    path.write_bytes(data)
    return extract(path, content_type=content_type, base_url="", workdir=tmp_path)


def test_jpeg_dimensions_exif_phash_and_thumbnail(capture_settings, tmp_path):
    data = jpeg_bytes((800, 600), exif={0x010F: "Canon", 0x0110: "EOS\x00 5D", 0x0112: 1})
    meta = _extract(tmp_path, data, "image/jpeg")

    assert (meta["format"], meta["width"], meta["height"]) == ("JPEG", 800, 600)
    assert meta["exif"]["Make"] == "Canon"
    assert meta["exif"]["Model"] == "EOS 5D"  # NUL stripped: jsonb rejects it
    assert len(meta["phash"]) == 16
    with Image.open(meta["thumbnail_path"]) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) == capture_settings.CAPTURE_THUMBNAIL_SIZE


def test_perceptual_hash_survives_reencoding_and_resizing(capture_settings, tmp_path):
    original = _extract(tmp_path, jpeg_bytes((800, 600)), "image/jpeg")["phash"]
    image = Image.open(io.BytesIO(jpeg_bytes((800, 600)))).resize((400, 300))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=40)
    smaller = _extract(tmp_path, out.getvalue(), "image/jpeg")["phash"]
    distance = bin(int(original, 16) ^ int(smaller, 16)).count("1")
    assert distance <= 6


def test_png_with_alpha_gets_png_thumbnail(capture_settings, tmp_path):
    out = io.BytesIO()
    Image.new("RGBA", (50, 20), (0, 0, 0, 0)).save(out, "PNG")
    meta = _extract(tmp_path, out.getvalue(), "image/png")
    assert (meta["width"], meta["height"]) == (50, 20)
    assert meta["thumbnail_path"].endswith(".png")


def test_decompression_bomb_is_described_not_decoded(capture_settings, tmp_path):
    capture_settings.CAPTURE_IMAGE_MAX_PIXELS = 1_000_000
    meta = _extract(tmp_path, png_bytes((2000, 1000)), "image/png")
    assert (meta["width"], meta["height"]) == (2000, 1000)
    assert meta["image_error"] == ("Not decoded: 2000×1000 pixels is over the 1000000 pixel limit.")
    assert "phash" not in meta
    assert "thumbnail_path" not in meta


def test_pillow_bomb_limit_is_caught(capture_settings, tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    meta = _extract(tmp_path, png_bytes((100, 100)), "image/png")
    assert meta["image_error"].startswith("The image could not be read")


def test_bomb_limit_holds_while_another_thread_extracts(capture_settings, tmp_path, monkeypatch):
    """Captures run in threads. With warnings.catch_warnings() per call, a thread leaving
    its block restored the process-wide filters under another thread still inside, whose
    bomb then went through as a mere warning. Forced here in that order with events."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    small, bomb = tmp_path / "small", tmp_path / "bomb"
    small.write_bytes(png_bytes((20, 20)))  # 400 pixels
    bomb.write_bytes(png_bytes((40, 40)))  # 1600: Pillow warns (errors above 2000)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    real_open = Image.open
    bomb_opening, small_done = threading.Event(), threading.Event()

    def open_in_order(path, *args, **kwargs):
        if Path(path) == small:
            bomb_opening.wait(10)  # the other thread is inside its extract by now
        else:
            bomb_opening.set()
            small_done.wait(10)  # and this one finished first
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(Image, "open", open_in_order)
    results = {}

    def run(name, path, workdir):
        results[name] = extract(path, content_type="image/png", base_url="", workdir=workdir)

    first = threading.Thread(target=run, args=("small", small, tmp_path / "a"))
    second = threading.Thread(target=run, args=("bomb", bomb, tmp_path / "b"))
    first.start()
    second.start()
    first.join(20)
    small_done.set()
    second.join(20)

    assert "image_error" not in results["small"]
    assert results["bomb"]["image_error"].startswith("The image could not be read")


def test_truncated_image_keeps_a_reason(capture_settings, tmp_path):
    meta = _extract(tmp_path, jpeg_bytes()[:200], "image/jpeg")
    assert "image_error" in meta


def test_svg_and_other_types_get_no_extraction(capture_settings, tmp_path):
    assert _extract(tmp_path, b"<svg></svg>", "image/svg+xml") == {}
    assert _extract(tmp_path, b"%PDF-1.4", "application/pdf") == {}
