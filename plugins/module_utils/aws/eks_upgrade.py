# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS upgrades in steps: the plan (pure) and the runner of the ``eks_upgrade`` module.

EKS moves a control plane one minor version at a time, and asks that managed nodes be at the control plane's minor
version before its next update. So each step is: EKS's upgrade insights for the step's version, the control plane,
then every managed node group, then every managed add-on (to the default version EKS gives that Kubernetes version,
or the version pinned). An update EKS is still running (a run killed half-way) is found and waited for, not started
again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_addon import LATEST, addon_version_key
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_cluster import parse_version
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options

# Amazon EKS's Kubernetes release calendar: (end of standard support, end of extended support). Standard support
# lasts 14 months from EKS's release, extended support 12 more at $0.60 instead of $0.10 per cluster hour (EKS user
# guide, "Understand the Kubernetes version lifecycle on EKS", as of 2026-12). A new version gets its line when EKS
# publishes its dates; a version not listed gets no warning.
SUPPORT_CALENDAR = {
    "1.29": ("2025-03-23", "2026-03-23"),
    "1.30": ("2025-07-23", "2026-07-23"),
    "1.31": ("2025-11-26", "2026-11-26"),
    "1.32": ("2026-03-23", "2027-03-23"),
    "1.33": ("2026-07-29", "2027-07-29"),
    "1.34": ("2026-12-02", "2027-12-02"),
    "1.35": ("2027-03-27", "2028-03-27"),
}
EXTENDED_PRICE = "$0.60 per cluster hour in extended support, against $0.10 in standard support"
UPDATE_DONE = ("Successful", "Failed", "Cancelled")


def version_text(version):
    return "%d.%d" % version


def upgrade_steps(current, target):
    """The minor versions a control plane goes through from ``current`` to ``target`` (both MAJOR.MINOR), in order;
    [] when it is there. A downgrade, or another major version, is refused."""
    have, want = parse_version(current), parse_version(target)
    if want < have:
        raise WandbModuleError(
            "EKS cannot downgrade Kubernetes: the cluster runs %s, the version asked for is %s"
            % (version_text(have), version_text(want))
        )
    if want[0] != have[0]:
        raise WandbModuleError("no EKS upgrade path from %s to %s" % (version_text(have), version_text(want)))
    return ["%d.%d" % (have[0], minor) for minor in range(have[1] + 1, want[1] + 1)]


def support_warning(version, today):
    """A warning when ``version`` is past EKS's standard support on ``today`` (a date), None otherwise."""
    dates = SUPPORT_CALENDAR.get(str(version))
    if not dates:
        return None
    standard, extended = (datetime.datetime.strptime(d, "%Y-%m-%d").date() for d in dates)
    if today < standard:
        return None
    if today < extended:
        return "Kubernetes %s left EKS's standard support on %s: extended support until %s costs %s" % (
            version,
            standard.isoformat(),
            extended.isoformat(),
            EXTENDED_PRICE,
        )
    return "Kubernetes %s left EKS's extended support on %s: EKS upgrades such clusters on its own" % (
        version,
        extended.isoformat(),
    )


def addon_target(addon_versions, kubernetes_version, pinned=None):
    """The version an add-on goes to for ``kubernetes_version``: the pinned one (refused when EKS does not offer it
    for that version), else EKS's default for it (else the newest offered). ``addon_versions`` is
    DescribeAddonVersions' ``addonVersions`` for that Kubernetes version."""
    offered = [v["addonVersion"] for v in addon_versions or []]
    if pinned == LATEST:  # as eks_addon reads it: the newest offered for that Kubernetes version
        if not offered:
            raise WandbModuleError("EKS offers no version of this add-on for Kubernetes %s" % kubernetes_version)
        return max(offered, key=addon_version_key)
    if pinned:
        if pinned not in offered:
            raise WandbModuleError(
                "add-on version %s is not offered for Kubernetes %s (offered: %s)"
                % (pinned, kubernetes_version, ", ".join(sorted(offered, key=addon_version_key, reverse=True)[:5]))
            )
        return pinned
    defaults = [
        v["addonVersion"]
        for v in addon_versions or []
        for c in v.get("compatibilities") or []
        if c.get("defaultVersion") and c.get("clusterVersion") == kubernetes_version
    ]
    if defaults:
        return defaults[0]
    if not offered:
        raise WandbModuleError("EKS offers no version of this add-on for Kubernetes %s" % kubernetes_version)
    return max(offered, key=addon_version_key)


def insight_lines(insights):
    """``(errors, warnings)``: one line per insight of DescribeInsight, with its description and recommendation."""
    errors, warnings = [], []
    for insight in insights:
        status = (insight.get("insightStatus") or {}).get("status")
        line = "%s: %s%s" % (
            insight.get("name"),
            insight.get("description") or (insight.get("insightStatus") or {}).get("reason") or "",
            (" - recommendation: %s" % insight["recommendation"]) if insight.get("recommendation") else "",
        )
        if status == "ERROR":
            errors.append(line)
        elif status in ("WARNING", "UNKNOWN"):
            warnings.append("%s (%s)" % (line, status))
    return errors, warnings


class EksUpgradeRunner(AwsRunner):
    """The ``eks_upgrade`` module: every step from the cluster's version to ``version``, or its plan in check mode."""

    today = staticmethod(datetime.date.today)

    def run(self):
        p = self.params
        check_options(p, [("cluster_name", "eks_name"), ("version", "kubernetes_version")])
        cluster = self.aws.describe_cluster(p["cluster_name"], missing_ok=False)
        nodegroups = self._nodegroups()
        addons = dict(
            (name, self.aws.call("eks", "describe_addon", clusterName=p["cluster_name"], addonName=name)["addon"])
            for name in self.aws.call("eks", "list_addons", clusterName=p["cluster_name"]).get("addons") or []
        )
        steps = upgrade_steps(cluster["version"], p["version"])
        if steps:
            self._require_offered(p["version"])
        # node groups or add-ons behind the control plane (a run killed half-way through a step): they catch up
        # before the control plane moves on, as EKS asks
        if self._behind(nodegroups, addons, cluster["version"]):
            steps = [cluster["version"]] + steps
        warnings = [w for w in (support_warning(v, self.today()) for v in (cluster["version"], p["version"])) if w]
        for warning in warnings:
            self.module.warn(warning)
        result = dict(changed=False, steps=[], warnings=warnings, from_version=cluster["version"], version=p["version"])
        control_plane = cluster["version"]
        for step in steps:
            done = self._step(step, control_plane, nodegroups, addons)
            control_plane = step
            result["steps"].append(done)
            result["changed"] = result["changed"] or bool(done["moves"])
            for warning in done["insight_warnings"]:
                self.module.warn("EKS upgrade insight for %s: %s" % (step, warning))
        result["plan"] = [
            "Kubernetes %s: %s" % (s["version"], "; ".join(s["moves"])) for s in result["steps"] if s["moves"]
        ]
        if self.module._diff and result["plan"]:
            result["diff"] = dict(before="Kubernetes %s\n" % cluster["version"], after="\n".join(result["plan"]) + "\n")
        return result

    # -- reads ---------------------------------------------------------------------------------------------------
    def _require_offered(self, version):
        """A target EKS does not offer (DescribeClusterVersions) is refused before any change, naming those it does."""
        found = self.aws.paginate("eks", "describe_cluster_versions", "clusterVersions", clusterVersions=[version])
        if any(v.get("clusterVersion") == version and v.get("versionStatus") != "UNSUPPORTED" for v in found):
            return
        offered = self.aws.paginate("eks", "describe_cluster_versions", "clusterVersions")
        raise WandbModuleError(
            "EKS does not offer Kubernetes %s (it offers %s); nothing was updated"
            % (version, ", ".join(sorted((v["clusterVersion"] for v in offered), key=parse_version)) or "none")
        )

    def _nodegroups(self):
        p = self.params
        names = self.aws.paginate("eks", "list_nodegroups", "nodegroups", clusterName=p["cluster_name"])
        return dict(
            (
                name,
                self.aws.call("eks", "describe_nodegroup", clusterName=p["cluster_name"], nodegroupName=name)[
                    "nodegroup"
                ],
            )
            for name in names
        )

    def _behind(self, nodegroups, addons, version):
        if any(n.get("version") != version for n in nodegroups.values()):
            return True
        return any(self._addon_move(addon, version) for addon in addons.values())

    def _addon_move(self, current, version):
        """``(from, to)`` when the add-on ``current`` is not at its target for Kubernetes ``version``, else None."""
        p = self.params
        name = current["addonName"]
        offered = self.aws.call("eks", "describe_addon_versions", addonName=name, kubernetesVersion=version)
        versions = ((offered.get("addons") or [{}])[0]).get("addonVersions")
        # a pin is for the target version (an intermediate step may not offer it); otherwise addon_default
        pinned = (p["addon_versions"] or {}).get(name) if version == p["version"] else None
        pinned = pinned or (LATEST if p["addon_default"] == "latest" else None)
        target = addon_target(versions, version, pinned)
        return (current.get("addonVersion"), target) if current.get("addonVersion") != target else None

    def _insights(self, version):
        p = self.params
        summaries = self.aws.paginate(
            "eks",
            "list_insights",
            "insights",
            clusterName=p["cluster_name"],
            filter={"categories": ["UPGRADE_READINESS"], "kubernetesVersions": [version]},
        )
        return [
            self.aws.call("eks", "describe_insight", clusterName=p["cluster_name"], id=s["id"])["insight"]
            for s in summaries
            if (s.get("insightStatus") or {}).get("status") != "PASSING"
        ]

    def _in_progress(self, **where):
        """The update EKS is running on the cluster (or on a node group or add-on named in ``where``), or None."""
        p = self.params
        for update_id in self.aws.call("eks", "list_updates", name=p["cluster_name"], **where).get("updateIds") or []:
            update = self.aws.call("eks", "describe_update", name=p["cluster_name"], updateId=update_id, **where)
            if update["update"]["status"] == "InProgress":
                return update["update"]
        return None

    # -- one step ------------------------------------------------------------------------------------------------
    def _step(self, version, control_plane, nodegroups, addons):
        """One step to ``version`` from ``control_plane`` (the version before it); ``nodegroups`` and ``addons``
        (DescribeNodegroup's and DescribeAddon's, by name) are brought to the step as the plan or the run goes."""
        p = self.params
        check = self.module.check_mode
        moves, done = [], dict(version=version, insight_warnings=[])
        errors, warnings = insight_lines(self._insights(version))
        done["insight_warnings"] = warnings
        running = None if check else self._in_progress()
        if control_plane != version or running:
            if errors and not p["force"]:
                message = "EKS's upgrade insights for Kubernetes %s report %d error(s)" % (version, len(errors))
                if not check:
                    raise WandbModuleError(
                        "%s; nothing was updated for this step. Fix them, or set force to update anyway: %s"
                        % (message, "; ".join(errors))
                    )
                # the plan goes on, saying where the run would stop
                done["insight_warnings"] = [
                    "%s, the run will stop here unless forced: %s" % (message, error) for error in errors
                ] + warnings
            moves.append("control plane %s -> %s" % (control_plane, version))
            if not check:
                if running is None:
                    running = self.aws.call(
                        "eks", "update_cluster_version", name=p["cluster_name"], version=version, force=p["force"]
                    )["update"]
                self._wait(running, "control plane to Kubernetes %s" % version)
        for name in sorted(nodegroups):
            running = None if check else self._in_progress(nodegroupName=name)
            if nodegroups[name].get("version") != version or running:
                moves.append("node group %s %s -> %s" % (name, nodegroups[name].get("version"), version))
                if not check:
                    if running is None:
                        running = self.aws.call(
                            "eks",
                            "update_nodegroup_version",
                            clusterName=p["cluster_name"],
                            nodegroupName=name,
                            version=version,
                            force=p["nodegroup_force_upgrade"],
                        )["update"]
                    self._wait(running, "node group %s to Kubernetes %s" % (name, version), nodegroupName=name)
            nodegroups[name]["version"] = version
        for name in sorted(addons):
            running = None if check else self._in_progress(addonName=name)
            move = self._addon_move(addons[name], version)
            if move or running:
                if move:
                    moves.append("add-on %s %s -> %s" % (name, move[0], move[1]))
                if not check:
                    if running is None:
                        running = self.aws.call(
                            "eks",
                            "update_addon",
                            clusterName=p["cluster_name"],
                            addonName=name,
                            addonVersion=move[1],
                            resolveConflicts="OVERWRITE",
                        )["update"]
                    self._wait(running, "add-on %s for Kubernetes %s" % (name, version), addonName=name)
                if move:
                    addons[name]["addonVersion"] = move[1]
        done["moves"] = moves
        return done

    def _wait(self, update, what, **where):
        """Until EKS reports ``update`` done; anything but Successful is an error naming what was updated."""
        p = self.params
        deadline = time.time() + p["wait_timeout"]
        while update["status"] not in UPDATE_DONE:
            if time.time() > deadline:
                raise WandbModuleError(
                    "timed out after %ss waiting for EKS to update the %s (update %s still %s); a re-run waits for it"
                    % (p["wait_timeout"], what, update["id"], update["status"])
                )
            self.aws.sleep(p["poll_interval"])
            update = self.aws.call("eks", "describe_update", name=p["cluster_name"], updateId=update["id"], **where)[
                "update"
            ]
        if update["status"] != "Successful":
            raise WandbModuleError(
                "EKS could not update the %s: %s %s"
                % (
                    what,
                    update["status"],
                    "; ".join(
                        "%s: %s" % (e.get("errorCode"), e.get("errorMessage")) for e in update.get("errors") or []
                    ),
                )
            )
        return update
