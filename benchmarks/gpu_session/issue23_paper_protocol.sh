#!/usr/bin/env bash
# Issue 23 on a lent GPU, prepared in advance (DEVELOPERS.md): a one-epoch smoke run of every model
# with a best-epoch save (the session stops there when one fails), then issue23_paper_protocol.txt
# within fixed deadlines, then the raw stores and logs into $OUT. Run from the repository root on
# the device machine after `python benchmarks/gpu_session/prepare_carry.py` here, carrying .carry:
#     bash benchmarks/gpu_session/issue23_paper_protocol.sh          # SMOKE=0 on a second call
set -uo pipefail
export PYTHONPATH=src PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
HERE=benchmarks/gpu_session
RUNS=/tmp/gpu_runs
COMMON=(--set model.params.encoder=.carry/minilm --set train.accelerator=gpu --set train.num_threads=1)
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python -c "import torch, transformers, lightning; print('torch', torch.__version__, 'transformers', transformers.__version__, 'lightning', lightning.__version__)"
git log -1 --format='code at %h' 2>/dev/null || true
if [ "${SMOKE:-1}" = 1 ] && ! python -m shiftmsa plan $HERE/issue23_smoke.txt --output $RUNS --jobs 10 --require-all \
        "${COMMON[@]}" --set train.keep_checkpoint=true 2>&1 | tee "$OUT/smoke.txt"; then
    exit 3
fi
python -m shiftmsa plan $HERE/issue23_paper_protocol.txt --output $RUNS --jobs "${JOBS:-18}" \
    --start-deadline "${START_DEADLINE:-240}" --hard-deadline "${HARD_DEADLINE:-480}" \
    "${COMMON[@]}" --set train.keep_checkpoint=false 2>&1 | tee "$OUT/plan_outcomes.txt"
cd $RUNS && tar czf "$OUT/stores.tgz" --exclude='seed-*' --exclude='*.lock' --exclude=smoke --exclude=logs */ \
    && ls -la "$OUT"
