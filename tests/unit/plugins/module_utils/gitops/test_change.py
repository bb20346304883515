"""A replica change against a bare repository in a temporary folder (git is local I/O, no network)."""

import subprocess

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.gitops.replicas import ManifestError
from ansible_collections.hubspoke.multicluster.plugins.module_utils.gitops.change import commit_replicas as run

DEPLOYMENT = "kind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 0  # standby\n"


class FakeModule:
    """The parts of AnsibleModule the module uses; commands really run."""

    def __init__(self, check_mode=False, **params):
        self.params = {"branch": "main", "commit_message": None, "author_name": "t", "author_email": "t@localhost", **params}
        self.check_mode = check_mode
        self._diff = True

    @staticmethod
    def run_command(args, cwd=None, environ_update=None):
        proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
        return proc.returncode, proc.stdout, proc.stderr


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(name="repo")
def fixture_repo(tmp_path):
    bare = tmp_path / "apps.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare), cwd=tmp_path)
    work = tmp_path / "work"
    git("clone", "--quiet", str(bare), str(work), cwd=tmp_path)
    (work / "web" / "spoke-2").mkdir(parents=True)
    (work / "web" / "spoke-2" / "deployment.yaml").write_text(DEPLOYMENT)
    git("add", ".", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@l", "commit", "--quiet", "-m", "seed", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    return bare


def log(bare):
    return git("log", "--format=%s", "main", cwd=bare).splitlines()


def test_commits_once_then_changes_nothing(repo):
    params = {"repo": f"file://{repo}", "path": "web/spoke-2", "workloads": ["web"], "replicas": 3}
    first = run(FakeModule(**params))
    assert first["changed"] and first["files"] == ["web/spoke-2/deployment.yaml"]
    assert first["previous"] == {"web/spoke-2/deployment.yaml": {"web": 0}}
    assert log(repo)[0] == "Scale web in web/spoke-2 to 3 replicas"
    assert git("show", "main:web/spoke-2/deployment.yaml", cwd=repo) == DEPLOYMENT.replace("0  #", "3  #").strip()
    assert first["commit"] == git("rev-parse", "main", cwd=repo)
    second = run(FakeModule(**params))
    assert not second["changed"] and second["commit"] == first["commit"] and len(log(repo)) == 2


def test_check_mode_reports_and_commits_nothing(repo):
    result = run(FakeModule(check_mode=True, repo=str(repo), path="web", workloads=["web"], replicas=3))
    assert result["changed"] and "replicas: 3" in result["diff"][0]["after"]
    assert log(repo) == ["seed"]


def test_unknown_workload_changes_nothing(repo):
    with pytest.raises(ManifestError, match="no workload named api under web"):
        run(FakeModule(repo=str(repo), path="web", workloads=["web", "api"], replicas=3))
    assert log(repo) == ["seed"]
