"""Values as Helm sees them: merge order, normalisation, masking."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.values import (
    MASK,
    deep_merge,
    leaf_paths,
    mask_paths,
    merge_values,
    same_values,
    versions_that_move,
)


def test_deep_merge_merges_maps_and_replaces_everything_else():
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 1, "c": {"k": "v"}}
    over = {"a": {"y": [3], "z": None}, "b": {"now": "map"}, "c": None}
    assert deep_merge(base, over) == {"a": {"x": 1, "y": [3], "z": None}, "b": {"now": "map"}, "c": None}


def test_deep_merge_does_not_mutate_inputs():
    base, over = {"a": {"x": 1}}, {"a": {"y": 2}}
    merged = deep_merge(base, over)
    merged["a"]["x"] = 99
    assert base == {"a": {"x": 1}} and over == {"a": {"y": 2}}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_merge_values_order_is_files_then_values_then_secrets(tmp_path):
    first = write(tmp_path, "1.yaml", "a: file1\nb: file1\nc: file1\nd: file1\n")
    second = write(tmp_path, "2.yaml", "b: file2\nc: file2\nd: file2\n")
    merged = merge_values([first, second], {"c": "values", "d": "values"}, {"d": "secret"})
    assert merged == {"a": "file1", "b": "file2", "c": "values", "d": "secret"}


def test_values_file_keeps_dates_as_strings_like_helm(tmp_path):
    path = write(tmp_path, "v.yaml", "when: 2024-01-01\nport: '8123'\nn: 8123\n")
    assert merge_values([path], {}, None) == {"when": "2024-01-01", "port": "8123", "n": 8123}


@pytest.mark.parametrize(
    "text,message",
    [
        ("- a\n- b\n", "must hold a mapping"),
        ("a: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_values_files_fail_clearly(tmp_path, text, message):
    with pytest.raises(WandbModuleError, match=message):
        merge_values([write(tmp_path, "bad.yaml", text)], {}, None)


def test_missing_values_file_fails_clearly(tmp_path):
    with pytest.raises(WandbModuleError, match="cannot read values file"):
        merge_values([str(tmp_path / "nope.yaml")], {}, None)


def test_empty_values_file_is_empty(tmp_path):
    assert merge_values([write(tmp_path, "e.yaml", "")], None, None) == {}


@pytest.mark.parametrize(
    "ours,stored",
    [
        ({"a": 2.0}, {"a": 2}),
        ({"big": 12345678901234567890}, {"big": 12345678901234567000}),  # what Go's float64 stores
        ({1: "x"}, {"1": "x"}),
        ({"l": [1.0, {"k": 3.0}]}, {"l": [1, {"k": 3}]}),
    ],
)
def test_same_values_equates_what_helm_stores_identically(ours, stored):
    assert same_values(ours, stored)


@pytest.mark.parametrize(
    "ours,stored",
    [
        ({"a": 1.5}, {"a": 1}),
        ({"port": "8123"}, {"port": 8123}),
        ({"flag": True}, {"flag": 1}),
        ({"x": None}, {}),
    ],
)
def test_same_values_keeps_real_differences(ours, stored):
    assert not same_values(ours, stored)


def test_leaf_paths_and_mask_paths():
    secrets = {"auth": {"password": "p", "keys": {"a": "1"}}, "token": "t"}
    paths = leaf_paths(secrets)
    assert sorted(paths) == [("auth", "keys", "a"), ("auth", "password"), ("token",)]
    values = {"auth": {"password": "p", "user": "u", "keys": {"a": "1"}}, "token": "t"}
    masked = mask_paths(values, paths + [("not", "there")])
    assert masked == {"auth": {"password": MASK, "user": "u", "keys": {"a": MASK}}, "token": MASK}
    assert values["auth"]["password"] == "p"


def test_versions_that_move_are_shown_from_and_to_secrets_never():
    before = {"image": {"tag": "0.25.4"}, "metrics": {"image": {"tag": "0.25.4"}}, "replicas": 1, "auth": {"tag": "s1"}}
    after = {"image": {"tag": "0.25.6"}, "metrics": {"image": {"tag": "0.25.4"}}, "replicas": 2, "auth": {"tag": "s2"}}
    after["console"] = {"image": {"tag": "2.18.16"}}
    assert versions_that_move(before, after, secret_paths=[("auth", "tag")]) == [
        "console.image.tag: (chart default) -> 2.18.16",
        "image.tag: 0.25.4 -> 0.25.6",
    ]
    assert versions_that_move(before, before) == []
