"""PyTorch reference for the ssl losses, written from the papers independently of the tfjs code.

Reads a JSON list of {"loss": name, "args": {...}} on stdin, prints the list of values (one process
for many cases: importing torch dominates the run time).
Run with Debian's /usr/bin/python3 (has torch).
"""
import json
import sys

import torch
import torch.nn.functional as F


def nt_xent(z1, z2, temperature):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    sim = z @ z.T / temperature
    sim.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, target)


def moco(q, k, queue, temperature):
    q, k, queue = F.normalize(q, dim=1), F.normalize(k, dim=1), F.normalize(queue, dim=1)
    logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.T], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))


def byol(p1, p2, t1, t2):
    def term(p, t):
        return (2 - 2 * F.cosine_similarity(p, t, dim=1)).mean()

    return term(p1, t2) + term(p2, t1)


def supcon(z1, z2, labels, temperature):
    # Khosla et al.'s reference SupConLoss (contrast_mode='all'), base_temperature = temperature.
    features = F.normalize(torch.stack([z1, z2], dim=1), dim=2)
    bsz = features.shape[0]
    labels = labels.view(-1, 1)
    mask = torch.eq(labels, labels.T).float()
    contrast = torch.cat(torch.unbind(features, dim=1), dim=0)
    logits = contrast @ contrast.T / temperature
    logits = logits - logits.max(dim=1, keepdim=True)[0].detach()
    mask = mask.repeat(2, 2)
    logits_mask = torch.ones_like(mask) - torch.eye(2 * bsz)
    mask = mask * logits_mask
    exp_logits = torch.exp(logits) * logits_mask
    log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))
    mean_log_prob_pos = (mask * log_prob).sum(1) / mask.sum(1)
    return -mean_log_prob_pos.mean()


def evaluate(req):
    a = {k: (torch.tensor(v, dtype=torch.float64) if isinstance(v, list) else v) for k, v in req["args"].items()}
    name = req["loss"]
    if name == "ntxent":
        v = nt_xent(a["z1"], a["z2"], a["temperature"])
    elif name == "moco":
        v = moco(a["q"], a["k"], a["queue"], a["temperature"])
    elif name == "byol":
        v = byol(a["p1"], a["p2"], a["t1"], a["t2"])
    elif name == "supcon":
        v = supcon(a["z1"], a["z2"], a["labels"].long(), a["temperature"])
    else:
        raise SystemExit(f"unknown loss {name}")
    return float(v)


def main():
    print(json.dumps([evaluate(r) for r in json.load(sys.stdin)]))


if __name__ == "__main__":
    main()
