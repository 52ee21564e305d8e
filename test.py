"""Evaluate a trained MESA model — the original command line, kept working.

    python test.py --model_path output/mesa_model.pth --test_data data/test_data.csv \
        --output_dir test_results --visualize

A thin shim: every argument is forwarded to ``exomesa test`` (see ``exomesa test --help``).
"""

import sys

from exomesa.cli import main

if __name__ == "__main__":
    sys.exit(main(["test", *sys.argv[1:]]))
