"""Images an author places in a paper: PNG, JPEG or SVG files inside the paper's own folder, read
and checked here so that nothing outside the folder, nothing oversized and no SVG that could reach
out (external references, scripts) ever reaches a writer. A bad image is refused, never repaired."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from panelpapers.load.boundary import outside_project

MAX_BYTES = 10 * 1024 * 1024
TEXT_WIDTH_MM = 160.0  # as wide as the charts
MAX_HEIGHT_MM = 220.0  # a tall diagram is scaled down to fit a portrait page under its caption

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


class ImageError(ValueError):
    pass


@dataclass(frozen=True)
class LoadedImage:
    media_type: str
    data: bytes
    width_mm: float
    height_mm: float


def load_image(folder: Path, name: str) -> LoadedImage:
    """`name` as the author wrote it, relative to the paper's folder."""
    outside = outside_project(folder / name)
    if outside is not None:
        raise ImageError(f"image '{name}' is {outside.message}")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise ImageError(f"image '{name}' is outside the paper's folder; put the file in the paper's folder")
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise ImageError(f"image '{name}' is not a .png, .jpg, .jpeg or .svg file")
    if not path.is_file():
        raise ImageError(f"image '{name}' not found in the paper's folder")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImageError(f"image '{name}' is {size / 1024 / 1024:.1f} MB; images may be at most 10 MB")
    data = path.read_bytes()
    if media_type == "image/svg+xml":
        width, height = checked_svg_size(data, name)
    else:
        width, height = _bitmap_size(data, name, media_type)
    return LoadedImage(media_type, data, *fitted(width, height))


def fitted(width: float, height: float) -> tuple[float, float]:
    """The text width, keeping the proportions; shorter if that would be too tall for a page."""
    scale = min(TEXT_WIDTH_MM / width, MAX_HEIGHT_MM / height)
    return round(width * scale, 2), round(height * scale, 2)


def _bitmap_size(data: bytes, name: str, media_type: str) -> tuple[float, float]:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
    except (UnidentifiedImageError, OSError):
        raise ImageError(f"image '{name}' cannot be read as {media_type}") from None
    if (kind, media_type) not in {("PNG", "image/png"), ("JPEG", "image/jpeg")}:
        raise ImageError(f"image '{name}' is a {kind} file, not what its name says ({media_type})")
    return float(width), float(height)


_URL_IN_CSS = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


def checked_svg_size(data: bytes, name: str) -> tuple[float, float]:
    """The SVG's proportions, after refusing anything that could fetch, run or hide: a DOCTYPE or
    entity, scripts, event handlers, foreignObject, and any reference other than to its own `#id`s."""
    from lxml import etree

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ImageError(f"image '{name}': an SVG may not declare a DOCTYPE or entities")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise ImageError(f"image '{name}' is not well-formed SVG: {err}") from None
    if root.tag != f"{SVG_NS}svg":
        raise ImageError(f"image '{name}' is not an SVG image (its root element is not <svg>)")
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            if isinstance(element, etree._ProcessingInstruction):
                raise ImageError(f"image '{name}' line {element.sourceline}: processing instructions are not allowed")
            continue
        local = etree.QName(element).localname
        if local in ("script", "foreignObject"):
            raise ImageError(f"image '{name}' line {element.sourceline}: <{local}> is not allowed in an SVG image")
        if local == "style" and (_URL_IN_CSS.search(element.text or "") or "@import" in (element.text or "")):
            raise ImageError(f"image '{name}' line {element.sourceline}: a style may not refer to other files")
        for attribute, value in element.attrib.items():
            key = etree.QName(attribute).localname
            if key.lower().startswith("on"):
                raise ImageError(f"image '{name}' line {element.sourceline}: event handler '{key}' is not allowed")
            if key == "href" and not value.startswith("#"):
                raise ImageError(
                    f"image '{name}' line {element.sourceline}: external reference '{value[:60]}' is not allowed; "
                    "an SVG image must be self-contained"
                )
            if _URL_IN_CSS.search(value):
                raise ImageError(f"image '{name}' line {element.sourceline}: '{key}' refers to another file")
    return _svg_size(root, name)


def _svg_size(root: Any, name: str) -> tuple[float, float]:
    view_box = root.get("viewBox")
    if view_box:
        parts = view_box.replace(",", " ").split()
        if len(parts) == 4:
            width, height = float(parts[2]), float(parts[3])
            if width > 0 and height > 0:
                return width, height
    sizes = [root.get(key) or "" for key in ("width", "height")]
    numbers = [re.match(r"^\s*([0-9.]+)\s*(px|mm|pt|)\s*$", size) for size in sizes]
    if all(numbers):
        width, height = (float(match.group(1)) for match in numbers if match)
        if width > 0 and height > 0:
            return width, height
    raise ImageError(f"image '{name}': an SVG image needs a viewBox (or a width and height) to be sized")
