# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An ACM certificate requested with DNS validation, its validation records written to a Route 53 zone, waited for
until issued. community.aws.acm_certificate only imports certificates."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

USABLE = ("ISSUED", "PENDING_VALIDATION")
MANAGED_TAG = "selfmanaged.wandb/certificate"


def names(params):
    return sorted(set([params["domain_name"]] + list(params.get("subject_alternative_names") or [])))


class CertificateRunner(AwsRunner):
    def __init__(self, module, aws):
        super(CertificateRunner, self).__init__(module, aws)
        self.updates = []

    def acm(self, operation, missing_codes=(), **kwargs):
        return self.aws.call("acm", operation, missing_codes=missing_codes, **kwargs)

    def find(self):
        """This module's certificate for these names (tagged by it), issued ones first."""
        wanted, found = names(self.params), []
        for summary in self.aws.paginate(
            "acm", "list_certificates", "CertificateSummaryList", CertificateStatuses=list(USABLE)
        ):
            if summary.get("DomainName") != self.params["domain_name"]:
                continue
            arn = summary["CertificateArn"]
            tags = self.acm("list_tags_for_certificate", ("ResourceNotFoundException",), CertificateArn=arn) or {}
            if MANAGED_TAG not in [tag["Key"] for tag in tags.get("Tags") or []]:
                continue
            cert = self.describe(arn)
            if cert and sorted(set(cert.get("SubjectAlternativeNames") or [])) == wanted:
                found.append(cert)
        found.sort(key=lambda cert: cert.get("Status") != "ISSUED")
        return found

    def describe(self, arn):
        found = self.acm("describe_certificate", ("ResourceNotFoundException",), CertificateArn=arn)
        return found["Certificate"] if found else None

    def run(self):
        if self.params["state"] == "absent":
            for cert in self.find():
                self.updates.append("delete certificate %s" % cert["CertificateArn"])
                if not self.module.check_mode:
                    self.acm(
                        "delete_certificate", ("ResourceNotFoundException",), CertificateArn=cert["CertificateArn"]
                    )
            return {"changed": bool(self.updates), "updates": self.updates, "certificate": {"exists": False}}
        found = self.find()
        cert = found[0] if found else None
        if cert is None:
            self.updates.append("request certificate for %s (DNS validation)" % ", ".join(names(self.params)))
            if self.module.check_mode:
                return self.result(None)
            # one token per request (botocore's retries resend it): a token from the names would, within ACM's hour,
            # return a certificate deleted by a teardown in between
            token = uuid.uuid4().hex
            tags = dict(self.params.get("tags") or {}, **{MANAGED_TAG: self.params["domain_name"]})
            arn = self.acm(
                "request_certificate",
                DomainName=self.params["domain_name"],
                SubjectAlternativeNames=names(self.params),
                ValidationMethod="DNS",
                IdempotencyToken=token,
                Tags=[{"Key": k, "Value": str(v)} for k, v in sorted(tags.items())],
            )["CertificateArn"]
            cert = self.wait_for_records(arn)
        # the records stay after issue too: ACM renews the certificate through them
        if self.params.get("route53_zone_id"):
            self.write_validation_records(cert)
        if cert.get("Status") != "ISSUED":
            if self.params["wait"] and not self.module.check_mode:
                self.aws.wait(
                    "acm", "certificate_validated", self.params["wait_timeout"], CertificateArn=cert["CertificateArn"]
                )
                cert = self.describe(cert["CertificateArn"])
        return self.result(cert)

    def wait_for_records(self, arn):
        """ACM adds the validation records to a new certificate within seconds."""
        for _attempt in range(30):
            cert = self.describe(arn)
            options = cert.get("DomainValidationOptions") or []
            if options and all(option.get("ResourceRecord") for option in options):
                return cert
            self.aws.sleep(min(2, self.aws.wait_delay))
        raise WandbModuleError("ACM gave certificate %s no DNS validation records within a minute" % arn)

    def validation_records(self, cert):
        records = {}
        for option in cert.get("DomainValidationOptions") or []:
            record = option.get("ResourceRecord")
            if record:
                records[record["Name"]] = record
        return [records[name] for name in sorted(records)]

    def write_validation_records(self, cert):
        zone = self.params["route53_zone_id"]
        changes = []
        for record in self.validation_records(cert):
            found = self.aws.call(
                "route53",
                "list_resource_record_sets",
                HostedZoneId=zone,
                StartRecordName=record["Name"],
                StartRecordType=record["Type"],
                MaxItems="1",
            )
            present = [
                rrset
                for rrset in (found or {}).get("ResourceRecordSets") or []
                if rrset["Name"].rstrip(".") == record["Name"].rstrip(".")
                and rrset["Type"] == record["Type"]
                and [r["Value"] for r in rrset.get("ResourceRecords") or []] == [record["Value"]]
            ]
            if not present:
                changes.append(
                    {
                        "Action": "UPSERT",
                        "ResourceRecordSet": {
                            "Name": record["Name"],
                            "Type": record["Type"],
                            "TTL": 300,
                            "ResourceRecords": [{"Value": record["Value"]}],
                        },
                    }
                )
        if changes:
            self.updates.append("write %d DNS validation record(s) in zone %s" % (len(changes), zone))
            if not self.module.check_mode:
                self.aws.call(
                    "route53",
                    "change_resource_record_sets",
                    HostedZoneId=zone,
                    ChangeBatch={"Comment": "ACM validation (selfmanaged.wandb)", "Changes": changes},
                )

    def result(self, cert):
        if cert is None:
            certificate = {"exists": False, "domain_name": self.params["domain_name"], "status": "PENDING_VALIDATION"}
        else:
            certificate = {
                "exists": True,
                "arn": cert["CertificateArn"],
                "domain_name": cert.get("DomainName"),
                "status": cert.get("Status"),
                "validation_records": [
                    {"name": r["Name"], "type": r["Type"], "value": r["Value"]} for r in self.validation_records(cert)
                ],
            }
        return {"changed": bool(self.updates), "updates": self.updates, "certificate": certificate}
