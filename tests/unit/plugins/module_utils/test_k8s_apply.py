"""k8s_apply: what counts as a change, and Secret values kept out of output."""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s_apply import comparable, for_output

STORED = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}, "status": {"x": 1},
          "metadata": {"name": "c", "namespace": "n", "labels": {"l": "1"}, "resourceVersion": "7", "uid": "u",
                       "managedFields": [{"manager": "m"}], "creationTimestamp": "t", "generation": 2}}


def test_volatile_metadata_and_status_do_not_count():
    again = dict(STORED, status={"x": 2}, metadata=dict(STORED["metadata"], resourceVersion="8", managedFields=[]))
    assert comparable(again) == comparable(STORED)
    assert comparable(dict(STORED, data={"a": "2"})) != comparable(STORED)
    assert comparable(None) is None


def test_secret_values_are_hidden():
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"password": "c2VjcmV0"}}
    assert for_output(secret)["data"] == {"password": "VALUE_HIDDEN"}
    assert secret["data"]["password"] == "c2VjcmV0"
