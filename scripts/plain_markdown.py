"""Turn the MyST-only syntax of a page's markdown cells into plain Markdown.

Jupyter and Colab render CommonMark (with ``$`` maths), not MyST: a twin that
kept ``{ref}`` roles or ``{admonition}`` fences would show them as literal text.
:func:`plain_notebook` rewrites every markdown cell of a generated notebook:

- ``(label)=`` targets are dropped;
- ``{ref}`` and ``{doc}`` become links to the published page (:func:`site_url`),
  ``{numref}`` of a figure "the figure above/below" on the same page or a link;
- ``{cite:t}`` and ``{cite:p}`` become "Author (Year)" and "(Author Year)", and a
  "References" cell with the full entries from ``book/references.bib`` is added;
- ``{glue:text}`` becomes the value the page printed when the site's build
  executed it (from the execution cache), or a pointer to the published page;
- ``{literalinclude}`` becomes the included code as a fenced block;
- admonitions and any other directive become a headed block quote;
- ``{func}`` and other code roles become inline code.

A role's text may span line breaks within a paragraph, as MyST allows (the text
is wrapped like any other): roles are rewritten paragraph by paragraph, not line
by line.

A code cell with a MyST figure caption gets the caption as a markdown cell after it.
:func:`leftover_myst` finds what would still need MyST (the tests use it).
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from ast import literal_eval
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
CACHE = ROOT / "_build" / ".jupyter_cache"

ROLE = re.compile(r"\{(?P<name>[\w:-]+)\}`(?P<body>[^`]*)`")
DIRECTIVE_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$"
)
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
TARGET = re.compile(r"^\([\w.:-]+\)=[ \t]*$")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
HEADING = re.compile(r"^[ \t>]*#{1,6}(?:[ \t]|$)")
#: a role, or an inline code span (left as it is), whichever starts first; either
#: may span the line breaks of a paragraph
INLINE = re.compile(
    r"\{(?P<name>[\w:-]+)\}`(?P<body>[^`]*)`|(?P<code>(?P<ticks>`+)[\s\S]*?(?P=ticks))"
)
#: as INLINE, and also the opening of a role whose text is never closed
LEFTOVER = re.compile(INLINE.pattern + r"|(?P<open>\{[\w:-]+\}`)")
#: a line break in a role's text, with the indentation or block-quote marks after it
ROLE_BREAK = re.compile(r"[ \t]*\n[ \t>]*")
TITLED = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$")
ADMONITIONS = {
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
}


def site_url() -> str:
    """Base address of the published site, with a trailing slash.

    ``html.baseurl`` in ``_config.yml`` when set, otherwise the GitHub Pages
    address of ``repository.url`` (``https://<owner>.github.io/<repo>/``).
    """
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    base = (config.get("html") or {}).get("baseurl") or ""
    if not base:
        repository = config["repository"]["url"].rstrip("/")
        owner, repo = repository.split("github.com/", 1)[1].split("/")[:2]
        base = f"https://{owner}.github.io/{repo}/"
    return base if base.endswith("/") else base + "/"


def _title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


class Site:
    """What the pages define: labels (pages and figures), titles, references."""

    def __init__(self, book: Path = BOOK, base: str | None = None):
        self.book = book
        self.base = base if base is not None else site_url()
        self.labels: dict[str, tuple[str, str | None]] = {}  # label -> (page, anchor)
        self.titles: dict[str, str] = {}  # page -> title
        for page in sorted(book.rglob("*.md")):
            rel = page.relative_to(book)
            if any(part.startswith("_") for part in rel.parts):
                continue
            name = str(rel.with_suffix(""))
            text = page.read_text()
            self.titles[name] = _title(text)
            for match in re.finditer(r"^\(([\w.:-]+)\)=\s*\n+(#+) ", text, re.MULTILINE):
                anchor = None if match.group(2) == "#" else match.group(1)
                self.labels[match.group(1)] = (name, anchor)
            for match in re.finditer(r"^\s*(?:name|:label):\s*([\w.:-]+)\s*$", text, re.MULTILINE):
                self.labels.setdefault(match.group(1), (name, match.group(1)))
        self.bib = _bibliography(book / "references.bib")

    def url(self, label: str) -> str:
        if label not in self.labels:
            raise ValueError(f"label: {label!r} is not defined on any page")
        page, anchor = self.labels[label]
        return f"{self.base}book/{page}.html" + (f"#{anchor}" if anchor else "")

    def page_url(self, page: str) -> str:
        return f"{self.base}book/{page}.html"


def _latex(text: str) -> str:
    """BibTeX text as plain Unicode (``B\\"urkner`` is Bürkner)."""
    import codecs

    import latexcodec  # noqa: F401  (registers the codec)

    return codecs.decode(text, "ulatex").replace("{", "").replace("}", "")


def _bibliography(path: Path) -> dict[str, dict]:
    """``{key: {"authors": [last names], "year", "text"}}`` from a BibTeX file."""
    from pybtex.database import parse_file

    entries = {}
    if not path.is_file():
        return entries
    for key, entry in parse_file(str(path)).entries.items():
        people = entry.persons.get("author", []) or entry.persons.get("editor", [])
        last = [_latex(" ".join(p.last_names)) for p in people]
        fields = {k.lower(): _latex(v) for k, v in entry.fields.items()}
        year = fields.get("year", "n.d.")
        names = ", ".join(
            _latex(" ".join(p.last_names + [n[0] + "." for n in p.first_names + p.middle_names]))
            for p in people
        )
        venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher", "")
        text = f"{names} ({year}). {fields.get('title', key)}."
        if venue:
            text += f" *{venue}*."
        if fields.get("doi"):
            text += f" https://doi.org/{fields['doi']}"
        elif fields.get("url"):
            text += f" {fields['url']}"
        entries[key] = {"authors": last, "year": year, "text": text}
    return entries


def _author(entry: dict) -> str:
    authors = entry["authors"]
    if len(authors) == 1:
        return authors[0]
    if len(authors) == 2:
        return f"{authors[0]} and {authors[1]}"
    return f"{authors[0]} et al."


def glued_values(page: Path, cache: Path = CACHE) -> dict[str, str]:
    """``{name: text/plain}`` that the page glued in its cached execution, if any."""
    if not cache.is_dir():
        return {}
    try:
        from jupyter_cache import get_cache
        from myst_nb.core.read import read_myst_markdown_notebook

        store = get_cache(str(cache))
        record = store.match_cache_notebook(read_myst_markdown_notebook(page.read_text()))
        executed = store.get_cache_bundle(record.pk).nb
    except (ImportError, KeyError, OSError):
        return {}
    values = {}
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if not scrapbook:
                continue
            data = output.get("data", {})
            key = scrapbook.get("mime_prefix", "") + "text/plain"
            if key in data:
                values[scrapbook["name"]] = data[key]
    return values


def _format_glue(text: str, spec: str) -> str:
    """As myst-nb's ``{glue:text}`` formats a glued value."""
    # NumPy scalars are stored as their repr, e.g. "np.float64(0.77)"
    text = re.sub(r"^np\.\w+\((.*)\)$", r"\1", text.strip())
    try:
        value = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if not spec:
        return str(value)
    kind = spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, spec)


class Converter:
    """Rewrites one notebook's markdown cells (see the module's docstring)."""

    def __init__(self, site: Site, page: str, glue: dict[str, str] | None = None):
        self.site, self.page = site, page
        self.glue = glue or {}
        self.cited: list[str] = []
        self.cell_index = 0
        self.figures: dict[str, int] = {}  # figure label -> index of its code cell

    # ---- roles ---------------------------------------------------------------
    def role(self, name: str, body: str) -> str:
        if name != "math":  # text wrapped over lines reads as one line
            body = ROLE_BREAK.sub(" ", body).strip()
        titled = TITLED.match(body)
        text, target = (titled.group("title"), titled.group("target")) if titled else ("", body)
        if name == "ref":
            page, _ = self.site.labels.get(target, (None, None))
            if page is None:
                raise ValueError(f"{self.page}: {{ref}} to an unknown label {target!r}")
            return f"[{text or self.site.titles.get(page) or target}]({self.site.url(target)})"
        if name == "doc":
            page = str((Path(self.page).parent / target).as_posix()).removeprefix("./")
            page = re.sub(r"[^/]+/\.\./", "", page)
            return f"[{text or self.site.titles.get(page, target)}]({self.site.page_url(page)})"
        if name == "numref":
            return self.numref(text.replace("%s", "").strip(), target)
        if name in ("cite:t", "cite:p", "cite"):
            return self.cite(name, target)
        if name.startswith("glue"):
            key, _, spec = target.partition(":")
            if key in self.glue:
                return _format_glue(self.glue[key], spec)
            return f"(value on the [published page]({self.site.page_url(self.page)}))"
        if name == "math":
            return f"${body}$"
        # {func}, {class}, {mod}, ...: the name as code, without a leading ~
        shown = target.split(".")[-1] if target.startswith("~") else target
        return f"`{text or shown.lstrip('~')}`"

    def numref(self, text: str, label: str) -> str:
        if label in self.figures:
            where = "above" if self.figures[label] < self.cell_index else "below"
            return (
                f"{text} (below)".strip()
                if text and where == "below"
                else (text or f"the figure {where}")
            )
        page, _ = self.site.labels.get(label, (None, None))
        if page is None:
            raise ValueError(f"{self.page}: {{numref}} to an unknown label {label!r}")
        text = text or f"a figure on the page '{self.site.titles.get(page, page)}'"
        return f"[{text}]({self.site.url(label)})"

    def cite(self, kind: str, keys: str) -> str:
        parts = []
        for key in [k.strip() for k in keys.split(",") if k.strip()]:
            entry = self.site.bib.get(key)
            if entry is None:
                raise ValueError(f"{self.page}: citation {key!r} is not in references.bib")
            if key not in self.cited:
                self.cited.append(key)
            if kind == "cite:t":
                parts.append(f"{_author(entry)} ({entry['year']})")
            else:
                parts.append(f"{_author(entry)} {entry['year']}")
        return ", ".join(parts) if kind == "cite:t" else "(" + "; ".join(parts) + ")"

    def inline(self, text: str) -> str:
        """Roles rewritten outside inline code spans (``text``: a line or a paragraph)."""
        return INLINE.sub(lambda m: m["code"] or self.role(m["name"], m["body"]), text)

    # ---- directives ----------------------------------------------------------
    def directive(self, name: str, argument: str, options: dict, body: str) -> list[str]:
        if name == "literalinclude":
            return self.literalinclude(argument, options)
        if name == "math":
            return ["$$", body.strip("\n"), "$$"]
        if name in ("code-block", "code", "sourcecode"):
            return [f"```{argument}", body.strip("\n"), "```"]
        if name in ("exercise", "solution"):
            title = f"{name.capitalize()}: {argument}" if argument else name.capitalize()
        else:
            title = argument or ADMONITIONS.get(name, name.replace("-", " ").capitalize())
        inner = self.markdown(body).split("\n") if body.strip() else []
        quoted = [f"> **{self.inline(title)}**"] + (
            [">"] + [f"> {line}".rstrip() for line in inner] if inner else []
        )
        return quoted

    def literalinclude(self, argument: str, options: dict) -> list[str]:
        path = (self.site.book / Path(self.page).parent / argument).resolve()
        if not path.is_file():
            raise ValueError(f"{self.page}: literalinclude of a missing file {argument}")
        source = path.read_text()
        shown = source
        try:
            if "pyobject" in options:
                shown = _pyobject(source, options["pyobject"], path)
            lines = shown.split("\n")
            if "start-at" in options or "start-after" in options:
                pattern = options.get("start-at", options.get("start-after"))
                first = next(i for i, line in enumerate(lines) if pattern in line)
                lines = lines[first + (0 if "start-at" in options else 1) :]
            if "end-before" in options:
                lines = lines[
                    : next(i for i, line in enumerate(lines) if options["end-before"] in line)
                ]
            shown = "\n".join(lines)
        except (ValueError, StopIteration) as error:  # Sphinx fails the site's build on the same
            print(f"warning: {self.page}: literalinclude {argument}: {error}", file=sys.stderr)
            url = self.site.page_url(self.page)
            return [f"*The code from `{argument}` is on the [published page]({url}).*"]
        if "dedent" in options:
            shown = textwrap.dedent(shown)
        shown = shown.strip("\n")
        try:
            where = path.relative_to(ROOT).as_posix()
        except ValueError:
            where = path.name
        what = f"`{options['pyobject']}` in " if "pyobject" in options else ""
        language = options.get("language", "python")
        return [f"*{what}`{where}`:*", "", f"```{language}", shown, "```"]

    def markdown(self, text: str) -> str:
        lines = text.split("\n")
        out: list[str] = []
        paragraph: list[str] = []  # lines whose roles are rewritten together

        def flush():
            if paragraph:
                out.append(self.inline("\n".join(paragraph)))
                paragraph.clear()

        i = 0
        fence = None
        while i < len(lines):
            line = lines[i]
            if not fence and (_breaks_paragraph(line) or DIRECTIVE_OPEN.match(line)):
                flush()
            if fence:  # inside a plain fenced code block: copy as is
                out.append(line)
                if re.match(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", line):
                    fence = None
                i += 1
                continue
            opening = DIRECTIVE_OPEN.match(line)
            if opening:
                mark = opening.group("fence")
                closing = re.compile(rf"^[ \t]*{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$")
                end = i + 1
                depth = 0
                while end < len(lines):
                    if (
                        DIRECTIVE_OPEN.match(lines[end])
                        and DIRECTIVE_OPEN.match(lines[end]).group("fence")[0] == mark[0]
                        and len(DIRECTIVE_OPEN.match(lines[end]).group("fence")) == len(mark)
                    ):
                        depth += 1
                    elif closing.match(lines[end]):
                        if depth == 0:
                            break
                        depth -= 1
                    end += 1
                inner = lines[i + 1 : end]
                options = {}
                if inner and inner[0].strip() == "---":  # YAML options block
                    stop = inner.index("---", 1)
                    options = yaml.safe_load("\n".join(inner[1:stop])) or {}
                    inner = inner[stop + 1 :]
                while inner and OPTION.match(inner[0].strip()):
                    option = OPTION.match(inner[0].strip())
                    options[option.group("key")] = _option_value(option.group("value"))
                    inner = inner[1:]
                out.extend(
                    self.directive(
                        opening.group("name"),
                        opening.group("arg").strip(),
                        options,
                        "\n".join(inner),
                    )
                )
                i = end + 1
                continue
            plain = FENCE.match(line)
            if plain:
                fence = plain.group(1)
                out.append(line)
                i += 1
                continue
            if TARGET.match(line.strip()):
                i += 1
                continue
            paragraph.append(line)
            if HEADING.match(line):  # a heading is a paragraph of its own
                flush()
            i += 1
        flush()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def _breaks_paragraph(line: str) -> bool:
    """Whether ``line`` ends the paragraph before it: blank (in a block quote too),
    a heading, a code fence or a ``(label)=`` target."""
    return (
        not line.strip(" \t>")
        or bool(HEADING.match(line))
        or bool(FENCE.match(line))
        or bool(TARGET.match(line.strip()))
    )


def _option_value(text: str) -> str:
    """A directive option's value as MyST reads it: a YAML scalar, quotes removed."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return text if value is None or isinstance(value, dict | list) else str(value)


def _pyobject(source: str, name: str, path: Path) -> str:
    """Source of the function or class ``name`` (``Class.method`` too), decorators included."""
    tree = ast.parse(source)
    nodes = tree.body
    node = None
    for part in name.split("."):
        node = next(
            (
                n
                for n in nodes
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and n.name == part
            ),
            None,
        )
        if node is None:
            raise ValueError(f"pyobject: {name!r} is not defined in {path}")
        nodes = node.body
    lines = source.split("\n")
    start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    return "\n".join(lines[start : node.end_lineno])


def plain_notebook(notebook, page: Path, site: Site | None = None, glue: dict | None = None):
    """Rewrite ``notebook``'s markdown cells in place; ``page`` is its MyST source."""
    site = site or Site()
    name = str(page.relative_to(site.book).with_suffix(""))
    converter = Converter(site, name, glue if glue is not None else glued_values(page))
    cells = []
    for index, cell in enumerate(notebook.cells):
        figure = (
            cell.metadata.get("mystnb", {}).get("figure", {}) if cell.cell_type == "code" else {}
        )
        if figure.get("name"):
            converter.figures[figure["name"]] = index
    for index, cell in enumerate(notebook.cells):
        converter.cell_index = index
        if cell.cell_type == "markdown":
            cell.source = converter.markdown(cell.source)
            if cell.source.strip():
                cells.append(cell)
            continue
        cells.append(cell)
        figure = (
            cell.metadata.get("mystnb", {}).get("figure", {}) if cell.cell_type == "code" else {}
        )
        if figure.get("caption"):
            caption = converter.markdown(str(figure["caption"])).replace("\n", " ")
            cells.append(nbformat.v4.new_markdown_cell(f"*Figure: {caption}*"))
    if converter.cited:
        entries = "\n".join(f"- {site.bib[key]['text']}" for key in converter.cited)
        cells.append(nbformat.v4.new_markdown_cell(f"## References\n\n{entries}"))
    notebook.cells = cells
    return notebook


def leftover_myst(notebook) -> list[str]:
    """MyST roles, directives and targets left in markdown cells (outside code).

    Each is reported as the line it starts on; a role may span the lines of a
    paragraph, and one whose text is never closed is reported too.
    """
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        paragraph: list[int] = []  # indices of the lines of the current paragraph
        fence = None
        for index, line in enumerate(lines + [""]):
            bare = line.lstrip("> ")
            if fence:
                if bare.strip().startswith(fence):
                    fence = None
                continue
            opening = FENCE.match(bare)
            ends = not bare.strip() or opening or DIRECTIVE_OPEN.match(bare)
            if (ends or HEADING.match(bare) or TARGET.match(bare.strip())) and paragraph:
                found.extend(lines[i] for i in _role_lines(lines, paragraph))
                paragraph = []
            if opening and "{" not in bare:
                fence = opening.group(1)
                continue
            if DIRECTIVE_OPEN.match(bare) or TARGET.match(bare.strip()):
                found.append(line)
            elif not ends:
                paragraph.append(index)
    return found


def _role_lines(lines: list[str], paragraph: list[int]) -> list[int]:
    """The lines of ``paragraph`` on which a role (closed or not) starts."""
    text = "\n".join(lines[i].lstrip("> ") for i in paragraph)
    starts = sorted(
        {
            paragraph[text.count("\n", 0, m.start())]
            for m in LEFTOVER.finditer(text)
            if m["name"] or m["open"]
        }
    )
    return starts
