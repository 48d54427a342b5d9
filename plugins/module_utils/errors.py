# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type modules raise; ``run_module`` turns it into ``fail_json``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class WandbModuleError(Exception):
    """A failure the user can act on: ``msg`` says what and what to do, ``details`` go into the result."""

    def __init__(self, msg, **details):
        super(WandbModuleError, self).__init__(msg)
        self.msg = msg
        self.details = details


class KubeApiError(WandbModuleError):
    """The Kubernetes API answered with an error status."""

    def __init__(self, msg, status=None, reason=None, **details):
        super(KubeApiError, self).__init__(msg, status=status, reason=reason, **details)
        self.status = status
        self.reason = reason


class HelmError(WandbModuleError):
    """A helm command failed; ``msg`` carries helm's own error text."""
