"""Training one run on several processes: CPUs (gloo) or GPUs (nccl), one machine or several.

Who does what. Global rank 0 is the process that runs the command (``shiftmsa train``,
``compare``, ``reproduce``, ``search``, a notebook). It alone plans runs, takes store locks, writes
run folders, checkpoints, records, tables and progress lines. Every other rank is a *follower*: it
never runs the command and never opens a file for writing; it waits for a job from rank 0 (a
run's config, seed, folder name and, the first time, its corpus), trains its share of that run and
waits for the next, until rank 0 says stop or goes away.

Where followers come from:

- one machine (``train.devices`` > 1, no launcher): rank 0 starts ``devices - 1`` follower
  processes (``python -m shiftmsa.training.follower``) when its first multi-process run begins;
  they die with it (they watch their parent) and are stopped when the command ends;
- a launcher (``torchrun``, SLURM via torchrun; ``RANK`` and ``WORLD_SIZE`` set, one machine or
  many): every process runs the same command line; the CLI turns every process of ``RANK`` > 0
  into a follower before it parses the command (``shiftmsa.cli.main``), so only rank 0 runs it.

Collectives. Jobs travel on a gloo group without a practical timeout (rank 0 may read a corpus or
write tables between runs). Everything inside a run (gradients, predictions, memory rows,
barriers) uses groups whose operations time out after ``collective_timeout`` seconds, so a rank
that hangs ends the run with an error; a rank that dies closes its sockets, and gloo reports that
at once. A run that fails on rank 0 stops the followers it started (the next run starts fresh
ones); a follower that fails prints its traceback and exits, and rank 0's next collective fails
with that follower's last error line in its message.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from datetime import timedelta
from typing import Any, Iterable, Sequence

import torch

# the collective timeout when neither the configuration nor the environment says otherwise
DEFAULT_COLLECTIVE_TIMEOUT = 45.0
TIMEOUT_ENV = "SHIFTMSA_COLLECTIVE_TIMEOUT"
BACKEND_ENV = "SHIFTMSA_BACKEND"
PARENT_ENV = "SHIFTMSA_PARENT_PID"
JOB_WAIT = timedelta(days=7)
DDP_STRATEGIES = ("auto", "ddp", "ddp_spawn", "ddp_fork", "ddp_notebook", "ddp_find_unused_parameters_true")


class DistributedError(RuntimeError):
    """A multi-process run that failed in one of its processes (its message names which)."""


def launched_externally() -> bool:
    """True in a process started by a launcher (torchrun, SLURM) as one of several ranks."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1 and "RANK" in os.environ and PARENT_ENV not in os.environ


def external_rank() -> int:
    return int(os.environ.get("RANK", "0"))


def uses_gpu(accelerator: str) -> bool:
    return accelerator in ("gpu", "cuda") or (accelerator == "auto" and torch.cuda.is_available())


def check_accelerator(train) -> None:
    """Refuse a GPU accelerator (``train.accelerator`` gpu or cuda, ``train`` a ``TrainConfig``)
    where torch sees no CUDA device, before anything is written or trained."""
    if train.accelerator in ("gpu", "cuda") and not torch.cuda.is_available():
        raise ValueError(f"train.accelerator={train.accelerator}, but torch sees no CUDA GPU on this machine: "
                         f"use train.accelerator=auto (a GPU where there is one) or cpu")


def processes_wanted(train) -> int:
    """How many processes ``train`` (a ``TrainConfig``) asks for on this machine."""
    devices = train.devices
    if isinstance(devices, str):
        if devices.strip() in ("auto", "-1"):
            return torch.cuda.device_count() if uses_gpu(train.accelerator) else 1
        devices = len(devices.split(",")) if "," in devices else int(devices)
    return max(1, int(devices))


class Solo:
    """One process: every collective is the identity. The fit loop's one-process path."""

    world_size, rank, local_rank = 1, 0, 0
    is_zero = True

    def broadcast(self, value: Any) -> Any:
        return value

    def all_gather(self, value: Any) -> list[Any]:
        return [value]

    def barrier(self) -> None:
        pass

    def failed(self, error: BaseException) -> BaseException:
        return error


class Cluster(Solo):
    """This process's place among ``world_size`` processes of an initialised process group.

    Args:
        rank / local_rank / world_size: this process's global rank, its rank on its machine, and
            the number of processes.
        backend: ``gloo`` (CPUs) or ``nccl`` (GPUs), for gradients.
        timeout: seconds after which a collective inside a run fails.
        followers: the follower processes this process started (rank 0 on one machine), else [].
    """

    def __init__(self, rank: int, local_rank: int, world_size: int, backend: str, timeout: float,
                 followers: Sequence[subprocess.Popen] = (), external: bool = False):
        import torch.distributed as dist

        self.rank, self.local_rank, self.world_size = rank, local_rank, world_size
        self.is_zero = rank == 0
        self.backend, self.timeout, self.external = backend, timeout, external
        self.followers = list(followers)
        self.follower_errors: dict[int, deque] = {}
        self.sent_corpus: int | None = None
        short = timedelta(seconds=timeout)
        # every process creates the same groups in the same order
        self.ops = dist.new_group(backend=backend, timeout=short)
        self.objects = self.ops if backend == "gloo" else dist.new_group(backend="gloo", timeout=short)
        self.control = dist.group.WORLD  # gloo, JOB_WAIT
        self.alive = True

    # --- collectives inside a run -------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        return torch.device("cuda", self.local_rank) if self.backend == "nccl" else torch.device("cpu")

    def broadcast(self, value: Any) -> Any:
        """Rank 0's ``value`` on every rank (picklable; tensors should be on the CPU)."""
        import torch.distributed as dist

        box = [value if self.is_zero else None]
        dist.broadcast_object_list(box, src=0, group=self.objects)
        return box[0]

    def all_gather(self, value: Any) -> list[Any]:
        """Every rank's ``value``, in rank order, on every rank."""
        import torch.distributed as dist

        values: list[Any] = [None] * self.world_size
        dist.all_gather_object(values, value, group=self.objects)
        return values

    def share_generators(self) -> None:
        """Rank 0's torch generators (the CPU's and, on GPUs, its device's) on every rank, each
        rank's device taking rank 0's device's: the dropout masks every rank then draws for a
        whole global batch are the ones rank 0 draws (``training.shared_dropout``)."""
        gpu = self.backend == "nccl"
        state = self.broadcast({"cpu": torch.get_rng_state(),
                                "device": torch.cuda.get_rng_state(self.device) if gpu else None})
        if not self.is_zero:
            torch.set_rng_state(state["cpu"])
            if gpu:
                torch.cuda.set_rng_state(state["device"], self.device)

    def barrier(self) -> None:
        import torch.distributed as dist

        dist.barrier(group=self.objects)

    def reduce_gradients(self, parameters: Iterable[torch.nn.Parameter]) -> None:
        """Sum the gradients of every rank into every rank's ``.grad``. A parameter that has no
        gradient on any rank keeps none (AdamW then skips it, as in one process); one that has a
        gradient on some rank only gets zeros elsewhere before the sum."""
        import torch.distributed as dist

        parameters = [p for p in parameters if p.requires_grad]
        if not parameters:
            return
        has = torch.tensor([p.grad is not None for p in parameters], dtype=torch.float32, device=self.device)
        dist.all_reduce(has, op=dist.ReduceOp.MAX, group=self.ops)
        used = [p for p, flag in zip(parameters, has.tolist()) if flag]
        for p in used:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        by_dtype: dict[torch.dtype, list[torch.nn.Parameter]] = {}
        for p in used:
            by_dtype.setdefault(p.grad.dtype, []).append(p)
        for group in by_dtype.values():
            flat = torch.cat([p.grad.reshape(-1) for p in group])
            dist.all_reduce(flat, op=dist.ReduceOp.SUM, group=self.ops)
            offset = 0
            for p in group:
                p.grad.copy_(flat[offset:offset + p.grad.numel()].view_as(p.grad))
                offset += p.grad.numel()

    def share_rows(self, memory: Sequence[tuple[torch.Tensor, int]], rows: Sequence[int]) -> None:
        """Copy the ``rows`` each rank updated in each (tensor, row dimension) of ``memory`` to
        every other rank (a per-utterance memory such as Self-MM's)."""
        mine = torch.as_tensor(list(rows), dtype=torch.long)
        values = [tensor.index_select(dim, mine.to(tensor.device)).cpu() for tensor, dim in memory]
        for rank, (their_rows, their_values) in enumerate(self.all_gather((mine, values))):
            if rank == self.rank or not len(their_rows):
                continue
            for (tensor, dim), value in zip(memory, their_values):
                tensor.index_copy_(dim, their_rows.to(tensor.device), value.to(tensor.device, tensor.dtype))

    def average_buffers(self, module: torch.nn.Module, skip: Sequence[torch.Tensor] = ()) -> None:
        """Make every rank's buffers equal (BatchNorm statistics): floating ones averaged, others
        rank 0's. ``skip``: buffers kept in step otherwise (a per-utterance memory)."""
        import torch.distributed as dist

        skipped = {id(t) for t in skip}
        for buffer in module.buffers():
            if id(buffer) in skipped:
                continue
            value = buffer.detach().clone()
            if value.is_floating_point():
                dist.all_reduce(value, op=dist.ReduceOp.SUM, group=self.ops)
                value /= self.world_size
            else:
                dist.broadcast(value, src=0, group=self.ops)
            buffer.copy_(value)

    # --- jobs ---------------------------------------------------------------------------------
    def send_job(self, job: tuple | None) -> None:
        """Rank 0: hand the followers a run (``(config, seed, run_dir, corpus or None)``; None
        for the corpus sent last) or, with None, tell them to stop."""
        import torch.distributed as dist

        dist.broadcast_object_list([job], src=0, group=self.control)

    def next_job(self) -> tuple | None:
        import torch.distributed as dist

        box = [None]
        dist.broadcast_object_list(box, src=0, group=self.control)
        return box[0]

    # --- failures and the end -----------------------------------------------------------------
    def failed(self, error: BaseException) -> BaseException:
        """Rank 0, when a run failed: stop the followers (a later run starts new ones) and return
        the error to raise, naming the follower that failed first when one did."""
        note = self._follower_failure()
        self.abort()
        if note:
            return DistributedError(f"{note} (rank 0 saw: {type(error).__name__}: {error})")
        if isinstance(error, Exception) and not isinstance(error, DistributedError) and _is_collective_error(error):
            return DistributedError(f"a process of the run failed or stopped answering: {error}")
        return error

    def _follower_failure(self, wait: float = 3.0) -> str:
        deadline = time.monotonic() + wait
        while self.followers and time.monotonic() < deadline:
            ended = [(rank, p.poll()) for rank, p in enumerate(self.followers, 1) if p.poll() not in (None, 0)]
            if ended:
                rank, code = ended[0]
                time.sleep(0.2)  # let the reader thread take its last lines
                lines = [line for line in self.follower_errors.get(rank, ()) if line.strip()]
                last = lines[-1].strip() if lines else "no message"
                return f"rank {rank} failed (exit status {code}): {last}"
            time.sleep(0.1)
        return ""

    def abort(self) -> None:
        """Stop this process group now: kill the followers this process started."""
        global _current
        self.alive = False
        for process in self.followers:
            if process.poll() is None:
                process.kill()
        for process in self.followers:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                pass
        _destroy()
        if _current is self:
            _current = None

    def close(self) -> None:
        """Rank 0 at the end of the command: tell the followers to stop, then let them go."""
        global _current
        if not self.alive:
            return
        self.alive = False
        try:
            self.send_job(None)
        except Exception:  # noqa: BLE001 (a follower already gone: nothing to stop)
            pass
        for process in self.followers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _destroy()
        if _current is self:
            _current = None


def _is_collective_error(error: BaseException) -> bool:
    text = f"{type(error).__name__} {error}".lower()
    return any(word in text for word in ("gloo", "nccl", "connection", "timed out", "timeout", "peer",
                                         "distbackenderror", "socket"))


def _destroy() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        try:
            dist.destroy_process_group()
        except Exception:  # noqa: BLE001 (a broken group is torn down as far as it goes)
            pass


_current: Cluster | None = None
_joined = False  # this process joined a launcher's process group (it can only once)


def collective_timeout(train=None) -> float:
    configured = getattr(train, "collective_timeout", None) if train is not None else None
    return float(configured or os.environ.get(TIMEOUT_ENV, DEFAULT_COLLECTIVE_TIMEOUT))


def cluster_for(train) -> Solo | Cluster:
    """The processes a run of ``train`` (a ``TrainConfig``) trains on, seen from rank 0 (the
    command's process): ``Solo`` for one; else the cluster, started or joined on first use and
    kept for the next runs of the command with as many processes."""
    global _current
    if launched_externally():
        if external_rank() != 0:
            raise RuntimeError("a follower rank runs no command (shiftmsa.training.follower)")
        if _current is None:
            _current = join_from_environment(collective_timeout(train))
        return _current
    wanted = processes_wanted(train)
    if wanted == 1:
        return Solo()
    if train.strategy not in DDP_STRATEGIES:
        raise ValueError(f"train.strategy={train.strategy!r}: several processes train with 'ddp' "
                         f"(one of {', '.join(DDP_STRATEGIES)})")
    if _current is not None and (_current.world_size != wanted or not _current.alive):
        _current.close()
    if _current is None:
        _current = start_followers(wanted, "nccl" if uses_gpu(train.accelerator) else "gloo",
                                   collective_timeout(train))
    return _current


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_followers(world_size: int, backend: str, timeout: float) -> Cluster:
    """Rank 0 on one machine: start ``world_size - 1`` followers and form the process group."""
    import torch.distributed as dist

    port = _free_port()
    followers = []
    for rank in range(1, world_size):
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE=str(world_size),
                   RANK=str(rank), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world_size), NODE_RANK="0",
                   **{BACKEND_ENV: backend, TIMEOUT_ENV: str(timeout), PARENT_ENV: str(os.getpid())})
        followers.append(subprocess.Popen([sys.executable, "-m", "shiftmsa.training.follower"], env=env,
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, text=True))
    try:
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=0, world_size=world_size,
                                timeout=JOB_WAIT)
        cluster = Cluster(0, 0, world_size, backend, timeout, followers)
    except BaseException:
        for process in followers:
            process.kill()
        raise
    for rank, process in enumerate(followers, 1):
        cluster.follower_errors[rank] = lines = deque(maxlen=40)
        threading.Thread(target=_relay, args=(process.stderr, rank, lines), daemon=True).start()
    atexit.register(cluster.close)
    return cluster


def _relay(stream, rank: int, lines: deque) -> None:
    """A follower's stderr on ours, each line marked with its rank (blank ones left out); the last
    lines kept."""
    for line in stream:
        lines.append(line)
        if line.strip():
            sys.stderr.write(f"[rank {rank}] {line}")
            sys.stderr.flush()


def join_from_environment(timeout: float | None = None) -> Cluster:
    """Join the process group a launcher or rank 0 described in the environment (``MASTER_ADDR``,
    ``MASTER_PORT``, ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``)."""
    import torch.distributed as dist

    timeout = timeout if timeout is not None else collective_timeout()
    backend = os.environ.get(BACKEND_ENV) or ("nccl" if torch.cuda.is_available() else "gloo")
    rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    if backend == "nccl":
        torch.cuda.set_device(local_rank)
    global _joined
    dist.init_process_group("gloo", init_method="env://", rank=rank, world_size=world_size, timeout=JOB_WAIT)
    _joined = True
    cluster = Cluster(rank, local_rank, world_size, backend, timeout, external=PARENT_ENV not in os.environ)
    if rank == 0:
        atexit.register(cluster.close)
    return cluster


def release_followers_at_exit() -> None:
    """Rank 0 of a launcher (torchrun): when the command ends, tell the followers to stop, joining
    the process group first if no run needed it (every run was already stored)."""
    def release() -> None:
        global _current
        if _current is None and not _joined:
            _current = join_from_environment()
        if _current is not None:
            _current.close()

    if launched_externally() and external_rank() == 0:
        atexit.register(release)


def watch_parent() -> None:
    """A follower started by rank 0 ends itself when rank 0 is gone (killed, even by ``kill -9``)."""
    parent = int(os.environ.get(PARENT_ENV, "0"))
    if not parent:
        return

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(3)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True).start()


def shutdown() -> None:
    """Stop the followers of this process, if it started any (tests; the end of a command)."""
    if _current is not None:
        _current.close()


def ignore_interrupts_in_followers() -> None:
    """Ctrl-C reaches every process of the terminal's group: a follower leaves it to rank 0."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
