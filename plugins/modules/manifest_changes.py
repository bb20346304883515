#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: manifest_changes
short_description: The documents of a manifest to apply, leaving out large ones that are applied already
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Reads a manifest (O(src) or O(definition)) and returns the documents a M(kubernetes.core.k8s) server-side
    apply still needs, in RV(definitions). Documents of the O(kinds) (CustomResourceDefinitions by default)
    are returned with the digest of their content in the annotation O(annotation), and left
    out when the cluster already holds that digest; every other document is returned, so the apply still
    restores any field someone else changed, unless O(held) leaves out those the cluster holds as applied.
  - A server-side apply of an unchanged CRD changes nothing, but the API server validates the whole schema
    again. For Argo CD's CRDs that is most of what a run with nothing to change costs the hub.
  - It only reads, one discovery request per group version compared and one metadata-only list per kind and
    namespace of O(kinds), no object bodies; with O(held), one list of whole objects per other kind and namespace.
options:
  src:
    description:
      - A YAML file of one or more documents, or an C(https://) URL of one (its certificate verified), or a list
        of them, whose documents are taken in that order (one read of the cluster for several files, where a
        task per file would cost a module run each). One of O(src) and O(definition) is required.
    type: raw
  definition:
    description: The documents, as a list.
    type: list
    elements: dict
  namespace:
    description: The namespace of namespaced documents that name none, as M(kubernetes.core.k8s) takes it.
    type: str
  kinds:
    description: The kinds whose documents are compared by digest and left out when applied already.
    type: list
    elements: str
    default: [CustomResourceDefinition]
  held:
    description:
      - Also leave out every document of the other kinds that the cluster holds as it was last applied, each
        returned with its digest like those of O(kinds) and left out when its object on the cluster has that
        digest (the same manifest, so no field the apply would now remove) and every field of the document
        with its value (nobody changed it since). A run that changes nothing then applies nothing.
      - Only for documents applied as this module returns them (as M(kubernetes.core.k8s) takes them, with
        O(namespace)); a role that changes them before applying (another image, another namespace) would
        compare what it does not apply.
    type: bool
    default: false
  annotation:
    description:
      - The annotation that holds each document's digest. Documents of the same object applied by two tasks
        with different field managers (an upstream manifest's empty C(argocd-cm), then a role's settings in
        it) need one each, since with one for both each apply would take it from the other and a second run
        would apply both again.
    type: str
    default: hubspoke.io/manifest-digest
  force:
    description:
      - Return every document (those of O(kinds), or all with O(held), with their digest), to apply them again
        whatever the cluster holds, for example after someone edited a CRD by hand.
    type: bool
    default: false
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - hubspoke.multicluster.attributes
  - hubspoke.multicluster.attributes.INFO_MODULE
requirements:
  - kubernetes >= 24.2.0
notes:
  - A manifest of 256 kB or more is kept parsed, as JSON, in C(hubspoke-multicluster/manifests) under
    C($XDG_CACHE_HOME) (C(~/.cache) by default), named by the digest of its text; parsing a manifest of
    megabytes takes about a second in every run, reading the copy milliseconds. Nothing is kept where that
    folder cannot be written; removing it is always safe.
  - A document of O(kinds) applied without its digest (by another tool, or before this module) is returned
    once, and left out after that apply.
seealso:
  - module: kubernetes.core.k8s
"""

EXAMPLES = r"""
- name: Find the upstream documents to apply
  hubspoke.multicluster.manifest_changes:
    src: /srv/manifests/install.yaml
    namespace: argocd
  register: install

- name: Apply them
  kubernetes.core.k8s:
    definition: "{{ install.definitions }}"
    namespace: argocd
    apply: true
    server_side_apply:
      field_manager: my-installer
  when: install.definitions | length > 0
"""

RETURN = r"""
definitions:
  description: The documents to apply, in the manifest's order.
  returned: always
  type: list
  elements: dict
  sample: [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "argocd-server"}}]
unchanged:
  description: C(Kind/name) of the documents left out because the cluster holds their digest (and, with O(held), their fields).
  returned: always
  type: list
  elements: str
  sample: ["CustomResourceDefinition/applicationsets.argoproj.io"]
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.applied import DIGEST_ANNOTATION
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.manifest_changes import changes, checked, load_all
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import cluster_module, run_on_cluster

OPTIONS = dict(
    src=dict(type="raw"),
    definition=dict(type="list", elements="dict"),
    namespace=dict(type="str"),
    kinds=dict(type="list", elements="str", default=["CustomResourceDefinition"]),
    force=dict(type="bool", default=False),
    held=dict(type="bool", default=False),
    annotation=dict(type="str", default=DIGEST_ANNOTATION),
)


def work(module, api_client):
    params = module.params
    documents = load_all(params["src"]) if params["src"] else checked([d for d in params["definition"] if d], "definition")
    return dict(changed=False, **changes(api_client, documents, set(params["kinds"]), params["namespace"],
                                         params["force"], params["held"], params["annotation"]))


def main():
    module = cluster_module(OPTIONS, mutually_exclusive=[("src", "definition")],
                            required_one_of=[("src", "definition")])
    run_on_cluster(module, work)


if __name__ == "__main__":
    main()
