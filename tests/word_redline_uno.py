"""Opens DOCX files in LibreOffice, optionally accepts or rejects all tracked changes, and prints each
document's paragraphs (table cells row by row, in order) as JSON: {"FILE ACTION": [text, …], …}.

Run with Debian's /usr/bin/python3 (which has python3-uno), not the project's virtualenv:
    /usr/bin/python3 tests/word_redline_uno.py FILE:ACTION …
ACTION is `as-is`, `accept` (accept all changes) or `reject` (reject all). Also prints, per file,
how many tracked changes LibreOffice found before acting, under "FILE ACTION changes", and after
acting how many pictures and tables the document holds, under "FILE ACTION pictures" and "… tables"."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from word_edit_uno import office_session, prop  # type: ignore[import-not-found]  # noqa: E402


def paragraphs(text: object) -> list[str]:
    out: list[str] = []
    enumeration = text.createEnumeration()
    while enumeration.hasMoreElements():
        element = enumeration.nextElement()
        if element.supportsService("com.sun.star.text.TextTable"):
            for name in element.getCellNames():  # A1, B1, … row by row
                out.extend(paragraphs(element.getCellByName(name).getText()))
        else:
            out.append(element.getString())
    return out


def main() -> None:
    import uno  # type: ignore[import-not-found]

    result: dict[str, object] = {}
    with office_session("lo-redline-") as context:
        smgr = context.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
        for argument in sys.argv[1:]:
            path, action = argument.rsplit(":", 1)
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0,
                                               (prop("Hidden", True),))
            result[f"{path} {action} changes"] = doc.getRedlines().getCount()
            if action in ("accept", "reject"):
                command = ".uno:AcceptAllTrackedChanges" if action == "accept" else ".uno:RejectAllTrackedChanges"
                dispatcher.executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, ())
            result[f"{path} {action}"] = paragraphs(doc.getText())
            result[f"{path} {action} pictures"] = doc.getGraphicObjects().getCount()
            result[f"{path} {action} tables"] = doc.getTextTables().getCount()
            doc.close(True)
    print(json.dumps(result))

if __name__ == "__main__":
    main()
