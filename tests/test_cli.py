import json
import subprocess
import sys

from conftest import REPOSITORY


def run_cli(*arguments, **options):
    """Run ``python -m outpaint_lib`` as a user would, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "outpaint_lib", *arguments], capture_output=True, text=True,
        cwd=options.pop("cwd", REPOSITORY), timeout=options.pop("timeout", 300), **options,
    )


def test_summary_prints_the_papers_parameter_counts():
    result = run_cli("summary", "--preset", "paper")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["generator"] == 3_335_747 and counts["discriminator"] == 886_401


def test_summary_total_includes_the_local_discriminator():
    counts = json.loads(run_cli("summary", "--preset", "paper_local").stdout)
    assert counts["local_discriminator"] == 1_307_712
    assert counts["total"] == 3_335_747 + 2_195_137


def test_unknown_preset_is_a_usage_error():
    result = run_cli("summary", "--preset", "nope")
    assert result.returncode == 2 and "invalid choice" in result.stderr
