"""Page metadata and embedded media from captured HTML.

Open Graph and JSON-LD come from extruct; title, canonical URL, description and the
media elements from lxml's HTML parser. Media URLs are resolved against the page's
final URL (or its <base href>) so they can be captured in their own right.
"""

import logging
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import extruct
import lxml.html
from lxml import etree

logger = logging.getLogger(__name__)

# Most telling first: what the page itself says its media is, then what it embeds.
OG_MEDIA = (
    "og:video:secure_url",
    "og:video:url",
    "og:video",
    "og:image:secure_url",
    "og:image:url",
    "og:image",
)
TWITTER_MEDIA = ("twitter:player:stream", "twitter:image", "twitter:image:src")
JSON_LD_MEDIA_TYPES = {"VideoObject", "ImageObject", "AudioObject"}
MAX_JSON_LD_ITEMS = 10


def extract_html(path: Path, *, base_url: str, max_bytes: int, max_media: int) -> dict:
    """Metadata dict; `embedded_media` lists at most `max_media` absolute http(s) URLs."""
    with open(path, "rb") as fh:
        data = fh.read(max_bytes)
    try:
        doc = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        return {"html_error": f"The page could not be parsed: {exc}."}
    base = _base_url(doc, base_url)
    opengraph = _opengraph(doc, base)
    twitter = _meta_by_prefix(doc, "twitter:")
    json_ld = _json_ld(doc, base)
    metadata = {
        "title": _text(doc.findtext(".//title")) or _first(opengraph.get("og:title")),
        "description": _meta(doc, "description") or _first(opengraph.get("og:description")),
        "canonical_url": _canonical(doc, base),
        "language": _text(doc.get("lang")),
        "opengraph": opengraph,
        "twitter": twitter,
        "json_ld": json_ld[:MAX_JSON_LD_ITEMS],
    }
    candidates = [
        *(v for key in OG_MEDIA for v in _as_list(opengraph.get(key))),
        *(v for key in TWITTER_MEDIA for v in _as_list(twitter.get(key))),
        *_json_ld_media(json_ld),
        *doc.xpath("//video/@src | //video/source/@src | //audio/@src | //audio/source/@src"),
        *doc.xpath("//img/@src"),
    ]
    metadata["embedded_media"] = _resolve_unique(candidates, base, base_url, max_media)
    truncated = path.stat().st_size > max_bytes
    if truncated:
        metadata["html_truncated_at"] = max_bytes
    return metadata


def _text(value) -> str:
    return " ".join(str(value).split()) if value else ""


def _first(value) -> str:
    values = _as_list(value)
    return _text(values[0]) if values else ""


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _base_url(doc, page_url: str) -> str:
    hrefs = doc.xpath("//head/base/@href")
    return urljoin(page_url, hrefs[0].strip()) if hrefs else page_url


def _meta(doc, name: str) -> str:
    values = doc.xpath(
        "//meta[translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
        "'abcdefghijklmnopqrstuvwxyz')=$n]/@content",
        n=name,
    )
    return _text(values[0]) if values else ""


def _meta_by_prefix(doc, prefix: str) -> dict:
    found: dict = {}
    for el in doc.xpath("//meta[@content and (@name or @property)]"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        if key.startswith(prefix):
            _add(found, key, el.get("content").strip())
    return found


def _add(mapping: dict, key: str, value: str) -> None:
    if key not in mapping:
        mapping[key] = value
    elif isinstance(mapping[key], list):
        mapping[key].append(value)
    else:
        mapping[key] = [mapping[key], value]


def _canonical(doc, base: str) -> str:
    for el in doc.xpath("//link[@href and @rel]"):
        if "canonical" in el.get("rel").lower().split():
            return urljoin(base, el.get("href").strip())
    return ""


def _opengraph(doc, base: str) -> dict:
    try:
        items = extruct.extract(doc, base_url=base, syntaxes=["opengraph"], errors="ignore")
    except Exception:  # extruct wraps many parsers; a bad block must not fail the page
        logger.warning("Open Graph extraction failed for %s", base, exc_info=True)
        return {}
    found: dict = {}
    for item in items.get("opengraph", []):
        for key, value in item.get("properties", []):
            _add(found, key.strip().lower(), value.strip())
    return found


def _json_ld(doc, base: str) -> list:
    try:
        items = extruct.extract(doc, base_url=base, syntaxes=["json-ld"], errors="ignore")
    except Exception:  # malformed JSON-LD is common in the wild
        logger.warning("JSON-LD extraction failed for %s", base, exc_info=True)
        return []
    return [item for item in items.get("json-ld", []) if isinstance(item, dict)]


def _json_ld_media(items: list) -> list[str]:
    urls = []
    stack = list(items)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        types = set(_as_list(item.get("@type")))
        if types & JSON_LD_MEDIA_TYPES:
            urls.extend(u for u in _as_list(item.get("contentUrl")) if isinstance(u, str))
        stack.extend(
            v for k, v in item.items() if k in ("@graph", "video", "image", "associatedMedia")
        )
    return urls


def _resolve_unique(candidates, base: str, page_url: str, limit: int) -> list[str]:
    seen = {urldefrag(page_url).url}
    result = []
    for raw in candidates:
        if len(result) >= limit:
            break
        if not isinstance(raw, str) or not raw.strip() or raw.strip().startswith("data:"):
            continue
        url = urldefrag(urljoin(base, raw.strip())).url
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        result.append(url)
    return result
