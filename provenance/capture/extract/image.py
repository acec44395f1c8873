"""Image metadata: dimensions, EXIF, a perceptual hash and a thumbnail.

The perceptual hash lets an analyst match re-encoded, resized copies of one photo across
captures and sources, which the SHA-256 cannot. Pixel counts are checked from the header
before anything is decoded, so a decompression bomb costs nothing but its bytes.
"""

from pathlib import Path

import imagehash
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from provenance.capture.extract.jsonsafe import json_safe

SUB_IFDS = (
    (ExifTags.IFD.Exif, "Exif", ExifTags.TAGS),
    (ExifTags.IFD.GPSInfo, "GPSInfo", ExifTags.GPSTAGS),
)
SKIPPED_TAGS = {"MakerNote", "UserComment", "PrintImageMatching"}  # vendor blobs


def extract_image(path: Path, *, workdir: Path, max_pixels: int, thumb_size: int) -> dict:
    """Metadata dict; `thumbnail_path` (in workdir) when a thumbnail could be made."""
    try:
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; the limit is checked
        # here instead of turning the warning into an error with warnings.catch_warnings(),
        # which swaps the process-wide filters and is not safe in the worker's threads.
        with Image.open(path) as im:
            limit = Image.MAX_IMAGE_PIXELS
            if limit and im.width * im.height > limit:
                return {
                    "image_error": f"The image could not be read: {im.width}×{im.height} "
                    f"pixels is over Pillow's decompression-bomb limit of {limit}."
                }
            return _describe(
                im, path=path, workdir=workdir, max_pixels=max_pixels, thumb_size=thumb_size
            )
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        return {"image_error": f"The image could not be read: {exc}"}
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # Truncated or corrupt files: the bytes are still preserved and hashed.
        return {"image_error": f"The image is damaged or truncated: {exc}"}


def _describe(im, *, path: Path, workdir: Path, max_pixels: int, thumb_size: int) -> dict:
    metadata = {
        "format": im.format,
        "width": im.width,
        "height": im.height,
        "mode": im.mode,
        "frames": getattr(im, "n_frames", 1),
        "exif": _exif(im),
    }
    if im.width * im.height > max_pixels:
        metadata["image_error"] = (
            f"Not decoded: {im.width}×{im.height} pixels is over the {max_pixels} pixel limit."
        )
        return metadata
    # JPEGs can decode at a fraction of full size; hash and thumbnail need no more.
    im.draft("RGB", (thumb_size * 2, thumb_size * 2))
    upright = ImageOps.exif_transpose(im)
    metadata["phash"] = str(imagehash.phash(upright))
    metadata["thumbnail_path"] = str(
        _thumbnail(upright, path=path, workdir=workdir, size=thumb_size)
    )
    return metadata


def _exif(im) -> dict:
    exif = im.getexif()
    pointers = {int(ifd_id) for ifd_id, _, _ in SUB_IFDS}
    result = {
        ExifTags.TAGS.get(tag, str(tag)): value
        for tag, value in exif.items()
        if tag not in pointers  # shown below as their own sections
    }
    for ifd_id, label, names in SUB_IFDS:
        sub = exif.get_ifd(ifd_id)
        if sub:
            result[label] = {names.get(tag, str(tag)): value for tag, value in sub.items()}
    return json_safe(_drop_skipped(result))


def _drop_skipped(tags: dict) -> dict:
    return {
        key: _drop_skipped(value) if isinstance(value, dict) else value
        for key, value in tags.items()
        if key not in SKIPPED_TAGS
    }


def _thumbnail(im, *, path: Path, workdir: Path, size: int) -> Path:
    thumb = im.copy()
    thumb.thumbnail((size, size))
    transparent = thumb.mode in ("RGBA", "LA", "PA") or (
        thumb.mode == "P" and "transparency" in thumb.info
    )
    if transparent:
        target = workdir / f"{path.name}.thumb.png"
        thumb.convert("RGBA").save(target, "PNG", optimize=True)
    else:
        target = workdir / f"{path.name}.thumb.jpg"
        thumb.convert("RGB").save(target, "JPEG", quality=85)
    return target
