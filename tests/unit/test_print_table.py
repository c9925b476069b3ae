"""The command line's tables stay one line per row whatever a value holds (a name stored by an older
version, a file name, a model's answer): line breaks, terminal escapes and bidi controls are shown as
escapes; every script, emoji and joiner as it is."""

from __future__ import annotations

import pytest

from coderai_desktop.commands.common import print_table


def test_control_and_bidi_characters_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    print_table(["ID", "NAME"], [[1, "Old\nname\x1b[31m"], [2, "plan\u202etxt.exe"], [3, "👩‍🔬 Études 東京"]])
    assert capsys.readouterr().out.splitlines() == [
        "ID  NAME",
        "1   Old\\nname\\x1b[31m",
        "2   plan\\u202etxt.exe",
        "3   👩‍🔬 Études 東京",
    ]
