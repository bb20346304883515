# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.argocd_resource_customizations: argocd-cm keys for custom health checks and
ignore-differences, from structured entries, checked before the ConfigMap changes.

Argo CD reads these keys only in its controller and reports a bad one there (a resource turning Unknown, a
settings error in its log); written by hand, a typo in a key or in the Lua goes unnoticed until then.
"""

import re

import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.lua_syntax import LuaUnavailable, syntax_error

DOCUMENTATION = r"""
name: argocd_resource_customizations
short_description: Build argocd-cm keys for custom health checks and ignore-differences
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Returns argocd-cm data, C(resource.customizations.health.<group>_<kind>) with the Lua of each health check,
    C(resource.customizations.useOpenLibs.<group>_<kind>) where a check asks for Lua's standard libraries, and
    C(resource.customizations.ignoreDifferences.<group>_<kind>) (C(.all) for every kind) as YAML.
  - For a kind of the core API group (ConfigMap, Service) the key is C(<kind>) alone, as Argo CD reads it.
  - Every entry is checked first, naming the entry, and nothing is returned when one is wrong, so the role
    that applies argocd-cm changes nothing. The Lua of a health check must parse (the luaparser Python
    library on the controller checks it); a group or kind Argo CD cannot read back, an unknown field, two entries
    for one kind, a JSON pointer that does not start with a slash, an entry that ignores nothing, and a key that
    O(settings) sets as well are refused.
options:
  _input:
    description: The customizations, from the role variables C(argocd_hub_health_checks) and C(argocd_hub_ignore_differences).
    type: dict
    required: true
    suboptions:
      health_checks:
        description: Custom health checks.
        type: list
        elements: dict
        default: []
        suboptions:
          group:
            description: API group of the kind; empty or left out for the core group.
            type: str
            default: ""
          kind:
            description: The kind, as in C(kind) of its objects.
            type: str
            required: true
          lua:
            description:
              - The Lua script Argo CD runs with the live object as C(obj); it returns a table with C(status)
                (Healthy, Progressing, Degraded, Suspended, Missing or Unknown) and optionally C(message).
            type: str
            required: true
          use_open_libs:
            description: Give the script Lua's standard libraries (C(os), C(string)...), which Argo CD withholds by default.
            type: bool
      ignore_differences:
        description: Fields Argo CD leaves out when it compares live objects with Git.
        type: list
        elements: dict
        default: []
        suboptions:
          group:
            description: API group of the kind; empty or left out for the core group. Leave out O(_input.ignore_differences[].kind) as well for every kind.
            type: str
            default: ""
          kind:
            description: The kind; left out (with no group) for every kind.
            type: str
          json_pointers:
            description: RFC 6901 JSON pointers of the fields, each starting with C(/).
            type: list
            elements: str
          jq_path_expressions:
            description: jq path expressions of the fields.
            type: list
            elements: str
          managed_fields_managers:
            description: Field managers whose fields are ignored.
            type: list
            elements: str
  settings:
    description: The other argocd-cm data (C(argocd_hub_settings)); a key both set is refused.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: The argocd-cm data of the argocd_hub role
  ansible.builtin.set_fact:
    argocd_cm: >-
      {{ argocd_hub_settings | ansible.builtin.combine(
           {'health_checks': argocd_hub_health_checks, 'ignore_differences': argocd_hub_ignore_differences}
           | hubspoke.multicluster.argocd_resource_customizations(settings=argocd_hub_settings)) }}
  vars:
    argocd_hub_settings: {}
    argocd_hub_health_checks:
      - group: cert-manager.io
        kind: Certificate
        lua: |
          hs = {status = "Progressing", message = "waiting for the certificate"}
          if obj.status ~= nil and obj.status.conditions ~= nil then
            for _, condition in ipairs(obj.status.conditions) do
              if condition.type == "Ready" and condition.status == "True" then
                hs.status = "Healthy"
                hs.message = condition.message
              end
            end
          end
          return hs
    argocd_hub_ignore_differences:
      - group: apps
        kind: Deployment
        json_pointers: [/spec/replicas]
      - managed_fields_managers: [kube-controller-manager]
"""

RETURN = r"""
_value:
  description: argocd-cm data keys and their values, to combine with the rest of argocd-cm's data.
  type: dict
  sample:
    resource.customizations.health.cert-manager.io_Certificate: "hs = {}\nreturn hs\n"
    resource.customizations.ignoreDifferences.apps_Deployment: "jsonPointers:\n- /spec/replicas\n"
"""

PREFIX = "resource.customizations."
# A kind is a CamelCase identifier; a group a DNS subdomain. Argo CD splits the key at "." and "_", so neither
# may hold an underscore, and a kind no dot.
KIND = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
GROUP = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
HEALTH_FIELDS = {"group", "kind", "lua", "use_open_libs"}
IGNORE_FIELDS = {"group": None, "kind": None, "json_pointers": "jsonPointers",
                 "jq_path_expressions": "jqPathExpressions", "managed_fields_managers": "managedFieldsManagers"}


def _fail(what, message):
    raise AnsibleFilterError("{0}: {1}".format(what, message))


def _entry(entry, index, variable, fields):
    """(what the messages call the entry, group, kind or None) of a checked entry."""
    what = "{0}[{1}]".format(variable, index)
    if not isinstance(entry, dict):
        _fail(what, "must be a dict, got {0}".format(type(entry).__name__))
    unknown = sorted(set(entry) - set(fields))
    if unknown:
        _fail(what, "unknown field(s) {0} (known: {1})".format(", ".join(unknown), ", ".join(sorted(fields))))
    group, kind = entry.get("group") or "", entry.get("kind")
    if group and not (isinstance(group, str) and GROUP.match(group)):
        _fail(what, "group {0!r} is no API group name (a DNS subdomain such as cert-manager.io)".format(group))
    if kind is not None and not (isinstance(kind, str) and KIND.match(kind)):
        _fail(what, "kind {0!r} is no kind name (letters and digits, such as Certificate)".format(kind))
    if kind:
        what = "{0} ({1})".format(what, "/".join(p for p in (group, kind) if p))
    return what, group, kind


def _strings(what, field, value):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        _fail(what, "{0} must be a list of strings".format(field))
    return value


def _key(kind_key, seen, what):
    if kind_key in seen:
        _fail(what, "{0} is given twice (also in {1})".format(kind_key, seen[kind_key]))
    seen[kind_key] = what
    return kind_key


def _health_checks(entries, data):
    seen = {}
    for index, entry in enumerate(entries):
        what, group, kind = _entry(entry, index, "health_checks", HEALTH_FIELDS)
        if not kind:
            _fail(what, "needs a kind")
        lua = entry.get("lua")
        if not isinstance(lua, str) or not lua.strip():
            _fail(what, "needs the Lua of the check (lua)")
        try:
            error = syntax_error(lua)
        except LuaUnavailable as err:
            raise AnsibleFilterError(str(err)) from None
        if error:
            _fail(what, "the Lua does not parse: line {0}".format(error))
        group_kind = _key("{0}_{1}".format(group, kind) if group else kind, seen, what)
        data[PREFIX + "health." + group_kind] = lua
        if entry.get("use_open_libs") is not None:
            if not isinstance(entry["use_open_libs"], bool):
                _fail(what, "use_open_libs must be true or false")
            data[PREFIX + "useOpenLibs." + group_kind] = "true" if entry["use_open_libs"] else "false"


def _ignore_differences(entries, data):
    seen = {}
    for index, entry in enumerate(entries):
        what, group, kind = _entry(entry, index, "ignore_differences", IGNORE_FIELDS)
        if group and not kind:
            _fail(what, "a group needs a kind (leave both out for every kind)")
        value = {}
        for field, name in IGNORE_FIELDS.items():
            if name and entry.get(field) is not None:
                value[name] = _strings(what, field, entry[field])
        if not any(value.values()):
            _fail(what, "ignores nothing: give json_pointers, jq_path_expressions or managed_fields_managers")
        bad = [p for p in value.get("jsonPointers", []) if not p.startswith("/")]
        if bad:
            _fail(what, "JSON pointer(s) {0} must start with /".format(", ".join(bad)))
        group_kind = _key(("{0}_{1}".format(group, kind) if group else kind) if kind else "all", seen, what)
        data[PREFIX + "ignoreDifferences." + group_kind] = yaml.safe_dump(value, default_flow_style=False)


def argocd_resource_customizations(customizations, settings=None):
    if not isinstance(customizations, dict):
        raise AnsibleFilterError("argocd_resource_customizations expects a dict with health_checks and ignore_differences")
    unknown = sorted(set(customizations) - {"health_checks", "ignore_differences"})
    if unknown:
        raise AnsibleFilterError("argocd_resource_customizations: unknown key(s) {0}".format(", ".join(unknown)))
    data = {}
    for variable, build in (("health_checks", _health_checks), ("ignore_differences", _ignore_differences)):
        entries = customizations.get(variable) or []
        if not isinstance(entries, list):
            raise AnsibleFilterError("{0} must be a list, got {1}".format(variable, type(entries).__name__))
        build(entries, data)
    both = sorted(set(data) & set(settings or {}))
    if both:
        raise AnsibleFilterError("argocd-cm key(s) {0} set both by the settings and by a customization entry".format(
            ", ".join(both)))
    return data


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"argocd_resource_customizations": argocd_resource_customizations}
