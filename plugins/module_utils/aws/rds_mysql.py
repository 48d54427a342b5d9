# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""W&B's MySQL on RDS: Aurora MySQL (a cluster and its instances) or RDS MySQL (one instance), with its subnet
group and parameter group. The master password is read from a Kubernetes Secret when the database is created and
goes nowhere else.

Why not amazon.aws.rds_cluster: it modifies the security groups on every run (never changed=0 unless
purge_security_groups is off) and cannot delete with a final snapshot (amazon.aws#3060); the parameter group
modules only change parameters the engine's defaults list, which an emulator does not have.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsService, plan_tags
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import KubeRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.secret import read_secret_value
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options as check_rules

AURORA = "aurora-mysql"
MYSQL = "mysql"
DEFAULT_VERSIONS = {AURORA: "8.0.mysql_aurora.3.10.0", MYSQL: "8.4"}
_IDENTIFIER_RE = re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,61}[a-zA-Z0-9]$")
# RDS refuses these in a master password; W&B also puts it in a URL (mysql://user:password@host).
_PASSWORD_RE = re.compile(r"^[A-Za-z0-9!#$%^&*()_+=.,;:~\[\]{}<>?|-]{8,41}$")


def parameter_group_family(engine, version):
    """``aurora-mysql8.0`` or ``mysql8.4``: the family RDS names parameter groups by."""
    if engine == AURORA:
        return "aurora-mysql8.0" if version.startswith("8.0") else "aurora-mysql%s" % ".".join(version.split(".")[:2])
    return "mysql%s" % ".".join(version.split(".")[:2])


def version_matches(current, wanted):
    """``8.4`` matches ``8.4.7``: a version given as a prefix lets RDS pick (and upgrade) the minor version."""
    return current == wanted or (current or "").startswith(wanted + ".")


def check_options(params, check_mode=False):
    if not params.get("engine_version"):
        params["engine_version"] = DEFAULT_VERSIONS[params["engine"]]
    name = params["name"]
    if not _IDENTIFIER_RE.match(name or ""):
        raise WandbModuleError(
            "name %r is not an RDS identifier (1-63 letters, digits and single hyphens, starting with a letter)"
            % (name,)
        )
    if params["state"] == "present":
        # a plan may come before the cluster and its subnets exist
        if not params.get("subnet_ids") and not check_mode:
            raise WandbModuleError("subnet_ids is required: the private subnets the database lives in")
        if params["engine"] == MYSQL and not params.get("allocated_storage"):
            raise WandbModuleError("allocated_storage is required for engine=mysql")
        if params["backup_retention_period"] < 1 or params["backup_retention_period"] > 35:
            raise WandbModuleError("backup_retention_period must be 1-35 days (backups are always kept)")
        if params["instances"] < 1:
            raise WandbModuleError("instances must be at least 1")
        # the roles' rules, the same for the module's own options (validation.py)
        check_rules(
            params,
            [("instance_class", "rds_instance_class"), ("engine_version", "mysql_engine_version", params["engine"])],
        )


def final_snapshot_name(name, now=None):
    return "%s-final-%s" % (name, (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y%m%d%H%M%S"))


class RdsMysqlRunner(KubeRunner):
    """Aurora MySQL or RDS MySQL; Kubernetes only to read the master password from its Secret on create."""

    api_host_option = "k8s_host"

    def __init__(self, module, aws=None, **kwargs):
        super(RdsMysqlRunner, self).__init__(module, **kwargs)
        self._aws = aws
        self.updates = []

    @property
    def aws(self):
        if self._aws is None:
            self._aws = AwsService(self.params)
        return self._aws

    @property
    def aurora(self):
        return self.params["engine"] == AURORA

    def rds(self, operation, missing_codes=(), **kwargs):
        return self.aws.call("rds", operation, missing_codes=missing_codes, **kwargs)

    def run(self):
        check_options(self.params, self.module.check_mode)
        current = self.describe()
        self.before = self.facts(current)
        if self.params["state"] == "absent":
            return self.absent(current)
        return self.present(current)

    # -- reading ----------------------------------------------------------------------------------------
    def describe(self):
        name = self.params["name"]
        if self.aurora:
            found = self.rds("describe_db_clusters", ("DBClusterNotFoundFault",), DBClusterIdentifier=name)
            return (found or {}).get("DBClusters", [None])[0]
        found = self.rds("describe_db_instances", ("DBInstanceNotFound",), DBInstanceIdentifier=name)
        return (found or {}).get("DBInstances", [None])[0]

    def instance_names(self):
        return ["%s-%d" % (self.params["name"], index + 1) for index in range(self.params["instances"])]

    def describe_instance(self, name):
        found = self.rds("describe_db_instances", ("DBInstanceNotFound",), DBInstanceIdentifier=name)
        return (found or {}).get("DBInstances", [None])[0]

    def facts(self, current):
        if not current:
            return {"exists": False}
        endpoint = current.get("Endpoint")
        host = endpoint.get("Address") if isinstance(endpoint, dict) else endpoint
        port = (endpoint.get("Port") if isinstance(endpoint, dict) else None) or current.get("Port") or 3306
        return {
            "exists": True,
            "engine": current.get("Engine"),
            "engine_version": current.get("EngineVersion"),
            "arn": current.get("DBClusterArn") or current.get("DBInstanceArn"),
            "host": host,
            "port": int(port),
            "database": current.get("DatabaseName") or current.get("DBName"),
            "user": current.get("MasterUsername"),
            "status": current.get("Status") or current.get("DBInstanceStatus"),
            "storage_encrypted": current.get("StorageEncrypted"),
            "deletion_protection": current.get("DeletionProtection"),
            "backup_retention_period": current.get("BackupRetentionPeriod"),
            "security_group_ids": sorted(g["VpcSecurityGroupId"] for g in current.get("VpcSecurityGroups") or []),
        }

    # -- present ----------------------------------------------------------------------------------------
    def present(self, current):
        self.ensure_subnet_group()
        self.ensure_parameter_group()
        if current is None:
            current = self.create()
        else:
            current = self.update(current)
        if self.aurora:
            self.ensure_instances()
        if self.params.get("secrets_manager_secret"):
            self.ensure_secrets_manager_copy(current)
        after = self.facts(current) if current else self.planned_facts()
        return {
            "changed": bool(self.updates),
            "updates": self.updates,
            "database": after,
            # the plan in words too: a diff of facts alone does not say what is made
            "diff": {"before": self.before, "after": dict(after, changes=self.updates) if self.updates else after},
        }

    def planned_facts(self):
        return {
            "exists": False,
            "engine": self.params["engine"],
            "engine_version": self.params["engine_version"],
            "host": "(known once created)",
            "port": 3306,
            "database": self.params["database"],
            "user": self.params["master_username"],
            "storage_encrypted": True,
            "deletion_protection": self.params["deletion_protection"],
            "backup_retention_period": self.params["backup_retention_period"],
            "security_group_ids": sorted(self.params["security_group_ids"] or []),
        }

    def tags(self):
        return dict(self.params.get("tags") or {})

    def tag_list(self):
        return [{"Key": key, "Value": str(value)} for key, value in sorted(self.tags().items())]

    def ensure_subnet_group(self):
        name, subnets = self.params["name"], sorted(self.params["subnet_ids"] or [])
        found = self.rds("describe_db_subnet_groups", ("DBSubnetGroupNotFoundFault",), DBSubnetGroupName=name)
        group = (found or {}).get("DBSubnetGroups", [None])[0]
        if group is None:
            self.updates.append("create DB subnet group %s" % name)
            if not self.module.check_mode:
                self.rds(
                    "create_db_subnet_group",
                    DBSubnetGroupName=name,
                    DBSubnetGroupDescription="W&B's MySQL (selfmanaged.wandb)",
                    SubnetIds=subnets,
                    Tags=self.tag_list(),
                )
        elif subnets and sorted(s["SubnetIdentifier"] for s in group.get("Subnets") or []) != subnets:
            self.updates.append("DB subnet group %s: subnets" % name)
            if not self.module.check_mode:
                self.rds(
                    "modify_db_subnet_group",
                    DBSubnetGroupName=name,
                    DBSubnetGroupDescription="W&B's MySQL (selfmanaged.wandb)",
                    SubnetIds=subnets,
                )

    def ensure_parameter_group(self):
        name = self.params["name"]
        family = parameter_group_family(self.params["engine"], self.params["engine_version"])
        kind = "DBClusterParameterGroup" if self.aurora else "DBParameterGroup"
        snake = "db_cluster_parameter_group" if self.aurora else "db_parameter_group"
        found = self.rds("describe_%ss" % snake, ("DBParameterGroupNotFound",), **{"%sName" % kind: name}) or {}
        groups = found.get("%ss" % kind) or []
        current = {}
        wanted = dict((key, str(value)) for key, value in (self.params.get("parameters") or {}).items())
        differing = sorted(key for key, value in wanted.items() if current.get(key) != value)
        if not groups:
            self.updates.append(
                "create parameter group %s (%s)%s"
                % (name, family, (" with " + ", ".join(differing)) if differing else "")
            )
            if not self.module.check_mode:
                self.rds(
                    "create_%s" % snake,
                    **{
                        "%sName" % kind: name,
                        "DBParameterGroupFamily": family,
                        "Description": "W&B's MySQL settings (selfmanaged.wandb)",
                        "Tags": self.tag_list(),
                    },
                )
        else:
            listing = "describe_db_cluster_parameters" if self.aurora else "describe_db_parameters"
            for parameter in self.aws.paginate(
                "rds", listing, "Parameters", **{"%sName" % kind: name, "Source": "user"}
            ):
                current[parameter["ParameterName"]] = parameter.get("ParameterValue")
            differing = sorted(key for key, value in wanted.items() if current.get(key) != value)
            if differing:
                self.updates.append("parameter group %s: %s" % (name, ", ".join(differing)))
        if differing:
            if not self.module.check_mode:
                # pending-reboot is valid for static and dynamic parameters; a new database starts with them.
                parameters = [
                    {"ParameterName": key, "ParameterValue": wanted[key], "ApplyMethod": "pending-reboot"}
                    for key in differing
                ]
                for start in range(0, len(parameters), 20):  # RDS takes at most 20 per call
                    self.rds(
                        "modify_%s" % snake, **{"%sName" % kind: name, "Parameters": parameters[start : start + 20]}
                    )

    def master_password(self):
        """The password from its Secret, read once per run and only when RDS (or Secrets Manager) needs it."""
        if getattr(self, "_password", None) is None:
            self._password = self.read_master_password()
        return self._password

    def read_master_password(self):
        ref = self.params["master_password_secret"]
        value = read_secret_value(self.kube, ref["namespace"], ref["name"], ref.get("key") or "password")
        if not _PASSWORD_RE.match(value):
            raise WandbModuleError(
                "the master password in Secret %s/%s is not one RDS accepts (8-41 characters; no '/', '@', '\"' "
                "or spaces)" % (ref["namespace"], ref["name"])
            )
        return value

    def common_request(self):
        request = {
            "Engine": self.params["engine"],
            "EngineVersion": self.params["engine_version"],
            "MasterUsername": self.params["master_username"],
            "DBSubnetGroupName": self.params["name"],
            "VpcSecurityGroupIds": sorted(self.params["security_group_ids"] or []),
            "StorageEncrypted": True,
            "BackupRetentionPeriod": self.params["backup_retention_period"],
            "DeletionProtection": self.params["deletion_protection"],
            "CopyTagsToSnapshot": True,
            "Tags": self.tag_list(),
        }
        if self.params.get("kms_key_id"):
            request["KmsKeyId"] = self.params["kms_key_id"]
        return request

    def create(self):
        name = self.params["name"]
        snapshot = self.params.get("restore_snapshot")
        self.updates.append(
            "create %s %s %s%s (encrypted, backups kept %d days%s)"
            % (
                "Aurora MySQL cluster" if self.aurora else "RDS MySQL instance",
                name,
                self.params["engine_version"],
                (" from snapshot %s" % snapshot) if snapshot else "",
                self.params["backup_retention_period"],
                ", deletion protection" if self.params["deletion_protection"] else "",
            )
        )
        if self.module.check_mode:
            return None
        if snapshot:
            return self.restore(name, snapshot)
        request = dict(self.common_request(), MasterUserPassword=self.master_password())
        if self.aurora:
            request.update(
                DBClusterIdentifier=name, DatabaseName=self.params["database"], DBClusterParameterGroupName=name
            )
            self.rds("create_db_cluster", **request)
            self.wait("db_cluster_available", DBClusterIdentifier=name)
        else:
            request.update(
                DBInstanceIdentifier=name,
                DBName=self.params["database"],
                DBParameterGroupName=name,
                DBInstanceClass=self.params["instance_class"],
                AllocatedStorage=self.params["allocated_storage"],
                StorageType="gp3",
                MultiAZ=self.params["instances"] > 1,
                PubliclyAccessible=False,
            )
            self.rds("create_db_instance", **request)
            self.wait("db_instance_available", DBInstanceIdentifier=name)
        return self.describe()

    def restore(self, name, snapshot):
        """A new database from a snapshot: its data, its master password and encryption come from the snapshot;
        network, parameters, retention and protection from the options. Aurora's restore makes no instance:
        ensure_instances adds them."""
        request = self.common_request()
        for key in ("MasterUsername", "StorageEncrypted"):  # the snapshot's
            request.pop(key)
        if self.aurora:
            request.update(DBClusterIdentifier=name, SnapshotIdentifier=snapshot, DBClusterParameterGroupName=name)
            restored = self.rds("restore_db_cluster_from_snapshot", ("DBClusterSnapshotNotFoundFault",), **request)
            waiter, key = "db_cluster_available", "DBClusterIdentifier"
        else:
            for key in ("Engine", "EngineVersion"):  # an instance restores at the snapshot's version
                request.pop(key)
            request.update(
                DBInstanceIdentifier=name,
                DBSnapshotIdentifier=snapshot,
                DBParameterGroupName=name,
                DBInstanceClass=self.params["instance_class"],
                StorageType="gp3",
                MultiAZ=self.params["instances"] > 1,
                PubliclyAccessible=False,
            )
            restored = self.rds("restore_db_instance_from_db_snapshot", ("DBSnapshotNotFound",), **request)
            waiter, key = "db_instance_available", "DBInstanceIdentifier"
        if restored is None:
            raise WandbModuleError(
                "restore_snapshot %s: no such snapshot in %s" % (snapshot, self.aws.session.region_name)
            )
        self.wait(waiter, **{key: name})
        return self.describe()

    def wait(self, waiter, **kwargs):
        if self.params["wait"]:
            self.aws.wait("rds", waiter, self.params["wait_timeout"], **kwargs)

    def update(self, current):
        name = self.params["name"]
        changes, described = {}, []
        if not version_matches(current.get("EngineVersion"), self.params["engine_version"]):
            changes["EngineVersion"] = self.params["engine_version"]
            described.append("engine version %s -> %s" % (current.get("EngineVersion"), self.params["engine_version"]))
        groups = sorted(self.params["security_group_ids"] or [])
        if sorted(g["VpcSecurityGroupId"] for g in current.get("VpcSecurityGroups") or []) != groups:
            changes["VpcSecurityGroupIds"] = groups
            described.append("security groups")
        for key, option in (
            ("BackupRetentionPeriod", "backup_retention_period"),
            ("DeletionProtection", "deletion_protection"),
        ):
            if current.get(key) != self.params[option]:
                changes[key] = self.params[option]
                described.append("%s %s -> %s" % (option, current.get(key), self.params[option]))
        if not self.aurora:
            if current.get("DBInstanceClass") != self.params["instance_class"]:
                changes["DBInstanceClass"] = self.params["instance_class"]
                described.append(
                    "instance class %s -> %s" % (current.get("DBInstanceClass"), self.params["instance_class"])
                )
            if (current.get("AllocatedStorage") or 0) < self.params["allocated_storage"]:
                changes["AllocatedStorage"] = self.params["allocated_storage"]
                described.append(
                    "storage %s -> %s GiB" % (current.get("AllocatedStorage"), self.params["allocated_storage"])
                )
        if self.params.get("update_password"):
            described.append(
                "master password (from Secret %s/%s)"
                % (self.params["master_password_secret"]["namespace"], self.params["master_password_secret"]["name"])
            )
            if not self.module.check_mode:
                changes["MasterUserPassword"] = self.master_password()
        arn = current.get("DBClusterArn") or current.get("DBInstanceArn")
        tags = plan_tags(self.current_tags(arn), self.params.get("tags"), self.params.get("purge_tags", True))
        if tags:
            described.append("tags")
        self.updates.extend("%s: %s" % (name, text) for text in described)
        if not described or self.module.check_mode:
            return current
        if changes:
            if self.aurora:
                self.rds("modify_db_cluster", DBClusterIdentifier=name, ApplyImmediately=True, **changes)
                self.wait("db_cluster_available", DBClusterIdentifier=name)
            else:
                self.rds("modify_db_instance", DBInstanceIdentifier=name, ApplyImmediately=True, **changes)
                self.wait("db_instance_available", DBInstanceIdentifier=name)
        if tags:
            if tags["set"]:
                self.rds(
                    "add_tags_to_resource",
                    ResourceName=arn,
                    Tags=[{"Key": k, "Value": v} for k, v in tags["set"].items()],
                )
            if tags["unset"]:
                self.rds("remove_tags_from_resource", ResourceName=arn, TagKeys=tags["unset"])
        return self.describe()

    def current_tags(self, arn):
        found = self.rds("list_tags_for_resource", ResourceName=arn) or {}
        return dict((tag["Key"], tag["Value"]) for tag in found.get("TagList") or [])

    def ensure_instances(self):
        """Aurora's instances: ``<name>-1`` is the writer; more are readers in other zones."""
        for name in self.instance_names():
            instance = self.describe_instance(name)
            if instance is None:
                self.updates.append("create instance %s (%s)" % (name, self.params["instance_class"]))
                if not self.module.check_mode:
                    self.rds(
                        "create_db_instance",
                        DBInstanceIdentifier=name,
                        DBClusterIdentifier=self.params["name"],
                        Engine=AURORA,
                        DBInstanceClass=self.params["instance_class"],
                        DBSubnetGroupName=self.params["name"],
                        PubliclyAccessible=False,
                        Tags=self.tag_list(),
                    )
                    self.wait("db_instance_available", DBInstanceIdentifier=name)
            elif instance.get("DBInstanceClass") != self.params["instance_class"]:
                self.updates.append(
                    "instance %s: class %s -> %s"
                    % (name, instance.get("DBInstanceClass"), self.params["instance_class"])
                )
                if not self.module.check_mode:
                    self.rds(
                        "modify_db_instance",
                        DBInstanceIdentifier=name,
                        DBInstanceClass=self.params["instance_class"],
                        ApplyImmediately=True,
                    )
                    self.wait("db_instance_available", DBInstanceIdentifier=name)

    # -- the copy in AWS Secrets Manager (if asked) -------------------------------------------------------
    def secret_document(self, current, password):
        facts = self.facts(current)
        return {
            "engine": self.params["engine"],
            "host": facts.get("host"),
            "port": facts.get("port"),
            "dbname": self.params["database"],
            "username": self.params["master_username"],
            "password": password,
        }

    def ensure_secrets_manager_copy(self, current):
        """A JSON secret as RDS's own rotation templates shape it, kept equal to the database and its Secret."""
        name = self.params["secrets_manager_secret"]
        found = self.aws.call("secretsmanager", "describe_secret", ("ResourceNotFoundException",), SecretId=name)
        if found is None or found.get("DeletedDate"):
            self.updates.append("create Secrets Manager secret %s (a copy of the master password)" % name)
            if self.module.check_mode:
                return
            document = json.dumps(self.secret_document(current, self.master_password()), sort_keys=True)
            if found is None:
                self.aws.call(
                    "secretsmanager",
                    "create_secret",
                    Name=name,
                    SecretString=document,
                    Description="W&B's MySQL (selfmanaged.wandb)",
                    Tags=self.tag_list(),
                )
            else:  # scheduled for deletion by a teardown: restore it
                self.aws.call("secretsmanager", "restore_secret", SecretId=name)
                self.aws.call("secretsmanager", "put_secret_value", SecretId=name, SecretString=document)
            return
        if self.module.check_mode and current is None:
            return
        stored = self.aws.call("secretsmanager", "get_secret_value", SecretId=name)
        have = json.loads(stored.get("SecretString") or "{}")
        password = self._password if getattr(self, "_password", None) is not None else have.get("password")
        wanted = self.secret_document(current, password)
        if have != wanted:
            self.updates.append(
                "Secrets Manager secret %s: %s"
                % (name, ", ".join(sorted(k for k in wanted if have.get(k) != wanted[k])))
            )
            if not self.module.check_mode:
                self.aws.call(
                    "secretsmanager", "put_secret_value", SecretId=name, SecretString=json.dumps(wanted, sort_keys=True)
                )

    # -- absent -----------------------------------------------------------------------------------------
    def absent(self, current):
        name = self.params["name"]
        snapshot = None
        if current is not None:
            snapshot = None if self.params["skip_final_snapshot"] else final_snapshot_name(name)
            if current.get("DeletionProtection"):
                self.updates.append("%s: turn deletion protection off (teardown asked for)" % name)
            self.updates.append(
                "delete %s%s"
                % (name, (" after a final snapshot %s" % snapshot) if snapshot else " (no final snapshot)")
            )
            if not self.module.check_mode:
                self.delete(current, snapshot)
        for kind, snake, missing in (
            (
                "DBClusterParameterGroup" if self.aurora else "DBParameterGroup",
                "db_cluster_parameter_group" if self.aurora else "db_parameter_group",
                "DBParameterGroupNotFound",
            ),
            ("DBSubnetGroup", "db_subnet_group", "DBSubnetGroupNotFoundFault"),
        ):
            found = self.rds("describe_%ss" % snake, (missing,), **{"%sName" % kind: name}) or {}
            if found.get("%ss" % kind):
                self.updates.append("delete %s %s" % (snake.replace("_", " ").replace("db ", "DB "), name))
                if not self.module.check_mode:
                    self.rds("delete_%s" % snake, (missing,), **{"%sName" % kind: name})
        secret = self.params.get("secrets_manager_secret")
        if secret:
            found = self.aws.call("secretsmanager", "describe_secret", ("ResourceNotFoundException",), SecretId=secret)
            if found is not None and not found.get("DeletedDate"):
                self.updates.append("delete Secrets Manager secret %s (recoverable for 7 days)" % secret)
                if not self.module.check_mode:
                    self.aws.call("secretsmanager", "delete_secret", SecretId=secret, RecoveryWindowInDays=7)
        return {
            "changed": bool(self.updates),
            "updates": self.updates,
            "final_snapshot": snapshot,
            "database": {"exists": False},
            "diff": {
                "before": self.before,
                "after": {"exists": False, "changes": self.updates} if self.updates else {"exists": False},
            },
        }

    def delete(self, current, snapshot):
        name = self.params["name"]
        skip = {"SkipFinalSnapshot": True} if snapshot is None else {"FinalDBSnapshotIdentifier": snapshot}
        if self.aurora:
            if current.get("DeletionProtection"):
                self.rds("modify_db_cluster", DBClusterIdentifier=name, DeletionProtection=False, ApplyImmediately=True)
            for member in current.get("DBClusterMembers") or []:
                instance = member["DBInstanceIdentifier"]
                self.rds(
                    "delete_db_instance", ("DBInstanceNotFound",), DBInstanceIdentifier=instance, SkipFinalSnapshot=True
                )
            for member in current.get("DBClusterMembers") or []:
                self.wait("db_instance_deleted", DBInstanceIdentifier=member["DBInstanceIdentifier"])
            self.rds("delete_db_cluster", DBClusterIdentifier=name, **skip)
            self.wait("db_cluster_deleted", DBClusterIdentifier=name)
        else:
            if current.get("DeletionProtection"):
                self.rds(
                    "modify_db_instance", DBInstanceIdentifier=name, DeletionProtection=False, ApplyImmediately=True
                )
            self.rds("delete_db_instance", DBInstanceIdentifier=name, DeleteAutomatedBackups=False, **skip)
            self.wait("db_instance_deleted", DBInstanceIdentifier=name)
