"""The Go template subset evaluates as text/template does with Argo CD's parameters, and says what it cannot."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.go_template import (
    MissingKey,
    Unpredictable,
    render,
)

PARAMS = {"name": "spoke-1", "server": "https://10.0.0.1:6443", "replicas": 3, "enabled": True,
          "metadata": {"labels": {"environment": "production", "app.kubernetes.io/tier": "web"}}}


@pytest.mark.parametrize("template, expected", [
    ("guestbook-{{.name}}", "guestbook-spoke-1"),
    ("{{ .metadata.labels.environment }}/x", "production/x"),
    ('{{index .metadata.labels "app.kubernetes.io/tier"}}', "web"),
    ("{{index .metadata.labels `environment`}}", "production"),
    ('{{index .metadata.labels "region"}}', ""),  # index of a missing map key: the zero value, never an error
    ("{{.replicas}}-{{.enabled}}", "3-true"),
    ("a  {{- .name -}}  b", "aspoke-1b"),
    ("{{/* a comment */}}plain", "plain"),
    ("no actions", "no actions"),
    ("{{if eq .name `spoke-1`}}5{{else}}2{{end}}", "5"),
    ('{{if eq .name "spoke-9"}}5{{else if eq .name "spoke-1"}}4{{else}}2{{end}}', "4"),
    ("{{if eq .name `spoke-9`}}5{{end}}-x", "-x"),
    ("{{if eq .replicas 3}}three{{end}}", "three"),
    ("{{- if eq .name `spoke-1` -}}  a  {{- else -}} b {{- end }}", "a"),
    ("{{if eq .name `x`}}{{if eq .name `y`}}1{{end}}{{else}}{{if eq .name `spoke-1`}}2{{end}}{{end}}", "2"),
])
def test_renders_what_argo_cd_renders(template, expected):
    assert render(template, PARAMS) == expected


def test_a_missing_field_stops_with_missingkey_error_and_prints_no_value_without():
    with pytest.raises(MissingKey, match='map has no entry for key "region"'):
        render("app-{{.metadata.labels.region}}", PARAMS)
    assert render("app-{{.metadata.labels.region}}", PARAMS, missing_error=False) == "app-<no value>"


@pytest.mark.parametrize("template", [
    "{{.name | lower}}", "{{ printf \"%s\" .name }}", "{{ if .name }}x{{ end }}", "{{ $x := .name }}",
    "{{ .metadata }}", "{{ index .metadata.labels .name }}", "{{ if ne .name `x` }}y{{ end }}",
    "{{ if eq .name `x` }}y", "{{ end }}", "{{ if eq .name `x` }}y{{ else with .z }}w{{ end }}",
    "{{ if eq .replicas `3` }}y{{ end }}",
])
def test_what_it_does_not_evaluate_is_unpredictable(template):
    with pytest.raises(Unpredictable):
        render(template, PARAMS)


def test_a_float_is_unpredictable_as_go_prints_it_otherwise():
    """Go's %v prints 1.0 as "1" and 1e21 as "1e+21"; Python's str gives "1.0" and "1e+21"."""
    with pytest.raises(Unpredictable):
        render("{{.values.weight}}", {"values": {"weight": 1.0}})
    assert render("{{.values.replicas}}", {"values": {"replicas": 3}}) == "3"


def test_a_branch_not_taken_is_not_evaluated_as_in_go():
    assert render("{{if eq .name `spoke-1`}}ok{{else}}{{.metadata.labels.region}}{{end}}", PARAMS) == "ok"
    with pytest.raises(MissingKey):
        render("{{if eq .name `spoke-2`}}ok{{else}}{{.metadata.labels.region}}{{end}}", PARAMS)
