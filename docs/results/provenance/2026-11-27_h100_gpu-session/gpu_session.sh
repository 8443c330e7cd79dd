#!/usr/bin/env bash
# The lent-GPU session of 2026-11-27 (docs/results.md): a one-epoch smoke run of every model
# (with a best-epoch save), then benchmarks/plans/gpu_2026-11-27.txt within fixed deadlines.
# Run from the repository root on the device machine, $OUT set, with .carry/ holding the encoder
# (a float16 copy of all-MiniLM-L6-v2, loaded as float32) and copies of ../shared/data/mosi and
# ../shared/data/mosi_openface under .carry/data/. Brings back the raw stores and the logs.
set -uo pipefail
export PYTHONPATH=src PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
COMMON=(--set model.params.encoder=.carry/minilm --set train.accelerator=gpu --set train.num_threads=1)
RUNS=/tmp/gpu_runs
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python -c "import torch, transformers, lightning; print('torch', torch.__version__, 'transformers', transformers.__version__, 'lightning', lightning.__version__)"
if [ "${SMOKE:-1}" = 1 ] && ! python benchmarks/run_plan.py benchmarks/plans/gpu_smoke.txt --output $RUNS --jobs 12 --require-all \
        "${COMMON[@]}" --set train.keep_checkpoint=true; then
    tail -n 80 $RUNS/smoke.log; cp $RUNS/smoke.log "$OUT/"; exit 3
fi
python benchmarks/run_plan.py "${PLAN:-benchmarks/plans/gpu_2026-11-27.txt}" --output $RUNS --jobs "${JOBS:-18}" \
    --start-deadline "${START_DEADLINE:-300}" --hard-deadline "${HARD_DEADLINE:-470}" \
    "${COMMON[@]}" --set train.keep_checkpoint=false | tee "$OUT/plan_outcomes.txt"
cd $RUNS && tar czf "$OUT/stores.tgz" --exclude='seed-*' --exclude='.locks' --exclude=smoke */ \
    && tar czf "$OUT/logs.tgz" ./*.log && ls -la "$OUT"
