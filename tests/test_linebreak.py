"""Chinese line breaking (issue 16): wrapped text never starts a line with closing punctuation, never ends one
with opening punctuation, and never splits a number or a Latin word, on the real task texts.

Regression: the detail pane's lines started with `，` or `）`, and `2025` was split as `到2` / `025年底`.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from importers import read_document
from tests.conftest import SOURCE_TXT
from tui.core.display import terminal_safe
from tui.core.linebreak import CLOSING, OPENING, LineBroken, break_lines, break_offsets, wrapped

WIDTHS = (30, 38, 50, 58, 78)
_UNITS = "年月日号项条个户人名家所处次岁天周倍元万亿%％"


def real_texts() -> list[str]:
    """Every task's content, the units of each task and the document's note, as the detail pane shows them."""
    document = read_document(SOURCE_TXT)
    texts = [terminal_safe(task.content) for task in document.tasks]
    texts += ["责任单位：" + "、".join(task.units) for task in document.tasks]
    return [*texts, terminal_safe(document.district_note)]


def inserted(text: str, offsets: list[int]) -> str:
    pieces, last = [], 0
    for offset in offsets:
        pieces.append(text[last:offset])
        last = offset
    return "\n".join([*pieces, text[last:]])


def assert_well_broken(text: str, width: int) -> None:
    lines = break_lines(text, width)
    assert "\n".join(lines) == inserted(text, break_offsets(text, width))  # nothing lost, nothing added
    first_lines = set()  # the first line of each paragraph: the text's own newlines may precede anything
    index = 0
    for paragraph in text.split("\n"):
        first_lines.add(index)
        index += len(break_lines(paragraph, width))
    for number, line in enumerate(lines):
        assert cell_len(line.rstrip()) <= width, (width, line)
        if number not in first_lines:
            assert line[:1] not in CLOSING, (width, lines[number - 1], line)
            before = lines[number - 1]
            assert not (before[-1:].isdigit() and (line[:1].isdigit() or line[:1] in _UNITS)), (width, before, line)
            assert not (before[-1:].isascii() and before[-1:].isalpha() and line[:1].isascii() and line[:1].isalpha())
        if number + 1 not in first_lines and number + 1 < len(lines):
            assert line.rstrip()[-1:] not in OPENING, (width, line)


@pytest.mark.parametrize("width", WIDTHS)
def test_real_task_texts_break_by_the_rules(width: int) -> None:
    texts = real_texts()
    assert len(texts) > 100
    for text in texts:
        assert_well_broken(text, width)


def test_rich_alone_breaks_the_real_texts_against_the_rules() -> None:
    """The bug the rules fix: Rich's own wrapping starts lines with closing punctuation in these texts."""
    console = Console(width=38, legacy_windows=False)
    heads = [line.plain[:1] for text in real_texts() for line in Text(text).wrap(console, 38)]
    assert any(head in CLOSING for head in heads)


def test_a_year_a_percentage_and_a_date_stay_whole() -> None:
    text = "推动城乡社区服务设施全覆盖，到2025年底覆盖率达到100%，2026年6月30日前完成验收。"
    for width in range(8, 60):
        joined = "|".join(break_lines(text, width))
        for whole in ("2025年", "100%", "2026年", "6月", "30日"):
            assert whole in joined.replace("|", "") and "|".join(whole) not in joined
            for cut in range(1, len(whole)):
                assert f"{whole[:cut]}|{whole[cut:]}" not in joined, (width, joined)


def test_latin_words_break_at_spaces_and_a_word_longer_than_a_line_is_cut() -> None:
    assert break_lines("upload to the WPS cloud drive", 12) == ["upload to ", "the WPS ", "cloud drive"]
    address = "https://example.gov.cn/report"
    lines = break_lines(address, 10)
    # One run of ASCII (issue 16: commands and addresses are not split at `-`, `@` or `:`), cut only because it
    # is longer than a line: full lines (4 when `https:` and `//` were pieces of their own).
    assert "".join(lines) == address and all(len(line) <= 10 for line in lines) and len(lines) == 3
    command = "ssh -T -p 2222 tester@10.1.2.3 export -o - --format xlsx --period 2026-11 > report-2026-11.xlsx"
    for width in range(20, 60):
        words = [word for line in break_lines(command, width) for word in line.split()]
        assert words == command.split(), width
    assert break_lines("区民政局", 1) == ["区", "民", "政", "局"]  # never fewer than one character a line


def test_paragraphs_and_empty_lines_are_kept() -> None:
    assert break_lines("第一段。\n\n第二段", 40) == ["第一段。", "", "第二段"]
    assert break_lines("", 40) == [""]


def test_wrapped_keeps_styles_and_breaks_as_the_function_does() -> None:
    content = real_texts()[2]
    text = Text(content, style="italic")
    text.stylize("bold", 0, 4)
    result = wrapped(text, 30)
    assert result.plain == "\n".join(break_lines(content, 30))
    assert result.style == "italic" and result.no_wrap
    assert any(span.style == "bold" and (span.start, span.end) == (0, 4) for span in result.spans)


@pytest.mark.parametrize("width", WIDTHS)
def test_line_broken_renders_at_the_width_it_is_drawn(width: int) -> None:
    content = real_texts()[0]
    console = Console(width=width, legacy_windows=False, color_system=None, file=None)
    with console.capture() as captured:
        console.print(LineBroken(content))
    assert [line.rstrip() for line in captured.get().splitlines()] == [line.rstrip() for line in break_lines(content, width)]
