"""Issue 12, text safety outside the app: the hostile corpus through the CLI, the store, imports, users.toml
and exports. What a command prints is read as bytes from a real `taizhang` process where it matters."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from tests.conftest import PROJECT, fixed_clock
from tests.docx_builder import write_docx
from tests.hostile_text import (
    CORPUS,
    LONGEST,
    TOO_LONG,
    assert_no_controls,
    assert_no_forbidden_bytes,
    controls_in,
    hostile_rows,
    plant_raw_note,
    plant_raw_task_text,
    write_txt,
)
from tui.cli import main
from tui.core.model import NOTE_MAX_CHARS, Status, note_text, without_controls
from tui.core.store import Store, StoreError, current_user


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def taizhang_bytes(*argv: str) -> subprocess.CompletedProcess[bytes]:
    """A real `taizhang` process; its output as the terminal would receive it."""
    return subprocess.run([sys.executable, "-m", "tui.cli", *argv], cwd=PROJECT, capture_output=True, timeout=60, check=False)


def journal_digest(db_path: Path) -> str:
    files = [db_path, *sorted(db_path.with_name("db.journal").glob("*.json"))]
    return hashlib.sha256(b"".join(file.read_bytes() for file in files)).hexdigest()


def notes_of(db_path: Path, no: int) -> list[str]:
    task = Store(db_path).load().by_no(no)
    assert task is not None
    return [note.text for note in task.notes]


# ---------------------------------------------------------------------- the rule itself


def test_without_controls_keeps_newline_tab_and_text_and_drops_what_a_terminal_acts_on() -> None:
    for written, shown in CORPUS:
        assert without_controls(written) == shown
    assert without_controls("".join(chr(code) for code in range(0x20))) == "\t\n"
    assert without_controls("\x7f" + "".join(chr(code) for code in range(0x80, 0xA0))) == ""
    assert without_controls("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") == ""
    assert without_controls("中文 English ①「」\u200d\u3000") == "中文 English ①「」\u200d\u3000"


def test_the_note_limit_is_2000_characters_on_both_sides() -> None:
    assert NOTE_MAX_CHARS == 2000
    assert note_text(LONGEST) == LONGEST
    assert note_text(f"  {LONGEST}\x1b \n") == LONGEST  # counted as it will be stored
    with pytest.raises(ValueError, match="最多 2000 字，这条有 2001 字"):
        note_text(TOO_LONG)


# ---------------------------------------------------------------------- written through the CLI


@pytest.mark.parametrize(("written", "shown"), CORPUS)
def test_hostile_corpus_through_taizhang_note_and_mark(
    db_path: Path, capsys: pytest.CaptureFixture[str], written: str, shown: str
) -> None:
    code, out, err = cli(capsys, "--db", str(db_path), "note", "18", written)
    assert (code, err) == (0, ""), err
    code, out, err = cli(capsys, "--db", str(db_path), "mark", "18", "in_progress", "--note", written)
    assert (code, err) == (0, ""), err
    assert notes_of(db_path, 18) == [shown, shown]
    code, out, _err = cli(capsys, "--db", str(db_path), "show", "18")
    assert code == 0 and shown in out
    assert_no_controls(out.replace("\n", "").replace("\t", ""), "taizhang show")


def test_note_with_closing_tag_is_stored_and_shown_as_written_regression_issue12(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`taizhang note 18 '测试 [/] 结束'` was the note that ended every other session (see the app tests)."""
    assert cli(capsys, "--db", str(db_path), "note", "18", "测试 [/] 结束")[0] == 0
    assert notes_of(db_path, 18) == ["测试 [/] 结束"]
    assert "测试 [/] 结束" in cli(capsys, "--db", str(db_path), "history", "18")[1]


def test_note_limit_in_the_cli_2000_accepted_2001_refused(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "--db", str(db_path), "note", "7", LONGEST)[0] == 0
    before = journal_digest(db_path)
    code, out, err = cli(capsys, "--db", str(db_path), "note", "7", TOO_LONG)
    assert (code, out) == (2, "")
    assert err == "taizhang: 进展情况最多 2000 字，这条有 2001 字，请删减到 2000 字以内。未写入任何内容。\n"
    code, out, err = cli(capsys, "--db", str(db_path), "mark", "7", "done", "--note", TOO_LONG)
    assert (code, out) == (2, "") and "最多 2000 字" in err
    assert journal_digest(db_path) == before  # the status was not changed either
    assert Store(db_path).load().by_no(7).status is Status.NOT_STARTED
    assert notes_of(db_path, 7) == [LONGEST]


def test_101000_character_paste_is_refused_regression_issue12(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 101,000-character paste was accepted, and every later write that month rewrote it."""
    paste = "粘贴" * 50_500
    before = journal_digest(db_path)
    code, _out, err = cli(capsys, "--db", str(db_path), "note", "3", paste)
    assert code == 2 and "这条有 101000 字" in err
    store = Store(db_path, clock=fixed_clock, user="tester")
    with pytest.raises(StoreError, match="最多 2000 字"):
        store.add_note(store.task_by_no(3).id, paste)
    with pytest.raises(StoreError, match="最多 2000 字"):
        store.add_notes([(store.task_by_no(3).id, "2026-10-01T09:00:00+08:00", paste)])
    assert journal_digest(db_path) == before


def test_escapes_in_a_note_never_reach_show_list_history_regression_issue12(db_path: Path) -> None:
    """`taizhang note 19 $'x \\e]0;pwned\\a \\e[2J y'`: show, list and history printed the raw ESC/BEL/CR bytes.

    Also with such a note already in the store (written before the fix, or by hand), in a task's content
    and in the ledger's title."""
    db = str(db_path)
    assert taizhang_bytes("--db", db, "note", "19", "x \x1b]0;pwned\x07 \x1b[2J y\r").returncode == 0
    plant_raw_note(db_path, 19, "旧 \x1b]0;pwned\x07 \x1b[2J\r\x00 记录\u202e", by="old\x1b[2J")
    plant_raw_task_text(db_path, 19, content="19.内容\x1b]0;pwned\x07\r", title="台账\x1b]2;pwned\x07")
    for argv in (
        ("show", "19"),
        ("show", "19", "--json"),
        ("list",),
        ("list", "--search", "pwned"),
        ("list", "--json"),
        ("history",),
        ("history", "19"),
        ("history", "--json"),
    ):
        result = taizhang_bytes("--db", db, *argv)
        assert result.returncode == 0, result.stderr.decode()
        assert_no_forbidden_bytes(result.stdout + result.stderr, f"taizhang {' '.join(argv)}")
        assert_no_controls(result.stdout.decode().replace("\n", ""), f"taizhang {' '.join(argv)}")
    shown = taizhang_bytes("--db", db, "show", "19").stdout.decode()
    assert "x ]0;pwned [2J y" in shown and "旧 ]0;pwned [2J 记录" in shown
    data = json.loads(taizhang_bytes("--db", db, "show", "19", "--json").stdout)
    assert data["content"] == "19.内容]0;pwned" and not controls_in(json.dumps(data, ensure_ascii=False))


def test_taizhang_check_names_what_is_wrong_without_escapes(db_path: Path) -> None:
    """A journal edited by hand: `check` names the record and the task it points to, as text."""
    plant_raw_note(db_path, 2, "x")
    shard = next(db_path.with_name("db.journal").glob("20*.json"))
    data = json.loads(shard.read_text(encoding="utf-8"))
    next(iter(data["events"].values()))["task"] = "T\x1b]0;pwned\x07\x1b[2J"
    shard.write_text(json.dumps(data), encoding="utf-8")
    result = taizhang_bytes("--db", str(db_path), "check")
    assert result.returncode != 0
    assert_no_forbidden_bytes(result.stdout + result.stderr, "taizhang check")
    assert "T]0;pwned[2J" in result.stderr.decode()


# ---------------------------------------------------------------------- exports


def test_reports_of_a_store_holding_escapes_contain_none(db_path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("tui.core.store.api._local_now", fixed_clock)
    plant_raw_note(db_path, 5, "本月 \x1b]0;pwned\x07\r\x00 [/] 进展\u202e", by="li\x07")
    plant_raw_task_text(
        db_path, 5, content="5.内容\x1b[2J\r", units=["区民政局\x1b]0;x\x07"], deadline="2026年\x00", title="台账\x1b[2J"
    )
    for name in ("台账.csv", "台账.json", "台账.docx"):
        assert main(["--db", str(db_path), "export", "-o", str(tmp_path / name)]) == 0
    for name in ("台账.csv", "台账.json"):
        data = (tmp_path / name).read_bytes()
        assert_no_forbidden_bytes(data, name)
        assert_no_controls(data.decode("utf-8-sig").replace("\n", ""), name)
        assert "本月 ]0;pwned [/] 进展" in data.decode("utf-8-sig")
    report = json.loads((tmp_path / "台账.json").read_text(encoding="utf-8"))
    task = next(task for task in report["tasks"] if task["no"] == 5)
    assert task["content"] == "5.内容[2J" and task["units"] == ["区民政局]0;x"] and task["deadline"] == "2026年"
    with zipfile.ZipFile(tmp_path / "台账.docx") as archive:
        for part in (name for name in archive.namelist() if name.endswith((".xml", ".rels"))):
            assert_no_forbidden_bytes(archive.read(part).replace(b"\r\n", b"\n"), f"台账.docx {part}")
            assert_no_controls(archive.read(part).decode("utf-8", "replace").replace("\r\n", ""), part)
    cells = [cell.text for row in docx.Document(str(tmp_path / "台账.docx")).tables[0].rows for cell in row.cells]
    assert any("本月 ]0;pwned [/] 进展" in text for text in cells)


def test_export_to_a_file_name_with_a_bracket_regression_issue12(db_path: Path, tmp_path: Path) -> None:
    """`~/a[a="]b.json` was written, then its success message ended the exporter's session (see the app test)."""
    out = tmp_path / 'a[a="]b.json'
    result = taizhang_bytes("--db", str(db_path), "export", "-o", str(out))
    assert result.returncode == 0 and out.exists()
    assert f"已导出 72 项任务到 {out}" in result.stdout.decode()
    escaped = tmp_path / "x\x1b]0;pwned\x07.csv"
    result = taizhang_bytes("--db", str(db_path), "export", "-o", str(escaped))
    assert result.returncode == 0 and escaped.exists()  # the name is the user's to choose
    assert_no_forbidden_bytes(result.stdout + result.stderr, "the export's message")
    assert "x]0;pwned.csv" in result.stdout.decode()


# ---------------------------------------------------------------------- imports and users.toml


def _stored_texts(store: Store) -> list[str]:
    ledger = store.load()
    texts = [ledger.title, ledger.district_note, ledger.source_name]
    for task in ledger.tasks:
        texts += [task.section, task.subsection, task.content, task.deadline, *task.units, *task.remarks]
    for event in store.history():
        texts += [event.text, json.dumps(event.fields, ensure_ascii=False)]
    return texts


def test_a_txt_with_hostile_text_is_stored_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "data" / "db.json"
    source = write_txt(tmp_path / "清单\x1b]0;pwned\x07.txt", hostile_rows(c0=True))
    code, out, err = cli(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "") and "已从 清单]0;pwned.txt 导入 3 项任务" in out
    store = Store(db)
    for text in _stored_texts(store):
        assert_no_controls(text.replace("\n", ""), f"stored {text!r}")
    ledger = store.load()
    assert ledger.title == "洛江区[/]测试任务清单]0;pwned" and ledger.source_name == "清单]0;pwned.txt"
    first = ledger.by_no(1)
    assert (first.section, first.subsection) == ("一、[/]工作任务]0;pwned[2J", "（一）[@click=app.quit]项目")
    assert first.content == "1.[bold]强化[/bold]内容]0;pwned[2J倒置" and first.units == ("区[x]局",)
    assert ledger.by_no(3).content == "3.家\u200d人[x] 完成]0;pwned[2J"

    # A revision with more of it: the plan shows it inert, and applying stores it inert.
    rows = hostile_rows(c0=True)
    rows[2][3] = "2.[link=file:///etc/passwd]x 完善\x1b[2J服务（修订\u202e）"
    revision = write_txt(tmp_path / "修订.txt", rows)
    code, out, err = cli(capsys, "--db", str(db), "import", str(revision), "--dry-run")
    assert code == 0 and "修订" in out
    assert_no_controls(out.replace("\n", ""), "the import plan")
    assert cli(capsys, "--db", str(db), "import", str(revision), "--yes")[0] == 0
    assert Store(db).load().by_no(2).content == "2.[link=file:///etc/passwd]x 完善[2J服务（修订）"
    for text in _stored_texts(Store(db)):
        assert_no_controls(text.replace("\n", ""), f"stored {text!r}")


def test_a_docx_with_hostile_text_is_stored_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A .docx cannot hold C0 controls (XML forbids them) but can hold DEL, C1 controls and bidi overrides."""
    db = tmp_path / "data" / "db.json"
    source = write_docx(tmp_path / "清单.docx", [hostile_rows(c0=False)], title=("附件1", "洛江区[/]清单\u202e"))
    assert cli(capsys, "--db", str(db), "import", str(source))[0] == 0
    store = Store(db)
    for text in _stored_texts(store):
        assert_no_controls(text.replace("\n", ""), f"stored {text!r}")
    ledger = store.load()
    assert ledger.title == "洛江区[/]清单"
    assert ledger.by_no(2).content == "2.[link=file:///etc/passwd]x 完善服务" and ledger.by_no(2).units == ("区民政局",)
    code, out, _err = cli(capsys, "--db", str(db), "show", "1")
    assert code == 0 and "一、[/]工作任务 › （一）[@click=app.quit]项目 › 1" in out


def test_display_names_in_users_toml_are_shown_inert(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    me = current_user()
    (db_path.parent / "users.toml").write_text(
        f'[users.{me}]\nname = "\\u001b]0;pwned\\u0007[/]张\\u202e三"\nunit = "区[x]局\\u001b[2J"\nrole = "supervisor"\n',
        encoding="utf-8",
    )
    identity = Store(db_path).identity()
    assert (identity.name, identity.unit) == ("]0;pwned[/]张三", "区[x]局[2J")
    assert cli(capsys, "--db", str(db_path), "mark", "4", "done")[0] == 0
    result = taizhang_bytes("--db", str(db_path), "history", "4")
    assert_no_forbidden_bytes(result.stdout, "taizhang history")
    assert f"]0;pwned[/]张三（{me}）" in result.stdout.decode()


def test_cli_messages_naming_files_carry_no_escapes(tmp_path: Path) -> None:
    folder = tmp_path / "库\x1b]0;pwned\x07"
    result = taizhang_bytes("--db", str(folder / "db.json"), "list")
    assert result.returncode != 0
    assert_no_forbidden_bytes(result.stdout + result.stderr, "the message naming the missing store")
    assert "库]0;pwned" in result.stderr.decode()
