"""Microsoft's Open XML SDK validator, shared by the validity tests.

The validator is the npm package ``@ooxml-tools/validate`` (the SDK compiled to WebAssembly,
offline). ``.ci/run`` installs it into ``tests/ooxml/node_modules`` (``npm install --prefix
tests/ooxml``); on a workstation without it the tests are skipped, under CI they fail. Each call
starts the validator once (several seconds of CPU), so a test file hands it all its files together
(:func:`validation_reports`), under every Office version it checks.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECKER = REPO_ROOT / "tests" / "ooxml"
DEFAULT_VERSION = "Microsoft365"  # the validator script's, when no version is given


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def node_or_skip() -> str:
    """The node executable, once the validator is installed; a skip (a failure under CI) otherwise."""
    found = shutil.which("node")
    ready = found and (CHECKER / "node_modules" / "@ooxml-tools" / "validate").is_dir()
    if not ready:
        message = "node and tests/ooxml/node_modules are needed (npm install --prefix tests/ooxml)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


def validation_reports(node: str, paths_by_version: dict[str, list[Path]]) -> dict[str, dict[str, list[dict]]]:
    """The validator's raw findings, from one start of it: Office version -> each file's path -> its errors (empty
    when valid)."""
    args = [arg for version, paths in paths_by_version.items()
            for arg in ["--office-version", version, *map(str, paths)]]
    result = subprocess.run([node, str(CHECKER / "validate_many.mjs"), *args],
                            capture_output=True, text=True, timeout=600, cwd=CHECKER)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def validation_report(node: str, paths: list[Path], office_version: str | None = None) -> dict[str, list[dict]]:
    """The validator's raw findings for one Office version: each file's path -> its errors (empty when valid)."""
    version = office_version or DEFAULT_VERSION
    return validation_reports(node, {version: paths}).get(version, {})


def error_lines(found: list[dict]) -> list[str]:
    """A file's first errors, as "part xpath: description"."""
    return [f"{e['path']['partUri']} {e['path']['xpath']}: {e['description']}" for e in found][:5]


Feature = tuple  # (part kind,) for a binary part; (part kind, tag, attribute names, child tags in order) for XML


def package_features(path: Path) -> set[Feature]:
    """What the validator's schemas and rules look at in a package, without its values: for each kind of part (its
    name with numbers taken out: every worksheet is one kind), every element's tag, the names of its attributes, and
    the order of its children's tags (runs of one tag as one)."""
    features: set[Feature] = set()
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            kind = re.sub(r"\d+", "N", name)
            data = package.read(name)
            if not data.lstrip()[:1] == b"<":
                features.add((kind,))
                continue
            for element in ET.fromstring(data).iter():
                children: list[str] = []
                for child in element:
                    if not children or children[-1] != child.tag:
                        children.append(child.tag)
                features.add((kind, element.tag, tuple(sorted(element.attrib)), tuple(children)))
    return features


def fewest_covering(paths: list[Path]) -> list[Path]:
    """Few of ``paths`` (greedily, in a fixed order) that together hold every :func:`package_features` any of them
    holds. Packages built by the same code from the same spec differ mostly in their values: validating the cover
    runs every check of structure (parts, elements, attributes, their order) that validating them all would, at
    about 3 s of the validator's CPU per demo workbook saved."""
    features = {path: package_features(path) for path in sorted(paths)}
    left = set().union(*features.values())
    chosen: list[Path] = []
    while left:
        best = max(features, key=lambda path: len(features[path] & left))  # first of the sorted paths on a tie
        chosen.append(best)
        left -= features[best]
    return chosen
