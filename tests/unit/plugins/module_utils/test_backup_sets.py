"""Which backup sets retention removes: the oldest sets named after their time beyond those kept, never a named set,
never a set a kept set is incremental on (through a chain of bases too)."""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.backup_sets import to_remove


def sets(*ids, **bases):
    return dict((i, {"id": i, "base_id": bases.get(i)}) for i in ids)


def test_the_oldest_timed_sets_beyond_those_kept():
    found = sets("20261201T020000Z", "20261202T020000Z", "20261203T020000Z", "before-upgrade")
    assert to_remove(found, 2) == ["20261201T020000Z"]
    assert to_remove(found, 1) == ["20261201T020000Z", "20261202T020000Z"]
    assert to_remove(found, 3) == [] and to_remove(found, 0) == [] and to_remove(found, None) == []


def test_a_named_set_is_never_removed():
    assert to_remove(sets("before-upgrade", "after-upgrade", "20261203T020000Z"), 1) == []


def test_a_base_of_a_kept_set_stays_through_a_chain_of_bases():
    found = sets(
        "20261201T020000Z",
        "20261202T020000Z",
        "20261203T020000Z",
        "20261204T020000Z",
        **{"20261204T020000Z": "20261203T020000Z", "20261203T020000Z": "20261201T020000Z"},
    )
    assert to_remove(found, 1) == ["20261202T020000Z"]
    # a named set's base stays too
    found = sets("20261201T020000Z", "20261202T020000Z", "20261203T020000Z", "before-upgrade")
    found["before-upgrade"]["base_id"] = "20261201T020000Z"
    assert to_remove(found, 1) == ["20261202T020000Z"]
