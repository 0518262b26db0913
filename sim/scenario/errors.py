"""The one kind of error a user can fix: every such error of the library is a ``UserError``.

The command line catches ``UserError`` in one place and prints its message (the file, the field
path and what was expected) with exit status 2, no traceback; anything else is a bug.
"""


class UserError(Exception):
    """A problem with what the user gave (a file, a field, an option, a folder): the message says
    what and how to mend it."""
