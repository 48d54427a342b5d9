# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS options, apart from the service that uses them: the Kubernetes modules take them too (EKS mode), and
must not import boto3 and amazon.aws for that (a no-op run without EKS mode would pay ~0.2 s)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback

# Options shared by every module that talks to AWS (documented in the ``aws`` doc fragment).
# boto3 itself reads AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, ...;
# the fallbacks below add the spellings amazon.aws users already have in their environment.
AWS_ARGSPEC = dict(
    region=dict(type="str", aliases=["aws_region"], fallback=(env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"])),
    profile=dict(type="str", aliases=["aws_profile"], fallback=(env_fallback, ["AWS_PROFILE"])),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url"], fallback=(env_fallback, ["AWS_ENDPOINT_URL"])),
    access_key=dict(type="str", aliases=["aws_access_key_id"], no_log=False),
    secret_key=dict(type="str", aliases=["aws_secret_access_key"], no_log=True),
    session_token=dict(type="str", aliases=["aws_session_token"], no_log=True),
)

# Shared by the modules that tag what they manage (documented by the aws.tags doc fragment).
TAGS_ARGSPEC = dict(tags=dict(type="dict"), purge_tags=dict(type="bool", default=True))


def state_wait_argspec(wait_timeout):
    """``state`` plus ``wait``/``wait_timeout`` (seconds) of the modules that wait for AWS."""
    return dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=wait_timeout),
    )
