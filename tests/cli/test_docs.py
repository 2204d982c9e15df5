"""The Python examples of README.md and docs/*.md run, and print what they say.

In a ```python block, the ``# ...`` comment lines right after a ``print(...)``
line are the expected output (``...`` matches anything, as in doctests).
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def expected_output(block: str) -> str:
    expected: list[str] = []
    after_print = False
    for line in block.splitlines():
        if after_print and line.startswith("# "):
            expected.append(line[2:])
            continue
        after_print = line.startswith("print(")
    return "".join(line + "\n" for line in expected)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_python_examples_run(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = BLOCK.findall(path.read_text())
    if not blocks:
        pytest.skip(f"{path.name} has no Python examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    checker = doctest.OutputChecker()
    for number, block in enumerate(blocks, 1):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, f"{path.name}, block {number}", "exec"), namespace)
        want = expected_output(block)
        if want:
            assert checker.check_output(
                want, out.getvalue(), doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
            ), f"{path.name}, block {number}: expected\n{want}got\n{out.getvalue()}"
