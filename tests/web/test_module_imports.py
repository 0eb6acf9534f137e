"""The client's ES modules import one way: no module reaches itself through its imports. Read
from the `import` lines themselves (no Node needed)."""

from __future__ import annotations

import re
from pathlib import Path

JS = Path(__file__).resolve().parents[2] / "src" / "chinwag" / "web" / "js"
# `import {a,\n b} from "./x.js"`, `export {a} from "./x.js"` and a bare `import "./x.js"`
IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']"""
    r"""|^\s*import\s*["']([^"']+)["']""",
    re.M,
)


def imports_of(path: Path) -> set[Path]:
    found = set()
    for match in IMPORT.finditer(path.read_text(encoding="utf-8")):
        target = match.group(1) or match.group(2)
        if target.startswith("."):
            found.add((path.parent / target).resolve())
    return found


def graph(root: Path) -> dict[Path, set[Path]]:
    return {path.resolve(): imports_of(path) for path in root.rglob("*.js")}


def find_circle(edges: dict[Path, set[Path]]) -> list[Path] | None:
    """A list of modules that import each other in a ring (first == last), or None."""
    done: set[Path] = set()

    def visit(node: Path, trail: list[Path]) -> list[Path] | None:
        if node in trail:
            return trail[trail.index(node) :] + [node]
        if node in done:
            return None
        for target in sorted(edges.get(node, ())):
            circle = visit(target, trail + [node])
            if circle:
                return circle
        done.add(node)
        return None

    for start in sorted(edges):
        circle = visit(start, [])
        if circle:
            return circle
    return None


def test_the_client_modules_import_one_way():
    edges = graph(JS)
    assert len(edges) > 20  # the client was found
    circle = find_circle(edges)
    names = [str(path.relative_to(JS.resolve())) for path in circle or []]
    assert circle is None, "import circle: " + " -> ".join(names)


def test_every_relative_import_names_a_file():
    for source, targets in graph(JS).items():
        for target in targets:
            assert target.is_file(), f"{source.name} imports missing {target}"


def test_a_circle_is_found(tmp_path):
    (tmp_path / "a.js").write_text('import { b } from "./b.js";\n')
    (tmp_path / "views").mkdir()
    (tmp_path / "b.js").write_text('import { c } from "./views/c.js";\n')
    (tmp_path / "views" / "c.js").write_text('import {\n  a,\n} from "../a.js";\n')
    circle = find_circle(graph(tmp_path))
    assert circle is not None and [p.name for p in circle][0] == [p.name for p in circle][-1]
    assert {p.name for p in circle} == {"a.js", "b.js", "c.js"}
