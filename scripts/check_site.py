"""Check a built site: every code page has a Colab link to a notebook the build made.

Usage: ``python scripts/check_site.py _build/html``. Exits non-zero, listing the
problems, when a page that has an ``.ipynb`` twin lacks a Colab button, or when a
Colab button names anything but an existing ``.ipynb`` twin.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLAB = re.compile(r'href="(https://colab\.research\.google\.com/github/[^"]+)"')
COLAB_PATH = re.compile(r"https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/[^/]+/(.+)")


def colab_links(html_dir: Path, book_dir: Path) -> dict[str, list[str]]:
    """Map each page (relative to ``book_dir``, no suffix) to its Colab hrefs."""
    links = {}
    for page in sorted(html_dir.joinpath("book").rglob("*.html")):
        rel = page.relative_to(html_dir / "book").with_suffix("")
        links[str(rel)] = COLAB.findall(page.read_text())
    return links


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
    return found


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
