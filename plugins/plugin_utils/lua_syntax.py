# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a Lua script parses, with the line and column of the first error.

Argo CD runs resource customizations (health checks, actions) in its controller; a script that does not
parse is found only there, as every resource of the kind turning Unknown. No Ansible or Kubernetes library
checks Lua, so this drives the lexer and parser of the `luaparser` package (PyPI) directly: its own parse()
gives no position for an unclosed block.
"""

MISSING = "checking Lua needs the luaparser Python library on the controller: pip install luaparser"


class LuaUnavailable(Exception):
    """The luaparser library is not installed."""


def syntax_error(source):
    """None when `source` parses as Lua, else 'line:column: what the parser expected'. luaparser is imported here,
    not with this file: Ansible imports every filter file of the collection in each worker that uses one of them,
    and its parser's import cost every host 30 ms in every such task."""
    # pylint: disable=import-outside-toplevel
    try:
        from antlr4 import CommonTokenStream, InputStream
        from luaparser.ast import ParserErrorListener, SyntaxException
        from luaparser.parser.LuaLexer import LuaLexer
        from luaparser.parser.LuaParser import LuaParser
    except ImportError as err:
        raise LuaUnavailable(MISSING) from err
    lexer = LuaLexer(InputStream(source))
    lexer.removeErrorListeners()
    lexer.addErrorListener(ParserErrorListener())
    parser = LuaParser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(ParserErrorListener())
    try:
        parser.start_()
    except SyntaxException as err:
        return str(err)
    return None
