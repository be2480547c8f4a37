"""The intro page's workflow figure and list follow the table of contents."""

import importlib
import re
from pathlib import Path

import yaml

from hgf_tutorial.plots import WORKFLOW_PAGES, workflow_diagram

ROOT = Path(__file__).resolve().parent.parent


def _workflow_part() -> list[str]:
    """The files of _toc.yml's first part ("The workflow"), without ``book/``."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    part = toc["parts"][0]
    assert part["caption"] == "The workflow"
    return [Path(chapter["file"]).name for chapter in part["chapters"]]


def _label_and_title(page: str) -> tuple[str, str]:
    text = (ROOT / "book" / f"{page}.md").read_text()
    label = re.search(r"^\((.+)\)=$", text, re.MULTILINE).group(1)
    title = re.search(r"^# (.+)$", text, re.MULTILINE).group(1)
    return label, title


def test_one_box_per_workflow_page_in_the_order_of_the_toc():
    pages = [page for page, _, _ in WORKFLOW_PAGES]
    assert pages == _workflow_part()
    for page, box, modules in WORKFLOW_PAGES:
        _, title = _label_and_title(page)
        assert " ".join(box.split()) == title, page
        for module in modules:
            importlib.import_module(f"hgf_tutorial.{module}")


def test_the_diagram_draws_the_boxes_as_one_chain():
    source = workflow_diagram().source
    nodes = re.findall(r"^\s*(\w+) \[label=", source, re.MULTILINE)
    edges = re.findall(r"^\s*(\w+) -> (\w+)", source, re.MULTILINE)
    pages = _workflow_part()
    assert nodes == pages
    assert edges == list(zip(pages, pages[1:], strict=False))


def test_the_intro_lists_the_same_pages_in_the_same_order():
    intro = (ROOT / "book" / "intro.md").read_text()
    section = intro.split("## The workflow", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\d+\. \{ref\}`([^`]+)`", section, re.MULTILINE)
    assert listed == [_label_and_title(page)[0] for page in _workflow_part()]
