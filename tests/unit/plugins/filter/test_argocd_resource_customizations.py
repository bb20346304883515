"""argocd_resource_customizations: the argocd-cm keys Argo CD reads (util/settings/settings.go splits
`resource.customizations.<type>.<group>_<kind>`), and every bad entry refused with its place named."""

import sys

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.filter.argocd_resource_customizations import (
    argocd_resource_customizations as customizations,
)

CERTIFICATE = """hs = {status = "Progressing"}
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Ready" and condition.status == "True" then
      hs.status = "Healthy"
    end
  end
end
return hs
"""


def test_health_checks_and_ignore_rules_become_the_keys_argocd_reads():
    data = customizations({
        "health_checks": [{"group": "cert-manager.io", "kind": "Certificate", "lua": CERTIFICATE},
                          {"kind": "ConfigMap", "lua": "return {status = 'Healthy'}", "use_open_libs": True}],
        "ignore_differences": [{"group": "apps", "kind": "Deployment", "json_pointers": ["/spec/replicas"]},
                               {"managed_fields_managers": ["kube-controller-manager"]}],
    })
    assert data["resource.customizations.health.cert-manager.io_Certificate"] == CERTIFICATE
    assert data["resource.customizations.health.ConfigMap"] == "return {status = 'Healthy'}"
    assert data["resource.customizations.useOpenLibs.ConfigMap"] == "true"
    assert yaml.safe_load(data["resource.customizations.ignoreDifferences.apps_Deployment"]) == {
        "jsonPointers": ["/spec/replicas"]}
    assert yaml.safe_load(data["resource.customizations.ignoreDifferences.all"]) == {
        "managedFieldsManagers": ["kube-controller-manager"]}
    assert len(data) == 5


def test_nothing_given_is_no_key():
    assert customizations({"health_checks": [], "ignore_differences": []}) == {}


@pytest.mark.parametrize("given,message", [
    ({"health_checks": [{"kind": "Certificate", "lua": "hs = {\nreturn hs"}]},
     r"health_checks\[0\] \(Certificate\): the Lua does not parse: line 2:0: "),
    ({"health_checks": [{"kind": "Job", "lua": "if x then"}]}, r"health_checks\[0\] \(Job\): the Lua does not parse: line 1:9"),
    ({"health_checks": [{"kind": "Job"}]}, r"health_checks\[0\] \(Job\): needs the Lua"),
    ({"health_checks": [{"lua": "return {}"}]}, r"health_checks\[0\]: needs a kind"),
    ({"health_checks": [{"kind": "Job", "lua": "return {}", "luа": ""}]}, r"health_checks\[0\]: unknown field"),
    ({"health_checks": [{"group": "cert_manager.io", "kind": "Certificate", "lua": "return {}"}]}, r"no API group name"),
    ({"health_checks": [{"group": "apps", "kind": "apps.Deployment", "lua": "return {}"}]}, r"no kind name"),
    ({"health_checks": [{"kind": "Job", "lua": "return {}"}, {"kind": "Job", "lua": "return {}"}]},
     r"health_checks\[1\] \(Job\): Job is given twice \(also in health_checks\[0\] \(Job\)\)"),
    ({"health_checks": [{"kind": "Job", "lua": "return {}", "use_open_libs": "yes"}]}, r"use_open_libs must be true or false"),
    ({"health_checks": {"kind": "Job"}}, r"health_checks must be a list, got dict"),
    ({"ignore_differences": [{"group": "apps", "kind": "Deployment"}]}, r"ignores nothing"),
    ({"ignore_differences": [{"group": "apps", "json_pointers": ["/spec"]}]}, r"a group needs a kind"),
    ({"ignore_differences": [{"kind": "Service", "json_pointers": ["spec/ports"]}]}, r"spec/ports must start with /"),
    ({"ignore_differences": [{"kind": "Service", "jq_path_expressions": ".spec"}]}, r"jq_path_expressions must be a list"),
    ({"ignore_differences": ["Service"]}, r"ignore_differences\[0\]: must be a dict, got str"),
    ({"health": []}, r"unknown key\(s\) health"),
])
def test_a_bad_entry_is_refused_naming_it(given, message):
    with pytest.raises(AnsibleFilterError, match=message):
        customizations(given)


def test_a_key_the_settings_set_as_well_is_refused():
    with pytest.raises(AnsibleFilterError, match="resource.customizations.health.Job set both"):
        customizations({"health_checks": [{"kind": "Job", "lua": "return {}"}]},
                       settings={"resource.customizations.health.Job": "return {}"})


def test_without_luaparser_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "antlr4", None)  # an import of it fails, as without the library
    with pytest.raises(AnsibleFilterError, match="pip install luaparser"):
        customizations({"health_checks": [{"kind": "Job", "lua": "return {}"}]})
