# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which documents of an upstream manifest still need applying: the ones that are not on the cluster as this
collection last applied them.

A server-side apply of an unchanged object is a no-op for etcd but not for the API server: for a
CustomResourceDefinition it re-validates the whole schema, and Argo CD's ApplicationSet CRD (290 kB) takes
the hub seconds, the largest part of a run that changes nothing. kubernetes.core has no way to skip a document
that is already applied. So each document of a compared kind carries the digest of its content in an
annotation when it is applied; one metadata-only list per kind (PartialObjectMetadataList, no object bodies)
reads the digests back, and a document whose digest is on the cluster is left out. Every other document is
returned, so kubernetes.core still applies it and puts back any field someone else changed; unless `held` asks
to leave out the documents the cluster holds as they were last applied: the same digest (the same manifest, so
no field the apply would now remove) and every field of the document with its value (nobody changed it since),
read with one list of whole objects per kind. That saves a role whose manifest is applied as it is (Argo CD's)
a server-side apply of every object, each an admission on the API server, in a run that changes nothing.
"""

import hashlib
import json
import os
import tempfile

from ansible.module_utils.urls import open_url

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import client as kube_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.applied import DIGEST_ANNOTATION, stamped, to_apply
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError, api_failure

try:
    import yaml
    from kubernetes.client.exceptions import ApiException
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes"), which needs PyYAML too
    pass

# Manifests at least this large are kept parsed, as JSON, by the digest of their text (parsed_copy()).
PARSED_COPY_BYTES = 256 * 1024
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"


class ManifestError(ClusterError):
    """A manifest that cannot be read or has a document without apiVersion, kind or name."""


def load(source):
    """The documents of a YAML file or http(s) URL (fetched with TLS verification), empty ones left out."""
    try:
        if source.startswith(("https://", "http://")):
            text = open_url(source, timeout=60).read().decode("utf-8")
        else:
            with open(os.path.expanduser(source), encoding="utf-8") as handle:
                text = handle.read()
        documents = parsed_copy(text) if len(text) >= PARSED_COPY_BYTES else None
        if documents is None:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader: an upstream manifest is megabytes
            documents = [doc for doc in yaml.load_all(text, Loader=loader) if doc]  # nosec B506: a safe loader
            if len(text) >= PARSED_COPY_BYTES:
                keep_parsed_copy(text, documents)
    except (OSError, ValueError) as err:  # URLError and HTTPError are OSErrors
        raise ManifestError("cannot read {0}: {1}".format(source, getattr(err, "strerror", None) or err)) from err
    except yaml.YAMLError as err:
        raise ManifestError("{0} is not valid YAML: {1}".format(source, err)) from err
    return checked(documents, source)


def load_all(sources):
    """The documents of a file or URL, or of each of a list of them in order (load())."""
    return [document for source in (sources if isinstance(sources, list) else [sources]) for document in load(str(source))]


def _parsed_copy_path(text):
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "hubspoke-multicluster", "manifests",
                        hashlib.sha256(text.encode("utf-8")).hexdigest() + ".json")


def parsed_copy(text):
    """The documents of a manifest's text as kept_parsed_copy() kept them, or None. Parsing Argo CD's install.yaml
    (2 MB) takes libyaml about a second in every run of a role that installs it, most of a run that changes
    nothing; reading the same documents as JSON takes milliseconds. Kept by the digest of the text, so a copy
    is only ever of that very text."""
    try:
        with open(_parsed_copy_path(text), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def keep_parsed_copy(text, documents):
    """Keep the documents for parsed_copy(), readable by the user only, when JSON holds them exactly (no YAML
    timestamps or non-string keys); a cache that cannot be written is no error."""
    try:
        as_json = json.dumps(documents)
        if json.loads(as_json) != documents:
            return
        path = _parsed_copy_path(text)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".partial")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(as_json)
            os.replace(partial, path)  # whole or not at all, for a run reading it at the same time
        except OSError:
            os.unlink(partial)
            raise
    except (OSError, TypeError, ValueError):
        pass


def checked(documents, where):
    """The documents, each with apiVersion, kind and metadata.name, else ManifestError naming it."""
    for index, doc in enumerate(documents):
        if not isinstance(doc, dict) or not doc.get("apiVersion") or not doc.get("kind") or \
                not (doc.get("metadata") or {}).get("name"):
            raise ManifestError("{0}: document {1} needs apiVersion, kind and metadata.name".format(where, index + 1))
    return documents


def live_objects(api_client, path, metadata_only, timeout=30):
    """{name: object} of every object at a collection path, read as metadata only when `metadata_only`."""
    accept = METADATA_ONLY if metadata_only else None
    return {item["metadata"]["name"]: item
            for item in kube_client.get_json(api_client, path, timeout, accept=accept).get("items") or []}


def _collection_path(api_client, api_version, kind, namespace, timeout):
    """The URL path of a kind's objects (in `namespace` if it is namespaced), from the discovery document of its
    one group version (a full discovery of every API is not needed for a few kinds); None when the cluster does
    not serve the kind yet (a CRD applied in the same run)."""
    base = "/api/v1" if api_version == "v1" else "/apis/" + api_version
    try:
        resources = kube_client.get_json(api_client, base, timeout).get("resources") or []
    except ApiException as err:
        if err.status == 404:
            return None
        raise
    for resource in resources:
        if resource.get("kind") == kind and "/" not in resource["name"]:
            if not resource.get("namespaced"):
                return "{0}/{1}".format(base, resource["name"])
            if not namespace:
                raise ManifestError("{0} {1} is namespaced: set `namespace` or give the document one".format(
                    api_version, kind))
            return "{0}/namespaces/{1}/{2}".format(base, namespace, resource["name"])
    return None


def live_reader(api_client, namespace=None, timeout=30):
    """live_at(document, metadata_only) for to_apply(): one list per kind and namespace, read when first needed; a kind
    the cluster does not serve has no objects."""
    cache = {}

    def live_at(document, metadata_only):
        key = (document["apiVersion"], document["kind"], document["metadata"].get("namespace") or namespace,
               metadata_only)
        if key not in cache:
            path = _collection_path(api_client, key[0], key[1], key[2], timeout)
            cache[key] = live_objects(api_client, path, metadata_only, timeout) if path else {}
        return cache[key]

    return live_at


def changes(api_client, documents, compared_kinds, namespace=None, force=False, held=False, annotation=DIGEST_ANNOTATION):
    """The manifest_changes module's result for these documents on this cluster."""
    if force:
        return {"definitions": [stamped(d, annotation) if held or d["kind"] in compared_kinds else d for d in documents],
                "unchanged": []}
    try:
        selected, unchanged = to_apply(documents, compared_kinds, live_reader(api_client, namespace), held, annotation)
    except ManifestError:
        raise
    except Exception as err:  # pylint: disable=broad-exception-caught  # ApiException and urllib3's errors alike
        raise api_failure("cluster", api_client.configuration.host, err) from err
    return {"definitions": selected, "unchanged": unchanged}
