"""Check a built site: every code page has a Colab link to a notebook the build made.

Usage: ``python scripts/check_site.py _build/html``. Exits non-zero, listing the
problems, when a page that has an ``.ipynb`` twin lacks a Colab button, when a
Colab button names anything but an existing notebook, or when the notebook of a
page with solutions shows them: it must be the student copy (no solution code,
no solution text) or the folded copy (each solution code cell a Colab form,
which hides its code, and solution text only inside ``<details>``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
COLAB = re.compile(r'href="(https://colab\.research\.google\.com/github/[^"]+)"')
SOLUTION_REGION = re.compile(
    r"^(`{3,}|:{3,})\{solution-start\}.*?^(`{3,}|:{3,})\{solution-end\}"
    r"|^(`{3,}|:{3,})\{solution\}.*?^\3[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
CODE_CELL = re.compile(r"^```\{code-cell\}.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
DETAILS = re.compile(r"<details>.*?</details>", re.DOTALL)
COLAB_PATH = re.compile(r"https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/[^/]+/(.+)")


def colab_links(html_dir: Path, book_dir: Path) -> dict[str, list[str]]:
    """Map each page (relative to ``book_dir``, no suffix) to its Colab hrefs."""
    links = {}
    for page in sorted(html_dir.joinpath("book").rglob("*.html")):
        rel = page.relative_to(html_dir / "book").with_suffix("")
        links[str(rel)] = COLAB.findall(page.read_text())
    return links


def shown_solutions(notebook, page: Path) -> list[str]:
    """Solutions of ``page`` (its MyST source) that ``notebook`` shows in Colab.

    Solution code: a code cell holding a solution cell's code that is not a Colab
    form (``cellView: form`` with a ``# @title`` line hides the code). Solution
    text: a line of at least 20 characters from a solution region of the page
    that appears in a markdown cell outside ``<details>``.
    """
    source = page.read_text()
    solution_code = [
        cell.source.strip()
        for cell in jupytext.read(page).cells
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])
    ]
    text_lines = []
    for region in SOLUTION_REGION.finditer(source):
        outside_code = CODE_CELL.sub("", region.group(0))
        for line in outside_code.split("\n"):
            line = line.strip()
            if (
                len(line) >= 20
                and not line.startswith(("```", ":"))
                and line not in (SOLUTION_REGION.sub("", source))
            ):
                text_lines.append(line)
    found = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            hidden = cell.metadata.get("cellView") == "form" and cell.source.startswith("# @title")
            for code in solution_code:
                if code and code in cell.source and not hidden:
                    found.append(f"solution code shown: {code.splitlines()[0][:60]!r}")
        elif cell.cell_type == "markdown":
            visible = DETAILS.sub("", cell.source)
            found += [
                f"solution text shown: {line[:60]!r}" for line in text_lines if line in visible
            ]
    return found


def problems(html_dir: Path, root: Path = ROOT) -> list[str]:
    book = root / "book"
    found = []
    links = colab_links(html_dir, book)
    twins = {str(p.relative_to(book).with_suffix("")) for p in book.rglob("*.ipynb")}
    for name in sorted(twins):
        if name not in links:
            continue  # not in the table of contents (e.g. a generated copy)
        if not links[name]:
            found.append(f"{name}: code page without a Colab link")
    for name, hrefs in links.items():
        for href in set(hrefs):
            match = COLAB_PATH.match(href)
            target = match.group(1) if match else ""
            if not target.endswith(".ipynb"):
                found.append(f"{name}: Colab link does not name a notebook: {href}")
            elif not (root / target).is_file():
                found.append(f"{name}: Colab link names {target}, which the build did not make")
            else:
                found += [f"{name}: {line}" for line in _target_problems(root, name, target)]
    return found


def _target_problems(root: Path, name: str, target: str) -> list[str]:
    """What is wrong with the notebook a page's Colab button opens."""
    try:
        notebook = nbformat.read(root / target, as_version=4)
    except (OSError, json.JSONDecodeError, nbformat.reader.NotJSONError) as error:
        return [f"Colab link names {target}, which is not a notebook ({error})"]
    page = root / "book" / f"{name}.md"
    if not page.is_file():
        return []
    return [f"{target}: {line}" for line in shown_solutions(notebook, page)]


def main(argv: list[str]) -> int:
    html_dir = Path(argv[1] if len(argv) > 1 else "_build/html")
    if not (html_dir / "book").is_dir():
        print(f"{html_dir}: no built pages under book/")
        return 1
    found = problems(html_dir)
    for line in found:
        print(line)
    print(f"site check: {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
