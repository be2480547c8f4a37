"""Run every page's notebook the way a student runs it in Colab, here.

Usage::

    .venv/bin/python scripts/colab_check.py            # what `make colab-check` runs
    .venv/bin/python scripts/colab_check.py --root /tmp/old-checkout   # another checkout

We cannot reach Colab's image, so this builds the nearest thing: a fresh Python
3.12 virtual environment (``_build/colab-check/venv``) with the packages Colab
ships that matter here preinstalled at Colab-like versions (:data:`PREINSTALLED`:
the newest JAX, older NumPy, pandas, Matplotlib, SciPy and PyMC 5, IPython 7
and ipykernel 6 for the kernel). Then, in that environment:

1. **The install cell, as a student meets it.** The first cell of a generated
   notebook (``scripts/build_notebooks.py``), with its two GitHub addresses
   pointed at this checkout (the package's sources and its ``requirements.txt``),
   runs in a kernel that has already imported NumPy and Matplotlib, as a Colab
   kernel has after any earlier cell. The cell must change the versions, say that
   it restarts the runtime, and restart it.
2. **The versions.** Every package of :data:`PINNED`, and every other package of
   the package's dependency tree, must now be at its version in
   ``requirements.txt``; the kernel's own packages (:data:`KERNEL`) must be
   untouched; importing ``hgf_tutorial`` must not warn about XLA's CPU runtime
   (pyhgf warns when JAX came first or when jaxlib is too new for its flag).
3. **Every page.** Each notebook that a page's Colab button opens (the twins)
   runs top to bottom in quick mode (``HGF_TUTORIAL_QUICK=1``), install cell
   included (Colab's guard is made to fire by a first cell that registers a
   ``google.colab`` module). A notebook that is a student copy (stubs in place of
   the solutions, the assignment's) must run with no error but the self-checks'
   ``CheckFailed`` at the stubs.

It fails (exit status 1) on any page error, version difference or warning, and
prints how long each step took. It stays outside ``make test``: it installs a
second environment from the package index (a few minutes).

``--time-assignment`` also runs the assignment's instructor copy at full settings
and prints how long its install, first fit (with JAX's and PyTensor's
compilation) and later fits took: the figures the assignment page quotes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "_build" / "colab-check"

#: What Colab preinstalls that matters here, at Colab-like versions: the newest JAX
#: (newer than pyhgf accepts), NumPy, pandas, Matplotlib and SciPy a release or two
#: behind this project's pins, PyMC 5, Colab's kernel (IPython 7, ipykernel 6) and
#: Jinja2.
PREINSTALLED = [
    "jax",
    "jaxlib",
    "numpy~=2.2.0",
    "pandas~=2.2.0",
    "matplotlib~=3.10.0",
    "scipy~=1.16.0",
    "pymc~=5.28.0",
    "ipython==7.34.0",
    "ipykernel==6.17.1",
    "jinja2",  # Colab has it; pandas' DataFrame.style needs it (the scaling page's tables)
    "nbclient",
    "nbformat",
]
#: Packages that must end at their version in requirements.txt (the issue's list).
PINNED = ["jax", "jaxlib", "pyhgf", "pymc", "pytensor", "nutpie", "arviz", "numpy"]
#: The kernel's own packages: the install cell must leave them as Colab has them.
KERNEL = ["ipython", "ipykernel", "jupyter-client", "tornado", "traitlets", "pyzmq"]
#: Registers a module named google.colab, so that the install cell's guard fires.
FAKE_COLAB = (
    "# colab_check: make the install cell's `'google.colab' in sys.modules` true\n"
    "import sys, types\n"
    "colab = types.ModuleType('google.colab')\n"
    "colab.output = types.ModuleType('google.colab.output')  # jax imports it in Colab\n"
    "sys.modules.setdefault('google', types.ModuleType('google'))\n"
    "sys.modules.update({'google.colab': colab, 'google.colab.output': colab.output})"
)
RESTART_MESSAGE = "Restarting the runtime"
XLA_WARNINGS = ("jax was already imported", "runs XLA:CPU on the thunk runtime")
GIT_SOURCE = re.compile(r"git\+https://github\.com/[\w.-]+/[\w.-]+@[\w.-]+")
RAW_REQUIREMENTS = re.compile(
    r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/[\w.-]+/requirements\.txt"
)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(str(c) for c in command), flush=True)
    return subprocess.run(command, check=True, **kwargs)


def requirements(root: Path) -> dict[str, str]:
    """``{canonical name: version}`` of the ``==`` pins in ``root/requirements.txt``."""
    pins = {}
    for line in (root / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[canonical(name)] = version.strip()
    return pins


def installed(python: Path) -> dict[str, str]:
    """``{canonical name: version}`` of what ``python``'s environment holds."""
    out = subprocess.run(
        [str(python), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {canonical(p["name"]): p["version"] for p in json.loads(out)}


def dependency_tree(python: Path, name: str = "hgf-tutorial") -> set[str]:
    """Canonical names of ``name`` and everything it needs, as installed there."""
    script = (
        "import json, re, sys\n"
        "from importlib.metadata import requires\n"
        "from packaging.requirements import Requirement\n"
        "c = lambda n: re.sub(r'[-_.]+', '-', n).lower()\n"
        "seen, todo = set(), [sys.argv[1]]\n"
        "while todo:\n"
        "    n = c(todo.pop())\n"
        "    if n in seen: continue\n"
        "    seen.add(n)\n"
        "    try: reqs = requires(n) or []\n"
        "    except Exception: continue\n"
        "    for r in map(Requirement, reqs):\n"
        "        if r.marker is None or r.marker.evaluate({'extra': ''}):\n"
        "            todo.append(r.name)\n"
        "print(json.dumps(sorted(seen)))\n"
    )
    out = subprocess.run(
        [str(python), "-c", script, name], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out))


def package_source(root: Path, target: Path) -> Path:
    """Copy of what pip needs to build the package from ``root`` (its working tree)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(root / name, target / name)
    shutil.copytree(
        root / "hgf_tutorial", target / "hgf_tutorial", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def localise(source: str, package: Path, root: Path) -> str:
    """The install cell with its GitHub addresses pointed at this machine."""
    source = GIT_SOURCE.sub(package.as_uri(), source)
    return RAW_REQUIREMENTS.sub(str(root / "requirements.txt"), source)


def colab_notebook(path: Path, package: Path, root: Path):
    """The notebook at ``path`` as the check runs it: fake Colab first, local addresses."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    install = notebook.cells[0]
    if install.cell_type != "code" or "google.colab" not in install.source:
        raise ValueError(f"path: {path} does not start with the Colab install cell")
    install.source = localise(install.source, package, root)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(FAKE_COLAB))
    return notebook


def notebooks_to_run(root: Path) -> list[tuple[str, Path, bool]]:
    """``(page, notebook, is_student_copy)`` for every page in ``_toc.yml`` with a twin,
    plus the student copies of the assignments when the twin is not already one."""
    import nbformat
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    found = []
    for name in files:
        twin = root / f"{name}.ipynb"
        if not twin.is_file():
            continue
        notebook = nbformat.read(twin, as_version=4)
        student = notebook.metadata.get("hgf_tutorial", {}).get("copy") == "student"
        found.append((name, twin, student))
        copy = root / "book" / "_generated" / "student" / Path(name).relative_to("book")
        copy = copy.with_suffix(".ipynb")
        if not student and "assignments" in Path(name).parts and copy.is_file():
            found.append((f"{name} (student copy)", copy, True))
    return found


def execute(python: Path, notebook, out: Path, *, allow_errors: bool, env: dict) -> dict:
    """Execute ``notebook`` with ``python``'s kernel; returns this file's ``--execute`` report."""
    import nbformat

    out.parent.mkdir(parents=True, exist_ok=True)
    source = out.with_suffix(".in.ipynb")
    nbformat.write(notebook, source)
    command = [str(python), str(Path(__file__).resolve()), "--execute", str(source), str(out)]
    if allow_errors:
        command.append("--allow-errors")
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": (result.stdout + result.stderr)[-3000:], "seconds": None, "cells": []}


def _execute_here(source: str, target: str, allow_errors: bool) -> None:
    """Runs inside the Colab-like environment: execute one notebook, print a JSON report."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    notebook = nbformat.read(source, as_version=4)
    client = NotebookClient(
        notebook, timeout=1800, kernel_name="python3", allow_errors=allow_errors
    )
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except DeadKernelError as exc:
        error = f"DeadKernelError: {exc}"
    except CellExecutionError as exc:
        error = str(exc)[-3000:]
    seconds = time.perf_counter() - start
    nbformat.write(notebook, target)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        timing = cell.metadata.get("execution", {})
        began, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        text, errors = [], []
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                text.append(output.text)
            elif output.output_type == "error":
                errors.append(f"{output.ename}: {output.evalue}")
        cells.append(
            {
                "source": cell.source[:2000],
                "began": began,
                "ended": ended,
                "text": "".join(text)[-2000:],
                "errors": errors,
            }
        )
    print(json.dumps({"error": error, "seconds": seconds, "cells": cells}))


def _seconds(cell: dict) -> float | None:
    from datetime import datetime

    if not cell.get("began") or not cell.get("ended"):
        return None
    began = datetime.fromisoformat(cell["began"].replace("Z", "+00:00"))
    ended = datetime.fromisoformat(cell["ended"].replace("Z", "+00:00"))
    return (ended - began).total_seconds()


def check_outputs(name: str, report: dict, *, student: bool) -> list[str]:
    """Problems in one executed notebook's report."""
    problems = []
    if report["error"] and not student:
        problems.append(f"{name}: {report['error'].strip().splitlines()[-1][:500]}")
    for cell in report["cells"]:
        for error in cell["errors"]:
            if not student or not error.startswith("CheckFailed"):
                problems.append(f"{name}: {error[:300]} in cell {cell['source'][:80]!r}")
        for warning in XLA_WARNINGS:
            if warning in cell["text"]:
                problems.append(f"{name}: pyhgf warned {warning!r}")
    if student and not any(cell["errors"] for cell in report["cells"]):
        problems.append(f"{name}: a student copy whose stubs no check refused")
    return problems


def installed_by_cell(source: str) -> list[str]:
    """Names of the packages that an install cell's ``%pip install`` lines name."""
    names = []
    for line in source.splitlines():
        line = line.strip()
        if not line.startswith("%pip install"):
            continue
        words = re.findall(r'"[^"]*"|\S+', line)[2:]
        skip = False
        for word in words:
            word = word.strip('"')
            if skip:
                skip = False
                continue
            if word in ("-c", "-r", "--constraint", "--requirement"):
                skip = True
                continue
            if word.startswith("-"):
                continue
            names.append(canonical(re.split(r"[\s@=<>!~\[;]", word, maxsplit=1)[0]))
    return names


def imported_modules(notebook) -> set[str]:
    """Top-level modules a notebook's code imports, outside ``try: ... except ImportError``.

    IPython magics count too: ``%load_ext name`` imports ``name``; other magic
    and shell lines are skipped.
    """
    import ast

    found = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        lines = []
        for line in cell.source.split("\n"):
            bare = line.strip()
            if bare.startswith("%load_ext "):
                found.add(bare.split()[1].split(".")[0])
            # magics and shell lines: keep the indentation valid, drop the command
            lines.append(
                line[: len(line) - len(line.lstrip())] + "pass"
                if bare[:1] in "%!" and bare
                else line
            )
        tree = ast.parse("\n".join(lines))
        guarded = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                for h in node.handlers
            ):
                guarded |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
        for node in ast.walk(tree):
            if id(node) in guarded:
                continue
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def colab_modules(root: Path, extra: list[str]) -> set[str]:
    """Modules a notebook may import in Colab after its install cell.

    The standard library, this package, and the modules of every distribution
    in the dependency tree of the package's declared dependencies
    (``pyproject.toml``) and of ``extra`` (what the install cell names), as
    installed in the running environment.
    """
    import tomllib
    from importlib.metadata import PackageNotFoundError, packages_distributions, requires

    from packaging.requirements import Requirement

    declared = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    todo = [Requirement(r).name for r in declared] + list(extra)
    tree: set[str] = set()
    while todo:
        name = canonical(todo.pop())
        if name in tree:
            continue
        tree.add(name)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        for need in map(Requirement, needs):
            if need.marker is None or need.marker.evaluate({"extra": ""}):
                todo.append(need.name)
    modules = set(sys.stdlib_module_names) | {"hgf_tutorial"}
    for module, owners in packages_distributions().items():
        if any(canonical(owner) in tree for owner in owners):
            modules.add(module)
    return modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to check")
    parser.add_argument("--work", type=Path, default=WORK, help="where the venv goes")
    parser.add_argument("--python", default="python3.12", help="interpreter for the venv")
    parser.add_argument("--reuse", action="store_true", help="keep an existing venv")
    parser.add_argument("--pages", nargs="*", help="only these pages (e.g. book/simulate)")
    parser.add_argument("--time-assignment", action="store_true")
    parser.add_argument("--execute", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--allow-errors", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.execute:
        _execute_here(*args.execute, args.allow_errors)
        return 0

    root = args.root.resolve()
    if not (root / "_toc.yml").is_file():
        raise ValueError(f"root: {root} is not a checkout of this book (no _toc.yml)")
    work = args.work.resolve()
    venv, python = work / "venv", work / "venv" / "bin" / "python"
    times: dict[str, float] = {}
    problems: list[str] = []
    started = time.perf_counter()

    # the notebooks, as the publish workflow builds them
    run([sys.executable, str(root / "scripts" / "build_notebooks.py")], cwd=root)

    if not (args.reuse and python.exists()):
        shutil.rmtree(venv, ignore_errors=True)
        clock = time.perf_counter()
        run([args.python, "-m", "venv", str(venv)])
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        run([str(python), "-m", "pip", "install", "--quiet", *PREINSTALLED])
        times["Colab-like environment"] = time.perf_counter() - clock
    before = installed(python)
    print("preinstalled:", {n: before.get(n) for n in [*PINNED, "pandas", "matplotlib", *KERNEL]})

    package = package_source(root, work / "source")
    env = {**os.environ, "HGF_TUTORIAL_QUICK": "1"}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    pages = notebooks_to_run(root)
    if args.pages:
        pages = [p for p in pages if p[0].split(" ")[0] in args.pages]

    # 1. the install cell in a kernel that has already loaded NumPy and Matplotlib
    import nbformat

    first = colab_notebook(pages[0][1], package, root)
    first.cells = (
        first.cells[:1]
        + [nbformat.v4.new_code_cell("import matplotlib.pyplot\nimport numpy\nimport pandas")]
        + first.cells[1:2]
    )
    print("install cell:\n" + first.cells[2].source, flush=True)
    report = execute(python, first, work / "out" / "install.ipynb", allow_errors=False, env=env)
    times["install cell (with the kernel's start)"] = report["seconds"]
    restarted = bool(report["error"]) and "DeadKernelError" in report["error"]
    said = RESTART_MESSAGE in "".join(c["text"] for c in report["cells"])
    after = installed(python)
    changed_loaded = [n for n in ("numpy", "matplotlib", "pandas") if before.get(n) != after.get(n)]
    if changed_loaded and not (restarted and said):
        problems.append(
            f"install cell: it changed {changed_loaded}, which the kernel had loaded, "
            f"without restarting the runtime (restarted: {restarted}, said so: {said})"
        )
    if report["error"] and not restarted:
        problems.append(f"install cell: {report['error'][-500:]}")

    # 2. the versions
    pins = requirements(root)
    tree = dependency_tree(python) if "hgf-tutorial" in after else set()
    for name in sorted(set(PINNED) | (tree & set(pins))):
        if after.get(name) != pins.get(name):
            problems.append(f"version: {name} {after.get(name)}, tested with {pins.get(name)}")
    for name in KERNEL:
        if after.get(name) != before.get(name):
            problems.append(
                f"kernel: the install changed {name} {before.get(name)} -> {after.get(name)}"
            )
    probe = subprocess.run(
        [str(python), "-W", "always", "-c", "import hgf_tutorial"],
        capture_output=True,
        text=True,
        env=env,
    )
    if probe.returncode:
        problems.append(f"import hgf_tutorial failed: {probe.stderr[-500:]}")
    for warning in XLA_WARNINGS:
        if warning in probe.stderr:
            problems.append(f"import hgf_tutorial: pyhgf warned {warning!r}")

    # 3. every page, quick mode, in a fresh kernel each
    for name, path, student in pages:
        notebook = colab_notebook(path, package, root)
        out = work / "out" / (name.replace("/", "_").replace(" ", "_") + ".ipynb")
        print(f"running {name} ({path.relative_to(root)})", flush=True)
        report = execute(python, notebook, out, allow_errors=student, env=env)
        times[name] = report["seconds"] or float("nan")
        found = check_outputs(name, report, student=student)
        print(f"  {times[name]:.0f} s, {len(found)} problem(s)", flush=True)
        problems += found

    if args.time_assignment:
        problems += time_assignment(python, package, root, work, env, times)

    times["total"] = time.perf_counter() - started
    print("\nseconds:")
    for step, seconds in times.items():
        print(f"  {step}: {seconds:.0f}" if seconds is not None else f"  {step}: ?")
    for line in problems:
        print("PROBLEM", line)
    print(f"colab check: {len(problems)} problem(s)")
    return 1 if problems else 0


def time_assignment(python, package, root, work, env, times) -> list[str]:
    """Run the assignment's instructor copy at full settings; time its fits."""
    path = root / "book" / "_generated" / "instructor" / "assignments" / "study.ipynb"
    notebook = colab_notebook(path, package, root)
    full_env = {k: v for k, v in env.items() if k != "HGF_TUTORIAL_QUICK"}
    report = execute(
        python, notebook, work / "out" / "study_full.ipynb", allow_errors=False, env=full_env
    )
    fits = [
        (cell["source"].splitlines()[0][:60], _seconds(cell))
        for cell in report["cells"]
        if "sample(" in cell["source"]
    ]
    print("assignment at full settings, cells that sample:")
    for first_line, seconds in fits:
        print(f"  {seconds:.0f} s  {first_line}")
    times["assignment, full settings"] = report["seconds"]
    return check_outputs("assignment (full settings)", report, student=False)


if __name__ == "__main__":
    sys.exit(main())
