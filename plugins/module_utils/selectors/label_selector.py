# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes LabelSelector semantics (apimachinery metav1.LabelSelectorAsSelector), in Python.

Argo CD's ApplicationSet Cluster generator, Karmada's clusterAffinity and most controllers select
clusters with this structure; evaluating it against inventory labels previews their choice. Written
here because the kubernetes Python client has the model but no evaluator.
  matchLabels: {k: v}          k equals v
  matchExpressions: In         key present and value in values
                    NotIn      key absent, or value not in values
                    Exists     key present (no values)
                    DoesNotExist  key absent (no values)
All terms are ANDed; an empty selector matches everything.
"""

import re

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?" + _NAME + r"$")
_VALUE = re.compile(r"^(" + _NAME + r")?$")


class LabelSelectorError(ValueError):
    """A selector Kubernetes would reject; the message says which term and why."""


def _check_key(key, where):
    prefix = key.split("/", 1)[0] if "/" in key else ""
    if not isinstance(key, str) or not _KEY.match(key) or len(prefix) > 253:
        raise LabelSelectorError("{0}: {1!r} is not a valid label key".format(where, key))


def _check_value(value, where):
    if not isinstance(value, str) or not _VALUE.match(value):
        raise LabelSelectorError("{0}: {1!r} is not a valid label value".format(where, value))


def normalize(selector):
    """Validate a selector and return it as {matchLabels, matchExpressions}.

    Accepts a LabelSelector dict or, as shorthand, a bare list of matchExpressions.
    """
    if selector is None:
        selector = {}
    if isinstance(selector, list):
        selector = {"matchExpressions": selector}
    if not isinstance(selector, dict) or set(selector) - {"matchLabels", "matchExpressions"}:
        raise LabelSelectorError("a label selector is a dict with matchLabels and/or matchExpressions, got {0!r}".format(
            selector))
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict):
        raise LabelSelectorError("matchLabels must be a dict of label to value")
    for key, value in match_labels.items():
        _check_key(key, "matchLabels")
        _check_value(value, "matchLabels[{0}]".format(key))
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        raise LabelSelectorError("matchExpressions must be a list")
    for index, expr in enumerate(expressions):
        where = "matchExpressions[{0}]".format(index)
        if not isinstance(expr, dict) or "key" not in expr or "operator" not in expr:
            raise LabelSelectorError("{0}: needs `key` and `operator`".format(where))
        _check_key(expr["key"], where)
        if expr["operator"] not in OPERATORS:
            raise LabelSelectorError("{0}: operator must be one of {1}, got {2!r}".format(
                where, ", ".join(OPERATORS), expr["operator"]))
        values = expr.get("values") or []
        if expr["operator"] in ("In", "NotIn") and not values:
            raise LabelSelectorError("{0}: {1} needs at least one value".format(where, expr["operator"]))
        if expr["operator"] in ("Exists", "DoesNotExist") and values:
            raise LabelSelectorError("{0}: {1} takes no values".format(where, expr["operator"]))
        for value in values:
            _check_value(value, where)
    return {"matchLabels": match_labels, "matchExpressions": expressions}


def matches(selector, labels):
    """Whether `labels` (a dict) satisfy a normalized selector."""
    labels = labels or {}
    if any(labels.get(k) != v for k, v in selector["matchLabels"].items()):
        return False
    for expr in selector["matchExpressions"]:
        key, operator, values = expr["key"], expr["operator"], expr.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def to_query(selector):
    """The string form the API's labelSelector parameter takes (what LabelSelectorAsSelector prints)."""
    terms = ["{0}={1}".format(k, v) for k, v in sorted(selector["matchLabels"].items())]
    for expr in selector["matchExpressions"]:
        key, operator, values = expr["key"], expr["operator"], sorted(expr.get("values") or [])
        if operator == "In":
            terms.append("{0} in ({1})".format(key, ",".join(values)))
        elif operator == "NotIn":
            terms.append("{0} notin ({1})".format(key, ",".join(values)))
        elif operator == "Exists":
            terms.append(key)
        else:
            terms.append("!" + key)
    return ",".join(terms)


def select_hosts(hosts, selector, hostvars):
    """The hosts, in order, whose `hubspoke_labels` the selector matches (a bad selector raises LabelSelectorError)."""
    normalized = normalize(selector)
    return [host for host in hosts if matches(normalized, (hostvars.get(host) or {}).get("hubspoke_labels"))]
