"""No import cycle among touchcredit's modules, not even through an import inside a
function (grimp reads every import statement of a module, at any depth). Imports under
``if TYPE_CHECKING:`` never run and are left out."""

from __future__ import annotations

import grimp


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & graph.modules)
             for m in graph.modules}  # fmt: skip
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    group.append(top)
                    if top == node:
                        break
                if len(group) > 1:
                    out.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def test_the_import_graph_has_no_cycle() -> None:
    graph = grimp.build_graph("touchcredit", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_function_level_imports_are_seen() -> None:
    graph = grimp.build_graph("touchcredit", exclude_type_checking_imports=True)
    # cli.models imports touchcredit.models inside run(): the graph has that edge
    assert graph.direct_import_exists(
        importer="touchcredit.cli.models", imported="touchcredit.models"
    )


def test_a_cycle_through_a_function_level_import_is_found() -> None:
    graph = grimp.build_graph("touchcredit", exclude_type_checking_imports=True)
    graph.add_import(importer="touchcredit.cli.connect", imported="touchcredit.cli.attribute")
    assert ["touchcredit.cli.attribute", "touchcredit.cli.connect"] in _cycles(graph)
