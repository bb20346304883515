#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: gitops_replicas
short_description: Set the replica count of workloads in a GitOps repository, commit and push
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Clones one branch of a Git repository, sets the replicas of the named workloads in the manifests under
    O(path), and commits and pushes the change with a message that says why. Nothing is committed when every
    workload already has that count, so a second run changes nothing.
  - In plain manifests a C(Deployment), C(StatefulSet) or C(ReplicaSet) changes C(spec.replicas); in a
    kustomization the C(count) of its C(replicas) entry of that name changes (Kustomize's own way to scale an
    overlay). Only the characters of each value change; comments and layout stay as they are.
  - Every workload of O(workloads) must be found under O(path) with a replica value; otherwise the module
    fails and commits nothing.
  - A push the remote refuses because it moved meanwhile is retried on a fresh clone.
  - Written here because no maintained module commits and pushes (M(ansible.builtin.git) only clones and
    updates). Authentication is Git's own on the controller (SSH keys, credential helpers).
options:
  repo:
    description: URL of the repository (C(ssh://), C(https://), C(file://) or a path).
    type: str
    required: true
  branch:
    description: Branch to change.
    type: str
    default: main
  path:
    description: A manifest file, or a directory whose C(.yaml) and C(.yml) files (recursively) are searched.
    type: str
    required: true
  workloads:
    description: Names of the workloads (or kustomization C(replicas) entries) to scale.
    type: list
    elements: str
    required: true
  replicas:
    description: The replica count to set.
    type: int
    required: true
  commit_message:
    description: Commit message. Defaults to one naming the workloads, the path and the count.
    type: str
  author_name:
    description: Author and committer name of the commit.
    type: str
    default: hubspoke.multicluster
  author_email:
    description: Author and committer email of the commit.
    type: str
    default: hubspoke@localhost
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the repository.
    support: full
    details: Clones and computes the change, commits nothing.
  diff_mode:
    description: Returns the files before and after the change, when in diff mode.
    support: full
requirements:
  - git
  - PyYAML
"""

EXAMPLES = r"""
- name: Scale the standby's overlay of the web application up
  hubspoke.multicluster.gitops_replicas:
    repo: ssh://git@git.example.com/platform/apps.git
    branch: main
    path: web/overlays/standby
    workloads: [web]
    replicas: 3
    commit_message: "failover: run web on the standby (change 4711)"
  register: scaled
"""

RETURN = r"""
commit:
  description: The branch's commit after the module ran (the new commit when it changed something).
  returned: always
  type: str
  sample: 3f2a9c1d0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49
previous:
  description: The replica counts found, per file and workload, before the change.
  returned: always
  type: dict
  sample: {"web/overlays/standby/deployment.yaml": {"web": 0}}
files:
  description: The files that changed (or would change, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["web/overlays/standby/deployment.yaml"]
"""

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.hubspoke.multicluster.plugins.module_utils.git_checkout import GitCheckout, GitError
from ansible_collections.hubspoke.multicluster.plugins.module_utils.manifest_replicas import (
    HAS_YAML,
    ManifestError,
    set_replicas,
)

PUSH_ATTEMPTS = 3


def manifest_files(checkout, path):
    full = checkout.path(path)
    if os.path.isfile(full):
        return [path]
    if not os.path.isdir(full):
        raise ManifestError("{0} is not in branch {1} of {2}".format(path, checkout.branch, checkout.repo))
    found = []
    for directory, _dirs, names in os.walk(full):
        for name in names:
            if name.endswith((".yaml", ".yml")):
                found.append(os.path.relpath(os.path.join(directory, name), checkout.workdir))
    return sorted(found)


def edit(checkout, params):
    """Change the files in the checkout; (previous counts, changed files, diffs)."""
    previous, changed, diffs = {}, [], []
    for relative in manifest_files(checkout, params["path"]):
        full = checkout.path(relative)
        with open(full, encoding="utf-8") as handle:
            before = handle.read()
        after, counts = set_replicas(before, params["workloads"], params["replicas"], relative,
                                     kustomization=os.path.basename(relative).startswith("kustomization."))
        if counts:
            previous[relative] = counts
        if after != before:
            changed.append(relative)
            diffs.append({"before_header": relative, "after_header": relative, "before": before, "after": after})
            with open(full, "w", encoding="utf-8") as handle:
                handle.write(after)
    found = {name for counts in previous.values() for name in counts}
    missing = [name for name in params["workloads"] if name not in found]
    if missing:
        raise ManifestError("no workload named {0} under {1} in branch {2} of {3}".format(
            ", ".join(missing), params["path"], params["branch"], params["repo"]))
    return previous, changed, diffs


def run(module):
    params = module.params
    message = params["commit_message"] or "Scale {0} in {1} to {2} replicas".format(
        ", ".join(params["workloads"]), params["path"], params["replicas"])
    for _attempt in range(PUSH_ATTEMPTS):
        checkout = GitCheckout(module, params["repo"], params["branch"])
        try:
            previous, changed, diffs = edit(checkout, params)
            result = {"changed": bool(changed), "previous": previous, "files": changed}
            if module._diff:
                result["diff"] = diffs
            if not changed or module.check_mode:
                return dict(result, commit=checkout.head())
            if checkout.commit_and_push(message, params["author_name"], params["author_email"]):
                return dict(result, commit=checkout.head())
        finally:
            checkout.close()
    raise GitError("the branch {0} of {1} kept moving: {2} pushes refused".format(
        params["branch"], params["repo"], PUSH_ATTEMPTS))


def main():
    module = AnsibleModule(
        argument_spec={
            "repo": {"type": "str", "required": True},
            "branch": {"type": "str", "default": "main"},
            "path": {"type": "str", "required": True},
            "workloads": {"type": "list", "elements": "str", "required": True},
            "replicas": {"type": "int", "required": True},
            "commit_message": {"type": "str"},
            "author_name": {"type": "str", "default": "hubspoke.multicluster"},
            "author_email": {"type": "str", "default": "hubspoke@localhost"},
        },
        supports_check_mode=True,
    )
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML"))
    if module.params["replicas"] < 0:
        module.fail_json(msg="replicas must be 0 or more, got {0}".format(module.params["replicas"]))
    try:
        module.exit_json(**run(module))
    except (GitError, ManifestError) as err:
        module.fail_json(msg=str(err))


if __name__ == "__main__":
    main()
