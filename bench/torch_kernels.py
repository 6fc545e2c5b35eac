"""PyTorch CPU timings of the convolution kernels and matmul measured by bench/kernels.ts.

usage: /usr/bin/python3 bench/torch_kernels.py THREADS '<json list of cases>'
case: {"name", "x": [N,H,W,Ci], "w": [kh,kw,Ci,Co], "stride", "pad"} or {"name", "matmul": [M,K,N]}
prints one JSON line: {name: {"fwd", "bInput", "bFilter"} | {"matmul"}} in ms (median of 5 after a warm-up)
"""
import json
import sys
import time

import torch


def median_ms(f, reps=5):
    f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)[len(times) // 2]


def main():
    torch.set_num_threads(int(sys.argv[1]))
    out = {}
    for case in json.loads(sys.argv[2]):
        if "matmul" in case:
            m, k, n = case["matmul"]
            a, b = torch.randn(m, k), torch.randn(k, n)
            out[case["name"]] = {"matmul": median_ms(lambda: a @ b)}
            continue
        n, h, w_, ci = case["x"]
        kh, kw, _, co = case["w"]
        s, p = case["stride"], case["pad"]
        x = torch.randn(n, ci, h, w_)
        w = torch.randn(co, ci, kh, kw)
        y = torch.nn.functional.conv2d(x, w, stride=s, padding=p)
        dy = torch.randn_like(y)
        conv_bwd = torch.ops.aten.convolution_backward
        out[case["name"]] = {
            "fwd": median_ms(lambda: torch.nn.functional.conv2d(x, w, stride=s, padding=p)),
            "bInput": median_ms(lambda: conv_bwd(dy, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, [True, False, False])),
            "bFilter": median_ms(lambda: conv_bwd(dy, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, [False, True, False])),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
