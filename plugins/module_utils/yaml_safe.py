# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules' one way to read YAML: PyYAML's safe loading, through libyaml's parser where PyYAML was built with it.

The same constructors either way, so the same data; libyaml parses a chart's CRDs, a chart repository's index and
rendered manifests about ten times faster than PyYAML's pure-Python parser, which a no-op run spent most of its module
time in (a release's CRDs are read back on every run; a public repository's index is megabytes)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import yaml

    SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None
    SafeLoader = None


def safe_load(stream):
    """The first document of ``stream`` (text, bytes or a file), as ``yaml.safe_load`` gives it."""
    return yaml.load(stream, Loader=SafeLoader)  # noqa: S506 - a safe loader


def safe_load_all(stream):
    """Every document of ``stream``, as ``yaml.safe_load_all`` gives them."""
    return yaml.load_all(stream, Loader=SafeLoader)  # noqa: S506 - a safe loader
