"""NetworkPolicies evaluated the way Kubernetes defines them (the testbed stores policies and enforces none): a
connection to a pod is allowed when no policy with policyType Ingress selects the pod, or when an ingress rule of one
that does admits the source on the port. A rule admits a source when its ports list is empty or holds the port, and its
``from`` list is empty or has a peer matching the source: a podSelector alone matches pods of the policy's namespace,
a namespaceSelector alone pods of the namespaces it selects, both together pods matching both, an ipBlock an address
in its CIDR and outside its exceptions. Pods are (namespace, labels), addresses are strings."""

import ipaddress


def selects(selector, labels):
    """Whether a label selector (matchLabels, matchExpressions) selects ``labels``; an empty selector selects all."""
    selector = selector or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


class Cluster(object):
    """The policies and the namespaces' labels of a cluster, as the API server returns them."""

    def __init__(self, policies, namespaces):
        self.policies = policies
        self.namespace_labels = dict((n["metadata"]["name"], n["metadata"].get("labels") or {}) for n in namespaces)

    def peer_matches(self, peer, policy_namespace, source):
        if "ipBlock" in peer:
            if not isinstance(source, str):
                return False  # a pod: its address is not known here (see allows)
            address = ipaddress.ip_address(source)
            block = peer["ipBlock"]
            return address in ipaddress.ip_network(block["cidr"]) and not any(
                address in ipaddress.ip_network(e) for e in block.get("except") or []
            )
        if isinstance(source, str):
            return False  # an address outside the cluster matches only ipBlocks
        namespace, labels = source
        if "namespaceSelector" in peer:
            if not selects(peer["namespaceSelector"], self.namespace_labels.get(namespace, {})):
                return False
        elif namespace != policy_namespace:
            return False  # a podSelector alone: the policy's own namespace
        return "podSelector" not in peer or selects(peer["podSelector"], labels)

    def allows(self, source, destination, port):
        """Whether ``source`` (a pod: (namespace, labels); or an address) may open ``port`` on ``destination``."""
        namespace, labels = destination
        isolating = [
            p
            for p in self.policies
            if p["metadata"]["namespace"] == namespace
            and "Ingress" in (p["spec"].get("policyTypes") or ["Ingress"])
            and selects(p["spec"].get("podSelector"), labels)
        ]
        if not isolating:
            return True
        for policy in isolating:
            for rule in policy["spec"].get("ingress") or []:
                ports = rule.get("ports") or []
                if ports and not any(
                    p.get("port") == port or (p.get("endPort") and p["port"] <= port <= p["endPort"]) for p in ports
                ):
                    continue
                peers = rule.get("from") or []
                if not peers or any(self.peer_matches(peer, namespace, source) for peer in peers):
                    return True
        return False
