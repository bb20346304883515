import pytest

from localfleet import config


@pytest.fixture(autouse=True)
def empty_fleet_dir(tmp_path, monkeypatch):
    """Unit tests see no existing clusters, whatever fleet runs on the machine."""
    monkeypatch.setattr(config, "CLUSTERS_DIR", tmp_path / "clusters")
