"""Makes the checkout importable as ansible_collections.selfmanaged.wandb for every test, and orders the
tests longest first for pytest-xdist (scripts/test runs ``-n 2 --dist loadgroup --no-loadscope-reorder``)."""

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

# Handed out first, each to the next free worker, so that neither worker is left with a long one at the end:
# xdist_group names (a group runs on one worker, in order) or node ID prefixes. Measured durations are in the
# README; everything else follows in collection order.
LONGEST_FIRST = [
    "tests/integration/test_demo.py::test_demo_runs_the_chain_keeps_its_services_and_stops_them",
    "site-helm3",
    "site-helm4",
    "site-cases",
    "molecule",
    "tests/quality/test_static.py::test_ansible_test_sanity",
    "tests/integration/test_it_aws.py::test_eks_cluster_role_check_create_idempotent_teardown",
    "tests/quality/test_static.py::test_ansible_lint_production_profile",
]


def _rank(item):
    marker = item.get_closest_marker("xdist_group")
    group = marker.args[0] if marker and marker.args else marker.kwargs.get("name") if marker else None
    for index, key in enumerate(LONGEST_FIRST):
        if key == group or item.nodeid.startswith(key):
            return index
    return len(LONGEST_FIRST)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest's own ordering (a module-scoped parametrized fixture's tests stay together, in file order):
    a stable sort, so the order inside each group is kept."""
    items.sort(key=_rank)
