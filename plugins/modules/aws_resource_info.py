#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: aws_resource_info
short_description: Whether the AWS resources a playbook's input names exist and can be used, one read-only call each
version_added: 0.2.0
description:
  - For a preflight that runs before anything changes. A KMS key (C(DescribeKey)) - does it exist, is it
    C(Enabled), is it a symmetric C(ENCRYPT_DECRYPT) key S3 can encrypt with; a Route 53 hosted zone
    (C(GetHostedZone)) - does it exist, and its name.
  - Something that does not exist is not an error; the result says so, and what is wrong with it.
  - Reads only; never reports a change.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Reads in check mode too; it changes nothing.
  diff_mode:
    support: none
    description: Nothing changes.
options:
  kms_key:
    description: A KMS key - its ARN, ID, alias ARN or C(alias/name).
    type: str
  route53_zone_id:
    description: A Route 53 hosted zone ID (C(Z0123...) or C(/hostedzone/Z0123...)).
    type: str
"""

EXAMPLES = r"""
- name: The key and the zone W&B's data stage was given
  selfmanaged.wandb.aws_resource_info:
    kms_key: arn:aws:kms:us-west-2:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789
    route53_zone_id: Z0123456789ABCDEFGHIJ
    region: us-west-2
  register: given

- name: Refuse what cannot be used
  ansible.builtin.assert:
    that:
      - given.kms_key.usable
      - given.route53_zone.exists
    fail_msg: "{{ given.kms_key.problem }}"
"""

RETURN = r"""
kms_key:
  description: With O(kms_key) - whether it exists and can encrypt a bucket, and if not, why.
  returned: when O(kms_key) is given
  type: dict
  sample: {"exists": true, "usable": false, "problem": "is Disabled, not Enabled", "arn": "arn:aws:kms:...", "state": "Disabled"}
route53_zone:
  description: With O(route53_zone_id) - whether it exists, its name and whether it is private.
  returned: when O(route53_zone_id) is given
  type: dict
  sample: {"exists": true, "name": "example.com", "private": false}
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.lookups import AwsResourceInfoRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    aws_main(
        dict(kms_key=dict(type="str", no_log=False), route53_zone_id=dict(type="str")),
        AwsResourceInfoRunner,
        tags=False,
    )


if __name__ == "__main__":
    main()
