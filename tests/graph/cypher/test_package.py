"""graph/cypher/__init__.py: the public surface and the example in its docstring."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import graph.cypher
from graph.cypher import Query, Rendered, Schema, desc, func, node

PACKAGE = Path(graph.cypher.__file__).parent


def test_docstring_example_renders_what_the_docstring_shows() -> None:
    # given: the example from graph/cypher/__init__.py, verbatim
    schema = Schema(
        labels={"Machine", "Model", "Maker"},
        relationship_types={"IS_OF_MODEL", "MADE_MODEL"},
        property_keys={"slug", "year", "name"},
    )
    m, mo, mk = node("m", "Machine"), node("mo", "Model"), node("mk", "Maker")
    query = (
        Query(schema=schema)
        .match(m.rel_out("IS_OF_MODEL").to(mo).rel_in("MADE_MODEL").from_(mk))
        .where(mk.prop("slug").is_in(["kubota", "takeuchi"]) & (m.prop("year") >= 2015))
        .with_(mk, func.count(m).as_("n"))
        .return_(mk.prop("name").as_("maker"), "n")
        .order_by(desc("n"))
        .limit(10)
    )

    rendered = query.render()

    assert rendered == Rendered(
        "MATCH (m:`Machine`)-[:`IS_OF_MODEL`]->(mo:`Model`)<-[:`MADE_MODEL`]-(mk:`Maker`)\n"
        "WHERE mk.`slug` IN $p0 AND m.`year` >= $p1\n"
        "WITH mk, count(m) AS n\n"
        "RETURN mk.`name` AS maker, n\n"
        "ORDER BY n DESC\n"
        "LIMIT $p2",
        {"p0": ["kubota", "takeuchi"], "p1": 2015, "p2": 10},
    )
    doc = graph.cypher.__doc__ or ""
    for line in rendered.text.splitlines():
        assert f"    {line}\n" in doc
    assert '``{"p0": ["kubota", "takeuchi"], "p1": 2015, "p2": 10}``' in doc


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(graph.cypher) if not name.startswith("_")}

    assert set(graph.cypher.__all__) == public
    assert len(graph.cypher.__all__) == len(set(graph.cypher.__all__))


def test_modules_other_than_init_are_private() -> None:
    assert {path.name for path in PACKAGE.glob("*.py") if not path.name.startswith("_")} == set()


def test_every_module_stays_small() -> None:
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 420, path.name


def test_the_package_imports_nothing_from_django_or_the_project() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for statement in ast.walk(tree):
            if isinstance(statement, ast.ImportFrom) and statement.module:
                forbidden = {"django", "neo4j", "marketplace", "search", "auctions", "config"}
                assert statement.module.split(".")[0] not in forbidden, (path.name, statement.module)
                if statement.module.startswith("graph"):
                    assert statement.module.startswith("graph.cypher"), (path.name, statement.module)
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    assert alias.name.split(".")[0] not in {"django", "neo4j"}, (path.name, alias.name)


def test_the_package_works_in_a_bare_interpreter() -> None:
    # given: a fresh Python without Django settings or the neo4j driver imported
    script = (
        "import sys; from graph.cypher import Query, Schema, node; "
        "print(Query(schema=Schema(permissive=True)).match(node('n', 'X')).return_('n').render().text); "
        "print(sorted(name for name in sys.modules if name.split('.')[0] in {'django', 'neo4j'}))"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PACKAGE.parent.parent
    )

    assert result.stdout == "MATCH (n:`X`)\nRETURN n\n[]\n"
