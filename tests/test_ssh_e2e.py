"""End to end over real SSH: the README's deployment, two staff accounts, the app as sshd's ForceCommand.

Runs as root (CI): it creates Unix accounts and a group, a shared store set up as README 部署 says,
an sshd on a loopback port with its own host key and config, and logs in with a key inside tmux
as each account in turn. The installed program comes from a venv built from Debian's
/usr/bin/python3 in a world-readable folder (the pyenv python under /root is mode 700).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT, SOURCE_DOCX

SYSTEM_PYTHON = Path("/usr/bin/python3")
SSHD = Path("/usr/sbin/sshd")
GROUP = "tzstaff"
ACCOUNTS = ("tzalice", "tzbob")


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root: creates accounts, a group and an sshd (CI runs tests as root)"
    for tool in ("tmux", "ssh", "ssh-keygen", "useradd", "groupadd"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (tests/run.sh installs it as root)"
    if not SSHD.exists():
        return "sshd is not installed: apt-get install openssh-server (tests/run.sh does)"
    if not SYSTEM_PYTHON.exists() or subprocess.run([SYSTEM_PYTHON, "-c", "import ensurepip"]).returncode:
        return "/usr/bin/python3 with venv support is missing: apt-get install python3-venv (tests/run.sh does)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def _run(*argv: str | Path, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], check=True, capture_output=True, text=True, **options)


@pytest.fixture(scope="session")
def deployment_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="taizhang-e2e-", dir="/tmp"))
    os.chmod(root, 0o755)  # every test account must reach the installed program
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def installed(deployment_root: Path) -> Path:
    """`taizhang` installed as README 部署 step 1 says, from a copy of this checkout."""
    source = deployment_root / "src"
    shutil.copytree(
        PROJECT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build", "tests", "benchmarks", "data"),
    )
    venv = deployment_root / "opt" / "taizhang"
    _run(SYSTEM_PYTHON, "-m", "venv", venv)
    _run(venv / "bin" / "pip", "install", "-q", "--disable-pip-version-check", source, timeout=900)
    program = venv / "bin" / "taizhang"
    assert program.exists()
    return program


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """Accounts, shared store, users.toml and sshd, as the README's deployment section sets them up."""

    def __init__(self, root: Path, program: Path) -> None:
        self.root = root
        self.program = program
        self.srv = root / "srv" / "taizhang"
        self.db = self.srv / "db.json"
        self.etc = root / "etc" / "taizhang"
        self.users = self.etc / "users.toml"
        self.port = _free_port()
        self.client_key = root / "client_key"
        self.sshd: subprocess.Popen[str] | None = None

    def create_accounts(self) -> None:
        _run("groupadd", GROUP)
        for name in ACCOUNTS:
            _run("useradd", "--create-home", "--shell", "/bin/bash", "--groups", GROUP, name)
            _run("usermod", "-p", "*", name)  # unlocked for key login with UsePAM no, still no password
            ssh_dir = Path(f"/home/{name}/.ssh")
            ssh_dir.mkdir(mode=0o700)
            (ssh_dir / "authorized_keys").write_text(Path(f"{self.client_key}.pub").read_text())
            os.chmod(ssh_dir / "authorized_keys", 0o600)
            _run("chown", "-R", f"{name}:{name}", ssh_dir)

    def remove_accounts(self) -> None:
        for name in ACCOUNTS:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        subprocess.run(["groupdel", GROUP], capture_output=True)

    def create_store(self) -> None:
        """README 部署 step 2 and 3, with this test's paths (/srv/taizhang, /etc/taizhang)."""
        self.srv.parent.mkdir(parents=True)
        os.chmod(self.srv.parent, 0o755)
        _run("install", "-d", "-m", "2770", "-o", "root", "-g", GROUP, self.srv)
        docx = self.root / "task-list.docx"
        shutil.copy(SOURCE_DOCX, docx)
        _run("bash", "-c", f'(umask 007; TAIZHANG_DB="{self.db}" "{self.program}" import "{docx}")')
        self.etc.parent.mkdir()
        os.chmod(self.etc.parent, 0o755)
        _run("install", "-d", "-m", "755", "-o", "root", "-g", "root", self.etc)
        source = self.root / "users.toml"
        source.write_text(
            'default_role = "viewer"\n\n'
            f'[users.{ACCOUNTS[0]}]\nname = "张三"\nunit = "区民政局"\nrole = "editor"\n\n'
            f'[users.{ACCOUNTS[1]}]\nname = "李四"\nrole = "supervisor"\n',
            encoding="utf-8",
        )
        _run("install", "-m", "644", "-o", "root", "-g", "root", source, self.users)

    def start_sshd(self) -> None:
        host_key = self.root / "ssh_host_ed25519_key"
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        config = self.root / "sshd_config"
        config.write_text(
            f"Port {self.port}\n"
            "ListenAddress 127.0.0.1\n"
            f"HostKey {host_key}\n"
            f"PidFile {self.root / 'sshd.pid'}\n"
            "UsePAM no\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "PubkeyAuthentication yes\n"
            "AuthorizedKeysFile .ssh/authorized_keys\n"
            f"AllowGroups {GROUP}\n"
            f"Match Group {GROUP}\n"
            f"    ForceCommand env TAIZHANG_DB={self.db} TAIZHANG_USERS={self.users} LANG=C.UTF-8 {self.program} --ssh\n"
            "    DisableForwarding yes\n"
            "    PermitTTY yes\n"
            "    ClientAliveInterval 30\n"
            "    ClientAliveCountMax 4\n"
        )
        _run(SSHD, "-t", "-f", config)
        self.sshd = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            assert self.sshd.poll() is None, self.sshd.communicate()[0]
            time.sleep(0.1)
        raise AssertionError("sshd did not start listening")

    def stop_sshd(self) -> str:
        if self.sshd is None:
            return ""
        self.sshd.terminate()
        try:
            log, _ = self.sshd.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.sshd.kill()
            log, _ = self.sshd.communicate()
        return log

    def ssh_argv(self, account: str, *extra: str) -> list[str]:
        return [
            "ssh",
            "-i", str(self.client_key),
            "-p", str(self.port),
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR",
            *extra,
            f"{account}@127.0.0.1",
        ]  # fmt: skip

    def taizhang(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """The installed program on the shared store, as root (the test's own look at the store)."""
        return subprocess.run(
            [str(self.program), *argv],
            capture_output=True,
            text=True,
            env={**os.environ, "TAIZHANG_DB": str(self.db)},
            timeout=60,
        )


@pytest.fixture
def server(deployment_root: Path, installed: Path) -> Iterator[Server]:
    root = Path(tempfile.mkdtemp(prefix="server-", dir=deployment_root))
    os.chmod(root, 0o755)
    server = Server(root, installed)
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", server.client_key)
    server.remove_accounts()  # leftovers of an interrupted run
    try:
        server.create_accounts()
        server.create_store()
        server.start_sshd()
        yield server
    finally:
        log = server.stop_sshd()
        server.remove_accounts()
        print(log[-2000:])


class Tmux:
    def __init__(self, name: str) -> None:
        self.name = name

    def start(self, argv: list[str]) -> None:
        command = " ".join(f"'{part}'" for part in argv)
        # One tmux call: the pane must stay (dead) after ssh ends, to read its exit status.
        _run("tmux", "new-session", "-d", "-s", self.name, "-x", "120", "-y", "36", command,
             ";", "set-option", "-t", self.name, "remain-on-exit", "on")  # fmt: skip

    def exit_status(self) -> int | None:
        """ssh's exit status once it ended, else None."""
        result = subprocess.run(
            ["tmux", "display-message", "-p", "-t", self.name, "#{pane_dead} #{pane_dead_status}"],
            capture_output=True,
            text=True,
        )
        dead, _, status = result.stdout.strip().partition(" ")
        return int(status or 0) if dead == "1" else None

    def screen(self) -> str:
        result = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        return result.stdout

    def wait_gone(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text in self.screen():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} stayed on screen:\n{self.screen()}")
            time.sleep(0.2)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared on screen:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        _run("tmux", "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def _history(server: Server) -> list[dict]:
    result = server.taizhang("history", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _wait_until(predicate, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_store_is_shared_by_the_group_as_the_readme_says(server: Server) -> None:
    stat = server.srv.stat()
    assert stat.st_mode & 0o7777 == 0o2770
    for path in (server.db, server.srv / "db.json.lock"):
        assert path.stat().st_mode & 0o777 == 0o660
        assert path.stat().st_gid == stat.st_gid


def test_without_a_terminal_the_forced_command_prints_one_line(server: Server) -> None:
    # Issue 15: without a command the line also says which commands work; a command that is not one of
    # them (here `rm -rf /`, which used to get the same line) is refused in a line of its own.
    for account in ACCOUNTS:
        for command, wanted in (([], "需要在终端中运行"), (["rm -rf /"], "不能运行“rm”")):
            result = subprocess.run(
                [*server.ssh_argv(account, "-T"), *command],  # the forced command runs instead
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 2, result.stderr
            assert result.stdout == ""
            assert result.stderr.count("\n") == 1 and wanted in result.stderr
            assert f"ssh -T -p {server.port} {account}@127.0.0.1 export -o - --format docx > 台账.docx" in result.stderr
            assert "\x1b" not in result.stderr
    assert server.db.exists()
    assert _history(server) == []


def _processes_of(account: str, name: str) -> list[str]:
    """Command lines of `account`'s processes that mention `name`."""
    uid = pwd.getpwnam(account).pw_uid
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if name in command:
                    found.append(f"{entry.name}: {command}")
        except OSError:
            continue
    return found


def test_connections_dropped_mid_redraw_leave_no_process(server: Server) -> None:
    """Issue 18: the ssh client killed while the app draws, saves, or waits for a stalled link; sshd then
    hangs up the session's terminal.

    Regression: such sessions stayed alive for ever, wedged on Textual's dead output thread (textual#6692).
    A stalled link is sshd's session process stopped for a second: what the app draws backs up into the
    pty and its output queue, as over a slow township line, before the connection drops.
    """
    account = ACCOUNTS[1]  # 李四, supervisor: may set any status
    rng = random.Random()
    confirmed = []
    for attempt in range(6):
        number = 40 + attempt
        tmux = _open_task(server, account, number)
        relay: list[int] = []  # sshd's process of the session, which relays between socket and pty
        try:
            tmux.keys("3")
            tmux.wait_for(f"{number} 号任务：未启动 -> 已完成")  # confirmed: it must survive the drop
            confirmed.append(number)
            relay = [int(line.split(":")[0]) for line in _processes_of(account, "sshd")]
            if attempt % 3 == 0:  # mid-redraw
                tmux.keys(*["Down"] * 30)
                time.sleep(rng.uniform(0.0, 0.09))
            elif attempt % 3 == 1:  # the next save in flight
                tmux.keys("2", "Down", "Down")
                time.sleep(rng.uniform(0.0, 0.03))
            else:  # a stalled link, then a drop
                tmux.keys(*["Down", "Up"] * 100)
                time.sleep(0.3)
                for pid in relay:
                    os.kill(pid, signal.SIGSTOP)
                time.sleep(1.0)
        finally:
            tmux.kill()
            for pid in relay:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)
        dropped = time.monotonic()
        while _processes_of(account, "taizhang") and time.monotonic() < dropped + 5:
            time.sleep(0.1)
        assert _processes_of(account, "taizhang") == [], f"attempt {attempt}: alive 5 s after the connection dropped"

    done = {(e["no"], e["new"]) for e in _history(server) if e["by"] == account and e["kind"] == "status"}
    assert all((number, "done") in done for number in confirmed), done
    check = server.taizhang("check")
    assert check.returncode == 0, check.stderr
    assert "残留的临时文件" not in check.stdout, check.stdout


def test_each_account_marks_a_task_from_the_keyboard_over_ssh(server: Server) -> None:
    # 张三 (editor of 区民政局) marks task 1 (区民政局); 李四 (supervisor) marks task 31.
    plan = [(ACCOUNTS[0], 1), (ACCOUNTS[1], 31)]
    for account, number in plan:
        tmux = Tmux(f"tz-e2e-{account}")
        try:
            tmux.start(server.ssh_argv(account, "-t"))
            tmux.wait_for("一、")  # the tree's first section is on screen
            tmux.keys(":")
            tmux.wait_for("跳转到序号")  # the jump dialog
            tmux.keys(str(number), literal=True)
            tmux.keys("Enter")
            tmux.wait_gone("跳转到序号")  # the task is selected, the tree has the focus again
            tmux.keys("3")  # 已完成
            _wait_until(
                lambda a=account, n=number: any(e["by"] == a and e["no"] == n for e in _history(server)), timeout=60
            )
            tmux.keys("q")
            _wait_until(lambda t=tmux: t.exit_status() is not None, timeout=60)
            assert tmux.exit_status() == 0, tmux.screen()
        finally:
            tmux.kill()

    listed = json.loads(server.taizhang("list", "--json").stdout)
    by_no = {task["no"]: task for task in listed}
    assert by_no[1]["status"] == "done" and by_no[31]["status"] == "done"
    changes = [(e["by"], e["no"], e["kind"], e["old"], e["new"]) for e in _history(server)]
    assert changes == [
        (ACCOUNTS[0], 1, "status", "not_started", "done"),
        (ACCOUNTS[1], 31, "status", "not_started", "done"),
    ]
    check = server.taizhang("check")
    assert check.returncode == 0, check.stderr
    # The second account wrote into the shard the first one created: the group shares it.
    for shard in (server.srv / "db.journal").glob("*.json"):
        assert shard.stat().st_mode & 0o060 == 0o060


def _open_task(server: Server, account: str, number: int) -> Tmux:
    """Log in as `account` over ssh and select task `number` with the jump dialog."""
    tmux = Tmux(f"tz-e2e-{account}")
    tmux.start(server.ssh_argv(account, "-t"))
    tmux.wait_for("一、")
    tmux.keys(":")
    tmux.wait_for("跳转到序号")
    tmux.keys(str(number), literal=True)
    tmux.keys("Enter")
    tmux.wait_gone("跳转到序号")
    return tmux


def _quit(tmux: Tmux) -> None:
    tmux.keys("q")
    _wait_until(lambda: tmux.exit_status() is not None, timeout=60)
    assert tmux.exit_status() == 0, tmux.screen()


def test_a_users_toml_planted_in_the_store_folder_changes_nothing(server: Server) -> None:
    """Issue 12: a group member with a shell (cron, console) writes /srv/taizhang/users.toml making everyone a
    supervisor. The ForceCommand names /etc/taizhang/users.toml, so the planted file is never read."""
    planted = server.srv / "users.toml"
    _run("runuser", "-u", ACCOUNTS[0], "--", "sh", "-c", f"printf 'default_role = \"supervisor\"\\n' > '{planted}'")
    assert planted.stat().st_uid != 0  # the member could write it: the store folder is the group's
    tmux = _open_task(server, ACCOUNTS[0], 31)  # 31 belongs to 区司法局, not to 张三's 区民政局
    try:
        assert f"张三({ACCOUNTS[0]})・区民政局・编辑" in tmux.screen()
        tmux.keys("5")  # 已销号: for a supervisor only
        tmux.wait_for("无权")
        _quit(tmux)
    finally:
        tmux.kill()
    assert _history(server) == []


def test_a_users_toml_in_a_group_writable_folder_fails_closed_at_login(server: Server) -> None:
    """Issue 12: when the folder of users.toml can be written by the group, everyone only reads, and the
    login says why on the message line."""
    _run("chgrp", GROUP, server.etc)
    os.chmod(server.etc, 0o775)
    tmux = _open_task(server, ACCOUNTS[1], 31)  # 李四, a supervisor when the file is trusted
    try:
        screen = tmux.wait_for("权限文件不可信")
        assert f"{ACCOUNTS[1]}・只读" in screen
        tmux.keys("3")
        time.sleep(2)  # a refused key writes nothing; give a write the time it would take
        _quit(tmux)
    finally:
        tmux.kill()
    assert _history(server) == []
    marked = subprocess.run(
        ["runuser", "-u", ACCOUNTS[1], "--", str(server.program), "mark", "31", "done"],
        capture_output=True,
        text=True,
        env={**os.environ, "TAIZHANG_DB": str(server.db), "TAIZHANG_USERS": str(server.users)},
        timeout=60,
    )
    # Issue 14: a refusal exits with status 2.
    assert marked.returncode == 2 and marked.stderr.count("\n") == 1 and "权限文件不可信" in marked.stderr


# ---------------------------------------------------------------------- issue 15: commands through the forced login


def _remote(server: Server, account: str, *words: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """`ssh -T account@server words…` as staff run it on their own computers: stdout is the report's bytes.
    (`--` ends ssh's own options, so that words starting with `-` reach the server.)"""
    argv = server.ssh_argv(account, "-T")
    return subprocess.run([*argv[:-1], "--", argv[-1], *words], input=stdin, capture_output=True, timeout=120)


def _task_rows(path: Path) -> list[int]:
    import docx

    table = docx.Document(str(path)).tables[0]
    return [int(row.cells[0].text) for row in table.rows if row.cells[0].text.strip().isdigit()]


def test_staff_fetch_reports_and_run_commands_over_the_forced_login(server: Server, tmp_path: Path) -> None:
    """The README's ForceCommand: the editor lists, marks and fetches the report as Word and Excel files."""
    import openpyxl

    editor = ACCOUNTS[0]
    listed = _remote(server, editor, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 72

    # A text with spaces: the whole command in double quotes, the text in single quotes (as README says).
    marked = _remote(server, editor, "mark 12 in_progress --note '已走访 3 户，下周汇总'")
    assert marked.returncode == 0, marked.stderr.decode()
    assert [(e["by"], e["no"], e["kind"]) for e in _history(server)][:2] == [
        (editor, 12, "status"),
        (editor, 12, "note"),
    ]
    shown = json.loads(server.taizhang("show", "12", "--json").stdout)
    assert [(note["by"], note["text"]) for note in shown["notes"]] == [(editor, "已走访 3 户，下周汇总")]

    report = tmp_path / "a.docx"
    fetched = _remote(server, editor, "export", "-o", "-", "--format", "docx")
    assert fetched.returncode == 0 and fetched.stdout.startswith(b"PK\x03\x04"), fetched.stderr.decode()
    assert fetched.stderr.decode().count("\n") == 1 and "已导出 72 项任务到标准输出" in fetched.stderr.decode()
    report.write_bytes(fetched.stdout)
    assert _task_rows(report) == list(range(1, 73))

    workbook = tmp_path / "b.xlsx"
    fetched = _remote(server, editor, "taizhang", "export", "-o", "-", "--format", "xlsx", "--period", "2026-11")
    assert fetched.returncode == 0, fetched.stderr.decode()
    workbook.write_bytes(fetched.stdout)
    rows = list(openpyxl.load_workbook(workbook).worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in rows if isinstance(row[0], int)] == list(range(1, 73))

    mine = _remote(server, editor, "export", "-o", "-", "--format", "json", "--unit", "区民政局", "--status", "in_progress")
    assert mine.returncode == 0, mine.stderr.decode()
    assert [task["no"] for task in json.loads(mine.stdout)["tasks"]] == [12]

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (tests/run.sh installs it): the files were not opened in it")
    converted = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(report), str(workbook)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    for name in ("a.pdf", "b.pdf"):
        pdf = tmp_path / "pdf" / name
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000, converted.stderr


def test_the_forced_login_refuses_shells_server_paths_and_an_editors_import(server: Server, tmp_path: Path) -> None:
    """Nothing but the allowed commands; no server path; imports for supervisors: refused, nothing written.
    Then the supervisor's import of the same revised .docx applies it with everyone's progress kept."""
    from importers import read_document
    from tests.conftest import files_digest
    from tests.test_app_import import write_revision

    editor, supervisor = ACCOUNTS
    assert _remote(server, editor, "mark", "12", "in_progress").returncode == 0
    task_id = json.loads(server.taizhang("show", "12", "--json").stdout)["id"]
    revised = tmp_path / "revised.docx"
    write_revision(revised, read_document(SOURCE_DOCX).tasks)
    elsewhere = Path(f"/tmp/taizhang-e2e-{os.getpid()}.docx")
    other_db = Path(f"/tmp/taizhang-e2e-{os.getpid()}-db.json")
    before = files_digest(server.srv)
    history = _history(server)

    refused = [
        (("bash",), b"", "不能运行“bash”"),
        (("sh", "-c", "id"), b"", "不能运行“sh”"),
        (("export", "-o", str(elsewhere)), b"", "只能写到标准输出"),
        (("--db", str(other_db), "list"), b"", "不能运行“--db”"),
        (("list", "--db", str(other_db)), b"", "不能用 --db"),
        (("import", str(revised), "--yes"), b"", "只能从标准输入读取"),
        (("import", "--yes", "-", "--format", "docx"), revised.read_bytes(), "导入只能由主管进行"),
    ]
    for words, stdin, wanted in refused:
        result = _remote(server, editor, *words, stdin=stdin)
        err = result.stderr.decode()
        assert result.returncode != 0 and wanted in err, (words, err)
        assert err.count("\n") == 1 and "Traceback" not in err
    # sftp and scp ask sshd for a subsystem or `scp -t …`: the forced command refuses them too.
    options = [arg for arg in server.ssh_argv(editor)[1:-1] if arg not in ("-p", str(server.port))]
    sftp = subprocess.run(
        ["sftp", "-b", "-", "-P", str(server.port), *options, f"{editor}@127.0.0.1"],
        input=f"put {revised} {elsewhere}\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    scp = subprocess.run(
        ["scp", "-O", "-P", str(server.port), *options, str(revised), f"{editor}@127.0.0.1:{elsewhere}"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert sftp.returncode != 0 and scp.returncode != 0
    assert not elsewhere.exists() and not other_db.exists()
    assert files_digest(server.srv) == before and _history(server) == history

    applied = _remote(server, supervisor, "import", "--yes", "-", "--format", "docx", stdin=revised.read_bytes())
    assert applied.returncode == 0, applied.stderr.decode()
    assert "已导入 标准输入.docx：修改" in applied.stdout.decode() and "各任务的状态和进展均已保留" in applied.stdout.decode()
    tasks = json.loads(server.taizhang("list", "--json").stdout)
    assert len(tasks) == 73  # the revision inserts a task
    kept = next(task for task in tasks if task["id"] == task_id)
    assert (kept["no"], kept["status"]) == (13, "in_progress")  # renumbered by the insertion, progress kept
    assert _history(server)[-1]["by"] == supervisor
    check = server.taizhang("check")
    assert check.returncode == 0, check.stderr


def test_townships_are_set_and_units_rows_marked_over_the_forced_login(server: Server) -> None:
    """Issue 14: the supervisor sets the townships over SSH (an editor may not), and `mark --unit` names a row."""
    editor, supervisor = ACCOUNTS  # 区民政局's editor, a supervisor
    towns = ("万安街道", "双阳街道", "河市镇", "马甲镇", "罗溪镇", "虹山乡")
    refused = _remote(server, editor, "towns", "set", *towns)
    assert refused.returncode == 2 and "只能由主管设定" in refused.stderr.decode()
    assert _remote(server, supervisor, "towns", "set", *towns).returncode == 0
    listed = _remote(server, editor, "towns")
    assert listed.returncode == 0 and listed.stdout.decode().split() == list(towns)
    # 区民政局 leads task 12: its row is the overall status; 马甲镇's row is not its own.
    refused = _remote(server, editor, "mark", "12", "done", "--unit", "马甲镇")
    assert refused.returncode == 2 and "不能改动马甲镇的" in refused.stderr.decode()
    assert _remote(server, editor, "mark", "12", "in_progress", "--unit", "区民政局").returncode == 0
    marked = _remote(server, supervisor, "mark 12 done --unit 马甲镇 --note '马甲镇已完成'")
    assert marked.returncode == 0, marked.stderr.decode()
    shown = json.loads(server.taizhang("show", "12", "--json").stdout)
    rows = {row["unit"]: row for row in shown["unit_progress"]}
    assert (shown["status"], rows["马甲镇"]["status"]) == ("in_progress", "done")
    assert [(note["by"], note["text"]) for note in rows["马甲镇"]["notes"]] == [(supervisor, "马甲镇已完成")]
    assert server.taizhang("check").returncode == 0
