#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: acm_certificate
short_description: An ACM certificate requested with DNS validation (records written to Route 53)
version_added: 0.2.0
description:
  - Requests a public ACM certificate for O(domain_name) (and O(subject_alternative_names)) with DNS validation,
    writes the validation records into the Route 53 zone O(route53_zone_id) when given, and waits until it is issued.
  - Finds its own certificate again by its names and the tag C(selfmanaged.wandb/certificate), so a re-run requests
    nothing; certificates made elsewhere are left alone.
  - Without O(route53_zone_id) the validation records are returned for you to publish; with O(wait) the module then
    waits until ACM sees them.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reports the request and records it would make; no AWS write.
  diff_mode:
    support: none
    description: Not supported; RV(updates) lists what changes.
options:
  domain_name:
    description: The certificate's name, such as C(wandb.example.com).
    type: str
    required: true
  subject_alternative_names:
    description: More names on the certificate.
    type: list
    elements: str
    default: []
  route53_zone_id:
    description: Route 53 hosted zone where the validation records are written.
    type: str
  state:
    description: Whether it should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until the certificate is issued (after its DNS validation).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 1800
"""

EXAMPLES = r"""
- name: Certificate for W&B, validated through Route 53
  selfmanaged.wandb.acm_certificate:
    domain_name: wandb.example.com
    route53_zone_id: Z0123456789ABCDEFGHIJ
  register: cert   # cert.certificate.arn
"""

RETURN = r"""
certificate:
  description: The certificate (C(exists=false) in check mode before it is requested, or once removed).
  returned: always
  type: dict
  contains:
    arn:
      description: Its ARN.
      type: str
    status:
      description: ACM's status, C(ISSUED) once validated.
      type: str
    validation_records:
      description: The DNS records that validate it (name, type, value).
      type: list
      elements: dict
updates:
  description: What was (or would be) requested, written or deleted.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.acm_certificate import CertificateRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        domain_name=dict(type="str", required=True),
        subject_alternative_names=dict(type="list", elements="str", default=[]),
        route53_zone_id=dict(type="str"),
    )
    aws_main(spec, CertificateRunner, wait_timeout=1800)


if __name__ == "__main__":
    main()
