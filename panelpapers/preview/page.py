"""The pages of the preview: its index of the meeting's papers, and what is put into every page it
serves: a bar naming the variant and the paper's PDF and DOCX (with page counts once the build has
made them), the overlay listing `check` problems above the last good rendering, and the inline script
that reloads the page when the preview changes (server-sent events; no script from elsewhere)."""

from __future__ import annotations

import re
from html import escape

from panelpapers.manifest import Manifest
from panelpapers.preview.state import PaperView, Snapshot

EVENTS_PATH = "/_preview/events"
INDEX_PATH = "/"
PACK_FILE, FRONT_SHEET_FILE, SITE_INDEX = "pack.pdf", "agenda.docx", "site/index.html"
OVERLAY_ID = "panelpapers-preview-problems"
BAR_ID = "panelpapers-preview-bar"
STATUS_ID = "panelpapers-preview-status"

STYLE = f"""<style>
#{BAR_ID}, #{OVERLAY_ID} {{ font: 14px/1.4 sans-serif; z-index: 2147483647; box-sizing: border-box; }}
#{BAR_ID} {{ position: fixed; left: 0; right: 0; bottom: 0; padding: 4px 12px; background: #1d2b36;
  color: #fff; }}
#{BAR_ID} a {{ color: #fff; margin-right: 1em; }}
#{OVERLAY_ID} {{ position: fixed; top: 12px; left: 12px; right: 12px; max-height: 60vh; overflow: auto;
  padding: 12px 16px; background: #fff4f4; color: #111; border: 3px solid #b00020; }}
#{OVERLAY_ID} h2 {{ font-size: 16px; margin: 0 0 6px; color: #b00020; }}
#{OVERLAY_ID} li {{ font-family: monospace; white-space: pre-wrap; }}
@media print {{ #{BAR_ID}, #{OVERLAY_ID} {{ display: none; }} }}
</style>"""

# Reloads the page when the preview's generation moves past the one it was made from, keeping the
# reader's place, and otherwise shows the build's progress in the bar; the server sends both as soon
# as the page connects, so a change made while the page loaded is not missed.
SCRIPT = """<script nonce="{nonce}">
(() => {{
  const made = {generation};
  const place = "panelpapers-preview-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(place);
  if (saved !== null) {{ sessionStorage.removeItem(place); window.scrollTo(0, Number(saved)); }}
  const events = new EventSource("{events}");
  events.addEventListener("change", (event) => {{
    const told = JSON.parse(event.data);
    if (told.generation !== made) {{
      sessionStorage.setItem(place, String(window.scrollY));
      events.close();
      location.reload();
    }} else if (told.building) {{
      document.getElementById("{status}").textContent = "Building: " + told.building + "…";
    }}
  }});
}})();
</script>"""


def overlay(problems: tuple[str, ...]) -> str:
    if not problems:
        return ""
    count = len(problems)
    items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
    return (
        f'<div id="{OVERLAY_ID}" role="alert"><h2>{count} problem{"s" if count != 1 else ""} to fix; '
        f"the page shows the last good rendering</h2><ul>{items}</ul></div>"
    )


def pages(manifest: Manifest | None, name: str) -> str:
    output = manifest.outputs.get(name) if manifest is not None else None
    if output is None or output.pages is None:
        return ""
    return f" ({output.pages} page{'s' if output.pages != 1 else ''})"


def download(manifest: Manifest | None, name: str, label: str) -> str:
    """A link to a file of the last build, with its page count; nothing before the build has made it."""
    if manifest is None or name not in manifest.outputs:
        return ""
    return f'<a href="/{escape(name)}">{escape(label)}{pages(manifest, name)}</a>'


def pdf_link(paper: PaperView | None, manifest: Manifest | None, slug: str) -> str:
    """The paper's PDF: the one made from the HTML shown, once rendered, else the last build's."""
    if paper is None or paper.pdf is None:
        return download(manifest, f"{slug}.pdf", "PDF")
    return f'<a href="/{escape(slug)}.pdf">PDF ({paper.pdf_pages} page{"s" if paper.pdf_pages != 1 else ""})</a>'


def bar(snapshot: Snapshot, variant: str, manifest: Manifest | None, slug: str | None) -> str:
    parts = [f'<a href="{INDEX_PATH}">Preview of the {escape(variant)} variant</a>']
    if slug is not None:
        paper = next((p for p in snapshot.papers if p.slug == slug), None)
        parts += [pdf_link(paper, manifest, slug), download(manifest, f"{slug}.docx", "DOCX")]
    status = f"Building: {snapshot.building}…" if snapshot.building else snapshot.note
    parts.append(f'<span id="{STATUS_ID}">{escape(status)}</span>')
    return f'<div id="{BAR_ID}">{"".join(parts)}</div>'


def furniture(snapshot: Snapshot, variant: str, manifest: Manifest | None, slug: str | None, nonce: str) -> str:
    script = SCRIPT.format(nonce=nonce, generation=snapshot.generation, events=EVENTS_PATH, status=STATUS_ID)
    return overlay(snapshot.problems) + bar(snapshot, variant, manifest, slug) + script


_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def inject(
    html: bytes, snapshot: Snapshot, variant: str, manifest: Manifest | None, slug: str | None, nonce: str
) -> bytes:
    """The page with the preview's style in its head and its furniture at the end of its body."""
    style = STYLE.encode("utf-8")
    head = _HEAD_END.search(html)
    html = html[: head.start()] + style + html[head.start() :] if head else style + html
    extra = furniture(snapshot, variant, manifest, slug, nonce).encode("utf-8")
    body = [*_BODY_END.finditer(html)]
    if not body:
        return html + extra
    return html[: body[-1].start()] + extra + html[body[-1].start() :]


def paper_row(paper: PaperView, manifest: Manifest | None, variant: str) -> str:
    number = paper.slug.split("-", 1)[0]
    if not paper.in_variant:  # named by its number only, as the public site names a paper withheld
        return f"<tr><td>{escape(number)}</td><td colspan=4>not in the {escape(variant)} variant</td></tr>"
    title = escape(paper.title or paper.slug)
    link = f'<a href="/{escape(paper.slug)}.html">{title}</a>' if paper.html is not None else title
    files = pdf_link(paper, manifest, paper.slug) + " " + download(manifest, f"{paper.slug}.docx", "DOCX")
    shown = "shown" if paper.html is not None else "not rendered yet"
    return (
        f"<tr><td>{escape(number)}</td><td>{link}</td><td>{escape(paper.status)}</td>"
        f"<td>{shown}</td><td>{files}</td></tr>"
    )


def index_page(meeting: str, variant: str, snapshot: Snapshot, manifest: Manifest | None, nonce: str) -> bytes:
    """The meeting's papers with their status and page counts, the pack and the front sheet."""
    rows = "".join(paper_row(paper, manifest, variant) for paper in snapshot.papers)
    pack = [download(manifest, PACK_FILE, "Meeting pack"), download(manifest, FRONT_SHEET_FILE, "Front sheet (DOCX)")]
    pack.append(download(manifest, SITE_INDEX, "Public web edition"))
    made = " · ".join(link for link in pack if link) or "not built yet"
    body = (
        f"<main><h1>{escape(meeting)}: preview of the {escape(variant)} variant</h1>"
        "<table><thead><tr><th>No.</th><th>Paper</th><th>Status</th><th>HTML</th><th>PDF and DOCX</th></tr>"
        f"</thead><tbody>{rows}</tbody></table><p>{made}</p></main>"
    )
    page = (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Preview: {escape(meeting)}</title>'
        f"<style>body {{ font: 15px/1.5 sans-serif; margin: 2em 2em 4em; }} td, th {{ text-align: left; "
        f"padding: 2px 12px 2px 0; }}</style></head><body>{body}</body></html>"
    )
    return inject(page.encode("utf-8"), snapshot, variant, manifest, None, nonce)
