"""Generate the ``.ipynb`` twin of every MyST page under ``book/``.

The twins serve three purposes: Jupyter Book's Colab button links to them (it
links to the ``.md`` otherwise, which Colab cannot open), nbval executes them in
``make test``, and the publish workflow pushes them to the ``colab`` branch.

Pages with exercises and solutions also get a student copy (solutions removed)
and an instructor copy in ``book/_generated/`` (see ``course_copies.py``).

The install cell of each page names the package as ``git+<repository>@main``
and takes the versions to install from ``requirements.txt`` on ``main`` (pip's
``-c``); in the twin both references are pinned to the commit being built
(``HGF_TUTORIAL_COMMIT`` or ``git rev-parse HEAD``), so a Colab session installs
exactly the code and the versions the page was executed with.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import course_copies  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
INSTALL_REF = re.compile(r"git\+https://github\.com/[\w.-]+/[\w.-]+@main")
CONSTRAINTS_REF = re.compile(
    r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/main/requirements\.txt"
)


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


def constraints_url(commit: str) -> str:
    """Address of ``requirements.txt`` at ``commit`` on GitHub (the install cell's pins)."""
    owner_repo = repository_url().split("github.com/", 1)[1]
    return f"https://raw.githubusercontent.com/{owner_repo}/{commit}/requirements.txt"


def pin_install_cell(notebook, source: str, page: Path, constraints: str) -> None:
    """Point the install cell at this commit and make it the notebook's first cell.

    ``source`` replaces the package's ``git+...@main`` address and ``constraints``
    the address of ``requirements.txt`` on ``main``; both must be in the cell.
    """
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "google.colab" in cell.source:
            if not INSTALL_REF.search(cell.source) or not CONSTRAINTS_REF.search(cell.source):
                raise SystemExit(
                    f"{page}: the install cell must name git+<repository>@main and "
                    "-c <raw requirements.txt on main>"
                )
            cell.source = INSTALL_REF.sub(source, cell.source)
            cell.source = CONSTRAINTS_REF.sub(constraints, cell.source)
            # first in the notebook, so it runs before anything imports JAX; in the
            # page it sits under the title, which Sphinx needs first
            notebook.cells.insert(0, notebook.cells.pop(index))
            return
    raise SystemExit(f"{page}: no install cell guarded by 'google.colab'")


def write_if_changed(target: Path, text: str) -> None:
    """Write ``text`` unless ``target`` already holds it (keeps mtimes for caches)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)


def write_course_copies(book: Path, notebooks: dict[Path, object]) -> int:
    """Student and instructor copies of the pages with solutions, and their Colab links."""
    generated = book / course_copies.GENERATED
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    branch = config["repository"].get("branch", "main")
    written, rows = set(), []
    for page, notebook in notebooks.items():
        if not course_copies.has_solutions(notebook):
            continue
        rel = page.relative_to(book).with_suffix(".ipynb")
        urls = {}
        for kind, make in (
            ("student", course_copies.student_copy),
            ("instructor", course_copies.instructor_copy),
        ):
            target = generated / kind / rel
            write_if_changed(target, nbformat.writes(make(notebook, str(page.relative_to(ROOT)))))
            written.add(target)
            path = str(target.relative_to(ROOT))
            urls[kind] = course_copies.colab_url(repository_url(), branch, path)
        label = re.search(r"^\((\S+)\)=", page.read_text(), re.MULTILINE)
        rows.append((label.group(1) if label else rel.stem, urls["student"], urls["instructor"]))
    for stale in generated.rglob("*.ipynb"):
        if stale not in written:
            stale.unlink()
    write_if_changed(generated / "course_links.md", course_copies.links_table(rows))
    return len(rows)


def main() -> int:
    book = ROOT / "book"
    commit = current_commit()
    source = f"git+{repository_url()}@{commit}"
    pages = code_pages(book)
    notebooks = {}
    for page in pages:
        notebook = jupytext.read(page)
        pin_install_cell(notebook, source, page, constraints_url(commit))
        notebook.metadata.setdefault("colab", {})["provenance"] = []
        notebook.metadata.pop("jupytext", None)
        write_if_changed(page.with_suffix(".ipynb"), nbformat.writes(notebook))
        notebooks[page] = notebook
    print(f"{len(pages)} notebooks written next to their pages ({source})")
    n_courses = write_course_copies(book, notebooks)
    print(f"{n_courses} page(s) with solutions: student and instructor copies in book/_generated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
