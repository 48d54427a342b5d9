# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Kubernetes access shared by every module that talks to a cluster. The API server URL option
    # comes from HOST (helm_release) or K8S_HOST (wandb_cr, whose own "host" is the W&B URL).
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file, or the kubeconfig itself as a dictionary.
      - When neither this, the API server URL nor O(eks_cluster_name) is set, the files in E(KUBECONFIG) or
        C(~/.kube/config) are used, and inside a pod its service account.
      - Can also be set with E(K8S_AUTH_KUBECONFIG).
    type: raw
  context:
    description:
      - The kubeconfig context to use; default is the kubeconfig's current context.
      - Can also be set with E(K8S_AUTH_CONTEXT).
    type: str
  api_key:
    description:
      - Bearer token for the API server; overrides the kubeconfig's credentials.
      - Can also be set with E(K8S_AUTH_API_KEY).
    type: str
  ca_cert:
    description:
      - Path to the CA certificate that signed the API server's certificate.
      - Can also be set with E(K8S_AUTH_SSL_CA_CERT).
    type: path
    aliases: [ssl_ca_cert]
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate. Default is what the kubeconfig says (verify).
      - Can also be set with E(K8S_AUTH_VERIFY_SSL).
    type: bool
    aliases: [verify_ssl]
  eks_cluster_name:
    description:
      - EKS mode. Name of an EKS cluster to reach with AWS credentials only.
      - The endpoint and CA come from the EKS API (C(DescribeCluster)); the bearer token is made
        locally from a presigned STS C(GetCallerIdentity) request, as C(aws eks get-token) does.
        No AWS CLI and no kubeconfig file are needed.
      - The AWS options (O(region), O(profile), credentials, O(endpoint_url)) apply.
      - Mutually exclusive with O(kubeconfig), O(context), the API server URL and O(api_key).
    type: str
notes:
  - EKS tokens are valid for 15 minutes; a single helm command that waits longer than that may lose
    access part-way. Use a kubeconfig with an exec credential plugin for such long waits.
"""

    HOST = r"""
options:
  host:
    description:
      - URL of the Kubernetes API server. When set, no kubeconfig is read.
      - Can also be set with E(K8S_AUTH_HOST).
      - Also accepted as O(k8s_host), the name to use in C(module_defaults) for the C(k8s) group,
        where C(host) would also reach P(selfmanaged.wandb.wandb_cr#module)'s W&B URL.
    type: str
    aliases: [k8s_host]
"""

    # For modules whose own "host" option means something else (wandb_cr: the W&B URL).
    K8S_HOST = r"""
options:
  k8s_host:
    description:
      - URL of the Kubernetes API server. When set, no kubeconfig is read.
      - Can also be set with E(K8S_AUTH_HOST).
    type: str
"""
