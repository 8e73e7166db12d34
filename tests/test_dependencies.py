"""Dependency direction: ``tfds_builders/`` and ``tuning/`` (installed as ``serzoo.tfds_builders`` and
``serzoo.tuning``) import serzoo's core (the ``serzoo/`` folder), never the reverse.

The core reaches the builders only through the loader :mod:`serzoo.builders` (by name, at call
time), each builder module imports alone, and no module-level import cycle exists inside the
three folders. The import graph is read from the source (AST), so these checks import nothing but
the builder modules, each in its own fresh interpreter.
"""

from __future__ import annotations

import ast
import os
import pathlib
import subprocess
import sys

import pytest

from serzoo.builders import DATASETS

REPO = pathlib.Path(__file__).resolve().parents[1]
#: folder -> the package name it installs under (setup.py)
PACKAGES = {"serzoo": "serzoo", "tfds_builders": "serzoo.tfds_builders", "tuning": "serzoo.tuning"}
LOADER = "serzoo.builders"


def _module_name(path: pathlib.Path) -> str:
    folder, *parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join([PACKAGES[folder], *(parts[:-1] if parts[-1] == "__init__" else parts)])


def _folder(module: str) -> str:
    """The folder a module's file lives in (``serzoo.tuning.search`` -> ``tuning``)."""
    longest_first = sorted(PACKAGES.items(), key=lambda item: -len(item[1]))
    return next(folder for folder, name in longest_first if f"{module}.".startswith(name + "."))


def _modules() -> dict[str, pathlib.Path]:
    """Every module of :data:`PACKAGES`, by dotted name (test files included)."""
    return {
        _module_name(path): path
        for folder in PACKAGES
        if (REPO / folder).is_dir()
        for path in sorted((REPO / folder).rglob("*.py"))
    }


def _dynamic_target(call: ast.Call) -> str | None:
    """The literal start of the module name of an ``importlib.import_module(...)`` call, if any."""
    func = call.func
    named = (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id == "import_module"
    )
    if not named or not call.args:
        return None
    arg = call.args[0]
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        arg = arg.values[0]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def imported_names(source: str, package: str, *, top_level: bool) -> set[str]:
    """Dotted names a module of ``package`` imports: ``import a.b`` -> ``a.b``; ``from a import b``
    -> ``a.b``; ``from . import b`` -> ``<package>.b``.

    ``top_level=True`` keeps only what runs at import time (not function bodies, not
    ``if TYPE_CHECKING:`` blocks, not ``importlib`` calls); ``False`` adds lazy imports and the
    literal prefix of ``importlib.import_module("...")`` calls.
    """
    found: set[str] = set()

    def visit(node: ast.AST, lazy: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            lazy = True
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            lazy = True
        if not (top_level and lazy):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                found.update(f"{base}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Call) and not top_level:
                target = _dynamic_target(node)
                if target:
                    found.add(target.rstrip("."))
        for child in ast.iter_child_nodes(node):
            visit(child, lazy)

    visit(ast.parse(source), False)
    return found


def _resolve(name: str, modules) -> str | None:
    """The longest prefix of ``name`` that is one of ``modules`` (``from a import b`` may name a value)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def _imports(module: str, path: pathlib.Path, *, top_level: bool) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return imported_names(path.read_text(), package, top_level=top_level)


def import_graph(modules: dict[str, pathlib.Path], *, top_level: bool) -> dict[str, set[str]]:
    """Module -> the project modules it imports (see :func:`imported_names`)."""
    return {
        module: {
            target
            for name in _imports(module, path, top_level=top_level)
            if (target := _resolve(name, modules)) and target != module
        }
        for module, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as ``[a, b, ..., a]``, or ``[]`` when it has none (iterative DFS)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph.get(start, ())))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return []


def test_find_cycle_finds_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_imported_names_sees_lazy_relative_and_importlib_imports():
    source = (
        "import os\nfrom . import sibling\nfrom .. import features as f\n"
        "def load():\n    from serzoo.tfds_builders.emodb import emodb_dataset_builder\n"
        "    return importlib.import_module(f'serzoo.tfds_builders.{name}')\n"
    )
    assert imported_names(source, "serzoo.sub", top_level=True) == {"os", "serzoo.sub.sibling", "serzoo.features"}
    assert imported_names(source, "serzoo.sub", top_level=False) == {
        "os",
        "serzoo.sub.sibling",
        "serzoo.features",
        "serzoo.tfds_builders.emodb.emodb_dataset_builder",
        "serzoo.tfds_builders",
    }


def test_only_the_loader_imports_tfds_builders():
    """No module of the core but :mod:`serzoo.builders` names the builders or tuning (lazily or by importlib)."""
    modules = _modules()
    outside = [name for folder, name in PACKAGES.items() if folder != "serzoo"]
    offenders = {
        module: sorted(
            n for n in _imports(module, path, top_level=False) if any(f"{n}.".startswith(o + ".") for o in outside)
        )
        for module, path in modules.items()
        if _folder(module) == "serzoo" and module != LOADER
    }
    offenders = {module: names for module, names in offenders.items() if names}
    assert offenders == {}, (
        f"serzoo modules import the builders (or tuning) directly: {offenders}; "
        f"go through {LOADER}.builder_class / builder_module instead"
    )


def test_modules_import_each_other_by_their_installed_names():
    """``tuning/`` and ``tfds_builders/`` install as ``serzoo.tuning`` / ``serzoo.tfds_builders``: a module naming the
    folders (``import tuning``) or importing relatively would load a second copy when pytest collects a builder's test
    under the folder's name (a TFDS builder registered twice)."""
    folders = ("tuning", "tfds_builders")
    offenders = {}
    for module, path in _modules().items():
        bad = [
            ast.unparse(node)
            for node in ast.walk(ast.parse(path.read_text()))
            if (isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] in folders))
            or (isinstance(node, ast.Import) and any(a.name.split(".")[0] in folders for a in node.names))
        ]
        if bad:
            offenders[module] = bad
    assert offenders == {}, f"import by the installed names (serzoo.tuning..., serzoo.tfds_builders...): {offenders}"


def test_packages_depend_one_way():
    """Package graph from every import (lazy ones too), the loader's by-name lookup excepted."""
    modules = _modules()
    graph = import_graph(modules, top_level=False)
    packages: dict[str, set[str]] = {folder: set() for folder in PACKAGES}
    for module, targets in graph.items():
        if module != LOADER:
            packages[_folder(module)] |= {_folder(t) for t in targets} - {_folder(module)}
    assert find_cycle(packages) == [], f"package import cycle: {find_cycle(packages)}; graph {packages}"


def test_no_module_level_import_cycle():
    graph = import_graph(_modules(), top_level=True)
    assert "serzoo.tfds_builders.emodb.emodb_dataset_builder" in graph["serzoo.tfds_builders.emodb"]  # real imports
    cycle = find_cycle(graph)
    assert cycle == [], f"module-level import cycle: {' -> '.join(cycle)}"


def test_each_builder_module_imports_alone_and_serzoo_imports_no_builder():
    """Fresh interpreters, run side by side: each builder module alone; then serzoo's data-side
    modules, which must not have imported any builder (or TFDS) by the end."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    scripts = {
        name: f"import serzoo.tfds_builders.{name}.{name}_dataset_builder as m; assert m.Builder" for name in DATASETS
    }
    scripts["serzoo"] = (
        "import sys, serzoo, serzoo.builders, serzoo.data, serzoo.verify_corpus\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('serzoo.tfds_builders', 'tensorflow_datasets')))\n"
        "assert not loaded, loaded"
    )
    runs = {
        name: subprocess.Popen(
            [sys.executable, "-c", script], cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for name, script in scripts.items()
    }
    failures = {}
    for name, run in runs.items():
        _, err = run.communicate(timeout=300)
        if run.returncode:
            failures[name] = err.strip().splitlines()[-3:]
    assert failures == {}


@pytest.mark.parametrize("name", ["nope", "tfds_corpus", ""])
def test_loader_refuses_unknown_names(name):
    from serzoo import builders

    with pytest.raises(ValueError, match="unknown dataset .*choose one of: emodb, synth_emo"):
        builders.builder_module(name)
    with pytest.raises(ValueError, match="unknown dataset"):
        builders.builder_class(name)
