# SPDX-License-Identifier: MIT
"""peer_train_torch.py - the peer of bench_train: the same MLP trained with PyTorch.

Same samples file, features (log10 apparent resistivity), split (last 10 % for
validation), standardisation (training mean and sd), architecture (one tanh hidden layer,
linear output), loss (MSE of standardised outputs), optimiser (Adam, lr 1e-3, betas 0.9,
0.999, eps 1e-8), batch and epochs. Prints one Markdown table row per thread count.
usage: python3 peer_train_torch.py SAMPLES.h5 [EPOCHS [HIDDEN [BATCH]]]
"""
import sys
import time

import h5py
import numpy as np
import torch


def main():
    path = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    hidden = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 256
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
    for dtype, threads in ((torch.float64, 1), (torch.float64, 2), (torch.float32, 1),
                           (torch.float32, 2)):
        x, t = x64.to(dtype), t64.to(dtype)
        torch.set_num_threads(threads)
        torch.manual_seed(42)
        net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.Tanh(),
                                  torch.nn.Linear(hidden, t.shape[1])).to(dtype)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
        loss_fn = torch.nn.MSELoss()
        xt, tt = x[:nt], t[:nt]
        t0 = time.perf_counter()
        for _ in range(epochs):
            perm = torch.randperm(nt)
            for i in range(0, nt, batch):
                idx = perm[i:i + batch]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(net(xt[idx]), tt[idx])
                loss.backward()
                opt.step()
        el = time.perf_counter() - t0
        with torch.no_grad():
            val = loss_fn(net(x[nt:]), t[nt:]).item()
        print("| PyTorch %s (%s) | %d-%d-%d | %d | %d | %.2f | %.0f | %.5f |"
              % (torch.__version__, str(dtype).replace("torch.", ""), x.shape[1], hidden, t.shape[1], threads, epochs, el,
                 nt * epochs / el, val))


if __name__ == "__main__":
    main()
