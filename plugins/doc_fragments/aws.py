# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # AWS session options shared by every module that calls AWS.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - AWS region. Can also be set with E(AWS_REGION) or E(AWS_DEFAULT_REGION).
    type: str
    aliases: [aws_region]
  profile:
    description:
      - Named profile from the AWS shared config/credentials files. Can also be set with E(AWS_PROFILE).
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description:
      - Alternative AWS endpoint (for example a local test endpoint). Can also be set with E(AWS_ENDPOINT_URL).
    type: str
    aliases: [aws_endpoint_url]
  access_key:
    description:
      - AWS access key ID. Default is boto3's credential chain (environment, profile, instance role).
    type: str
    aliases: [aws_access_key_id]
  secret_key:
    description:
      - AWS secret access key.
    type: str
    aliases: [aws_secret_access_key]
  session_token:
    description:
      - AWS session token for temporary credentials.
    type: str
    aliases: [aws_session_token]
requirements:
  - boto3 >= 1.28.0
  - botocore >= 1.31.0
"""

    # Tag options of the modules that tag what they manage.
    TAGS = r"""
options:
  tags:
    description: Tags on the resource. Unset leaves its tags alone.
    type: dict
  purge_tags:
    description: Remove tags not in O(tags).
    type: bool
    default: true
"""
