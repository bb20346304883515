// Pins of the upstream projects whose manifests and CRDs the roles install and the tests apply. Nothing is
// built from this module: `python -m upstream` runs `go mod download -json <module>@<version>` here, which
// verifies each module zip against go.sum (GOSUMDB=off: go.sum is the only authority, and a version missing
// from it is refused), and copies the files named in upstream/__init__.py into the cache.
//
// The versions below are the roles' defaults. go.sum holds one more: Argo CD v3.2.11, the version of the
// controllers the local fleet runs (localfleet/versions.env), whose manifests the local inventory installs.
// A go.mod can require one version per module, so that one is pinned by go.sum alone.
module hubspoke.multicluster/upstream

go 1.24

require (
	github.com/argoproj/argo-cd/v3 v3.5.1
	// v1.10.2 needs Go 1.26.10 to build; the local fleet runs the controller it builds, so both stay at v1.10.1.
	github.com/argoproj/argo-rollouts v1.10.1
	github.com/karmada-io/karmada v1.18.2
	github.com/open-policy-agent/gatekeeper/v3 v3.23.1
	github.com/prometheus-operator/prometheus-operator v0.93.0
	// v0.18.x and v0.19.0 are not served by the module proxy; sum.golang.org has no record of v0.21.0, so its
	// go.sum line was recorded from the proxy's zip on first download (trust on first use).
	github.com/submariner-io/submariner-operator v0.21.0
	open-cluster-management.io/api v1.3.0
	sigs.k8s.io/cluster-api v1.14.0
	sigs.k8s.io/external-dns v0.22.0
)
