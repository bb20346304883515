"""A Git repository for Argo CD on the local fleet: `web` with a folder per cluster, 3 replicas on the primary
(spoke-1) and 0 on the standby (spoke-2), and the variables that route and fail it over.

Shared by the disaster-recovery test and the failover benchmark, so both measure the same application.
"""

import shutil
import subprocess

PRIMARY, STANDBY = "spoke-1", "spoke-2"
TARGETS = {PRIMARY: ["192.0.2.1"], STANDBY: ["192.0.2.2"]}
DEPLOYMENT = """\
# {cluster}: {role}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {{app: web}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: docker.io/library/nginx:1.27}}]
"""


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def seed_repository(path):
    """A new bare repository at `path` (any old one is removed) with web/spoke-1 and web/spoke-2."""
    work = path.with_suffix(".work")
    for old in (path, work):
        shutil.rmtree(old, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", "--bare", "--initial-branch=main", str(path), cwd=path.parent)
    git("clone", "--quiet", str(path), str(work), cwd=path.parent)
    for cluster, role, replicas in ((PRIMARY, "primary", 3), (STANDBY, "standby", 0)):
        (work / "web" / cluster).mkdir(parents=True)
        (work / "web" / cluster / "deployment.yaml").write_text(
            DEPLOYMENT.format(cluster=cluster, role=role, replicas=replicas))
    git("add", ".", cwd=work)
    git("-c", "user.name=localfleet", "-c", "user.email=localfleet@localhost", "commit", "--quiet", "-m", "web",
        cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    shutil.rmtree(work)


def write_vars(path, repo):
    """An extra-vars file: the ApplicationSet routing web to every spoke, and web's failover catalog entry.
    `!unsafe` keeps the ApplicationSet's Go template away from Jinja."""
    path.write_text(f"""\
applicationsets_items:
  - name: web
    repo_url: file://{repo}
    revision: main
    path: !unsafe 'web/{{{{.name}}}}'
    selector: {{matchLabels: {{role: spoke}}}}
    sync: {{retry_limit: 0}}
failover_catalog:
  web:
    primary: {PRIMARY}
    standby: {STANDBY}
    replicas: 3
    mode: gitops
    git: {{repo: "file://{repo}", branch: main}}
    argocd: {{hub: hub}}
    dns: {{name: web.example.test, cluster: hub, namespace: default, targets: {TARGETS}}}
""")
    return path
