"""`python -m worker …`: the author's file commands, kept under their old name.

They are the console's (`exlibris stamp|stamp-batch|trace|check`, console/files/); this
alias keeps the arguments and exit codes of scripts written against the old name.
"""

from console.files import main

if __name__ == "__main__":
    raise SystemExit(main())
