"""The fleet refuses to start more API servers than the user's inotify instances allow, saying how to raise them."""

import os

import pytest

from localfleet import fleet


def fake_proc(tmp_path, limit, held):
    (tmp_path / "sys/fs/inotify").mkdir(parents=True)
    (tmp_path / "sys/fs/inotify/max_user_instances").write_text(f"{limit}\n")
    fds = tmp_path / "4242" / "fd"
    fds.mkdir(parents=True)
    for number in range(held):
        os.symlink("anon_inode:inotify", fds / str(number))
    os.symlink("/dev/null", fds / "99")
    return tmp_path


def test_counts_the_users_inotify_instances(tmp_path):
    assert fleet.inotify_in_use(fake_proc(tmp_path, 128, 5)) == 5


def test_room_enough_starts(tmp_path):
    fleet.check_inotify(20, 0, proc=fake_proc(tmp_path, 128, 2))


def test_karmadas_control_plane_counts(tmp_path):
    """A hub and 20 spokes fit in Linux's default 128, but not with Karmada's plane beside them (its webhook
    exited with "too many open files")."""
    with pytest.raises(fleet.FleetError, match=r"starting 21 clusters, Karmada's control plane and 0 Gatekeepers "
                                               r"needs 134 inotify instances"):
        fleet.check_inotify(21, 0, karmada=True, proc=fake_proc(tmp_path, 128, 0))


def test_past_the_limit_is_a_clear_fleet_error(tmp_path):
    with pytest.raises(fleet.FleetError, match=r"starting 49 clusters and 2 Gatekeepers needs 296 inotify instances "
                                               r".* 2 of this user's 128 .*max_user_instances=596"):
        fleet.check_inotify(49, 2, proc=fake_proc(tmp_path, 128, 2))
