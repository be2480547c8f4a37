"""Student and instructor copies of the pages that have exercises with solutions.

A page marks its solutions two ways (sphinx-exercise syntax):

- code cells tagged ``solution``, between ``{solution-start}`` and
  ``{solution-end}`` directives so that the site shows them collapsed in the
  solution's dropdown;
- markdown solutions in ``{solution}`` blocks.

From the page's notebook (read with jupytext, install cell already pinned)
:func:`student_copy` removes every solution: each run of ``solution`` cells
becomes one cell holding ``# your code here`` (or the cell's ``student``
metadata, a stub such as ``report = ...``), and every solution directive is cut
from the markdown. :func:`instructor_copy` keeps everything. :func:`folded_copy`
keeps everything too, folded as Colab folds: each solution code cell becomes a
form (``# @title`` line, ``cellView: form``) that shows its title and hides its
code until opened, and solution text goes inside ``<details>``. All three turn
the exercise and solution directives, which Jupyter shows as raw code blocks,
into plain markdown (``**Exercise: <title>.**``), named as on the site.

Which copy a page's Colab button opens (``scripts/build_notebooks.py``): the
student copy for an assignment (``book/assignments/``), whose solutions must not
be a click away; the folded copy for a chapter, which must still run top to
bottom for a reader who skips the exercises (later cells use what the solutions
computed, and a stub would stop the run at its check).

``scripts/build_notebooks.py`` writes them to ``book/_generated/student/`` and
``book/_generated/instructor/`` (gitignored, outside Sphinx's sources and the
twins' nbval glob) and lists their Colab links in
``book/_generated/course_links.md``, which the instructors' page includes.
"""

from __future__ import annotations

import copy
import re

import nbformat

GENERATED = "_generated"
SOLUTION_TAG = "solution"
STUDENT_STUB = "# your code here"
#: sphinx-exercise directives handled here.
EXERCISE_DIRECTIVES = {"exercise", "exercise-start", "exercise-end"}
SOLUTION_DIRECTIVES = {"solution", "solution-start", "solution-end"}
_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>.*)$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")


def _directives(text: str):
    """Split markdown into text pieces and sphinx-exercise directive blocks.

    Yields ``("text", lines)`` or ``("directive", name, argument, options, body)``.
    A directive ends at the first line made only of its fence character, at least
    as long as the opening fence (so a longer fence can hold code blocks).
    """
    lines = text.split("\n")
    i = 0
    plain: list[str] = []
    while i < len(lines):
        match = _OPEN.match(lines[i].strip())
        if not match or match.group("name") not in EXERCISE_DIRECTIVES | SOLUTION_DIRECTIVES:
            plain.append(lines[i])
            i += 1
            continue
        fence = match.group("fence")
        closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}$")
        end = i + 1
        while end < len(lines) and not closing.match(lines[end].strip()):
            end += 1
        inner = lines[i + 1 : end]
        options = {}
        while inner and _OPTION.match(inner[0].strip()):
            option = _OPTION.match(inner[0].strip())
            options[option.group("key")] = option.group("value")
            inner = inner[1:]
        if plain:
            yield ("text", plain)
            plain = []
        yield ("directive", match.group("name"), match.group("arg"), options, "\n".join(inner))
        i = end + 1
    if plain:
        yield ("text", plain)


def has_solutions(notebook) -> bool:
    """Whether the notebook has solution cells or solution directives."""
    for cell in notebook.cells:
        if SOLUTION_TAG in cell.metadata.get("tags", []):
            return True
        if cell.cell_type == "markdown":
            for piece in _directives(cell.source):
                if piece[0] == "directive" and piece[1] in SOLUTION_DIRECTIVES:
                    return True
    return False


def _sentence(title: str) -> str:
    """``title`` ending in a full stop, unless it ends in punctuation already."""
    return title if title.endswith((".", "?", "!")) else title + "."


class _Numbering:
    """Exercise names in page order, as sphinx-exercise shows them.

    A numbered exercise is "Exercise N" (N counted on the page); one with
    ``:nonumber:`` is named by its title alone, which is how the pages mark
    them: sphinx-exercise numbers exercises across the whole book, so a
    page's own count would not match the site.
    """

    def __init__(self):
        self.count = 0
        self.by_label: dict[str, str] = {}

    def exercise(self, argument: str, options: dict) -> str:
        if "nonumber" in options:
            name = f"Exercise: {argument}" if argument else "Exercise"
        else:
            self.count += 1
            name = f"Exercise {self.count}" + (f": {argument}" if argument else "")
        if "label" in options:
            self.by_label[options["label"]] = name
        return name

    def solution_title(self, argument: str) -> str:
        name = self.by_label.get(argument.strip())
        return f"Solution to {name}" if name else "Solution"


class _Copier:
    """Walks the cells in order, tracking exercise numbers and gated solutions.

    Between ``{solution-start}`` and ``{solution-end}`` everything is solution:
    markdown text as well as code cells, whether tagged or not.
    """

    def __init__(self, keep_solutions: bool, fold: bool = False):
        self.keep = keep_solutions
        self.fold = fold
        self.numbering = _Numbering()
        self.inside = False
        self.solution = "Solution"

    def _folded(self, summary: str, lines: list[str]) -> list[str]:
        if not "".join(lines).strip():
            return []
        body = "\n".join(lines).strip("\n")
        return [f"<details><summary>{summary}</summary>", "", body, "", "</details>", ""]

    def markdown(self, source: str) -> str:
        out: list[str] = []
        for piece in _directives(source):
            if piece[0] == "text":
                if self.inside and self.fold:
                    out.extend(self._folded(f"{self.solution} (text)", piece[1]))
                elif self.keep or not self.inside:
                    out.extend(piece[1])
                continue
            _, name, argument, options, body = piece
            if name in ("exercise", "exercise-start"):
                title = self.numbering.exercise(argument, options)
                out.extend([f"**{_sentence(title)}**", ""])
                if body.strip():
                    out.extend([body.strip("\n"), ""])
            elif name in ("solution", "solution-start"):
                self.inside = name == "solution-start"
                self.solution = self.numbering.solution_title(argument)
                if self.fold:
                    if name == "solution":
                        out.extend(self._folded(self.solution, [body]))
                    else:
                        out.extend(
                            [f"**{_sentence(self.solution)}** Folded below: open to read.", ""]
                        )
                elif self.keep:
                    out.extend([f"**{_sentence(self.solution)}**", ""])
                    if body.strip():
                        out.extend([body.strip("\n"), ""])
            elif name == "solution-end":
                self.inside = False
            # exercise-end: dropped
        return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def _copy(notebook, *, keep_solutions: bool, kind: str, page: str, fold: bool = False):
    result = copy.deepcopy(notebook)
    copier = _Copier(keep_solutions, fold)
    cells = []
    for cell in result.cells:
        tagged = SOLUTION_TAG in cell.metadata.get("tags", [])
        if cell.cell_type == "markdown":
            if tagged and not keep_solutions:
                continue
            cell.source = copier.markdown(cell.source)
            if cell.source.strip():
                cells.append(cell)
            continue
        if cell.cell_type == "code" and (tagged or copier.inside) and not keep_solutions:
            stub = cell.metadata.get("student", STUDENT_STUB).strip("\n")
            previous = cells[-1] if cells else None
            if previous is not None and previous.metadata.get("student_stub"):
                if stub != STUDENT_STUB and stub not in previous.source:
                    previous.source += "\n" + stub
                continue  # one stub for a run of solution cells
            cells.append(nbformat.v4.new_code_cell(stub, metadata={"student_stub": True}))
            continue
        cell.metadata.pop("student", None)
        if cell.cell_type == "code" and (tagged or copier.inside) and fold:
            cell.source = f"# @title {copier.solution} (open to read the code)\n" + cell.source
            cell.metadata["cellView"] = "form"
        cells.append(cell)
    result.cells = cells
    result.metadata["hgf_tutorial"] = {"copy": kind, "page": page}
    return result


def student_copy(notebook, page: str = ""):
    """The notebook without its solutions (a stub cell where solution code was)."""
    return _copy(notebook, keep_solutions=False, kind="student", page=page)


def instructor_copy(notebook, page: str = ""):
    """The notebook with its solutions, directives turned into plain markdown."""
    return _copy(notebook, keep_solutions=True, kind="instructor", page=page)


def folded_copy(notebook, page: str = ""):
    """The notebook with its solutions folded as Colab folds them (see the module)."""
    return _copy(notebook, keep_solutions=True, kind="folded", page=page, fold=True)


def colab_copy_kind(page: str) -> str:
    """Which copy of a page with solutions its Colab button opens: ``student`` or ``folded``."""
    return "student" if "assignments" in page.split("/") else "folded"


def colab_url(repository: str, branch: str, path: str) -> str:
    """Colab's address for a notebook at ``path`` on a GitHub branch."""
    owner_repo = repository.rstrip("/").split("github.com/", 1)[1]
    return f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{path}"


def links_table(rows: list[tuple[str, str, str]]) -> str:
    """Markdown table: (page label, student copy URL, instructor copy URL) per row."""
    if not rows:
        return "No page has exercises with solutions yet.\n"
    lines = [
        "| Page | Student copy (no solutions) | Instructor copy (with solutions) |",
        "| --- | --- | --- |",
    ]
    for label, student, instructor in rows:
        lines.append(
            f"| {{ref}}`{label}` | [open in Colab]({student}) | [open in Colab]({instructor}) |"
        )
    return "\n".join(lines) + "\n"
