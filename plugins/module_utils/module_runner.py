# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The single place where module errors become ``fail_json``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError


def run_module(module, main):
    """Call ``main(module)``, exit with its result dict, or fail with one clear message."""
    try:
        result = main(module)
    except WandbModuleError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)
