"""Every role: an argument spec for main (and validate, which site.yml runs first), every default documented
with its default, public variables prefixed with the role's name, internal ones with an underscore."""

import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(r for r in os.listdir(os.path.join(ROOT, "roles")) if not r.startswith("_"))
# Internal roles, as community.sops names them: steps the public roles share, not for use on their own.
INTERNAL = sorted(r for r in os.listdir(os.path.join(ROOT, "roles")) if r.startswith("_"))
pytestmark = pytest.mark.quality


def load(role, *path):
    with open(os.path.join(ROOT, "roles", role, *path)) as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize("role", ROLES)
def test_role_variables_are_specified_prefixed_and_documented(role):
    specs = load(role, "meta", "argument_specs.yml")["argument_specs"]
    # every entry point a playbook uses (validate: site.yml's preflight; images: images.yml's; backup and restore:
    # clickhouse's, for playbooks/backup.yml and restore.yml) checks the same variables as main
    assert {"main", "validate", "images"} <= set(specs) <= {"main", "validate", "images", "backup", "restore"}
    assert all(spec == specs["main"] for spec in specs.values())
    options = specs["main"]["options"]
    defaults = load(role, "defaults", "main.yml")
    assert set(defaults) == set(options), "defaults and argument spec differ"
    for name, option in options.items():
        assert name.startswith(role + "_"), name
        assert option.get("description"), name
        value = defaults[name]
        if "default" in option:
            assert option["default"] == value, "%s: the spec's default differs from defaults/main.yml" % name
        else:
            assert isinstance(value, str) and "{{" in value, "%s: a literal default must be in the spec" % name
    for name in load(role, "vars", "main.yml") or {}:
        assert name.startswith("_" + role + "_"), name
    assert os.path.isfile(os.path.join(ROOT, "roles", role, "tasks", "validate.yml"))


@pytest.mark.parametrize("role", INTERNAL)
def test_internal_roles_say_so_and_validate_their_input(role):
    assert load(role, "meta", "main.yml")["galaxy_info"]["standalone"] is False
    assert "[INTERNAL]" in load(role, "meta", "main.yml")["galaxy_info"]["description"]
    spec = load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]
    assert list(spec["options"]) == [role], "one option named after the role, holding its settings"


@pytest.mark.parametrize("inventory", ["local", "aws"])
def test_inventories_turn_pipelining_on(inventory):
    """Module arguments (secrets among them) reach the module on its stdin, not a temporary file (README)."""
    with open(os.path.join(ROOT, "inventories", inventory, "hosts.yml")) as handle:
        localhost = yaml.safe_load(handle)["all"]["hosts"]["localhost"]
    assert localhost["ansible_pipelining"] is True
