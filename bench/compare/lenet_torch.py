#!/usr/bin/python3
"""The book's LeNet (Dive into Deep Learning 6.6) trained on Fashion-MNIST in PyTorch on the
CPU: the anchor that `convsharp lenet train` is compared with, and the trainer whose saved
model `convsharp lenet eval` must reproduce.

    /usr/bin/python3 bench/compare/lenet_torch.py [--variant d2l|modern] [--epochs 10]
        [--batch 256] [--lr X] [--seed S] [--threads N] [--data DIR] [--json METRICS]
        [--save MODEL.safetensors] [--logits LOGITS.npy]
    /usr/bin/python3 bench/compare/lenet_torch.py --check MODEL.safetensors [--variant ...]

The d2l variant is the book's recipe: sigmoid + AvgPool, Xavier-uniform weights, SGD lr 0.9,
batch 256, cross-entropy. The modern variant swaps in ReLU + MaxPool with lr 0.1. Metrics are
the book's: the training loss and accuracy averaged over the epoch's examples as they were
trained on, and the test accuracy after the epoch. `--check` loads a model (for instance one
that ConvSharp trained), with strict key checking, and prints its test accuracy as JSON.

Needs Debian's python3-torch and dataset-fashion-mnist (no torchvision: the IDX files are read
here), so it runs on the same machine as ConvSharp with nothing else installed.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

# The hand-written safetensors and IDX code of the fixture scripts (Debian has no safetensors package).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "fixtures"))
from make_fashion_subset import read_idx  # noqa: E402
from make_state_fixtures import load as load_safetensors, save as save_safetensors  # noqa: E402

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


def load(folder, train):
    prefix = "train" if train else "t10k"
    images = idx_array(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))
    labels = idx_array(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return x, torch.from_numpy(labels.astype(np.int64))


def lenet(variant):
    act = nn.Sigmoid if variant == "d2l" else nn.ReLU
    pool = nn.AvgPool2d if variant == "d2l" else nn.MaxPool2d
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), act(), pool(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), act(), pool(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), act(),
        nn.Linear(120, 84), act(),
        nn.Linear(84, 10))


def idx_array(path):
    dims, body = read_idx(path)
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def accuracy(net, x, y, batch=1024):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (net(x[i:i + batch]).argmax(dim=1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def train(args):
    torch.manual_seed(args.seed)
    net = lenet(args.variant)

    def init_weights(m):
        if type(m) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)

    net.apply(init_weights)
    x, y = load(args.data, True)
    tx, ty = load(args.data, False)
    lr = args.lr if args.lr is not None else (0.9 if args.variant == "d2l" else 0.1)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    epochs = []
    for epoch in range(1, args.epochs + 1):
        net.train()
        order = torch.randperm(len(x))
        total_loss, correct, seen = 0.0, 0, 0
        start = time.perf_counter()
        for i in range(0, len(x), args.batch):
            index = order[i:i + args.batch]
            xb, yb = x[index], y[index]
            optimizer.zero_grad()
            logits = net(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                total_loss += loss.item() * len(yb)
                correct += (logits.argmax(dim=1) == yb).sum().item()
                seen += len(yb)
        seconds = time.perf_counter() - start
        test_acc = accuracy(net, tx, ty)
        row = {"epoch": epoch, "loss": total_loss / seen, "train_acc": correct / seen, "test_acc": test_acc,
               "seconds": seconds, "examples_per_s": seen / seconds}
        epochs.append(row)
        print(json.dumps(row), file=sys.stderr)
    if args.save:
        save_safetensors(args.save, net.state_dict())
    if args.logits:
        net.eval()
        with torch.no_grad():
            np.save(args.logits, net(tx).numpy().astype(np.float32))
    return {"library": f"PyTorch {torch.__version__}", "threads": torch.get_num_threads(), "variant": args.variant,
            "epochs": epochs}


def check(args):
    net = lenet(args.variant)
    net.load_state_dict(load_safetensors(args.check)[0], strict=True)
    tx, ty = load(args.data, False)
    result = {"test_acc": accuracy(net, tx, ty)}
    if args.logits:
        with torch.no_grad():
            np.save(args.logits, net(tx).numpy().astype(np.float32))
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=["d2l", "modern"], default="d2l")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--json")
    parser.add_argument("--save")
    parser.add_argument("--logits")
    parser.add_argument("--check")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result = check(args) if args.check else train(args)
    text = json.dumps(result, indent=2)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
