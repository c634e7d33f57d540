# SPDX-License-Identifier: MIT
"""peer_train_torch.py - the peer of bench_train: the same MLP trained with PyTorch.

Same samples file, features (log10 apparent resistivity), split (last 10 % for
validation), standardisation (training mean and sd), architecture (one tanh hidden layer,
linear output), loss (MSE of standardised outputs), optimiser (Adam, lr 1e-3, betas 0.9,
0.999, eps 1e-8), batch and epochs.

Every thread count PyTorch and its BLAS can use is pinned before torch is imported
(OMP_NUM_THREADS, MKL_NUM_THREADS, OPENBLAS_NUM_THREADS, then torch.set_num_threads), so
that no library starts more threads than asked for. Each run tries float32 and float64,
and two ways to write the loop: a gather of each minibatch by index from the shuffled
order (as bpinv does), and one permutation of the whole set per epoch with contiguous
slices and the multi-tensor (foreach) Adam. PyTorch 1.13 has no torch.compile; a traced
(torch.jit) model was tried and was no faster, so it is not among the configurations.
Prints one Markdown table row per configuration.
usage: python3 peer_train_torch.py SAMPLES.h5 [EPOCHS [HIDDEN [BATCH [THREADS]]]]
"""
import os
import sys
import time

THREADS = int(sys.argv[5]) if len(sys.argv) > 5 else 1
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import h5py  # noqa: E402  (after the thread counts are pinned)
import numpy as np  # noqa: E402
import torch  # noqa: E402


def train(x, t, nt, hidden, batch, epochs, dtype, loop):
    """Trains one net; returns (seconds, validation MSE)."""
    x, t = x.to(dtype), t.to(dtype)
    torch.manual_seed(42)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.Tanh(),
                              torch.nn.Linear(hidden, t.shape[1])).to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                           foreach=(loop == "permuted"))
    loss_fn = torch.nn.MSELoss()
    xt, tt = x[:nt], t[:nt]
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(nt)
        if loop == "permuted":
            xp, tp = xt[perm], tt[perm]
        for i in range(0, nt, batch):
            if loop == "permuted":
                xb, tb = xp[i:i + batch], tp[i:i + batch]
            else:
                idx = perm[i:i + batch]
                xb, tb = xt[idx], tt[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), tb)
            loss.backward()
            opt.step()
    el = time.perf_counter() - t0
    with torch.no_grad():
        val = loss_fn(net(x[nt:]), t[nt:]).item()
    return el, val


def main():
    path = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    hidden = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 256
    torch.set_num_threads(THREADS)
    with h5py.File(path, "r") as f:
        n = int(f.attrs["n_complete"])
        x = np.log10(f["data_noisy"][:n])
        t = np.log10(f["models"][:n])
    nv = n // 10
    nt = n - nv
    xm, xs = x[:nt].mean(0), x[:nt].std(0, ddof=1)
    tm, ts = t[:nt].mean(0), t[:nt].std(0, ddof=1)
    x64 = torch.from_numpy((x - xm) / xs)
    t64 = torch.from_numpy((t - tm) / ts)
    for dtype in (torch.float32, torch.float64):
        for loop in ("gather", "permuted"):
            el, val = train(x64, t64, nt, hidden, batch, epochs, dtype, loop)
            print("| PyTorch %s (%s, %s) | %d-%d-%d | %d | %d | %.2f | %.0f | %.5f |"
                  % (torch.__version__, str(dtype).replace("torch.", ""), loop, x64.shape[1],
                     hidden, t64.shape[1], THREADS, epochs, el, nt * epochs / el, val))


if __name__ == "__main__":
    main()
