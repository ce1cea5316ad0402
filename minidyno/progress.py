"""How a long operation reports its progress: one line at a time, to whoever started it
(the pusher's terminal, an API response streamed to the CLI, or the server's log), so
the operation never needs to know which."""

from collections.abc import Callable

Say = Callable[[str], None]
