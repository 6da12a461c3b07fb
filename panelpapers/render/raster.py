"""SVG images as PNG for the DOCX, which python-docx cannot embed as SVG: WeasyPrint draws the
(already checked) SVG onto a page of exactly its size and pdfium rasterises that page."""

from __future__ import annotations

import io

from panelpapers.house import PACKAGED_FONT_URLS
from panelpapers.render.html import data_url
from panelpapers.render.pdf import lay_out

# The packaged font under the names SVG images use (as paper.css declares them).
FONT_FACES = "".join(
    f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{PACKAGED_FONT_URLS[face]}") }}'
    for family in ("Panel Sans", "Arial", "Helvetica", "Liberation Sans")
    for weight, face in (("normal", "regular"), ("bold", "bold"))
)
DPI = 200  # sharp in print at the text width, and a few hundred KB per diagram


def svg_to_png(svg: bytes, width_mm: float, height_mm: float) -> bytes:
    import pypdfium2

    html = (
        f'<html lang="en-GB"><style>{FONT_FACES}@page {{ size: {width_mm}mm {height_mm}mm; margin: 0 }}'
        "body { margin: 0 }</style>"
        f'<img alt="image" src="{data_url(svg, "image/svg+xml")}" '
        f'style="display: block; width: {width_mm}mm; height: {height_mm}mm">'
    )
    # The SVG was checked to reference nothing outside itself; the fetcher would refuse it anyway.
    pdf = lay_out(html).pdf()
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=DPI / 72)
        out = io.BytesIO()
        bitmap.to_pil().convert("RGB").save(out, format="PNG")
    finally:
        document.close()
    return out.getvalue()
