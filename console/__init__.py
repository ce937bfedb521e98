"""The author's console, `exlibris`: see, fix and re-issue orders."""
