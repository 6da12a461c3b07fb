"""Edits a DOCX in LibreOffice with change recording on, as a reviewer would, and saves it as DOCX.

Run with Debian's /usr/bin/python3 (which has python3-uno), not the project's virtualenv:
    /usr/bin/python3 tests/word_edit_uno.py IN.docx OUT.docx EDITS.json [--author NAME]
EDITS is a list of [operation, arguments…]:
    ["replace", old, new]          the first occurrence of `old` becomes `new`
    ["delete", old]                the first occurrence of `old` is deleted
    ["insert_after", anchor, new]  `new` is typed right after the first occurrence of `anchor`
    ["paragraph_after", anchor, new]  a new paragraph `new` after the one holding `anchor`
    ["delete_paragraph", anchor]   the paragraph holding `anchor` is deleted, mark and all
    ["bold", text]                 the first occurrence of `text` is set in bold
    ["split_after", text]          the paragraph holding `text` is split right after it (Enter typed there)
    ["join_with_next", text]       the paragraph holding `text` loses its mark, joining the next one
An empty list re-saves the file unchanged. Prints nothing; exit 1 if a searched text is missing."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

PARAGRAPH_BREAK = 0  # com.sun.star.text.ControlCharacter.PARAGRAPH_BREAK


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def connect(port: int) -> object:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            return resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(0.5)
    raise SystemExit("LibreOffice did not answer")


def find(doc: object, text: str) -> object:
    search = doc.createSearchDescriptor()
    search.SearchString = text
    search.SearchCaseSensitive = True
    found = doc.findFirst(search)
    if found is None:
        print(f"not found: {text!r}", file=sys.stderr)
        raise SystemExit(1)
    return found


def edit(doc: object, edits: list[list[str]]) -> None:
    doc.RecordChanges = bool(edits)
    for operation, *args in edits:
        if operation == "replace":
            find(doc, args[0]).setString(args[1])
        elif operation == "delete":
            find(doc, args[0]).setString("")
        elif operation == "insert_after":
            found = find(doc, args[0])
            found.getText().insertString(found.getEnd(), args[1], False)
        elif operation == "paragraph_after":
            found = find(doc, args[0])
            cursor = found.getText().createTextCursorByRange(found.getEnd())
            cursor.gotoEndOfParagraph(False)
            cursor.getText().insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
            cursor.getText().insertString(cursor, args[1], False)
        elif operation == "delete_paragraph":
            found = find(doc, args[0])
            cursor = found.getText().createTextCursorByRange(found.getStart())
            cursor.gotoStartOfParagraph(False)
            cursor.gotoEndOfParagraph(True)
            cursor.goRight(1, True)  # and the paragraph mark
            cursor.setString("")
        elif operation == "split_after":
            found = find(doc, args[0])
            cursor = found.getText().createTextCursorByRange(found.getEnd())
            cursor.getText().insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        elif operation == "join_with_next":
            found = find(doc, args[0])
            cursor = found.getText().createTextCursorByRange(found.getEnd())
            cursor.gotoEndOfParagraph(False)
            cursor.goRight(1, True)  # the paragraph mark alone, as Delete at a paragraph's end
            cursor.setString("")
        elif operation == "bold":
            find(doc, args[0]).CharWeight = 150.0
        else:
            raise SystemExit(f"unknown edit {operation}")


def main() -> None:
    source, target, edits_file = (os.path.abspath(a) for a in sys.argv[1:4])
    author = sys.argv[sys.argv.index("--author") + 1] if "--author" in sys.argv else "A. Reviewer"
    with open(edits_file, encoding="utf-8") as f:
        edits = json.load(f)
    with office_session("lo-word-") as context:
        smgr = context.ServiceManager
        settings = smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", context)
        access = settings.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess",
            (prop("nodepath", "/org.openoffice.UserProfile/Data"),),
        )
        access.setPropertyValue("givenname", author)
        access.setPropertyValue("sn", "")
        access.commitChanges()
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
        edit(doc, edits)
        doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "MS Word 2007 XML"),))
        doc.close(True)


@contextlib.contextmanager
def office_session(prefix: str) -> Iterator[object]:
    """A headless LibreOffice with a throwaway profile, listening on a free local port: yields the
    UNO context, then ends LibreOffice and removes the profile."""
    port = free_port()
    profile = tempfile.mkdtemp(prefix=prefix)
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore", f"-env:UserInstallation=file://{profile}",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        context = connect(port)
        yield context
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        with contextlib.suppress(Exception):  # the bridge closes as LibreOffice ends
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
        subprocess.run(["rm", "-rf", profile], check=False)

if __name__ == "__main__":
    main()
