# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A replica change to a GitOps branch, end to end: checkout (git.py), manifest edits (replicas.py), commit and
push, retried from a fresh clone when the branch moved meanwhile."""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.hubspoke.multicluster.plugins.module_utils.gitops import replicas
from ansible_collections.hubspoke.multicluster.plugins.module_utils.gitops.git import GitCheckout, GitError

PUSH_ATTEMPTS = 3
# The gitops_replicas module's options.
OPTIONS = {
    "repo": {"type": "str", "required": True},
    "branch": {"type": "str", "default": "main"},
    "path": {"type": "str", "required": True},
    "workloads": {"type": "list", "elements": "str", "required": True},
    "replicas": {"type": "int", "required": True},
    "commit_message": {"type": "str"},
    "author_name": {"type": "str", "default": "hubspoke.multicluster"},
    "author_email": {"type": "str", "default": "hubspoke@localhost"},
}


def change_replicas(module):
    """Set the replicas of the module's workloads in its branch: clone, edit, commit and push, again from a fresh
    clone when someone pushed in between (PUSH_ATTEMPTS times); the result the module returns."""
    if not replicas.HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML"))
    if module.params["replicas"] < 0:
        module.fail_json(msg="replicas must be 0 or more, got {0}".format(module.params["replicas"]))
    try:
        return commit_replicas(module)
    except (GitError, replicas.ManifestError) as err:
        module.fail_json(msg=str(err))
    return None


def commit_replicas(module):
    """The change itself; GitError and ManifestError name what went wrong."""
    params = module.params
    message = params["commit_message"] or "Scale {0} in {1} to {2} replicas".format(
        ", ".join(params["workloads"]), params["path"], params["replicas"])
    for _attempt in range(PUSH_ATTEMPTS):
        checkout = GitCheckout(module, params["repo"], params["branch"])
        try:
            previous, changed, diffs = replicas.edit(checkout, params)
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
