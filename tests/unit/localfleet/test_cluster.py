"""A cluster refuses to start on ports another process holds, with a message that says what to do."""

import socket

import pytest

from localfleet import cluster, config


def test_port_taken_detects_a_listener():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert cluster._port_taken(listener.getsockname()[1])  # pylint: disable=protected-access


def test_busy_port_is_a_clear_fleet_error(monkeypatch):
    spec = config.fleet_specs(0)[0]
    monkeypatch.setattr(cluster, "_port_taken", lambda port: port == spec.port("etcd_peer"))
    with pytest.raises(cluster.FleetError, match=r"hub: port 16002 for etcd is in use .* FLEET_PORT_BASE"):
        cluster.LocalCluster(spec)._check_ports_free("etcd")  # pylint: disable=protected-access
