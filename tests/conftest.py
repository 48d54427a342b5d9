"""Makes the checkout importable as ansible_collections.selfmanaged.wandb for every test, and orders the
tests longest first for pytest-xdist (scripts/test runs ``-n 2 --dist loadscope --no-loadscope-reorder``)."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS_DIR = os.path.join(ROOT, ".cache", "collections")
_LINK = os.path.join(COLLECTIONS_DIR, "ansible_collections", "selfmanaged", "wandb")

if not os.path.islink(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    try:
        os.symlink(ROOT, _LINK)
    except FileExistsError:  # another xdist worker made it first
        pass
if COLLECTIONS_DIR not in sys.path:
    sys.path.insert(0, COLLECTIONS_DIR)
if os.path.join(ROOT, "scripts", "lib") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
import localenv  # noqa: E402  (found through the line above)


@pytest.fixture(scope="session", autouse=True)
def warm_python(tmp_path_factory):
    """One warm Python per worker (scripts/lib/zip_bytecode/warm_python.py), which the module processes of every
    ansible run the tests make start from: their environments come from os.environ."""
    server = localenv.WarmPython(str(tmp_path_factory.mktemp("warm-python"))).start()
    os.environ.update(server.env)
    yield server
    os.environ.pop(server.VARIABLE, None)
    server.stop()


# pytest-xdist's --dist loadscope hands a module (or a class) to one worker as a unit: tests in a module share
# their services and may build on each other. The units below go out first, longest first, so that neither
# worker is left with a long one at the end; the rest follow in collection order. (Not --dist loadgroup: with
# pytest 9.2 its xdist_group marks are silently ignored, pytest-dev/pytest-xdist#1386.)
LONGEST_FIRST = [
    "tests/integration/test_demo.py::",
    "tests/integration/test_it_site_cases.py::",
    "tests/integration/test_it_site.py::TestHelm4::",
    "tests/molecule/test_molecule.py::",
    "tests/integration/test_it_helm_release.py::",
    "tests/quality/test_static.py::",
    "tests/integration/test_it_wandb_cr.py::",
    "tests/integration/test_it_aws.py::",
]


def _rank(item):
    for index, prefix in enumerate(LONGEST_FIRST):
        if item.nodeid.startswith(prefix):
            return index
    return len(LONGEST_FIRST)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest's own ordering: a stable sort, so the order inside each module is kept."""
    items.sort(key=_rank)
