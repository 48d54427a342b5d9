# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The images a chart runs with given values: ``helm template`` (no cluster), then every container and init container
of what it renders - the list a mirror must hold for the chart."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.client import HelmClient
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.release import ChartCheckRunner, ChartSource
from ansible_collections.selfmanaged.wandb.plugins.module_utils.images import pinned, workload_images
from ansible_collections.selfmanaged.wandb.plugins.module_utils.yaml_safe import safe_load_all, yaml


class ChartImagesRunner(ChartCheckRunner):
    """The ``helm_images`` module: the chart found as helm_chart_info finds it, rendered with the values."""

    def run(self):
        p = self.params
        found = super(ChartImagesRunner, self).run()
        if not found["available"]:
            raise WandbModuleError(
                "%s: %s" % (found["problem_option"], found["problem"]), problem_option=found["problem_option"]
            )
        tmp = self.module.tmpdir
        helm = HelmClient(
            self.module,
            p.get("helm_binary"),
            env={
                "HELM_REPOSITORY_CONFIG": os.path.join(tmp, "helm-repositories.yaml"),
                "HELM_REPOSITORY_CACHE": os.path.join(tmp, "helm-cache"),
            },
        )
        args = ["template", p["release_name"], p["chart"], "--namespace", p["namespace"], "--values", "-"]
        if p["repo_url"] and found["source"] == ChartSource.REPO:
            args += ["--repo", p["repo_url"]]
        if found["source"] in (ChartSource.REPO, ChartSource.OCI) and found["version"]:
            args += ["--version", found["version"]]
        if p["kube_version"]:
            args += ["--kube-version", p["kube_version"]]
        for api in p["api_versions"]:
            args += ["--api-versions", api]
        # the values through helm's stdin, as helm_release gives them: never in a file
        rendered = helm.run(args, kube=False, stdin=json.dumps(p["values"] or {}))
        try:
            objects = list(safe_load_all(rendered))
        except yaml.YAMLError as exc:
            raise WandbModuleError("chart %s rendered manifests that are not YAML: %s" % (p["chart"], exc)) from exc
        workloads = workload_images(objects)
        images = sorted(set(image for _workload, image in workloads))
        return dict(
            changed=False,
            chart=found["chart"],
            version=found["version"],
            images=images,
            unpinned=[image for image in images if not pinned(image)],
            workloads=[dict(workload=workload, image=image) for workload, image in workloads],
        )
