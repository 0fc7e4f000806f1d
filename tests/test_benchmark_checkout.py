"""The benchmarks measure the Saferbook that PYTHONPATH names before their own checkout.

A benchmark puts its checkout on ``sys.path`` so that it runs without an install, but someone who sets
PYTHONPATH (to measure another branch beside this one) must get what they named: the checkout goes
after PYTHONPATH's folders and before the installed packages, in the benchmark and in its children.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def checkout():
    spec = importlib.util.spec_from_file_location("bench_checkout", REPO / "benchmarks" / "checkout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checkout_goes_after_the_pythonpath_folders(checkout, monkeypatch, tmp_path):
    chosen, other = tmp_path / "branch", tmp_path / "patched"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(chosen), str(other)]))
    monkeypatch.setattr(sys, "path", [str(REPO / "benchmarks"), str(chosen), str(other), "/usr/lib/python3",
                                      "/venv/site-packages"])
    checkout.use_checkout(REPO / "tests")
    assert sys.path == [str(REPO / "benchmarks"), str(chosen), str(other), str(REPO), str(REPO / "tests"),
                        "/usr/lib/python3", "/venv/site-packages"]


def test_without_pythonpath_the_checkout_comes_before_the_installed_packages(checkout, monkeypatch):
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setattr(sys, "path", [str(REPO / "benchmarks"), "/usr/lib/python3", "/venv/site-packages"])
    checkout.use_checkout()
    assert sys.path == [str(REPO / "benchmarks"), str(REPO), "/usr/lib/python3", "/venv/site-packages"]


def test_children_get_pythonpath_first_then_the_checkout(checkout, monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert checkout.child_environment()["PYTHONPATH"] == os.pathsep.join([str(tmp_path), str(REPO)])
