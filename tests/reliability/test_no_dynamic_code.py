"""No eval, no exec, no pickle: nothing in the library turns data into code.

Attribution inputs come from exports and URLs anyone can craft, so the source tree
must not contain the primitives that execute or unpickle data. Checked on the syntax
tree (calls and imports), plus a plain text grep so the check cannot be dodged by a
helper that is not parsed the way we expect.
"""

from __future__ import annotations

import ast
import re
import tokenize
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "touchcredit"
FILES = sorted(SRC.rglob("*.py"))

FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle"}
# code tokens, ignoring the text after '#'
GREP = re.compile(r"(?<![\w.])(eval|exec)\s*\(|\bpickle\b|allow_pickle\s*=\s*True")


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """Source lines holding code only: string literals and comments removed."""
    lines: dict[int, list[str]] = {}
    with path.open("rb") as fh:
        for tok in tokenize.tokenize(fh.readline):
            if tok.type in (tokenize.STRING, tokenize.COMMENT, tokenize.ENCODING):
                continue
            lines.setdefault(tok.start[0], []).append(tok.string)
    return sorted((i, " ".join(parts)) for i, parts in lines.items())


def test_source_tree_is_found() -> None:
    assert SRC.is_dir()
    assert any(p.name == "store.py" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_eval_exec_or_dynamic_import_calls(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in FORBIDDEN_CALLS and not (
                isinstance(func, ast.Attribute) and name == "compile"  # re.compile is fine
            ):
                found.append(f"line {node.lineno}: {name}()")
    assert not found, f"{path.name} calls {', '.join(found)}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_pickle_or_marshal_imports(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] in FORBIDDEN_MODULES
        ):
            found.append(node.module)
    assert not found, f"{path.name} imports {', '.join(found)}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_grep_finds_no_eval_exec_pickle_in_code(path: Path) -> None:
    hits = [f"{i}: {line.strip()}" for i, line in _code_lines(path) if GREP.search(line)]
    assert not hits, f"{path.name}:\n" + "\n".join(hits)


def _calls(name: str) -> list[tuple[Path, ast.Call]]:
    out = []
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                called = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
                if called == name:
                    out.append((path, node))
    return out


def _literal_module(call: ast.Call) -> bool:
    """The module name is a literal, or a choice between literals (``"a" if x else "b"``)."""
    if not call.args:
        return False
    arg = call.args[0]
    if isinstance(arg, ast.IfExp):
        return isinstance(arg.body, ast.Constant) and isinstance(arg.orelse, ast.Constant)
    return isinstance(arg, ast.Constant)


def test_dynamic_imports_are_fixed_names_or_the_plugin_group() -> None:
    """What docs/guarantees.rst states: modules are imported by names written in the
    source (optional dependencies, lazily), plus the ``touchcredit.models`` entry points
    of installed packages, loaded in one place."""
    loose = []
    for path, call in _calls("import_module"):
        if _literal_module(call):
            continue
        # io.frames._require(module): itself only ever called with a literal name
        if path.name == "frames.py" and all(_literal_module(c) for _, c in _calls("_require")):
            continue
        loose.append(f"{path.relative_to(SRC)}:{call.lineno}")
    assert not loose, f"import_module with a computed name: {loose}"
    plugin = [(p.relative_to(SRC).as_posix(), c) for p, c in _calls("entry_points")]
    assert [p for p, _ in plugin] == ["models/base.py"]
    group = [k.value for _, c in plugin for k in c.keywords if k.arg == "group"]
    assert len(group) == 1 and isinstance(group[0], ast.Name)
    assert group[0].id == "ENTRY_POINT_GROUP"
    from touchcredit.models.base import ENTRY_POINT_GROUP

    assert ENTRY_POINT_GROUP == "touchcredit.models"


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import pickle\nx = eval('1')\ny = np.load(f, allow_pickle=True)\n")
    assert [i for i, line in _code_lines(bad) if GREP.search(line)] == [1, 2, 3]
    ok = tmp_path / "ok.py"
    ok.write_text('"""We never eval( or pickle anything."""\nretrieval(x)  # eval(\n')
    assert [i for i, line in _code_lines(ok) if GREP.search(line)] == []
