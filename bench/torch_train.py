"""SimCLR training throughput in PyTorch CPU, the reference for bench/train.ts.

Same network as packages/ssl's ResNet-18 encoder (torchvision BasicBlocks; widths w,2w,4w,8w;
GroupNorm with gcd(channels, 8) groups; 3x3 stride-1 stem without max-pool for inputs <= 64 px,
else 7x7 stride-2 stem + 3x3 max-pool; global average pool), the same projection head
(Linear(D,D) - ReLU - Linear(D,128)), NT-Xent with tau = 0.5 over 2N views, Adam(1e-3).
Inputs are fixed random tensors (augmentation is not timed on either side).

usage: /usr/bin/python3 bench/torch_train.py SIZE BATCH WIDTH STEPS THREADS
prints one JSON line: {"imagesPerSecond", "imagesPerCpuSecond" (process CPU time, all threads), "stepMs": [...], "stepCpuMs": [...], "threads", "torch"}
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def gn(c):
    return nn.GroupNorm(math.gcd(c, 8), c, eps=1e-5)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.n1 = gn(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.n2 = gn(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), gn(cout))

    def forward(self, x):
        h = self.n2(self.conv2(torch.relu(self.n1(self.conv1(x)))))
        return torch.relu(h + (x if self.short is None else self.short(x)))


def resnet18(width, size, in_channels=1):
    if size <= 64:
        layers = [nn.Conv2d(in_channels, width, 3, 1, 1, bias=False), gn(width), nn.ReLU()]
    else:
        layers = [nn.Conv2d(in_channels, width, 7, 2, 3, bias=False), gn(width), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    c = width
    for s, cout in enumerate([width, 2 * width, 4 * width, 8 * width]):
        for b in range(2):
            layers.append(BasicBlock(c, cout, 2 if (b == 0 and s > 0) else 1))
            c = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), c


def nt_xent(z1, z2, tau=0.5):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = z @ z.t() / tau
    logits.fill_diagonal_(-1e9)
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, target)


def main():
    size, batch, width, steps, threads = (int(a) for a in sys.argv[1:6])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    encoder, d = resnet18(width, size)
    head = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 128))
    params = list(encoder.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    v1 = torch.randn(batch, 1, size, size)
    v2 = torch.randn(batch, 1, size, size)

    def step():
        opt.zero_grad(set_to_none=True)
        z = head(encoder(torch.cat([v1, v2])))
        loss = nt_xent(z[:batch], z[batch:])
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up: allocator and oneDNN primitive caches
    times, cpu_times = [], []
    for _ in range(steps):
        c0, t0 = time.process_time(), time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu_times.append((time.process_time() - c0) * 1000)
    median = sorted(times)[len(times) // 2]
    cpu_median = sorted(cpu_times)[len(cpu_times) // 2]
    print(json.dumps({"imagesPerSecond": batch / (median / 1000), "imagesPerCpuSecond": batch / (cpu_median / 1000), "stepMs": times, "stepCpuMs": cpu_times, "threads": threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
