"""Course material: student copies carry no solutions, instructor copies keep them.

The instructor copies are executed with their solutions by nbval in ``make test``
(quick mode); here: what the copies contain, how they are made, where they go,
and that a wrong answer in the student copy meets its check's message.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
GENERATED = BOOK / "_generated"
sys.path.insert(0, str(ROOT / "scripts"))

import build_notebooks  # noqa: E402
import course_copies  # noqa: E402

SOLUTION_BLOCK = re.compile(
    r"^(`{3,}|:{3,})\{solution\}[^\n]*\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL
)
CELL_OPTIONS = re.compile(r"(```\{code-cell\}[^\n]*\n)---\n.*?\n---\n", re.DOTALL)
EXERCISE = re.compile(r"^`{3,}\{exercise\}[ \t]*(.*)\n((?::[\w-]+:.*\n)*)", re.MULTILINE)
GATED = re.compile(r"^`{3,}\{solution-start\}.*?^`{3,}\{solution-end\}", re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def copies():
    """(page, student, instructor) for every page with solutions, freshly built."""
    subprocess.run([sys.executable, "scripts/build_notebooks.py"], cwd=ROOT, check=True)
    found = []
    for student_path in sorted((GENERATED / "student").rglob("*.ipynb")):
        rel = student_path.relative_to(GENERATED / "student")
        page = BOOK / rel.with_suffix(".md")
        instructor_path = GENERATED / "instructor" / rel
        assert page.is_file(), rel
        assert instructor_path.is_file(), rel
        found.append(
            (
                page,
                nbformat.read(student_path, as_version=4),
                nbformat.read(instructor_path, as_version=4),
            )
        )
    return found


def _solution_text(page: Path) -> list[str]:
    """Distinctive lines of the page's solutions: gated regions and {solution} blocks."""
    source = page.read_text()
    pieces = [m.group(0) for m in GATED.finditer(source)]
    pieces += [m.group(2) for m in SOLUTION_BLOCK.finditer(source)]
    outside = GATED.sub("", SOLUTION_BLOCK.sub("", source))
    lines = []
    for piece in pieces:
        # a code cell's YAML options hold the student's stub, which is no solution
        piece = CELL_OPTIONS.sub("", piece)
        for line in piece.split("\n"):
            line = line.strip()
            if len(line) < 20 or line.startswith(("```", ":", "---", "student:", "tags:")):
                continue
            if line not in outside:
                lines.append(line)
    return lines


def test_every_page_with_solutions_has_both_copies(copies):
    pages_with_solutions = [
        page
        for page in sorted(BOOK.rglob("*.md"))
        if "_generated" not in page.parts
        and re.search(r"^(`{3,}|:{3,})\{solution(-start)?\}", page.read_text(), re.MULTILINE)
    ]
    assert pages_with_solutions, "no page has solutions"
    assert sorted(p for p, _, _ in copies) == pages_with_solutions
    assert BOOK / "assignments" / "study.md" in pages_with_solutions


def test_student_copies_carry_no_solutions(copies):
    for page, student, instructor in copies:
        text = json.dumps(student)
        for cell in student.cells:
            assert "solution" not in cell.metadata.get("tags", []), page
            if cell.cell_type == "markdown":
                assert "{solution" not in cell.source, page
                assert "Solution to Exercise" not in cell.source, page
        distinctive = _solution_text(page)
        assert len(distinctive) >= 10, page
        for line in distinctive:
            assert line not in text, f"{page.name}: solution text in the student copy: {line!r}"
        # and every solution cell's code, line by line
        shown = "\n".join(c.source for c in instructor.cells if not _is_solution(c))
        for cell in instructor.cells:
            if not _is_solution(cell):
                continue
            for line in cell.source.split("\n"):
                if len(line.strip()) >= 12 and line.strip() not in shown:
                    assert line.strip() not in text, f"{page.name}: {line.strip()!r}"


def _is_solution(cell) -> bool:
    return "solution" in cell.metadata.get("tags", [])


def test_instructor_copies_keep_every_solution_and_check(copies):
    for page, student, instructor in copies:
        # the page's own code, so that nbval runs the instructor copy in its place
        twin = build_notebooks.page_notebook(page)
        code = [c.source for c in twin.cells if c.cell_type == "code"]
        assert [c.source for c in instructor.cells if c.cell_type == "code"] == code
        solutions = [c.source for c in twin.cells if _is_solution(c)]
        assert solutions, page
        assert [c.source for c in instructor.cells if _is_solution(c)] == solutions
        for line in _solution_text(page):
            assert line in json.dumps(instructor) or line in page.read_text()
        check_cells = [c.source for c in twin.cells if "checks.check_" in c.source]
        assert check_cells, page
        for copy in (student, instructor):
            assert [c.source for c in copy.cells if "checks.check_" in c.source] == check_cells
        stubs = [c for c in student.cells if c.metadata.get("student_stub")]
        assert stubs and all("your code here" in c.source for c in stubs)
        # sphinx-exercise numbers exercises across the book, so the pages name them by
        # title (:nonumber:) and the copies do the same
        exercises = EXERCISE.findall(page.read_text())
        assert 2 <= len(exercises) <= 8, page
        for title, options in exercises:
            assert title and ":nonumber:" in options, (page.name, title)
        titles = [course_copies._sentence(f"Exercise: {title}") for title, _ in exercises]
        for copy in (student, instructor):
            headers = re.findall(
                r"\*\*(Exercise: .+?)\*\*", "\n".join(c.source for c in copy.cells)
            )
            assert headers == titles


def test_copies_are_colab_launchable(copies):
    commit = (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        or "main"
    )
    for page, student, instructor in copies:
        for copy in (student, instructor):
            first = copy.cells[0]
            assert first.cell_type == "code" and "google.colab" in first.source, page
            assert f"@{commit}" in first.source
            assert f"/{commit}/requirements.txt" in first.source
            assert copy.metadata["kernelspec"]["name"] == "python3"
            nbformat.validate(copy)


def test_links_page_names_the_copies_on_the_colab_branch(copies):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    owner_repo = config["repository"]["url"].split("github.com/", 1)[1].rstrip("/")
    links = (GENERATED / "course_links.md").read_text()
    for page, _, _ in copies:
        rel = page.relative_to(BOOK).with_suffix(".ipynb")
        for kind in ("student", "instructor"):
            url = (
                f"https://colab.research.google.com/github/{owner_repo}/blob/"
                f"{config['repository']['branch']}/book/_generated/{kind}/{rel}"
            )
            assert url in links


def test_copies_stay_out_of_sphinx_and_the_twins_glob_but_in_nbval():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "**/*.ipynb" in config["exclude_patterns"]
    assert (ROOT / ".gitignore").read_text().count("book/_generated/") == 1
    listed = subprocess.run(
        ["find", "book", "-name", "*.ipynb", "-not", "-path", "*/_*"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "_generated" not in listed
    makefile = (ROOT / "Makefile").read_text()
    nbval = makefile.split("\nnbval:", 1)[1].split("\n\n", 1)[0]
    assert "book/_generated/instructor" in nbval
    publish = (ROOT / ".github" / "workflows" / "publish.yml").read_text()
    assert "book/_generated" in publish


# -- the transformation on a small notebook ----------------------------------------------

PAGE = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Page

````{exercise} Add
:label: ex-add
:nonumber:

Store the sum in `total`, e.g.

```python
total = ...
```
````

```{solution-start} ex-add
:class: dropdown
```

Explaining the secret sauce here.

```{code-cell} ipython3
:tags: [solution]

total = 2 + 3  # secret-one
```

```{code-cell} ipython3
total_twice = 2 * total  # secret-two
```

```{solution-end}
```

Text after the solution stays.

```{code-cell} ipython3
assert total == 5
```

:::{exercise}
:label: ex-why

Why?
:::

:::{solution} ex-why
:class: dropdown
Because of the hidden reason.
:::
"""


@pytest.fixture
def small_notebook():
    import jupytext

    return jupytext.reads(PAGE, fmt="md:myst")


def test_student_copy_of_a_small_page(small_notebook):
    assert course_copies.has_solutions(small_notebook)
    student = course_copies.student_copy(small_notebook, "page.md")
    text = "\n".join(c.source for c in student.cells)
    for secret in ("secret", "hidden reason", "{solution", "Solution to"):
        assert secret not in text
    assert "Text after the solution stays." in text
    # numbered as on the site: ex-add has :nonumber:, ex-why is the page's first number
    assert "**Exercise: Add.**" in text and "**Exercise 1.**" in text
    assert "total = ..." in text  # code block inside the exercise (longer fence) kept
    stubs = [c for c in student.cells if c.metadata.get("student_stub")]
    assert len(stubs) == 1 and stubs[0].source == "# your code here"
    assert "assert total == 5" in text
    assert student.metadata["hgf_tutorial"] == {"copy": "student", "page": "page.md"}


def test_instructor_copy_of_a_small_page(small_notebook):
    instructor = course_copies.instructor_copy(small_notebook)
    text = "\n".join(c.source for c in instructor.cells)
    for kept in ("secret-one", "secret-two", "secret sauce", "hidden reason"):
        assert kept in text
    assert "**Solution to Exercise: Add.**" in text and "**Solution to Exercise 1.**" in text
    assert "{solution" not in text and "{exercise" not in text
    assert not course_copies.has_solutions(nbformat.v4.new_notebook())


def test_student_stub_from_cell_metadata(small_notebook):
    for cell in small_notebook.cells:
        if "secret-one" in cell.source:
            cell.metadata["student"] = "total = ...  # your code here"
    student = course_copies.student_copy(small_notebook)
    stubs = [c.source for c in student.cells if c.metadata.get("student_stub")]
    assert stubs == ["total = ...  # your code here"]


# -- a wrong answer in the student copy meets its check --------------------------------


def _run_until(cells, kernel_cwd):
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(kernel_cwd)}},
    )
    client.execute()
    return notebook


def test_wrong_answers_in_the_student_copy_fail_their_checks(copies, tmp_path, monkeypatch):
    monkeypatch.setenv("HGF_TUTORIAL_QUICK", "1")
    page, student, _ = next(c for c in copies if c[0].name == "study.md")
    cells = []
    answers = {
        # kept the first trial
        "logp = ...": (
            "belief = ht.belief_trajectory(-3.5, data['inputs'].values)\n"
            "p1 = np.asarray(ht.response_probability(belief, 2.0))\n"
            "y = data['responses'].sel(participant=0).values\n"
            "logp = np.where(y == 1, np.log(p1), np.log1p(-p1))"
        ),
        # the model built for one participant too few
        "model = ...": (
            "fewer = data.isel(participant=slice(0, 11))\nmodel = ht.build_group_model(fewer)"
        ),
    }
    expected = [
        "drop the first trial",
        "participant dimension has 11 entries, the data have 12",
    ]
    for cell in student.cells:
        if cell.metadata.get("student_stub"):
            key = next((k for k in answers if cell.source.startswith(k)), None)
            if key is None:
                break
            cell = nbformat.v4.new_code_cell(answers[key])
        cells.append(cell)
    executed = _run_until(cells, tmp_path)
    errors = [
        output
        for cell in executed.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert [e.ename for e in errors] == ["CheckFailed", "CheckFailed"]
    for error, message in zip(errors, expected, strict=True):
        assert message in error.evalue


def test_page_times_table_names_current_pages():
    import csv

    import time_pages

    table = ROOT / "book" / "_data" / "page_times.csv"
    assert f"_data/{table.name}" in (BOOK / "instructors.md").read_text()
    with table.open() as handle:
        rows = list(csv.DictReader(handle))
    columns = [time_pages.PAGE, time_pages.QUICK, time_pages.FULL, time_pages.MEASURED]
    assert rows and list(rows[0]) == columns
    for row in rows:
        for column in (time_pages.QUICK, time_pages.FULL):
            value = row[column]
            assert value.isdigit() or value in ("not measured", "failed", "not executed")
    assignment = time_pages.title(BOOK / "assignments" / "study.md")
    assert assignment in [r[time_pages.PAGE] for r in rows]
