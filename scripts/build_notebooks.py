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

import copy
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
import plain_markdown  # noqa: E402

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


def page_notebook(page: Path, commit: str | None = None):
    """The page read as a notebook, install cell pinned and first, MyST still in it."""
    commit = commit or current_commit()
    notebook = jupytext.read(page)
    pin_install_cell(notebook, f"git+{repository_url()}@{commit}", page, constraints_url(commit))
    notebook.metadata.setdefault("colab", {})["provenance"] = []
    notebook.metadata.pop("jupytext", None)
    return notebook


def notebooks_for(page: Path, notebook, site: plain_markdown.Site) -> dict[str, object]:
    """The notebooks made from one page: ``twin``, and for a page with solutions
    ``student`` and ``instructor``; markdown in plain Markdown.

    The twin is what the page's Colab button opens: the page itself, or for a page
    with solutions the copy that ``course_copies.colab_copy_kind`` names (the
    student copy for an assignment, the folded copy for a chapter).
    """
    rel = str(page.relative_to(ROOT))
    made = {"twin": notebook}
    if course_copies.has_solutions(notebook):
        made["student"] = course_copies.student_copy(notebook, rel)
        made["instructor"] = course_copies.instructor_copy(notebook, rel)
        if course_copies.colab_copy_kind(rel) == "student":
            made["twin"] = made["student"]
        else:
            made["twin"] = course_copies.folded_copy(notebook, rel)
    glue = plain_markdown.glued_values(page)
    return {
        kind: plain_markdown.plain_notebook(copy.deepcopy(nb), page, site, glue)
        for kind, nb in made.items()
    }


def main() -> int:
    book = ROOT / "book"
    commit = current_commit()
    site = plain_markdown.Site(book)
    generated = book / course_copies.GENERATED
    branch = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"].get("branch", "main")
    pages = code_pages(book)
    written, rows = set(), []
    for page in pages:
        made = notebooks_for(page, page_notebook(page, commit), site)
        write_if_changed(page.with_suffix(".ipynb"), nbformat.writes(made["twin"]))
        if "student" not in made:
            continue
        rel = page.relative_to(book).with_suffix(".ipynb")
        urls = {}
        for kind in ("student", "instructor"):
            target = generated / kind / rel
            write_if_changed(target, nbformat.writes(made[kind]))
            written.add(target)
            urls[kind] = course_copies.colab_url(
                repository_url(), branch, str(target.relative_to(ROOT))
            )
        label = re.search(r"^\((\S+)\)=", page.read_text(), re.MULTILINE)
        rows.append((label.group(1) if label else rel.stem, urls["student"], urls["instructor"]))
    for stale in generated.rglob("*.ipynb"):
        if stale not in written:
            stale.unlink()
    write_if_changed(generated / "course_links.md", course_copies.links_table(rows))
    print(f"{len(pages)} notebooks written next to their pages (commit {commit})")
    print(f"{len(rows)} page(s) with solutions: student and instructor copies in book/_generated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
