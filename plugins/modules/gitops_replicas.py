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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hubspoke.multicluster.plugins.module_utils.gitops.change import OPTIONS, change_replicas


def main():
    module = AnsibleModule(argument_spec=OPTIONS, supports_check_mode=True)
    module.exit_json(**change_replicas(module))


if __name__ == "__main__":
    main()
