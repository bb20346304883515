# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The part of Go's text/template an ApplicationSet's names and destinations use, evaluated as Argo CD does.

Written here because no maintained Python library evaluates Go templates. Only what can be evaluated exactly
is: text, field chains (`{{.metadata.labels.region}}`), `index` of a field chain by literal keys, comments, the
`{{-`/`-}}` trim markers, and `if`/`else if`/`else`/`end` on `eq <field chain> <literal>` (what the
applicationsets role writes for per-cluster values). Anything else (pipelines, functions, variables, other
conditions, range) raises Unpredictable, so that a preview says it cannot tell instead of guessing.
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
    raise Unpredictable("{0!r}: only literal keys and values are evaluated here, got {1}".format(template, token))


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


def _pieces(template):
    """[(is_action, text or action body)], the trim markers applied to the text beside them."""
    pieces, position = [], 0
    for match in ACTION.finditer(template):
        text = template[position:match.start()]
        pieces.append((False, text.rstrip() if match.group(1) else text))
        pieces.append((True, match.group(2).strip()))
        position = match.end()
        if match.group(3):
            rest = template[position:]
            position += len(rest) - len(rest.lstrip())
    pieces.append((False, template[position:]))
    return pieces


def _keyword(body):
    return body.split(None, 1)[0] if body else ""


def _condition(params, condition, template, missing_error):
    tokens = TOKEN.findall(condition)
    if len(tokens) != 3 or tokens[0] != "eq" or not FIELD_CHAIN.match(tokens[1]):
        raise Unpredictable("{0!r} uses {{{{if {1}}}}}, which this preview does not evaluate".format(template, condition))
    literal = _literal(tokens[2], template)
    value = _field(params, tokens[1], missing_error)
    if type(value) is not type(literal):  # Go's eq fails on them ("incompatible types for comparison")
        raise Unpredictable("{0!r} compares a {1} with a {2}".format(
            template, type(value).__name__, type(literal).__name__))
    return value == literal


def _block(pieces, i, params, template, missing_error, emit):
    """(the output of pieces[i:] up to an else or end of the enclosing if, where it stopped, that action);
    `emit` false walks a branch not taken, evaluating nothing in it, as Go does."""
    out = []
    while i < len(pieces):
        is_action, value = pieces[i]
        if not is_action:
            out.append(value if emit else "")
        elif _keyword(value) in ("else", "end"):
            return "".join(out), i, value
        elif _keyword(value) == "if":
            text, i = _if(pieces, i, params, template, missing_error, emit)
            out.append(text)
            continue
        elif emit:
            out.append(_action(params, value, template, missing_error))
        i += 1
    return "".join(out), i, None


def _if(pieces, i, params, template, missing_error, emit):
    """(the output of the if at pieces[i], the piece after its end)."""
    condition, chosen, output = pieces[i][1][2:].strip(), False, ""
    i += 1
    while True:
        taken = emit and not chosen and (condition is None or _condition(params, condition, template, missing_error))
        text, i, stop = _block(pieces, i, params, template, missing_error, taken)
        if stop is None:
            raise Unpredictable("{0!r}: an if without its end".format(template))
        if taken:
            chosen, output = True, text
        i += 1
        if stop == "end":
            return output, i
        rest = stop[len("else"):].strip()
        if rest and _keyword(rest) != "if":
            raise Unpredictable("{0!r} uses {{{{{1}}}}}, which this preview does not evaluate".format(template, stop))
        condition = rest[2:].strip() if rest else None


def render(template, params, missing_error=True):
    """`template` rendered over `params`; MissingKey where Argo CD would fail, Unpredictable where it cannot tell."""
    pieces = _pieces(template)
    out, i, stop = _block(pieces, 0, params, template, missing_error, True)
    if stop is not None:
        raise Unpredictable("{0!r}: {{{{{1}}}}} outside an if".format(template, stop))
    return out
