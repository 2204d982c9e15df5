"""Run the command line: ``python -m seqpred``."""

from seqpred.cli import app_main

if __name__ == "__main__":
    app_main()
