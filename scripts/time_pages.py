"""Measure how long each page takes to run, in quick and in full mode.

Usage::

    .venv/bin/python scripts/build_notebooks.py     # the twins and course copies
    .venv/bin/python scripts/time_pages.py          # writes book/_data/page_times.csv

Quick mode: each page's notebook (its instructor copy where it has one, which is
the twin plus its solutions) is executed with nbclient under
``HGF_TUTORIAL_QUICK=1``, one after the other, and timed from kernel start to the
last cell: what a student waits for in a fresh session.

Full mode is not re-run here: it is read from the execution report of the last
``make book`` on this machine, the run time jupyter-cache stored with the
cached notebook (``_build/.jupyter_cache``). A page whose current code has no
cached execution is written as ``not executed``: run ``make book`` first.

The CSV is committed and shown on the instructors' page; its last column says
when and on how many cores each row was measured.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build_notebooks  # noqa: E402

OUTPUT = ROOT / "book" / "_data" / "page_times.csv"
CACHE = ROOT / "_build" / ".jupyter_cache"
NOT_EXECUTED = "not executed"
#: The CSV's columns, as the instructors' page shows them.
PAGE, QUICK, FULL, MEASURED = "Page", "Quick mode (s)", "Full mode (s)", "Measured on"


def title(page: Path) -> str:
    for line in page.read_text().splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return page.stem


def full_mode_seconds(page: Path, cache_path: Path = CACHE) -> float | None:
    """Run time of the page's current code in the jupyter-cache, or None."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    if not cache_path.is_dir():
        return None
    notebook = read_myst_markdown_notebook(page.read_text())
    try:
        record = get_cache(str(cache_path)).match_cache_notebook(notebook)
    except KeyError:
        return None
    return record.data.get("execution_seconds")


def quick_mode_seconds(notebook_path: Path, timeout: int = 900) -> float:
    """Wall time of executing the notebook in quick mode (kernel start included)."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["HGF_TUTORIAL_QUICK"] = "1"
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def notebook_for(page: Path) -> Path:
    book = ROOT / "book"
    instructor = book / "_generated" / "instructor" / page.relative_to(book).with_suffix(".ipynb")
    return instructor if instructor.is_file() else page.with_suffix(".ipynb")


def cpu_description() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores" + (f" ({model})" if model else "")


def toc_order() -> list[str]:
    """Pages (relative to book/, no suffix) in the order of ``_toc.yml``."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return [str(Path(f).relative_to("book")) for f in files if f.startswith("book/")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--skip-quick", action="store_true", help="only read the full-mode times")
    parser.add_argument("pages", nargs="*", help="pages to measure (default: every code page)")
    args = parser.parse_args(argv)

    book = ROOT / "book"
    every_page = build_notebooks.code_pages(book)
    pages = [Path(p).resolve() for p in args.pages] or every_page
    titles = {title(page): page for page in every_page}
    rows = {}  # earlier measurements of pages not measured now are kept
    if args.output.is_file():
        with args.output.open() as handle:
            rows = {r[PAGE]: r for r in csv.DictReader(handle) if r[PAGE] in titles}
    for page in pages:
        name = title(page)
        quick = rows.get(name, {}).get(QUICK, "not measured")
        if not args.skip_quick:
            try:
                quick = f"{quick_mode_seconds(notebook_for(page)):.0f}"
            except Exception as error:  # a failing page is reported, not fatal
                print(f"{page.name}: quick run failed: {type(error).__name__}", file=sys.stderr)
                quick = "failed"
        full = full_mode_seconds(page)
        rows[name] = {
            PAGE: name,
            QUICK: quick,
            FULL: f"{full:.0f}" if full is not None else NOT_EXECUTED,
            MEASURED: f"{datetime.date.today().isoformat()}, {cpu_description()}",
        }
        print(f"{name}: quick {quick} s, full {rows[name][FULL]}")
    order = toc_order()

    def position(row):
        path = str(titles[row[PAGE]].relative_to(book).with_suffix(""))
        return order.index(path) if path in order else len(order)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[PAGE, QUICK, FULL, MEASURED])
        writer.writeheader()
        writer.writerows(sorted(rows.values(), key=position))
    print(f"wrote {args.output.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
