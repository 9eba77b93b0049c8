"""taizhang: the task ledger of 洛江区's community-service plan, in the terminal."""

__version__ = "0.1.0"
