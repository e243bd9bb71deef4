"""The layering of ARCHITECTURE.md, enforced: which wing may import which, read from the code.

Every ``import`` and ``from ... import`` in ``src/spacecoop`` counts, those inside
functions too (a lazy import is still a dependency). A new arrow in the package
either fits the table below or is a deliberate change to it and to ARCHITECTURE.md.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "spacecoop"
ARCHITECTURE = PACKAGE.parents[1] / "ARCHITECTURE.md"

# wing -> the wings it may import (itself always). Top-level modules count as wings.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "namespaces": frozenset(),
    "runtime": frozenset(),
    "repository": frozenset({"namespaces", "runtime"}),
    "reasoning": frozenset({"namespaces", "runtime", "repository"}),
    "queries": frozenset({"namespaces", "runtime", "repository", "reasoning"}),
    "validation": frozenset({"namespaces", "runtime", "repository", "reasoning", "queries"}),
    "publish": frozenset({"namespaces", "runtime", "repository", "reasoning", "queries"}),
    "serve": frozenset({"namespaces", "runtime", "repository", "queries", "publish"}),
    "stats": frozenset({"namespaces", "repository"}),
    "fmt": frozenset({"namespaces", "repository"}),
    "pipeline": frozenset(
        {"namespaces", "runtime", "repository", "reasoning", "queries", "validation"}
        | {"publish", "serve", "stats", "fmt"}
    ),
    "cli": frozenset(
        {"namespaces", "runtime", "repository", "queries", "validation", "publish", "serve"}
        | {"pipeline", "fmt", "stats", "__init__"}
    ),
    "__init__": frozenset(),
}

# Inside a wing: module prefix -> modules it must never import.
NEVER: dict[str, tuple[str, ...]] = {
    # The compiled engine stands alone; combining it with pySHACL is shacl_engines' job.
    "validation.shacl_sparql": (
        "validation.pyshacl_engine",
        "validation.shacl_engines",
        "validation.fallback",
        "validation.run",
    ),
    # The report model is what every engine writes into; it depends on none of them.
    "validation.report": ("validation.pyshacl_engine", "validation.shacl_sparql"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The spacecoop modules ``path`` imports, as names relative to the package."""
    module = _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if module == "__init__":
        package = []
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and (node.module + ".").startswith("spacecoop."):
                target = node.module.removeprefix("spacecoop").lstrip(".")
            else:
                continue
            for alias in node.names:  # `from . import x` may name a module
                candidate = f"{target}.{alias.name}" if target else alias.name
                found.add(candidate if _exists(candidate) else target or "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("spacecoop."):
                    found.add(alias.name.removeprefix("spacecoop."))
    return {name for name in found if name}


def _exists(module: str) -> bool:
    path = PACKAGE.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _wing(module: str) -> str:
    return module.split(".")[0]


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_top_level_module_and_wing_has_a_rule() -> None:
    wings = {_wing(_module_name(path)) for path in SOURCES}
    assert wings <= set(MAY_IMPORT), f"add a rule for {sorted(wings - set(MAY_IMPORT))}"


def test_the_package_holds_at_most_eight_modules_beside_its_wings() -> None:
    modules = [p for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= 8, sorted(p.name for p in modules)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: _module_name(p))
def test_imports_follow_the_layering(path: Path) -> None:
    module = _module_name(path)
    allowed = MAY_IMPORT[_wing(module)] | {_wing(module)}
    wrong = sorted(name for name in _imports(path) if _wing(name) not in allowed)
    assert not wrong, f"{module} may not import {wrong} (see ARCHITECTURE.md)"


@pytest.mark.parametrize("prefix", sorted(NEVER))
def test_modules_never_import_what_they_must_not(prefix: str) -> None:
    for path in SOURCES:
        module = _module_name(path)
        if module == prefix or module.startswith(prefix + "."):
            imported = _imports(path)
            wrong = sorted(
                name for name in imported for banned in NEVER[prefix] if name.startswith(banned)
            )
            assert not wrong, f"{module} imports {wrong}"


def test_only_the_repository_wing_decides_the_plan() -> None:
    """The plan is chosen once, in repository/load.py: no other module names the threshold,
    the override or the choice, or reads a SPACECOOP_ environment variable but the few
    that configure something else (the root, quiet progress, debugging)."""
    deciding = re.compile(
        r"FAST_PATH_BYTES|PLAN_ENV_VAR|Plan\.choose|Plan\(|\.plan\s*="
        r"|(?:environ|getenv)[^\n]*SPACECOOP_PLAN"
    )
    allowed_env = {"SPACECOOP_ROOT", "SPACECOOP_QUIET", "SPACECOOP_DEBUG", "SPACECOOP_PLAN"}
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        if path.relative_to(PACKAGE).as_posix() != "repository/load.py":
            assert not deciding.search(text), f"{path.relative_to(PACKAGE)} decides a path"
        for name in re.findall(r"SPACECOOP_[A-Z_]+", text):
            assert name in allowed_env, f"{path.relative_to(PACKAGE)} reads ${name}"


def test_the_architecture_names_every_module_it_describes() -> None:
    """Every module path ARCHITECTURE.md names exists, and every wing is described."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[a-z_]+/)+[a-z_]+\.py)`", text))
    assert named, "ARCHITECTURE.md names no module"
    repository = PACKAGE.parents[1]
    missing = sorted(
        n for n in named if not (PACKAGE / n).is_file() and not (repository / n).is_file()
    )
    assert not missing, f"ARCHITECTURE.md names modules that do not exist: {missing}"
    for wing in {p.parent.name for p in PACKAGE.glob("*/__init__.py")}:
        assert f"`{wing}/`" in text, f"ARCHITECTURE.md does not describe the {wing}/ wing"
