"""The author's file commands: stamp, stamp-batch, trace and check, on files on disk.

`exlibris stamp|stamp-batch|trace|check` and `python -m worker …` (kept as an alias) run these.
"""

from console.files._cli import FILE_COMMANDS, add_file_commands, main, parser, run_file_command
from console.files._trace import authentic_with

__all__ = [
    "FILE_COMMANDS",
    "add_file_commands",
    "authentic_with",
    "main",
    "parser",
    "run_file_command",
]
