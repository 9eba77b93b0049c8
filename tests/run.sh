#!/usr/bin/env bash
# Install everything the tests need and run them: the one test command (README, CI).
set -euo pipefail
cd "$(dirname "$0")/.."

# System tools the end-to-end tests drive: a real terminal (tmux), a real sshd, LibreOffice.
need=()
command -v tmux >/dev/null || need+=(tmux)
[[ -x /usr/sbin/sshd ]] || need+=(openssh-server)
/usr/bin/python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
# docx -> pdf headless (about 25 s, 51 packages) and a CJK font so the Chinese report renders;
# Calc opens the .xlsx reports and saves the source table as a workbook (issue 15).
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
[[ -e /usr/lib/libreoffice/program/libsclo.so ]] || need+=(libreoffice-calc-nogui)
[[ -n $(fc-list :lang=zh 2>/dev/null) ]] || need+=(fonts-noto-cjk)
if ((${#need[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "tests/run.sh: please install: ${need[*]}" >&2
  fi
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
export PATH="$PWD/.venv/bin:$PATH"

ruff check tui widgets importers tests benchmarks
lint-imports
mypy  # over tui, widgets and importers ([tool.mypy] in pyproject.toml)
pytest -q "$@"
