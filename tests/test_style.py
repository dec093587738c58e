"""The code's shape, held where a reviewer would otherwise have to: the linter's rules, one
format for the library, and functions small enough to read whole."""

import ast
import shutil
import subprocess

import pytest

from support import REPOSITORY

MOST_PARAMETERS = 8
MOST_LINES = 60


def library_functions():
    for path in sorted((REPOSITORY / "outpaint_lib").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{path.relative_to(REPOSITORY)}:{node.lineno} {node.name}", node


def parameters(function: ast.FunctionDef) -> list[str]:
    arguments = function.args
    names = [argument.arg for argument in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
    return [name for name in names if name not in ("self", "cls")]


def test_no_library_function_takes_more_than_eight_parameters_or_runs_over_sixty_lines():
    too_wide = [name for name, node in library_functions() if len(parameters(node)) > MOST_PARAMETERS]
    too_long = [name for name, node in library_functions() if node.end_lineno - node.lineno + 1 > MOST_LINES]
    assert not too_wide and not too_long
    assert len(list(library_functions())) > 300  # the walk found the library


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is one of requirements.txt's test tools")
def test_ruff_finds_nothing_and_the_library_keeps_its_format():
    for command in (["ruff", "check", "."], ["ruff", "format", "--check", "outpaint_lib"]):
        result = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
