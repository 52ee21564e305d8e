"""Train MESA — the original command line, kept working.

    python train.py --data_path data/train_data.csv --epochs 50

A thin shim: every argument is forwarded to ``exomesa train`` (see ``exomesa train --help``).
"""

import sys

from exomesa.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
