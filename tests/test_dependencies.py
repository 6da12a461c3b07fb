"""The private parts of other libraries that panelpapers relies on, checked by introspection: each name
exists, each function takes the parameters we call or replace it with, and each internal attribute is
still set where we read it. A library release that changes one fails here, naming the internal and
the file relying on it, instead of silently changing every tagged PDF. pyproject.toml bounds each of
these libraries to the releases checked here."""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import io
import re
import tomllib
from dataclasses import dataclass
from importlib.metadata import version

import pytest
from conftest import PROJECT_ROOT
from packaging.requirements import Requirement

pytestmark = pytest.mark.quick  # every test here is quick

PDF_TAGS = "panelpapers/render/pdf_tags.py"
PDF = "panelpapers/render/pdf.py"
DOCX_XML = "panelpapers/render/docx_xml.py"
DOCX = "panelpapers/render/docx.py"
AGENDA_DOCX = "panelpapers/render/agenda_docx.py"
IMAGES = "panelpapers/load/images.py"
CLI = "panelpapers/cli.py"
SCAFFOLD = "panelpapers/scaffold.py"
WORKER = "panelpapers/build/worker.py"
SVG_PATHS = "panelpapers/render/svg_paths.py"
PATH_OPERATIONS = ("move_to", "line_to", "curve_to", "close")  # what WeasyPrint's path drawing calls on its stream


@dataclass(frozen=True)
class Internal:
    """`module`.`name` (a dotted path inside the module), which `file` relies on. `parameters`: the
    names it must take first, in order (we call it or put our own function in its place);
    `source`: text its source must hold (an attribute it sets that we read, or how it calls what we
    replace); `settable`: a property we assign to."""

    file: str
    module: str
    name: str
    parameters: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    settable: bool = False

    @property
    def library(self) -> str:
        top = self.module.split(".")[0]
        return {"weasyprint": "weasyprint", "pydyf": "pydyf", "lxml": "lxml", "ruamel": "ruamel.yaml"}.get(top, "")

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


INTERNALS = [
    # install(): our structure tree and links replace WeasyPrint's, called by generate_pdf
    Internal(PDF_TAGS, "weasyprint.pdf", "add_tags", ("pdf", "document", "pdf_version", "page_streams")),
    Internal(PDF_TAGS, "weasyprint.pdf", "add_links", ("links_and_anchors", "matrix", "pdf", "page", "names", "tags")),
    Internal(
        PDF_TAGS,
        "weasyprint.pdf",
        "generate_pdf",
        source=(
            "add_tags(pdf, document, options['pdf_version'], page_streams)",
            "add_links(links_and_anchors, matrix, pdf, pdf_page, pdf_names, tags)",
            "page.paint(stream, scale)",
        ),
    ),
    Internal(PDF_TAGS, "weasyprint.pdf.tags", "add_tags", ("pdf", "document", "pdf_version", "page_streams")),
    Internal(PDF_TAGS, "weasyprint.pdf.anchors", "add_links", ("links_and_anchors", "matrix", "pdf", "page", "names")),
    Internal(PDF_TAGS, "weasyprint.pdf.tags", "_get_pdf_tag", ("tag",)),
    # the hooks: artifacts are marked where WeasyPrint marks content, from the page being painted
    Internal(PDF_TAGS, "weasyprint.pdf.stream", "Stream.__init__", source=("self._tags = tags",)),
    Internal(
        PDF_TAGS, "weasyprint.pdf.stream", "Stream.marked", ("self", "box", "tag"), ("{'tag': tag, 'mcid': mcid}",)
    ),
    Internal(PDF_TAGS, "weasyprint.pdf.stream", "Stream.begin_marked_content", ("self", "tag", "property_list")),
    Internal(PDF_TAGS, "weasyprint.pdf.stream", "Stream.end_marked_content", ("self",)),
    Internal(PDF_TAGS, "weasyprint.document", "Page.paint", ("self", "stream", "scale")),
    Internal(PDF_TAGS, "weasyprint.document", "Page.__init__", source=("self._page_box = page_box",)),
    Internal(PDF_TAGS, "weasyprint.matrix", "Matrix.transform_point", ("self", "x", "y")),
    # the boxes the structure tree is built from
    Internal(PDF_TAGS, "weasyprint.layout.absolute", "AbsolutePlaceholder.__init__", source=("'_box', box",)),
    *(
        Internal(PDF_TAGS, "weasyprint.formatting_structure.boxes", name)
        for name in (
            "PageBox", "MarginBox", "ParentBox", "LineBox", "TextBox", "ReplacedBox",
            "Box.is_leader", "Box.is_table_wrapper", "Box.link_annotation", "Box.widget_annotation",
            "Box.colspan", "Box.rowspan", "Box.content_box_x", "Box.content_box_y",
            "ParentBox.copy_with_children", "ParentBox.get_wrapped_table",
            "TableRowGroupBox.is_header", "TableRowGroupBox.is_footer",
        )
    ),  # fmt: skip
    Internal(
        PDF_TAGS,
        "weasyprint.formatting_structure.boxes",
        "Box.__init__",
        ("self", "element_tag", "style", "element"),
        ("self.element_tag = element_tag", "self.element = element", "self.style = style", "self.children = []"),
    ),
    # pydyf, which WeasyPrint writes with: the document our tree is added to
    Internal(PDF_TAGS, "pydyf", "PDF.add_object", ("self", "object_")),
    Internal(PDF_TAGS, "pydyf", "PDF.page_references"),
    Internal(PDF_TAGS, "pydyf", "PDF.__init__", source=("self.catalog = Dictionary(",)),
    # svg_paths.install(): a path drawn again appends what WeasyPrint's drawing of it appended
    Internal(SVG_PATHS, "weasyprint.svg", "TAGS"),
    Internal(
        SVG_PATHS,
        "weasyprint.svg",
        "SVG.draw_node",
        ("self", "node", "font_size"),
        ("TAGS[node.tag](self, node, font_size)",),
    ),
    Internal(SVG_PATHS, "weasyprint.svg", "Node.__init__", source=("self.vertices = deque()",)),
    Internal(SVG_PATHS, "weasyprint.svg.path", "path", ("svg", "node", "font_size")),
    Internal(SVG_PATHS, "pydyf", "Stream.__init__", source=("self.stream = stream or []",)),
    *(Internal(SVG_PATHS, "pydyf", f"Stream.{name}", source=("self.stream.append(",)) for name in PATH_OPERATIONS),
    # the URL fetcher that reads only the project's own files
    Internal(PDF, "weasyprint.urls", "URLFetcher.fetch", ("self", "url", "headers")),
    Internal(PDF, "weasyprint.urls", "URLFetcher.__init__", source=("allowed_protocols", "fail_on_errors")),
    # the SVG checker's processing instructions
    Internal(IMAGES, "lxml.etree", "_ProcessingInstruction"),
    # the agenda edit: a comment below the agenda's last item moves below the new one
    Internal(SCAFFOLD, "ruamel.yaml.comments", "CommentedBase.ca"),
    Internal(SCAFFOLD, "ruamel.yaml.comments", "CommentedBase.fa"),
    Internal(SCAFFOLD, "ruamel.yaml.comments", "Comment.items"),
    Internal(SCAFFOLD, "ruamel.yaml.comments", "Format.flow_style", ("self",)),
    Internal(SCAFFOLD, "ruamel.yaml.comments", "Format.set_flow_style", ("self",)),
    Internal(SCAFFOLD, "ruamel.yaml.tokens", "CommentToken.__init__", ("self", "value", "start_mark")),
    Internal(SCAFFOLD, "ruamel.yaml.tokens", "CommentToken.value"),
    Internal(SCAFFOLD, "ruamel.yaml.tokens", "Token.column", settable=True),
    Internal(
        SCAFFOLD, "ruamel.yaml.main", "YAML.__init__", source=("self.brace_single_entry_mapping_in_flow_sequence",)
    ),
    # stop_worker_server(): the fork server this process started, stopped as the CLI exits
    Internal(WORKER, "multiprocessing.forkserver", "_forkserver"),
    Internal(
        WORKER,
        "multiprocessing.forkserver",
        "ForkServer.__init__",
        source=("self._forkserver_pid = None", "self._forkserver_alive_fd = None", "self._forkserver_address = None"),
    ),
]


def resolve(internal: Internal) -> object:
    try:
        found: object = importlib.import_module(internal.module)
        for part in internal.name.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as err:
        pytest.fail(f"{internal.file} relies on {internal}, which {describe(internal)} no longer has ({err})")
    return found


def shipped_source(internal: Internal) -> str:
    """The source of `internal` as its module's file has it, whatever has replaced it since."""
    source = inspect.getsource(importlib.import_module(internal.module))
    node: ast.AST = ast.parse(source)
    for part in internal.name.split("."):
        node = next(
            child
            for child in ast.iter_child_nodes(node)
            if isinstance(child, ast.ClassDef | ast.FunctionDef) and child.name == part
        )
    return ast.get_source_segment(source, node) or ""


def describe(internal: Internal) -> str:
    library = internal.library
    return f"{library} {version(library)}" if library else internal.module


@pytest.mark.parametrize("internal", INTERNALS, ids=str)
def test_the_library_internals_we_rely_on_are_still_there(internal: Internal) -> None:
    check(internal)


def test_a_changed_internal_fails_naming_it_and_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above is worth something only if a release that renames a parameter, drops a name
    or stops setting an attribute makes it fail, with a message a maintainer can act on."""
    import weasyprint.pdf.stream
    import weasyprint.pdf.tags

    def add_tags(pdf: object, document: object, page_streams: object) -> None: ...

    monkeypatch.setattr(weasyprint.pdf.tags, "add_tags", add_tags)
    monkeypatch.delattr(weasyprint.pdf.tags, "_get_pdf_tag")
    monkeypatch.setattr(weasyprint.pdf.stream.Stream, "__init__", lambda self, tags: None)
    changed = {
        "weasyprint.pdf.tags.add_tags": (" taking ('pdf', 'document', 'pdf_version', 'page_streams')", "has"),
        "weasyprint.pdf.tags._get_pdf_tag": (", which weasyprint 70", "no longer has"),
        "weasyprint.pdf.stream.Stream.__init__": (" doing `self._tags = tags`", "no longer does"),
    }
    for name, (says, how) in changed.items():
        internal = next(i for i in INTERNALS if str(i) == name)
        with pytest.raises((AssertionError, pytest.fail.Exception)) as failure:
            check(internal)
        message = str(failure.value)
        assert message.startswith(f"{PDF_TAGS} relies on {name}{says}") and how in message, message


def check(internal: Internal) -> None:
    found = resolve(internal)
    where = f"{internal.file} relies on {internal}"
    function = found.fget if isinstance(found, property) else found
    if internal.settable:
        assert isinstance(found, property) and found.fset is not None, (
            f"{where} being a property it can set; {describe(internal)} has {found!r}"
        )
    if internal.parameters:
        parameters = tuple(inspect.signature(function).parameters)  # type: ignore[arg-type]
        assert parameters[: len(internal.parameters)] == internal.parameters, (
            f"{where} taking {internal.parameters}; {describe(internal)} has {parameters}: "
            f"change {internal.file} to suit, then the pin in pyproject.toml"
        )
    if internal.source:
        text = inspect.getsource(function)  # type: ignore[arg-type]
        if getattr(function, "__module__", "").startswith("panelpapers."):
            text = shipped_source(internal)  # our replacement is in place (a PDF was rendered here): read theirs
        for needed in internal.source:
            assert needed in text, (
                f"{where} doing `{needed}`; {describe(internal)} no longer does: "
                f"change {internal.file} to suit, then the pin in pyproject.toml"
            )


def test_weasyprints_path_drawing_touches_only_what_svg_paths_replays() -> None:
    """svg_paths.py keeps what drawing a path appended to the stream and to the node's vertices; that
    is the whole effect only while WeasyPrint's path() reads `svg` and `node` no other way and the
    stream operations it calls append to the stream's list and do nothing else."""
    import weasyprint.pdf.stream

    source = inspect.getsource(importlib.import_module("weasyprint.svg.path").path)
    used = set(re.findall(r"\b(?:svg|node)(?:\.\w+)+", source))
    allowed = {f"svg.stream.{name}" for name in PATH_OPERATIONS} | {"svg.point", "node.get", "node.vertices.append"}
    assert used <= allowed, (
        f"{SVG_PATHS} relies on weasyprint.svg.path.path using only {sorted(allowed)}; it uses {sorted(used - allowed)}"
    )
    overridden = [name for name in PATH_OPERATIONS if name in vars(weasyprint.pdf.stream.Stream)]
    assert not overridden, f"{SVG_PATHS} relies on WeasyPrint's Stream leaving pydyf's {overridden} as they are"


def test_argparse_keeps_its_subcommands_where_the_cli_looks_for_them() -> None:
    """cli.py reports leftover arguments through the subcommand's own parser, which it finds among the
    parser's private `_actions` as an `argparse._SubParsersAction`."""
    where = f"{CLI} relies on argparse"
    assert hasattr(argparse, "_SubParsersAction"), f"{where}._SubParsersAction, which this Python has not"
    parser = argparse.ArgumentParser(prog="p")
    commands = parser.add_subparsers(dest="command")
    build = commands.add_parser("build")
    actions = getattr(parser, "_actions", None)
    assert isinstance(actions, list), f"{where}.ArgumentParser._actions, which this Python has not"
    found = [action for action in actions if isinstance(action, argparse._SubParsersAction)]
    assert found == [commands], f"{where}: the subparsers action is no longer in ArgumentParser._actions"
    assert found[0].choices.get("build") is build, f"{where}: _SubParsersAction.choices no longer maps names"


def test_python_docx_keeps_the_xml_elements_behind_its_proxies() -> None:
    """The few places that reach below python-docx's proxy objects into its oxml layer (hyperlinks,
    fields, repeated header rows, cell shading, alt text, outline levels)."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph
    from PIL import Image

    document = Document()
    paragraph = document.add_paragraph("text")
    table = document.add_table(rows=1, cols=1)
    picture = io.BytesIO()
    Image.new("RGB", (2, 2)).save(picture, format="PNG")
    document.add_picture(picture)
    checks = {
        f"{DOCX_XML}, {DOCX}, {AGENDA_DOCX}: Paragraph._p.get_or_add_pPr()": lambda: paragraph._p.get_or_add_pPr(),
        f"{DOCX}: Paragraph._parent, Paragraph(element, parent)": lambda: Paragraph(paragraph._p, paragraph._parent),
        f"{DOCX_XML}: _Row._tr.get_or_add_trPr()": lambda: table.rows[0]._tr.get_or_add_trPr(),
        f"{DOCX_XML}: _Cell._tc.get_or_add_tcPr()": lambda: table.cell(0, 0)._tc.get_or_add_tcPr(),
        f"{DOCX_XML}: InlineShape._inline.docPr": lambda: document.inline_shapes[0]._inline.docPr,
        f"{DOCX_XML}: OxmlElement and qn": lambda: OxmlElement("w:hyperlink").set(qn("r:id"), "rId1"),
    }
    for where, check in checks.items():
        try:
            found = check()
        except (AttributeError, TypeError) as err:
            pytest.fail(f"{where} relies on python-docx's oxml layer, which {version('python-docx')} changed: {err}")
        assert found is not False, where


# Each library whose internals are checked above, with the range they were checked on.
BOUNDED = ("weasyprint", "pydyf", "python-docx", "lxml", "ruamel.yaml")


@pytest.mark.parametrize("library", BOUNDED)
def test_pyproject_bounds_each_library_whose_internals_we_use(library: str) -> None:
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = {Requirement(line).name.lower(): Requirement(line) for line in pyproject["project"]["dependencies"]}
    assert library in requirements, f"pyproject.toml: {library} is used directly, so list it with its range"
    specifier = requirements[library].specifier
    assert any(spec.operator == "<" for spec in specifier), (
        f"pyproject.toml: {library}{specifier} has no upper bound, but its internals are relied on; add one"
    )
    installed = version(library)
    assert specifier.contains(installed), f"{library} {installed} is installed, outside pyproject.toml's {specifier}"


def test_the_check_reads_weasyprints_own_code_once_ours_is_in_place() -> None:
    """After a PDF is rendered in this process, pdf_tags has put its own Stream.marked in
    WeasyPrint's place; the check still reads WeasyPrint's (it failed here when tests shared one
    process with a render)."""
    from panelpapers.render import pdf_tags

    pdf_tags.install()
    internal = next(i for i in INTERNALS if str(i) == "weasyprint.pdf.stream.Stream.marked")
    assert resolve(internal).__module__ == "panelpapers.render.pdf_tags"  # type: ignore[attr-defined]
    check(internal)
