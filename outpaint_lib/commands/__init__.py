"""One module per command of ``outpaint``: each adds its parser (``add_command``) and runs it
(``run``). A command imports the library inside ``run``, so that ``--help`` stays instant and
``paint`` never loads what only training needs."""

from outpaint_lib.commands import data, evaluate, export, paint, plot, samples, serve, summary, train

COMMANDS = (summary, train, plot, export, paint, serve, evaluate, samples, data)
