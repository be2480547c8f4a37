"""The site's plumbing: Colab links on the built HTML, the workflow files."""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import check_site  # noqa: E402


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """The site built without executing the pages (execution is nbval's job)."""
    out = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "scripts/build_notebooks.py"], cwd=ROOT, check=True)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    config_path = out / "_config.yml"
    config_path.write_text(yaml.safe_dump(config))
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [
            str(jupyter_book),
            "build",
            str(ROOT),
            "--path-output",
            str(out),
            "--config",
            str(config_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "_build" / "html"


def test_every_code_page_links_colab_to_a_built_notebook(built_site):
    assert check_site.problems(built_site) == []
    links = check_site.colab_links(built_site, ROOT / "book")
    code_pages = [p for p in (ROOT / "book").glob("*.ipynb")]
    assert len(code_pages) >= 5
    for notebook in code_pages:
        hrefs = links[notebook.stem]
        assert hrefs, notebook.stem
        assert all(h.endswith(f"/book/{notebook.stem}.ipynb") for h in hrefs)
    # the assignment's button opens its student copy
    study = nbformat.read(ROOT / "book" / "assignments" / "study.ipynb", as_version=4)
    assert study.metadata["hgf_tutorial"]["copy"] == "student"
    assert links["assignments/study"][0].endswith("/book/assignments/study.ipynb")


def test_site_check_catches_a_link_to_markdown(tmp_path):
    html = tmp_path / "html" / "book"
    html.mkdir(parents=True)
    (html / "intro.html").write_text(
        '<a href="https://colab.research.google.com/github/o/r/blob/colab/book/intro.md">x</a>'
    )
    (html / "missing.html").write_text(
        '<a href="https://colab.research.google.com/github/o/r/blob/colab/book/nope.ipynb">x</a>'
    )
    found = check_site.problems(tmp_path / "html")
    assert any("does not name a notebook" in line for line in found)
    assert any("book/nope.ipynb, which the build did not make" in line for line in found)


def test_site_check_catches_a_colab_notebook_that_shows_solutions(tmp_path):
    """The built site's links open the folded or student copy; the instructor copy
    (solutions in plain sight) must be refused, for a chapter and the assignment."""
    subprocess.run([sys.executable, "scripts/build_notebooks.py"], cwd=ROOT, check=True)
    html = tmp_path / "html" / "book"
    (html / "assignments").mkdir(parents=True)
    base = "https://colab.research.google.com/github/o/r/blob/colab/"
    pages = {"loo": "book/loo.ipynb", "assignments/study": "book/assignments/study.ipynb"}
    for name, target in pages.items():
        (html / f"{name}.html").write_text(f'<a href="{base}{target}">x</a>')
    assert check_site.problems(tmp_path / "html") == []
    for name in pages:
        target = f"book/_generated/instructor/{name}.ipynb"
        (html / f"{name}.html").write_text(f'<a href="{base}{target}">x</a>')
    found = check_site.problems(tmp_path / "html")
    for name in pages:
        assert any(line.startswith(f"{name}: ") and "solution code shown" in line for line in found)
    assert any("solution text shown" in line for line in found)


def test_install_cell_is_pinned_to_the_commit():
    commit = (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        or "main"
    )
    subprocess.run([sys.executable, "scripts/build_notebooks.py"], cwd=ROOT, check=True)
    import nbformat

    for notebook_path in sorted((ROOT / "book").glob("*.ipynb")):
        notebook = nbformat.read(notebook_path, as_version=4)
        first = notebook.cells[0]
        assert first.cell_type == "code" and "google.colab" in first.source, notebook_path
        assert f"@{commit}" in first.source, notebook_path
        # the versions come from requirements.txt at the same commit
        assert f"/{commit}/requirements.txt" in first.source, notebook_path
        assert "/main/" not in first.source and "@main" not in first.source, notebook_path


def _actionlint():
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert exe, "actionlint is not installed in the environment"
    return exe


def test_workflows_pass_actionlint():
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) >= 2
    result = subprocess.run([_actionlint(), *workflows], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ matrix.nope }}\n"
    )
    result = subprocess.run([_actionlint(), str(broken)], capture_output=True, text=True)
    assert result.returncode != 0
