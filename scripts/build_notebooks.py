"""Generate the ``.ipynb`` twin of every MyST page under ``book/``.

The twins serve three purposes: Jupyter Book's Colab button links to them (it
links to the ``.md`` otherwise, which Colab cannot open), nbval executes them in
``make test``, and the publish workflow pushes them to the ``colab`` branch.

The install cell of each page names the package as
``git+<repository>@main``; in the twin that reference is pinned to the commit
being built (``HGF_TUTORIAL_COMMIT`` or ``git rev-parse HEAD``), so a Colab
session installs exactly the code the page was executed with.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
INSTALL_REF = re.compile(r"git\+https://github\.com/[\w.-]+/[\w.-]+@main")


def current_commit() -> str:
    """The commit the notebooks are built from."""
    commit = os.environ.get("HGF_TUTORIAL_COMMIT")
    if commit:
        return commit
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "main"


def repository_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return config["repository"]["url"].rstrip("/")


def code_pages(book: Path) -> list[Path]:
    """MyST pages that are notebooks (they have a jupytext/kernelspec header)."""
    pages = []
    for path in sorted(book.rglob("*.md")):
        if any(part.startswith("_") for part in path.relative_to(book).parts):
            continue
        head = path.read_text().split("\n---", 1)[0]
        if path.read_text().startswith("---") and "kernelspec" in head:
            pages.append(path)
    return pages


def pin_install_cell(notebook, source: str, page: Path) -> None:
    """Point the install cell at this commit and make it the notebook's first cell."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "google.colab" in cell.source:
            cell.source = INSTALL_REF.sub(source, cell.source)
            # first in the notebook, so it runs before anything imports JAX; in the
            # page it sits under the title, which Sphinx needs first
            notebook.cells.insert(0, notebook.cells.pop(index))
            return
    raise SystemExit(f"{page}: no install cell guarded by 'google.colab'")


def main() -> int:
    book = ROOT / "book"
    source = f"git+{repository_url()}@{current_commit()}"
    pages = code_pages(book)
    for page in pages:
        notebook = jupytext.read(page)
        pin_install_cell(notebook, source, page)
        notebook.metadata.setdefault("colab", {})["provenance"] = []
        notebook.metadata.pop("jupytext", None)
        target = page.with_suffix(".ipynb")
        text = nbformat.writes(notebook)
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
    print(f"{len(pages)} notebooks written next to their pages ({source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
