"""Just enough of a Kubernetes client for bootstrapping: readiness, version, nodes (stdlib only, fast to import)."""

import json
import ssl
import urllib.error
import urllib.request


# Seconds a write (any method but GET) may take: a loaded API server (two cores shared with other fleets and Go
# builds) took about 10 s to apply a 290 kB CRD (docs/benchmarks.md). Reads keep `timeout`, short, for readiness
# polls.
WRITE_TIMEOUT = 120


class AdminClient:
    """Talks to one cluster's API server as its admin, verifying TLS against the cluster's own CA."""

    def __init__(self, spec, timeout=5):
        pki = spec.directory / "pki"
        self.server = spec.server
        self.timeout = timeout
        self.context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        self.context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))

    def request(self, method, path, body=None, content_type="application/json"):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", content_type)
        timeout = self.timeout if method == "GET" else max(self.timeout, WRITE_TIMEOUT)
        with urllib.request.urlopen(req, timeout=timeout, context=self.context) as resp:
            payload = resp.read()
        try:
            return json.loads(payload)
        except ValueError:
            return payload.decode()

    def ready(self):
        try:
            return self.request("GET", "/readyz") == "ok"
        except (OSError, urllib.error.URLError):
            return False

    def version(self):
        return self.request("GET", "/version")["gitVersion"]

    def nodes(self):
        return self.request("GET", "/api/v1/nodes")["items"]

    def apply(self, path, body):
        """Server-side apply of `body` at `path` (the collection URL): created, or updated to match."""
        url = "{0}/{1}?fieldManager=localfleet&force=true".format(path, body["metadata"]["name"])
        return self.request("PATCH", url, body, content_type="application/apply-patch+yaml")

    def create(self, path, body):
        """POST, treating 409 AlreadyExists as success (callers are idempotent)."""
        try:
            return self.request("POST", path, body)
        except urllib.error.HTTPError as err:
            if err.code != 409:
                raise
            return None


def node_ready(node):
    return any(c["type"] == "Ready" and c["status"] == "True" for c in node.get("status", {}).get("conditions", []))
