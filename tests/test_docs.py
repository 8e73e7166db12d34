"""The documentation a clone holds: a short user README, docs/ pages whose links all resolve inside the clone."""

import pathlib
import re
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
#: Markdown links and images: [text](target) / ![alt](target); the target up to a space or ")".
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")
README_MAX_LINES = 300


def _pages():
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _relative_links(page: pathlib.Path):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # http(s):, mailto:, in-page anchors
        yield target.split("#", 1)[0]


def test_the_readme_is_short():
    lines = (REPO / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/ (limit {README_MAX_LINES})"


def test_the_docs_pages_exist():
    names = {p.name for p in (REPO / "docs").glob("*.md")}
    expected = {
        "index.md",
        "features.md",
        "emodb_baselines.md",
        "demo.md",
        "generator_quality.md",
        "sahu2017_aae.md",
        "sahu_m1_m2_m3.md",
        "yi_mak.md",
        "semi_aae.md",
        "recipes.md",
        "tuning.md",
        "cross_corpus.md",
        "failure_behaviour.md",
        "cli.md",
        "testing.md",
        "extending.md",
    }
    assert expected <= names, f"missing docs pages: {sorted(expected - names)}"


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves_inside_the_repository(page):
    broken = []
    for target in _relative_links(page):
        resolved = (page.parent / target).resolve()
        if not resolved.is_relative_to(REPO):
            broken.append(f"{target} (outside the repository)")
        elif not resolved.exists():
            broken.append(f"{target} (missing)")
    assert not broken, f"{page.relative_to(REPO)}: {broken}"


def test_no_text_points_at_folders_a_clone_does_not_have():
    """``../shared/...`` (the lab's corpus and notes folder) exists on one machine only."""
    tracked = subprocess.run(
        ["git", "ls-files", "*.md", "*.py", "*.cfg", "*.toml"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    hits = [
        path
        for path in tracked
        if not path.startswith("benchmarks/results/")
        and path != "tests/test_docs.py"  # names the pattern
        and (REPO / path).is_file()
        and re.search(r"\.\./shared/|/work/shared/", (REPO / path).read_text(encoding="utf-8", errors="replace"))
    ]
    assert not hits, f"paths outside the repository in: {hits}"


def test_the_changelog_names_this_version_and_the_export_formats_it_writes():
    """``serzoo.__version__`` moves with releases and export formats: its entry heads CHANGELOG.md and names the
    formats ``serzoo.export`` writes (a new format without a new version entry fails here)."""
    import serzoo
    from serzoo import export

    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\S+)", changelog, re.M)
    assert first and serzoo.__version__.startswith(first.group(1)), (serzoo.__version__, first and first.group(1))
    entry = changelog[first.start() :].split("\n## ", 1)[0]
    assert export.FORMAT in entry and export.CLASSIFIER_FORMAT in entry
