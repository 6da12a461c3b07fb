"""How our PDFs are tagged: WeasyPrint 70's PDF/UA-1 structure tree, with what a screen reader needs
that it does not give. WeasyPrint builds the tree page by page from the laid-out boxes
(weasyprint/pdf/tags.py); `install()` swaps in this builder and two small hooks, all in this file:

- **Page furniture is an artifact.** The margin boxes (marking, DRAFT, "Page n of m"), table
  headers repeated on a continuation page and the dots of `leader()` are drawn as `/Artifact`
  marked content, and so are outside the structure tree (WeasyPrint tags them as Spans hanging off
  no element). The marking stays in the document's metadata (`<meta name="keywords">`) and in the
  title's heading, whose /ActualText (from its `aria-label`) adds it to the title's words. A Span
  with an `aria-label` (a trend arrow alone in a table cell) has it as its /ActualText too.
- **One element per HTML element**, across pages and lines: a section, paragraph or table that
  continues on the next page, or a link that wraps, carries on in the element it began in, so a
  table broken across pages is one Table and a section one Sect.
- **One link annotation per link**: per page, the fragments of an `<a>` make one annotation (its
  lines as QuadPoints), whose /Contents is the link's words; the boxes inside it (a `::after` page
  number) add none of their own, and a `::before`/`::after` is a Span inside the Link, not a Link.
- **Tables**: every TH has /Scope (`scope="col|colgroup"` Column, `row|rowgroup` Row; without
  scope, Column in a thead and Row elsewhere); every TD lists its headers (/Headers) by ids that
  the structure tree's /IDTree resolves, counted on the table's whole grid, row and column spans
  included. Ids start with a digest of the document, so papers merged into a pack keep them apart.
- **Figures**: a `<figure>` is the Figure, holding its Caption and its image, with the image's alt
  text and bounding box; an `<img>` outside a figure is a Figure of its own, as before.

Everything else is WeasyPrint's own logic (lists, table captions, link and widget object
references); the output stays byte-identical run to run (no ids from memory addresses or clocks).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ARTIFACTS = "_panelpapers_artifacts"  # on a weasyprint Page: ids of the boxes drawn as artifacts
LEADERS = "_panelpapers_leaders"  # on a weasyprint Page: those of them that are leaders (layout, not pagination)
PREFIX = "_panelpapers_id_prefix"  # on a weasyprint Document: what its structure ids start with

_installed = False


def install() -> None:
    """Swaps the hooks into WeasyPrint, once per process. Only PDFs written with tags change."""
    global _installed
    if _installed:
        return
    import weasyprint.pdf as weasy_pdf
    from weasyprint.document import Page
    from weasyprint.pdf.stream import Stream

    original_marked = Stream.marked
    original_paint = Page.paint

    @contextmanager
    def marked(self: Any, box: Any, tag: str) -> Iterator[None]:
        if self._tags is not None and id(box) in getattr(self, ARTIFACTS, ()):
            import pydyf

            kind = "/Layout" if id(box) in getattr(self, LEADERS, ()) else "/Pagination"
            self.begin_marked_content("Artifact", pydyf.Dictionary({"Type": kind}))
            try:
                yield
            finally:
                self.end_marked_content()
        else:
            with original_marked(self, box, tag):
                yield

    def paint(self: Any, stream: Any, scale: float = 1) -> None:
        setattr(stream, ARTIFACTS, getattr(self, ARTIFACTS, frozenset()))
        setattr(stream, LEADERS, getattr(self, LEADERS, frozenset()))
        original_paint(self, stream, scale)

    Stream.marked = marked
    Page.paint = paint
    weasy_pdf.add_tags = add_tags
    weasy_pdf.add_links = add_links
    _installed = True


def prepare(document: Any, prefix: str) -> None:
    """Marks, page by page, the boxes to draw as artifacts; call after layout, before write_pdf.
    `prefix`: what the structure ids of this document start with (a digest of its HTML)."""

    setattr(document, PREFIX, prefix)
    seen_groups: set[Any] = set()  # table header and footer rows already drawn on an earlier page
    for page in document.pages:
        artifacts: set[int] = set()
        leaders: set[int] = set()
        _find_artifacts(page._page_box, artifacts, leaders, seen_groups, set())
        setattr(page, ARTIFACTS, frozenset(artifacts))
        setattr(page, LEADERS, frozenset(leaders))


def _find_artifacts(
    box: Any, artifacts: set[int], leaders: set[int], seen_groups: set[Any], page_groups: set[Any]
) -> None:
    """Into `artifacts`, the ids of this page's boxes drawn as artifacts: margin boxes, leaders, and
    table header or footer rows repeated from an earlier page (`seen_groups`, updated after the page)."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.PageBox):
        for child in _children(box):
            _find_artifacts(child, artifacts, leaders, seen_groups, page_groups)
        seen_groups |= page_groups
        return
    if getattr(box, "is_leader", False):
        _all(box, leaders)
    if isinstance(box, boxes.MarginBox) or getattr(box, "is_leader", False):
        _all(box, artifacts)
        return
    if getattr(box, "is_header", False) or getattr(box, "is_footer", False):
        if box.element in seen_groups:
            _all(box, artifacts)
            return
        page_groups.add(box.element)
    for child in _children(box):
        _find_artifacts(child, artifacts, leaders, seen_groups, page_groups)


def _all(box: Any, artifacts: set[int]) -> None:
    artifacts.add(id(box))
    for child in _children(box):
        _all(child, artifacts)


def _children(box: Any) -> list[Any]:
    from weasyprint.layout.absolute import AbsolutePlaceholder

    children = getattr(box, "children", None) or []
    return [child._box if isinstance(child, AbsolutePlaceholder) else child for child in children]


def _words(element: Any) -> str:
    """What a link says: its aria-label or title, else its text."""
    label = element.get("aria-label") or element.get("title")
    return " ".join((label or "".join(element.itertext())).split())


def add_links(links_and_anchors: Any, matrix: Any, pdf: Any, page: Any, names: Any, tags: Any) -> None:
    """WeasyPrint's add_links, with one annotation per `<a>` on a page: the boxes that only inherit
    the link (its `::after`, a leader) make none, and the line fragments of the `<a>` share one."""
    import pydyf

    links, anchors = links_and_anchors
    by_owner: dict[tuple[Any, str, str], Any] = {}
    for link_type, link_target, rectangle, box in links:
        if link_type not in ("internal", "external") or getattr(box, "link", None) is None:
            continue  # inside a link: its owner's annotation covers it
        x1, y1 = matrix.transform_point(*rectangle[:2])
        x2, y2 = matrix.transform_point(*rectangle[2:])
        left, right, bottom, top = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
        key = (box.element, link_type, link_target)
        annotation = by_owner.get(key)
        if annotation is None:
            annotation = pydyf.Dictionary(
                {
                    "Type": "/Annot",
                    "Subtype": "/Link",
                    "Rect": pydyf.Array([left, bottom, right, top]),
                    "QuadPoints": pydyf.Array(),
                    "BS": pydyf.Dictionary({"W": 0}),
                }
            )
            if tags is not None and box.element is not None:
                annotation["Contents"] = pydyf.String(_words(box.element) or link_target)
            if link_type == "internal":
                annotation["Dest"] = pydyf.String(link_target)
            else:
                annotation["A"] = pydyf.Dictionary({"Type": "/Action", "S": "/URI", "URI": pydyf.String(link_target)})
            pdf.add_object(annotation)
            if "Annots" not in page:
                page["Annots"] = pydyf.Array()
            page["Annots"].append(annotation.reference)
            by_owner[key] = annotation
            box.link_annotation = annotation
        else:
            rect = annotation["Rect"]
            annotation["Rect"] = pydyf.Array(
                [min(rect[0], left), min(rect[1], bottom), max(rect[2], right), max(rect[3], top)]
            )
        annotation["QuadPoints"].extend([left, top, right, top, left, bottom, right, bottom])

    for anchor_name, x, y in anchors:
        x, y = matrix.transform_point(x, y)
        names.append([anchor_name, pydyf.Array([page.reference, "/XYZ", x, y, 0])])


def _pdf_tag(tag: str | None) -> str:
    from weasyprint.pdf.tags import _get_pdf_tag

    if tag is None:
        return "NonStruct"
    if tag == "figure":
        return "Figure"
    if "::" in tag and tag != "li::marker":
        return "Span"  # generated content (a contents entry's page number) is text inside its element
    return str(_get_pdf_tag(tag))


def add_tags(pdf: Any, document: Any, pdf_version: Any, page_streams: Any) -> None:
    """The structure tree of the whole document (replaces weasyprint.pdf.tags.add_tags)."""
    import pydyf

    parent_tree = pydyf.Dictionary({})
    pdf.add_object(parent_tree)
    root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": parent_tree.reference})
    pdf.add_object(root)
    top = pydyf.Dictionary({"Type": "/StructElem", "S": "/Document", "K": pydyf.Array(), "P": root.reference})
    pdf.add_object(top)
    root["K"] = pydyf.Array([top.reference])
    pdf.catalog["StructTreeRoot"] = root.reference
    if str(pdf_version) >= "2.0":
        namespace = pydyf.Dictionary({"Type": "/Namespace", "NS": pydyf.String("http://iso.org/pdf2/ssn")})
        pdf.add_object(namespace)
        root["Namespaces"] = pydyf.Array([namespace.reference])
        top["NS"] = namespace.reference

    builder = _Builder(pdf, getattr(document, PREFIX, "d"))
    parent_tree["Nums"] = pydyf.Array()
    for number, (page, stream) in enumerate(zip(document.pages, page_streams, strict=True)):
        builder.start_page(number, stream._tags, getattr(page, ARTIFACTS, frozenset()))
        for element in builder.build(page._page_box, top):
            top["K"].append(element.reference)
        assert not stream._tags, "marked content left out of the structure tree"
        parent_tree["Nums"].append(number)
        parent_tree["Nums"].append(pydyf.Array([ref for _, ref in sorted(builder.nums.items())]))

    for index, (reference, annotation) in enumerate(builder.annotations, start=len(document.pages)):
        parent_tree["Nums"].append(index)
        parent_tree["Nums"].append(reference)
        annotation["StructParent"] = index
    root["ParentTreeNextKey"] = len(document.pages) + len(builder.annotations)

    ids = builder.link_headers()
    if ids:
        id_tree = pydyf.Dictionary({"Names": pydyf.Array()})
        for key, element in sorted(ids.items()):
            id_tree["Names"].extend([pydyf.String(key), element.reference])
        pdf.add_object(id_tree)
        root["IDTree"] = id_tree.reference

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    if "Lang" not in pdf.catalog:
        pdf.catalog["Lang"] = pydyf.String()


class _Builder:
    """The structure elements, kept by HTML element (and pseudo-element) across pages."""

    def __init__(self, pdf: Any, prefix: str) -> None:
        self.pdf = pdf
        self.prefix = prefix
        self.by_element: dict[tuple[Any, str | None], Any] = {}
        self.open: list[Any] = []  # elements being built, outermost first
        self.annotations: list[tuple[Any, Any]] = []
        self.tables: list[tuple[Any, list[Any]]] = []  # Table element, its TR elements in order
        self.rows: dict[int, list[Any]] = {}  # id(Table element) -> its TR elements (as in tables)
        self.cells: dict[int, list[tuple[Any, Any]]] = {}  # id(TR element) -> (cell element, box)
        self.number = 0
        self.tags: dict[Any, Any] = {}
        self.artifacts: frozenset[int] = frozenset()
        self.nums: dict[int, Any] = {}
        self.page: bytes = b""

    def start_page(self, number: int, tags: dict[Any, Any], artifacts: frozenset[int]) -> None:
        self.number, self.tags, self.artifacts, self.nums = number, tags, artifacts, {}
        self.page = self.pdf.page_references[number]  # pydyf works the whole tuple out on each call

    def new(self, tag: str, parent: Any) -> Any:
        import pydyf

        element = pydyf.Dictionary(
            {"Type": "/StructElem", "S": f"/{tag}", "K": pydyf.Array([]), "Pg": self.page, "P": parent.reference}
        )
        self.pdf.add_object(element)
        return element

    def content(self, element: Any, mcid: int) -> None:
        """Marked content of this page into `element` (begun on this page or an earlier one)."""
        import pydyf

        assert mcid not in self.nums
        if element["Pg"] == self.page:
            element["K"].append(mcid)
        else:
            element["K"].append(pydyf.Dictionary({"Type": "/MCR", "Pg": self.page, "MCID": mcid}))
        self.nums[mcid] = element.reference

    def nearest(self, tag: str) -> Any:
        return next((element for element in reversed(self.open) if element["S"] == f"/{tag}"), None)

    def build(self, box: Any, parent: Any) -> Iterator[Any]:
        """The new elements of `box` to hang under `parent`, children built into them; a box that
        continues an element begun earlier adds its content there and yields nothing."""
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder

        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        if id(box) in self.artifacts:
            return  # drawn as an artifact: nothing to tag
        element_tag = None if box.element is None else box.element_tag
        tag = _pdf_tag(element_tag)

        passed_through = element_tag in ("html", "body") or isinstance(box, boxes.PageBox)
        if passed_through and isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
            for child in box.children:
                yield from self.build(child, parent)
            return

        key = (box.element, element_tag)
        earlier = self.by_element.get(key) if box.element is not None else None
        if earlier is not None and not any(earlier is element for element in self.open):
            self.fill(earlier, box, tag, parent)  # the rest of an element begun earlier
            return
        if earlier is not None and tag not in ("LI", "TD", "TH"):
            tag = "NonStruct"  # an anonymous box inside its element (the line of a <figure>'s image)

        if tag == "Figure" and element_tag == "img" and (figure := self.nearest("Figure")) is not None:
            self.describe(figure, box)  # the image of a <figure>: its content goes into that Figure
            if isinstance(box, boxes.ReplacedBox):
                self.content(figure, self.tags.pop(box)["mcid"])
            return

        if tag in ("TD", "TH") and parent["S"] in ("/TD", "/TH"):
            tag = "NonStruct"  # anonymous blocks inside table cells
        elif tag == "LI":
            anonymous_list_element = parent["S"] == "/LI"
            anonymous_li_child = parent["S"] == "/LBody"
            dl_item = box.element_tag in ("dt", "dd")
            no_bullet_li = box.element_tag == "li" and (
                "list-item" not in box.style["display"] or box.style["list_style_type"] == "none"
            )
            if anonymous_list_element:
                tag = "LBody"
            elif anonymous_li_child:
                tag = "NonStruct"
            elif dl_item or no_bullet_li:
                item = self.new("LI", parent)
                body = self.new("LBody", item)
                self.by_element.setdefault(key, body)
                item["K"].append(body.reference)
                self.fill(body, box, "LBody", item)
                yield item
                return

        element = self.new(tag, parent)
        if box.element is not None:
            self.by_element.setdefault(key, element)
        if tag == "Figure":
            self.describe(element, box)
        elif tag == "Table":
            self.rows[id(element)] = []
            self.tables.append((element, self.rows[id(element)]))
        elif tag == "TR" and (table := self.nearest("Table")) is not None:
            self.rows[id(table)].append(element)
            self.cells[id(element)] = []
        elif tag in ("TH", "TD"):
            element["A"] = self.cell_attributes(box, tag)
            if (row := self.nearest("TR")) is not None and id(row) in self.cells:
                self.cells[id(row)].append((element, box))
        self.fill(element, box, tag, parent)
        yield element

    def describe(self, figure: Any, box: Any) -> None:
        """Alt text and bounding box of a Figure from its image box."""
        import pydyf
        from weasyprint.formatting_structure import boxes

        if not isinstance(box, boxes.ReplacedBox) and box.element_tag != "img":
            return  # the <figure> itself: described by its image
        x, y = box.content_box_x(), box.content_box_y()
        figure["A"] = pydyf.Dictionary({"O": "/Layout", "BBox": pydyf.Array((x, y, x + box.width, y + box.height))})
        if alt := box.element.attrib.get("alt"):
            figure["Alt"] = pydyf.String(alt)

    def cell_attributes(self, box: Any, tag: str) -> Any:
        import pydyf

        attributes = pydyf.Dictionary({"O": "/Table"})
        if tag == "TH":
            scope = (box.element.attrib.get("scope") or "").lower()
            if scope in ("row", "rowgroup"):
                attributes["Scope"] = "/Row"
            elif scope in ("col", "colgroup") or self.nearest("THead") is not None:
                attributes["Scope"] = "/Column"
            else:
                attributes["Scope"] = "/Row"
        if box.colspan != 1:
            attributes["ColSpan"] = box.colspan
        if box.rowspan != 1:
            attributes["RowSpan"] = box.rowspan
        return attributes

    def fill(self, element: Any, box: Any, tag: str, parent: Any) -> None:
        """Annotations and children of `box` into `element`."""
        import pydyf
        from weasyprint.formatting_structure import boxes

        labelled = tag.startswith("H") or tag == "Span"
        label = box.element.get("aria-label") if box.element is not None and labelled else None
        # Read instead of the text: the title's words with the marking the furniture prints; a trend
        # arrow's words.
        if label:
            element["ActualText"] = pydyf.String(label)
        if tag == "Table" and box.is_table_wrapper and (table := box.get_wrapped_table()):
            wrapper = box
            box = table.copy_with_children([])
            for child in wrapper.children:
                box.children.extend(child.children if child is table else [child])

        if box.link_annotation:
            annotation = box.link_annotation
            reference = pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference, "Pg": self.page})
            self.pdf.add_object(reference)
            self.annotations.append((element.reference, annotation))
            element["K"].append(reference.reference)
            box.link_annotation = None  # one object reference per annotation, whichever box holds it
        if box.widget_annotation:
            annotation = box.widget_annotation
            reference = pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference, "Pg": self.page})
            self.pdf.add_object(reference)
            form = pydyf.Dictionary(
                {"Type": "/StructElem", "S": "/Form", "K": pydyf.Array([reference.reference]), "Pg": self.page,
                 "P": element.reference}
            )  # fmt: skip
            self.pdf.add_object(form)
            self.annotations.append((form.reference, annotation))
            element["K"].append(form.reference)

        self.open.append(element)
        try:
            for child in box.children:
                for grandchild in child.children if isinstance(child, boxes.LineBox) else [child]:
                    if id(grandchild) in self.artifacts:
                        continue
                    if isinstance(grandchild, boxes.TextBox):
                        kid = self.tags.pop(grandchild)
                        if element["S"] == "/Link":
                            self.content(element, kid["mcid"])
                        else:
                            span = self.new(kid["tag"], element)
                            element["K"].append(span.reference)
                            self.content(span, kid["mcid"])
                        continue
                    if grandchild.element_tag in ("ul", "ol") and element["S"] == "/LI":
                        child_parent = parent  # a nested list belongs to the list, not to the item
                    else:
                        child_parent = element
                    index = len(child_parent["K"])
                    child_parent["K"][index:index] = [kid.reference for kid in self.build(grandchild, child_parent)]
        finally:
            self.open.pop()

        if isinstance(box, boxes.ReplacedBox):
            self.content(element, self.tags.pop(box)["mcid"])

    def link_headers(self) -> dict[str, Any]:
        """Every TH gets an id, every TD the ids of its column and row headers, over each table's
        whole grid (spans included); returns the ids and their elements for the /IDTree."""
        import pydyf

        ids: dict[str, Any] = {}
        for number, (_, rows) in enumerate(self.tables, start=1):
            taken: set[tuple[int, int]] = set()
            placed: list[tuple[Any, Any, int, int]] = []  # element, box, row, column
            for r, row in enumerate(rows):
                c = 0
                for element, box in self.cells.get(id(row), []):
                    while (r, c) in taken:
                        c += 1
                    placed.append((element, box, r, c))
                    for dr in range(box.rowspan):
                        for dc in range(box.colspan):
                            taken.add((r + dr, c + dc))
                    c += box.colspan
            columns: dict[int, list[tuple[int, str]]] = {}
            lines: dict[int, list[tuple[int, str]]] = {}
            for element, box, r, c in placed:
                if element["S"] != "/TH":
                    continue
                key = f"{self.prefix}-t{number}-r{r}-c{c}"
                element["ID"] = pydyf.String(key)
                ids[key] = element
                if element["A"]["Scope"] == "/Column":
                    for dc in range(box.colspan):
                        columns.setdefault(c + dc, []).append((r, key))
                else:
                    for dr in range(box.rowspan):
                        lines.setdefault(r + dr, []).append((c, key))
            for element, box, r, c in placed:
                if element["S"] != "/TD":
                    continue
                headers = [key for dc in range(box.colspan) for row, key in columns.get(c + dc, []) if row < r] + [
                    key for dr in range(box.rowspan) for column, key in lines.get(r + dr, []) if column < c
                ]
                if headers:
                    element["A"]["Headers"] = pydyf.Array(pydyf.String(key) for key in dict.fromkeys(headers))
        return ids
