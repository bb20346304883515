"""Git repositories for Argo CD on the local fleet:
- `guestbook.git`, what `make demo` deploys: a Kustomize base and an overlay per environment (production runs
  3 replicas, staging 1), routed by the local inventory's seed-style ApplicationSet;
- `apps.git`, with the variables that route and fail over its applications (the disaster-recovery test and the
  failover benchmark):
- `web`, a folder per cluster, 3 replicas on the primary (spoke-1) and 0 on the standby (spoke-2), sent to
  the spokes by an ApplicationSet and failed over in Git (mode gitops);
- `shop`, a Kustomize base with 3 replicas and an overlay per cluster, an Application per cluster whose
  standby one overrides the replicas to 0, failed over by changing that override (mode argocd);
- `settings/<app>.json` for a Git files generator, and `shared`, a ConfigMap for a second source of an
  Application (the ApplicationSets test).

- `apps.git` and `platform.git` of the topology examples (inventories/examples): `team-web`, a team's
  application, and `baseline`, the platform context a cockpit delivers.

Shared by the disaster-recovery test and the failover benchmark, so both measure the same application.
"""

import json
import shutil
import subprocess

PRIMARY, STANDBY = "spoke-1", "spoke-2"
TARGETS = {PRIMARY: ["192.0.2.1"], STANDBY: ["192.0.2.2"]}
DEPLOYMENT = """\
# {comment}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: {name}, image: docker.io/library/nginx:1.27}}]
"""


SHARED_SETTINGS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: shared-settings
data: {log_level: info}
"""
GUESTBOOK_REPLICAS = {"production": 3, "staging": 1}
# A chart of one ConfigMap whose data shows which values reached it: the chart's, a value file's, a parameter's.
CHART = {
    "Chart.yaml": "apiVersion: v2\nname: web-settings\nversion: 0.1.0\n",
    "values.yaml": "replicaCount: 1\nsite: default\ningress: {enabled: true}\n",
    "values-spoke-1.yaml": "site: hangzhou\n",
    "values-spoke-2.yaml": "site: beijing\n",
    "templates/settings.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  replicas: {{ .Values.replicaCount | quote }}
  site: {{ .Values.site | quote }}
  ingress: {{ .Values.ingress.enabled | quote }}
""",
}

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80, targetPort: 80}}]
"""


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def _new_repository(path):
    """An empty bare repository at `path` (any old one is removed) and a work tree cloned from it."""
    work = path.with_suffix(".work")
    for old in (path, work):
        shutil.rmtree(old, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", "--bare", "--initial-branch=main", str(path), cwd=path.parent)
    git("clone", "--quiet", str(path), str(work), cwd=path.parent)
    return work


def _push(work, message):
    git("add", ".", cwd=work)
    git("-c", "user.name=localfleet", "-c", "user.email=localfleet@localhost", "commit", "--quiet", "-m", message,
        cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    shutil.rmtree(work)


def ensure_guestbook(path):
    """The demo's repository at `path`, made once: a later `make demo` finds it as it was."""
    if (path / "HEAD").exists():
        return path
    work = _new_repository(path)
    base = work / "guestbook" / "base"
    base.mkdir(parents=True)
    (base / "deployment.yaml").write_text(DEPLOYMENT.format(comment="every environment", name="guestbook", replicas=1))
    (base / "service.yaml").write_text(SERVICE.format(name="guestbook"))
    (base / "kustomization.yaml").write_text("resources: [deployment.yaml, service.yaml]\n")
    for environment, replicas in GUESTBOOK_REPLICAS.items():
        overlay = work / "guestbook" / "overlays" / environment
        overlay.mkdir(parents=True)
        (overlay / "kustomization.yaml").write_text(
            f"resources: [../../base]\nreplicas: [{{name: guestbook, count: {replicas}}}]\n"
            f"labels: [{{pairs: {{environment: {environment}}}}}]\n")
    _push(work, "guestbook: a base and an overlay per environment")
    return path


def seed_repository(path):
    """A new bare repository at `path` (any old one is removed) with web/spoke-1, web/spoke-2, shop, settings,
    shared and chart."""
    work = _new_repository(path)
    for cluster, role, replicas in ((PRIMARY, "primary", 3), (STANDBY, "standby", 0)):
        (work / "web" / cluster).mkdir(parents=True)
        (work / "web" / cluster / "deployment.yaml").write_text(
            DEPLOYMENT.format(comment=f"{cluster}: {role}", name="web", replicas=replicas))
    (work / "shop" / "base").mkdir(parents=True)
    (work / "shop" / "base" / "deployment.yaml").write_text(
        DEPLOYMENT.format(comment="every cluster", name="shop", replicas=3))
    (work / "shop" / "base" / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    for cluster in (PRIMARY, STANDBY):
        (work / "shop" / cluster).mkdir()
        (work / "shop" / cluster / "kustomization.yaml").write_text("resources: [../base]\n")
    (work / "settings").mkdir()
    for app in ("alpha", "beta"):
        (work / "settings" / f"{app}.json").write_text(json.dumps({"app": app}) + "\n")
    (work / "shared").mkdir()
    (work / "shared" / "configmap.yaml").write_text(SHARED_SETTINGS)
    for name, text in CHART.items():
        (work / "chart" / name).parent.mkdir(parents=True, exist_ok=True)
        (work / "chart" / name).write_text(text)
    _push(work, "web")


BASELINE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: platform-baseline
data: {owner: platform}
"""


def topology_repositories(git_dir, replicas=1):
    """New `apps.git` (team-web, a Deployment of `replicas`) and `platform.git` (baseline) under `git_dir`."""
    work = _new_repository(git_dir / "apps.git")
    (work / "team-web").mkdir()
    (work / "team-web" / "deployment.yaml").write_text(
        DEPLOYMENT.format(comment="a team's application", name="team-web", replicas=replicas))
    _push(work, "team-web")
    work = _new_repository(git_dir / "platform.git")
    (work / "baseline").mkdir()
    (work / "baseline" / "configmap.yaml").write_text(BASELINE)
    _push(work, "baseline")


def set_replicas(repo, name, replicas):
    """Commit `replicas` for the Deployment `name` of the folder `name` (a team's change, as Git sees it)."""
    work = repo.with_suffix(".work")
    shutil.rmtree(work, ignore_errors=True)
    git("clone", "--quiet", str(repo), str(work), cwd=repo.parent)
    (work / name / "deployment.yaml").write_text(
        DEPLOYMENT.format(comment="a team's application", name=name, replicas=replicas))
    _push(work, f"{name}: {replicas} replicas")


def shop_applications(repo):
    """The Applications of `shop`, as a user would write them: the standby's overrides the replicas to 0.
    A folder each: Argo CD writes a replica override into the folder it renders (the failover role refuses
    two Applications on one folder)."""
    return [{
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": f"shop-{cluster}", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": f"file://{repo}", "targetRevision": "main", "path": f"shop/{cluster}",
                       **({"kustomize": {"replicas": [{"name": "shop", "count": 0}]}} if cluster == STANDBY else {})},
            "destination": {"name": cluster, "namespace": "shop"},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]},
        },
    } for cluster in (PRIMARY, STANDBY)]


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
  shop:
    primary: {PRIMARY}
    standby: {STANDBY}
    replicas: 3
    mode: argocd
    argocd: {{hub: hub}}
    dns: {{name: shop.example.test, cluster: hub, namespace: default, targets: {TARGETS}}}
""")
    return path
