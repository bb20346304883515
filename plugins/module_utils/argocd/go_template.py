# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The part of Go's text/template an ApplicationSet's names and destinations use, evaluated as Argo CD does.

Written here because no maintained Python library evaluates Go templates. Only what can be evaluated exactly
is: text, field chains (`{{.metadata.labels.region}}`), `index` of a field chain by literal keys, comments and
the `{{-`/`-}}` trim markers. Anything else (pipelines, functions, variables, if/range) raises Unpredictable,
so that a preview says it cannot tell instead of guessing.
"""

import re

ACTION = re.compile(r"{{(-\s)?(.*?)(\s-)?}}", re.DOTALL)
FIELD_CHAIN = re.compile(r"^(\.[A-Za-z_][A-Za-z0-9_]*)+$")
TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|`[^`]*`|-?[0-9]+|\S+)')


class Unpredictable(Exception):
    """The template uses what this evaluator does not, so its value cannot be told before Argo CD renders it."""


class MissingKey(Exception):
    """A field the parameters do not have, with missingkey=error (Argo CD stops generating that Application)."""


def _string(value, template):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    # A float prints as Go's %v does (1 for 1.0, 1e+21 for large ones), which Python's str does not match.
    raise Unpredictable("{0!r} renders a {1}, which this preview does not print".format(template, type(value).__name__))


def _field(params, chain, missing_error):
    value = params
    for key in chain.lstrip(".").split("."):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, dict):
            if missing_error:
                raise MissingKey('map has no entry for key "{0}" (in {1})'.format(key, chain))
            return "<no value>"
        else:
            raise MissingKey("cannot read field {0} of {1} (in {2})".format(key, type(value).__name__, chain))
    return value


def _literal(token, template):
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    if token.startswith("`"):
        return token[1:-1]
    if re.match(r"^-?[0-9]+$", token):
        return int(token)
    raise Unpredictable("{0!r}: index takes literal keys here, got {1}".format(template, token))


def _index(params, args, template, missing_error):
    if not args or not FIELD_CHAIN.match(args[0]):
        raise Unpredictable("{0!r}: index of something other than a field".format(template))
    value = _field(params, args[0], missing_error)
    for token in args[1:]:
        key = _literal(token, template)
        if isinstance(value, dict):
            value = value.get(key, "")  # a map's missing key is its zero value, whatever missingkey says
        elif isinstance(value, list) and isinstance(key, int):
            if not 0 <= key < len(value):
                raise MissingKey("index {0} out of range (in {1})".format(key, template))
            value = value[key]
        else:
            raise MissingKey("cannot index {0} with {1!r} (in {2})".format(type(value).__name__, key, template))
    return value


def _action(params, body, template, missing_error):
    body = body.strip()
    if body.startswith("/*") and body.endswith("*/"):
        return ""
    if FIELD_CHAIN.match(body):
        return _string(_field(params, body, missing_error), template)
    tokens = TOKEN.findall(body)
    if tokens and tokens[0] == "index" and "|" not in tokens:
        return _string(_index(params, tokens[1:], template, missing_error), template)
    raise Unpredictable("{0!r} uses {{{{{1}}}}}, which this preview does not evaluate".format(template, body))


def render(template, params, missing_error=True):
    """`template` rendered over `params`; MissingKey where Argo CD would fail, Unpredictable where it cannot tell."""
    out, position = [], 0
    for match in ACTION.finditer(template):
        text = template[position:match.start()]
        if match.group(1):
            text = text.rstrip()
        out.append(text)
        out.append(_action(params, match.group(2), template, missing_error))
        position = match.end()
        if match.group(3):
            rest = template[position:]
            position += len(rest) - len(rest.lstrip())
    out.append(template[position:])
    return "".join(out)
