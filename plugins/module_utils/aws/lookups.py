# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``aws_resource_info`` module: does what the input names exist and can it be used - one read-only call each.

For the roles' preflight: a KMS key that is missing or disabled, or a Route 53 zone that does not exist, fails
otherwise late, after the chain has made things (a bucket that cannot be encrypted, a certificate never validated).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner


def kms_key_problem(metadata):
    """What makes a described KMS key unusable for encrypting a bucket, or None."""
    if metadata is None:
        return "does not exist (or these credentials may not describe it)"
    if metadata.get("KeyState") != "Enabled":
        return "is %s, not Enabled" % metadata.get("KeyState")
    if metadata.get("KeyUsage") not in (None, "ENCRYPT_DECRYPT"):
        return "is a %s key, not an ENCRYPT_DECRYPT one" % metadata.get("KeyUsage")
    if metadata.get("KeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
        return "is %s, but S3 encrypts only with symmetric keys (SYMMETRIC_DEFAULT)" % metadata.get("KeySpec")
    return None


class AwsResourceInfoRunner(AwsRunner):
    def run(self):
        p = self.params
        result = dict(changed=False)
        if p.get("kms_key"):
            described = self.aws.call("kms", "describe_key", missing_codes=("NotFoundException",), KeyId=p["kms_key"])
            metadata = (described or {}).get("KeyMetadata")
            problem = kms_key_problem(metadata)
            result["kms_key"] = dict(
                exists=metadata is not None,
                usable=problem is None,
                problem=problem,
                arn=(metadata or {}).get("Arn"),
                state=(metadata or {}).get("KeyState"),
            )
        if p.get("route53_zone_id"):
            zone_id = p["route53_zone_id"].split("/")[-1]
            found = self.aws.call("route53", "get_hosted_zone", missing_codes=("NoSuchHostedZone",), Id=zone_id)
            zone = (found or {}).get("HostedZone")
            result["route53_zone"] = dict(
                exists=zone is not None,
                name=(zone or {}).get("Name", "").rstrip(".") or None,
                private=((zone or {}).get("Config") or {}).get("PrivateZone"),
            )
        return result
