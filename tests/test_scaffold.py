"""The agenda edit of `panelpapers new paper`, layout by layout: the new item goes right under the
agenda's last item, and every other byte of meeting.yaml (comments, blank lines, quoting, indents,
line ends) stays as the clerk wrote it. Each expected text is what the earlier, line-splicing editor
wrote, so the round-trip editor is held to the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from panelpapers.scaffold import add_to_agenda

pytestmark = pytest.mark.quick  # every test here is quick

LAYOUTS = [
    pytest.param(
        "panel: X\nagenda:\n- oral: A   # c\n# between\n- paper: 01-x\n  presenter: Y\n\n# about the contact\n"
        "contact:\n  name: Z\n",
        "panel: X\nagenda:\n- oral: A   # c\n# between\n- paper: 01-x\n  presenter: Y\n- paper: 02-new\n\n"
        "# about the contact\ncontact:\n  name: Z\n",
        id="comments after the last item",
    ),
    pytest.param(
        "panel: X\r\nagenda:\r\n- oral: A\r\n  presenter: B   # who\r\n\r\n# end\r\n",
        "panel: X\r\nagenda:\r\n- oral: A\r\n  presenter: B   # who\r\n- paper: 02-new\r\n\r\n# end\r\n",
        id="crlf",
    ),
    pytest.param(
        "agenda:\n- oral: |\n    Minutes\n\n# chair's note\nnext_meeting: 2023-06-13\n",
        "agenda:\n- oral: |\n    Minutes\n\n- paper: 02-new\n# chair's note\nnext_meeting: 2023-06-13\n",
        id="block scalar",
    ),
    pytest.param(
        "agenda:\n  - oral: >-\n      Long\n      title\n  # trailing\nnext: 1\n",
        "agenda:\n  - oral: >-\n      Long\n      title\n  - paper: 02-new\n  # trailing\nnext: 1\n",
        id="folded scalar, indented comment",
    ),
    pytest.param(
        "agenda:\n  - paper: 01-a\n    notes:\n      - x   # c\n\n# end\n",
        "agenda:\n  - paper: 01-a\n    notes:\n      - x   # c\n  - paper: 02-new\n\n# end\n",
        id="nested list",
    ),
    pytest.param(
        "panel: X # c\nagenda: [{oral: Apologies}]  # flow\n# tail\n",
        "panel: X # c\nagenda: [{oral: Apologies}, {paper: 02-new}]  # flow\n# tail\n",
        id="flow",
    ),
    pytest.param("agenda: []   # none\n", "agenda: [{paper: 02-new}]   # none\n", id="empty flow"),
    pytest.param(
        "panel: X\n# no agenda yet",
        "panel: X\n# no agenda yet\nagenda:\n  - paper: 02-new\n",
        id="none, no final newline",
    ),
    pytest.param(
        "a:\n    b: 1\nagenda:\n    - oral: A\n      presenter: B\n",
        "a:\n    b: 1\nagenda:\n    - oral: A\n      presenter: B\n    - paper: 02-new\n",
        id="four-space indent",
    ),
]


@pytest.mark.parametrize(("meeting", "expected"), LAYOUTS)
def test_the_new_agenda_item_keeps_every_other_byte(meeting: str, expected: str) -> None:
    assert add_to_agenda(meeting, "02-new") == expected


@pytest.mark.parametrize(
    "meeting",
    [
        "membership:\n  - name: A\nagenda:\n- oral: B\n",  # lists indented two ways
        "agenda: [{oral: A},\n  {oral: B}]\n",  # a flow list over two lines
        "agenda: Apologies\n",  # not a list
    ],
)
def test_a_layout_the_editor_cannot_keep_is_left_alone(meeting: str) -> None:
    """`new paper` then stops with status 1, asking for the line by hand, and writes nothing."""
    assert add_to_agenda(meeting, "02-new") is None


def test_a_meeting_file_the_content_loader_refuses_is_not_edited(tmp_path: Path) -> None:
    """`new paper` reads meeting.yaml with the content loader's limits first: an alias bomb is one
    line at its place, at once, and the file is left as it was (a plain YAML load would expand it)."""
    import subprocess
    import sys

    meeting = tmp_path / "content" / "2024-03-12-audit-committee"
    meeting.mkdir(parents=True)
    (tmp_path / "panelpapers.yaml").write_text("", encoding="utf-8")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n"
        for n in range(20)
    )
    text = "date: 2024-03-12\nagenda: []\n" + bomb
    (meeting / "meeting.yaml").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "panelpapers", "new", "paper", str(meeting / "02-risk-report")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "meeting.yaml:3: anchors (&name) are not allowed" in done.stderr, done.stderr
    assert (meeting / "meeting.yaml").read_text(encoding="utf-8") == text
    assert not (meeting / "02-risk-report").exists()
