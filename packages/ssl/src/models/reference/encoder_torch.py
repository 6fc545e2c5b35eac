"""PyTorch reference forward of the fedcl encoders (torchvision-style ResNet-18 BasicBlocks, small CNN),
built with torch.nn modules from named weights, independent of the tfjs code.

stdin JSON: a list of requests (one process for all: importing torch dominates), each
            {"config": {...EncoderConfig}, "weights": {name: {"shape": [...tfjs shape], "data": [...]}},
             "x": {"shape": [N,H,W,C], "data": [...]}, "training": bool}
             optional "probe": [...N*D]: also return d(sum(features * probe))/d(weight) for every weight
stdout JSON: a list of {"features": [...N*D], "shape": [N, D], "state": {name: [...]}, "grads": {name: [...]}}
             (state: BatchNorm running stats after the pass; grads in the tfjs layout)
Run with Debian's /usr/bin/python3 (has torch).
"""
import json
import math
import sys

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)


def tensor(w):
    return torch.tensor(w["data"], dtype=torch.float64).reshape(w["shape"])


class Net:
    def __init__(self, cfg, weights):
        self.cfg, self.w, self.modules, self.params = cfg, weights, {}, {}

    def conv(self, name, cin, cout, k, stride, pad):
        m = nn.Conv2d(cin, cout, k, stride=stride, padding=pad, bias=False)
        # tfjs kernel [kh, kw, cin, cout] -> torch [cout, cin, kh, kw]
        m.weight.data = tensor(self.w[f"encoder/{name}/kernel"]).permute(3, 2, 0, 1).contiguous()
        self.params[f"encoder/{name}/kernel"] = (m.weight, lambda g: g.permute(2, 3, 1, 0))
        return m

    def norm(self, name, c):
        if self.cfg["norm"] == "gn":
            m = nn.GroupNorm(math.gcd(c, self.cfg["groups"]), c, eps=1e-5)
        else:
            m = nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)
            m.running_mean.data = tensor(self.w[f"encoder/{name}/moving_mean"])
            m.running_var.data = tensor(self.w[f"encoder/{name}/moving_variance"])
            self.modules[name] = m
        m.weight.data = tensor(self.w[f"encoder/{name}/gamma"])
        m.bias.data = tensor(self.w[f"encoder/{name}/beta"])
        self.params[f"encoder/{name}/gamma"] = (m.weight, lambda g: g)
        self.params[f"encoder/{name}/beta"] = (m.bias, lambda g: g)
        return m


class BasicBlock(nn.Module):
    def __init__(self, net, name, cin, cout, stride):
        super().__init__()
        self.conv1 = net.conv(f"{name}/conv1", cin, cout, 3, stride, 1)
        self.bn1 = net.norm(f"{name}/norm1", cout)
        self.conv2 = net.conv(f"{name}/conv2", cout, cout, 3, 1, 1)
        self.bn2 = net.norm(f"{name}/norm2", cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(net.conv(f"{name}/shortcut/conv", cin, cout, 1, stride, 0), net.norm(f"{name}/shortcut/norm", cout))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + identity)


def build(cfg, weights):
    """(model, BatchNorm modules by name); used by the export tests too."""
    model, bns, _ = build_with_params(cfg, weights)
    return model, bns


def build_with_params(cfg, weights):
    """(model, BatchNorm modules, {weight name: (parameter, grad -> tfjs layout)})."""
    net = Net(cfg, weights)
    w, cin = cfg["width"], cfg["inChannels"]
    layers = []
    if cfg["arch"] == "resnet18":
        stem = cfg["stem"] if cfg["stem"] != "auto" else ("small" if cfg["inputSize"] <= 64 else "imagenet")
        if stem == "small":
            layers += [net.conv("stem/conv", cin, w, 3, 1, 1), net.norm("stem/norm", w), nn.ReLU()]
        else:
            layers += [net.conv("stem/conv", cin, w, 7, 2, 3), net.norm("stem/norm", w), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
        c = w
        for s, cout in enumerate([w, 2 * w, 4 * w, 8 * w]):
            for b in range(2):
                layers.append(BasicBlock(net, f"stage{s + 1}/block{b}", c, cout, 2 if (b == 0 and s > 0) else 1))
                c = cout
    else:
        c = cin
        for i, cout in enumerate([w, 2 * w, 4 * w, 8 * w]):
            layers += [net.conv(f"conv{i + 1}", c, cout, 3, 2, 1), net.norm(f"norm{i + 1}", cout), nn.ReLU()]
            c = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), net.modules, net.params


def evaluate(req):
    model, bns, params = build_with_params(req["config"], req["weights"])
    model.train(req["training"])
    x = tensor(req["x"]).permute(0, 3, 1, 2)
    f = model(x)
    grads = {}
    if "probe" in req:
        (f * torch.tensor(req["probe"], dtype=torch.float64).reshape(f.shape)).sum().backward()
        grads = {name: to_tfjs(p.grad).flatten().tolist() for name, (p, to_tfjs) in params.items()}
    f = f.detach()
    state = {}
    for name, m in bns.items():
        state[f"encoder/{name}/moving_mean"] = m.running_mean.tolist()
        state[f"encoder/{name}/moving_variance"] = m.running_var.tolist()
    return {"features": f.flatten().tolist(), "shape": list(f.shape), "state": state, "grads": grads}


def main():
    print(json.dumps([evaluate(r) for r in json.load(sys.stdin)]))


if __name__ == "__main__":
    main()
