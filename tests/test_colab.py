"""What Colab gets: notebooks in plain Markdown whose imports the install cell provides.

The notebooks themselves run in a Colab-like environment in ``make colab-check``
(``scripts/colab_check.py``), outside this suite; here the fast checks.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
sys.path.insert(0, str(ROOT / "scripts"))

import colab_check  # noqa: E402
import plain_markdown  # noqa: E402

BASE = "https://example.github.io/site/"


@pytest.fixture(scope="module")
def notebooks():
    """Every generated notebook: the twins and the student and instructor copies."""
    subprocess.run([sys.executable, "scripts/build_notebooks.py"], cwd=ROOT, check=True)
    found = sorted(BOOK.rglob("*.ipynb"))
    assert len([p for p in found if "_generated" not in p.parts]) >= 9
    assert any("student" in p.parts for p in found)
    return {p: nbformat.read(p, as_version=4) for p in found}


@pytest.fixture(scope="module")
def site():
    return plain_markdown.Site(BOOK, base=BASE)


def _convert(site, text, page="simulate", glue=None):
    return plain_markdown.Converter(site, page, glue or {}).markdown(text)


def test_no_myst_left_in_any_notebook(notebooks):
    for path, notebook in notebooks.items():
        assert plain_markdown.leftover_myst(notebook) == [], path


def test_leftover_myst_finds_roles_directives_and_targets():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("(intro)=\n# Title\n\nSee {ref}`intro`."),
        nbformat.v4.new_markdown_cell(":::{note}\nText\n:::"),
        nbformat.v4.new_markdown_cell("Code `{ref}` and\n\n```\n{cite:p}`x`\n```"),
    ]
    found = plain_markdown.leftover_myst(notebook)
    assert found == ["(intro)=", "See {ref}`intro`.", ":::{note}"]


def test_leftover_myst_finds_roles_across_line_breaks():
    """A role whose text spans lines (as Markdown wraps it) is still MyST."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("see {ref}`the leave-one-out\npage <loo>` here."),
        nbformat.v4.new_markdown_cell("- a {cite:p}`mathys2011,\n  mathys2014`\n- b"),
        nbformat.v4.new_markdown_cell("> as {doc}`the\n> page <loo>` says"),
        # a role opened and never closed is left over too
        nbformat.v4.new_markdown_cell("broken {numref}`fig\n\nnext paragraph"),
        # inline code across lines is not a role
        nbformat.v4.new_markdown_cell("Code `x\n{ref}` y and `{doc}` z."),
    ]
    found = plain_markdown.leftover_myst(notebook)
    assert found == [
        "see {ref}`the leave-one-out",
        "- a {cite:p}`mathys2011,",
        "> as {doc}`the",
        "broken {numref}`fig",
    ]


def test_references_become_links_to_the_published_pages(site):
    assert _convert(site, "The {ref}`previous page <simulate>` and {ref}`loo`.") == (
        f"The [previous page]({BASE}book/simulate.html) and "
        f"[Pointwise log-likelihood and leave-one-out]({BASE}book/loo.html)."
    )
    assert _convert(site, "(simulate)=\n# Title") == "# Title"
    with pytest.raises(ValueError, match="unknown label 'nowhere'"):
        _convert(site, "{ref}`nowhere`")


def test_roles_whose_text_spans_line_breaks_are_converted(site):
    loo = f"[the leave-one-out page]({BASE}book/loo.html)"
    assert _convert(site, "see {ref}`the leave-one-out\npage <loo>` and more") == (
        f"see {loo} and more"
    )
    # wrapped in a list item, and the label on a line of its own
    assert _convert(site, "- see {ref}`the leave-one-out page\n  <loo>`;\n- next") == (
        f"- see {loo};\n- next"
    )
    assert _convert(site, "> see {doc}`the leave-one-out\n> page <loo>` here") == (
        f"> see {loo} here"
    )
    assert _convert(
        site, "as {cite:t}`iglesias2013,\n  mathys2011` and {cite:p}`mathys2011,\nmathys2014`"
    ) == (
        "as Iglesias et al. (2013), Mathys et al. (2011)"
        " and (Mathys et al. 2011; Mathys et al. 2014)"
    )
    assert _convert(site, "the {numref}`leave-one-out\nfigure <fig-loo-k>`") == (
        f"the [leave-one-out figure]({BASE}book/loo.html#fig-loo-k)"
    )
    # a role after an inline code span that spans lines, and no role across paragraphs
    assert (
        _convert(site, "`a\nb` then {ref}`the\npage <loo>`")
        == f"`a\nb` then [the page]({BASE}book/loo.html)"
    )
    assert _convert(site, "{ref}`the\n\npage <loo>`") == "{ref}`the\n\npage <loo>`"


def test_site_address_comes_from_the_repository():
    assert plain_markdown.site_url() == "https://hgf-tutorial.github.io/hierarchical-hgf/"


def test_citations_become_author_year_with_a_reference_list(site):
    converter = plain_markdown.Converter(site, "simulate", {})
    text = converter.markdown("As {cite:t}`iglesias2013` found {cite:p}`mathys2011,mathys2014`.")
    assert text == ("As Iglesias et al. (2013) found (Mathys et al. 2011; Mathys et al. 2014).")
    assert converter.cited == ["iglesias2013", "mathys2011", "mathys2014"]
    with pytest.raises(ValueError, match="not in references.bib"):
        converter.markdown("{cite:p}`nobody1900`")


def test_glue_takes_the_printed_value_or_points_to_the_page(site):
    glue = {"elpd": "-1677.5634", "n": "3190", "name": "'hgf3'"}
    text = _convert(site, "{glue:text}`elpd:.1f`, {glue:text}`n`, {glue:text}`name`", glue=glue)
    assert text == "-1677.6, 3190, hgf3"
    # a glued NumPy scalar is stored as its repr
    numpy_glue = {"share": "np.float64(0.7664883541833104)", "k": "np.int64(3)"}
    text = _convert(site, "{glue:text}`share:.0%` and {glue:text}`k`", glue=numpy_glue)
    assert text == "77% and 3"
    assert _convert(site, "{glue:text}`missing:.2f`", "loo") == (
        f"(value on the [published page]({BASE}book/loo.html))"
    )


def test_directives_become_headed_blocks_and_included_code(site):
    text = _convert(
        site,
        ":::{admonition} The code\n:class: dropdown\n\n"
        "```{literalinclude} ../hgf_tutorial/simulate.py\n:pyobject: simulate_group\n"
        ':end-before: \'"""\'\n```\n:::\n\n```{note}\nA {func}`~jax.vmap` note.\n```',
    )
    assert text.startswith("> **The code**\n>\n> *`simulate_group` in `hgf_tutorial/simulate.py`:*")
    assert "> def simulate_group(" in text and '"""' not in text
    assert text.endswith("> **Note**\n>\n> A `vmap` note.")


def test_every_notebook_imports_only_what_colab_gets(notebooks):
    """Each import is in the standard library, the package's declared dependencies
    (pyproject.toml, with what they need in turn) or what the install cell installs."""
    for path, notebook in notebooks.items():
        extra = colab_check.installed_by_cell(notebook.cells[0].source)
        assert "hgf-tutorial" in extra and "watermark" in extra, path
        missing = colab_check.imported_modules(notebook) - colab_check.colab_modules(ROOT, extra)
        assert missing == set(), path


def test_import_check_sees_unguarded_imports_and_magics():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom myst_nb import glue"),
        nbformat.v4.new_code_cell("try:\n    import sphinx\nexcept ImportError:\n    pass"),
        nbformat.v4.new_code_cell("%load_ext watermark\n!ls\nimport os.path"),
    ]
    imported = colab_check.imported_modules(notebook)
    assert imported == {"numpy", "myst_nb", "watermark", "os"}
    available = colab_check.colab_modules(ROOT, ["hgf-tutorial"])
    assert imported - available == {"myst_nb", "watermark"}
    cell = (
        '%pip install --quiet -c https://x/requirements.txt "hgf-tutorial @ git+https://x@y" a==1'
    )
    assert colab_check.installed_by_cell(cell) == ["hgf-tutorial", "a"]
