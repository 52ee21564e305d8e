#!/bin/bash
# (kept for the record: the measurements still to run for issue 15; run under flock /tmp/exomesa-heavy.lock nice)
# issue 15: all remaining measurements in one lock hold, most important first
cd /work/wt-mesa15
export PYTHONPATH=src
PY=/work/main/.venv/bin/python
run() { $PY -c "import sys; from exomesa.cli import main; sys.argv=['exomesa']+sys.argv[1:]; sys.exit(main())" "$@"; }
echo "start $(date)"
run benchmark --methods mesa_ensemble3_b64,lgbm_tabular_full_gaia,mesa_no_lc,mesa_no_infonce,mesa_no_phys --folds 0,1 --out_dir /tmp/b15_r01 --force > /tmp/b15_r01.log 2>&1; echo "r01 rc=$? $(date)"
run benchmark --methods mesa_ensemble3_b64,lgbm_tabular_full_gaia --folds 2,3,4 --out_dir /tmp/b15_r234 --force > /tmp/b15_r234.log 2>&1; echo "r234 rc=$? $(date)"
s=$(date +%s.%N)
run train --ensemble 3 --batch_size 64 --learning_rate 4e-4 --ensemble_workers 2 --output_dir /tmp/b15_train_w2 --force > /tmp/b15_train_w2.log 2>&1
e=$(date +%s.%N); echo "train rc=$? workers=2 wall_s=$(echo "$e - $s" | bc)"
run test --model_path /tmp/b15_train_w2/mesa_model.pth --output_dir /tmp/b15_train_w2/test --force >> /tmp/b15_train_w2.log 2>&1; echo "test rc=$? $(date)"
run benchmark --methods mesa_gaia_b64 --folds 0,1 --out_dir /tmp/b15_gaia --force > /tmp/b15_gaia.log 2>&1; echo "gaia rc=$? $(date)"
