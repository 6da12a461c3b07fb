"""The visual backstop: page images of both drafts side by side with the changes boxed. Text changes
are boxed where their words sit; pictures (charts, rules, table borders) are compared with the text
masked out and matched in reading order, so a chart whose data changed is seen even when no words
did, and a page that merely reflowed is not."""

from __future__ import annotations

import base64
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from panelpapers.render.record import Passage, squash
from panelpapers.review.compare import Change, PaperDiff
from panelpapers.review.extract import FURNITURE_MARGIN, Box, Layout

SCALE = 1.25  # 90 dpi: enough to read the page, quick to compare
INK = 200  # grey level below which a pixel counts as drawn
MAX_PAGE_PAIRS = 12  # per paper, to keep the report a sensible size

# Box colours, each at least 3:1 against the white page (WCAG non-text contrast): 5.7, 4.3 and 6.7.
# Old and new words are boxed on different pages; pictures are told from words by a dashed line, so
# no box is told apart by its colour alone (the report's key says so in words).
OLD_COLOUR, NEW_COLOUR, PICTURE_COLOUR = (200, 30, 45), (20, 140, 60), (0, 90, 181)
DASH = 9  # length of a picture box's dashes and gaps, in pixels


@dataclass(frozen=True)
class Picture:
    """A drawn region left once the text is masked: a chart, a table's rules, a box."""

    box: Box
    pixels: Any  # numpy array, reduced for comparison


@dataclass
class PagePair:
    paper: str
    old_page: int | None  # 0-based within the file
    new_page: int | None
    old_boxes: list[tuple[Box, tuple[int, int, int]]] = field(default_factory=list)
    new_boxes: list[tuple[Box, tuple[int, int, int]]] = field(default_factory=list)
    old_image: str = ""  # data: URI, filled for pages shown
    new_image: str = ""


@dataclass
class VisualResult:
    pairs: list[PagePair] = field(default_factory=list)
    pictures_changed: list[Change] = field(default_factory=list)  # no text change explains them
    pages_compared: int = 0


def locate_blocks(blocks: list[Passage], layout: Layout) -> list[list[Box]]:
    """Each block's line boxes, found by its words in the page text (in reading order)."""
    stream_parts: list[str] = []
    starts: list[int] = []
    position = 0
    for text, _box in layout.lines:
        starts.append(position)
        stream_parts.append(text)
        position += len(text) + 1
    stream = " ".join(stream_parts)
    found: list[list[Box]] = []
    cursor = 0
    for block in blocks:
        probe = squash(block.text)[:60]
        at = stream.find(probe, cursor) if probe else -1
        if at < 0 and probe:
            at = stream.find(probe)
        if at < 0:
            found.append([])
            continue
        end = at + max(len(squash(block.text)), 1)
        found.append(
            [
                box
                for (text, box), start in zip(layout.lines, starts, strict=True)
                if start < end and start + len(text) > at
            ]
        )
        cursor = at + 1
    return found


def rasterise(layout: Layout, colour: bool = False) -> dict[int, Any]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(layout.pdf))
    try:
        images = {}
        for index in layout.pages:
            page = pdf[index]
            bitmap = page.render(scale=SCALE, grayscale=not colour)
            images[index] = bitmap.to_pil() if colour else bitmap.to_numpy().copy()
            page.close()
        return images
    finally:
        pdf.close()


def find_pictures(gray: Any, page: int, text_boxes: list[Box]) -> list[Picture]:
    """Drawn regions of a page once text and furniture are blanked out, as horizontal bands."""
    import numpy as np

    image = gray.reshape(gray.shape[0], gray.shape[1]) if gray.ndim == 3 and gray.shape[2] == 1 else gray
    if image.ndim == 3:
        image = image.mean(axis=2)
    image = image.astype(np.uint8).copy()
    height = image.shape[0]
    margin = int(FURNITURE_MARGIN * height)
    image[:margin] = 255
    image[height - margin :] = 255
    for box in text_boxes:
        top, bottom = int(box.top * SCALE) - 2, int(box.bottom * SCALE) + 4  # underlines sit below
        left, right = int(box.left * SCALE) - 2, int(box.right * SCALE) + 2
        image[max(top, 0) : bottom, max(left, 0) : right] = 255
    inked_rows = np.flatnonzero((image < INK).sum(axis=1) > 0)
    pictures: list[Picture] = []
    if not len(inked_rows):
        return pictures
    bands: list[list[int]] = [[int(inked_rows[0]), int(inked_rows[0])]]
    for row in inked_rows[1:]:
        if row - bands[-1][1] <= 6:
            bands[-1][1] = int(row)
        else:
            bands.append([int(row), int(row)])
    for top, bottom in bands:
        columns = np.flatnonzero((image[top : bottom + 1] < INK).sum(axis=0) > 0)
        left, right = int(columns[0]), int(columns[-1])
        if (bottom - top + 1) * (right - left + 1) < 40:
            continue  # specks left by masking
        crop = image[top : bottom + 1, left : right + 1].astype(np.float32)
        box = Box(page, left / SCALE, top / SCALE, (right + 1) / SCALE, (bottom + 1) / SCALE)
        pictures.append(Picture(box, _reduce(crop)))
    return pictures


def _reduce(crop: Any) -> Any:
    """4×4 averages: a half-pixel shift after reflow must not count as a change."""
    import numpy as np

    h, w = crop.shape[0] // 4 * 4, crop.shape[1] // 4 * 4
    if h == 0 or w == 0:
        return np.array([[crop.mean()]], dtype=np.float32)
    return crop[:h, :w].reshape(h // 4, 4, w // 4, 4).mean(axis=(1, 3))


def same_picture(a: Picture, b: Picture) -> bool:
    import numpy as np

    if abs(a.pixels.shape[0] - b.pixels.shape[0]) > 1 or abs(a.pixels.shape[1] - b.pixels.shape[1]) > 1:
        return False
    h, w = min(a.pixels.shape[0], b.pixels.shape[0]), min(a.pixels.shape[1], b.pixels.shape[1])
    return bool(np.abs(a.pixels[:h, :w] - b.pixels[:h, :w]).max() < 48)


def match_pictures(old: list[Picture], new: list[Picture]) -> tuple[list[Picture], list[Picture]]:
    """Pictures of OLD and NEW in reading order; returns those with no equal partner on each side."""
    unmatched_old: list[Picture] = []
    matched_new: set[int] = set()
    cursor = 0
    for picture in old:
        for j in range(cursor, min(cursor + 12, len(new))):
            if j not in matched_new and same_picture(picture, new[j]):
                matched_new.add(j)
                cursor = j + 1
                break
        else:
            unmatched_old.append(picture)
    return unmatched_old, [p for j, p in enumerate(new) if j not in matched_new]


def _near(box: Box, others: list[Box], slack: float = 36.0) -> bool:
    return any(o.page == box.page and o.top - slack <= box.bottom and box.top <= o.bottom + slack for o in others)


def compare_visually(diff: PaperDiff, show_pages: bool = True) -> VisualResult:
    """Boxes every change of one paper on its pages and finds picture changes text cannot explain."""
    result = VisualResult()
    if diff.old is None or diff.new is None or diff.old.layout is None or diff.new.layout is None:
        return result
    old_layout, new_layout = diff.old.layout, diff.new.layout
    old_located = dict(zip(map(id, diff.old.passages), locate_blocks(diff.old.passages, old_layout), strict=True))
    new_located = dict(zip(map(id, diff.new.passages), locate_blocks(diff.new.passages, new_layout), strict=True))

    old_boxes: list[tuple[Box, tuple[int, int, int]]] = []
    new_boxes: list[tuple[Box, tuple[int, int, int]]] = []
    for change in diff.changes:
        if change.old is not None:
            old_boxes.extend((box, OLD_COLOUR) for box in _union_by_page(old_located.get(id(change.old), [])))
        if change.new is not None:
            new_boxes.extend((box, NEW_COLOUR) for box in _union_by_page(new_located.get(id(change.new), [])))

    old_gray, new_gray = rasterise(old_layout), rasterise(new_layout)
    result.pages_compared = len(old_gray) + len(new_gray)
    old_pictures = [
        p for page, image in old_gray.items() for p in find_pictures(image, page, _text_boxes(old_layout, page))
    ]
    new_pictures = [
        p for page, image in new_gray.items() for p in find_pictures(image, page, _text_boxes(new_layout, page))
    ]
    gone, came = match_pictures(old_pictures, new_pictures)
    # A changed chart or table explains the pictures around its caption, up to the next block.
    explained_old = [b for b, _ in old_boxes] + _chart_regions(diff.changes, diff.old.passages, old_located, "old")
    explained_new = [b for b, _ in new_boxes] + _chart_regions(diff.changes, diff.new.passages, new_located, "new")
    old_boxes.extend((p.box, PICTURE_COLOUR) for p in gone)
    new_boxes.extend((p.box, PICTURE_COLOUR) for p in came)
    # A picture that changed is gone from OLD and new in NEW: count it once, from the new side, and
    # count the bands of one chart (bars, legend) as one picture.
    unexplained_old = _clusters([p.box for p in gone if not _near(p.box, explained_old)])
    unexplained_new = _clusters([p.box for p in came if not _near(p.box, explained_new)])
    for box in unexplained_new:
        note = f"a picture on page {box.page + 1} changed or was added, with no change to its words"
        result.pictures_changed.append(Change("changed", "picture", diff.name, note=note))
    for box in unexplained_old[len(unexplained_new) :]:
        note = f"a picture on page {box.page + 1} of the old draft is gone"
        result.pictures_changed.append(Change("removed", "picture", diff.name, note=note))

    page_of_old = _page_pairing(diff, old_located, new_located)
    pages_new = sorted({box.page for box, _ in new_boxes})
    pages_old_only = sorted({box.page for box, _ in old_boxes} - {page_of_old.get(p) for p in pages_new})
    pairs = [PagePair(diff.name, page_of_old.get(p), p) for p in pages_new]
    pairs += [PagePair(diff.name, p, None) for p in pages_old_only]
    for pair in pairs[:MAX_PAGE_PAIRS]:
        pair.old_boxes = [(b, c) for b, c in old_boxes if b.page == pair.old_page]
        pair.new_boxes = [(b, c) for b, c in new_boxes if b.page == pair.new_page]
    result.pairs = pairs[:MAX_PAGE_PAIRS]
    if show_pages:
        _draw(result.pairs, old_layout, new_layout)
    return result


def _chart_regions(changes: list[Change], blocks: list[Passage], located: dict[int, list[Box]], side: str) -> list[Box]:
    """The page area of each changed table or chart: from its caption to the next block below."""
    regions: list[Box] = []
    starts = sorted((boxes[0].page, boxes[0].top) for boxes in located.values() if boxes)
    for change in changes:
        block = change.old if side == "old" else change.new
        boxes = located.get(id(block), []) if block is not None and block.kind in ("table", "chart") else []
        if not boxes:
            continue
        first = boxes[0]
        below = [top for page, top in starts if page == first.page and top > first.bottom + 1]
        regions.append(Box(first.page, 0.0, first.top, 10_000.0, min(below, default=10_000.0)))
    return regions


def _clusters(boxes: list[Box], gap: float = 36.0) -> list[Box]:
    """Boxes on one page less than `gap` apart, merged."""
    merged: list[Box] = []
    for box in sorted(boxes, key=lambda b: (b.page, b.top)):
        last = merged[-1] if merged else None
        if last is not None and last.page == box.page and box.top - last.bottom < gap:
            merged[-1] = Box(
                box.page, min(last.left, box.left), last.top, max(last.right, box.right), max(last.bottom, box.bottom)
            )
        else:
            merged.append(box)
    return merged


def _union_by_page(boxes: list[Box]) -> list[Box]:
    """One box per page around a block's lines."""
    pages: dict[int, list[Box]] = {}
    for box in boxes:
        pages.setdefault(box.page, []).append(box)
    return [
        Box(
            page,
            min(b.left for b in group),
            min(b.top for b in group),
            max(b.right for b in group),
            max(b.bottom for b in group),
        )
        for page, group in pages.items()
    ]


def _text_boxes(layout: Layout, page: int) -> list[Box]:
    return [box for _text, box in layout.lines if box.page == page]


def _page_pairing(
    diff: PaperDiff, old_located: dict[int, list[Box]], new_located: dict[int, list[Box]]
) -> dict[int, int]:
    """New page → the old page most of its unchanged blocks came from."""
    votes: dict[int, Counter[int]] = {}
    for old, new in diff.pairs:
        if old is None or new is None:
            continue
        old_boxes, new_boxes = old_located.get(id(old), []), new_located.get(id(new), [])
        if old_boxes and new_boxes:
            votes.setdefault(new_boxes[0].page, Counter())[old_boxes[0].page] += 1
    return {page: counter.most_common(1)[0][0] for page, counter in votes.items()}


def _draw(pairs: list[PagePair], old_layout: Layout, new_layout: Layout) -> None:
    from PIL import Image, ImageDraw

    old_pages = {p.old_page for p in pairs if p.old_page is not None}
    new_pages = {p.new_page for p in pairs if p.new_page is not None}
    old_images = _colour(old_layout, old_pages)
    new_images = _colour(new_layout, new_pages)
    for pair in pairs:
        for page, boxes, images, attribute in (
            (pair.old_page, pair.old_boxes, old_images, "old_image"),
            (pair.new_page, pair.new_boxes, new_images, "new_image"),
        ):
            if page is None:
                continue
            image = images[page].convert("RGB")
            draw = ImageDraw.Draw(image)
            for box, colour in boxes:
                corners = (box.left * SCALE - 3, box.top * SCALE - 2, box.right * SCALE + 3, box.bottom * SCALE + 2)
                if colour == PICTURE_COLOUR:
                    _dashed_rectangle(draw, corners, colour)
                else:
                    draw.rectangle(corners, outline=colour, width=3)
            out = io.BytesIO()
            # Octree keeps small areas of strong colour (the red DRAFT mark, the boxes) that median cut greys.
            image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
            setattr(pair, attribute, "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii"))


def _dashed_rectangle(draw: Any, corners: tuple[float, float, float, float], colour: tuple[int, int, int]) -> None:
    left, top, right, bottom = corners
    for start, end, fixed, horizontal in (
        (left, right, top, True),
        (left, right, bottom, True),
        (top, bottom, left, False),
        (top, bottom, right, False),
    ):
        at = start
        while at < end:
            stop = min(at + DASH, end)
            line = (at, fixed, stop, fixed) if horizontal else (fixed, at, fixed, stop)
            draw.line(line, fill=colour, width=3)
            at += 2 * DASH


def _colour(layout: Layout, pages: set[int]) -> dict[int, Any]:
    """Colour images of only the pages shown: PNG encoding is the slow part."""
    return rasterise(Layout(layout.pdf, sorted(pages)), colour=True) if pages else {}
