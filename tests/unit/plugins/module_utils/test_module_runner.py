"""run_module: the one place where WandbModuleError becomes fail_json."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import HelmError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.module_runner import run_module


class FakeModule(object):
    def __init__(self):
        self.exited = None

    def exit_json(self, **result):
        self.exited = ("exit", result)
        raise SystemExit(0)

    def fail_json(self, **result):
        self.exited = ("fail", result)
        raise SystemExit(1)


def test_errors_become_one_fail_json_with_details():
    module = FakeModule()

    def main(_module):
        raise HelmError("helm: Error: boom", command="helm upgrade x", rc=1)

    with pytest.raises(SystemExit):
        run_module(module, main)
    assert module.exited == ("fail", {"msg": "helm: Error: boom", "command": "helm upgrade x", "rc": 1})


def test_results_are_exited():
    module = FakeModule()
    with pytest.raises(SystemExit):
        run_module(module, lambda m: {"changed": False})
    assert module.exited == ("exit", {"changed": False})
