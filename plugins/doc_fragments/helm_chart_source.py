# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Where a chart comes from, for the modules that read a chart without installing it (helm_chart_info, helm_images).
    DOCUMENTATION = r"""
options:
  chart:
    description:
      - A chart name in O(repo_url), an C(oci://) reference (optionally with C(:version)), or a local directory or
        C(.tgz).
    type: str
    required: true
  repo_url:
    description: The chart repository's URL (http or https), for a chart name.
    type: str
  chart_version:
    description: The chart's version; empty, the newest stable one.
    type: str
  helm_binary:
    description: Path to helm; default C(helm) on C(PATH).
    type: path
"""
