#!/usr/bin/python3
"""Makes the folder that bench/compare/apply.sh filters: crops of the bundled photographs
(data/images), 200 to 512 pixels a side, saved as PNG or JPEG (quality 95) in their own colours
(gray photographs stay gray). The crops are the same on every machine (a fixed seed).

    /usr/bin/python3 make_crops.py OUT_DIR --count 200 --format png [--colour-only]
"""
import argparse
import os

import cv2
import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--format", choices=["png", "jpg"], default="png")
    parser.add_argument("--colour-only", action="store_true", help="crop only the colour photographs")
    parser.add_argument("--images", default=os.path.join(os.path.dirname(__file__), "../../../data/images"))
    args = parser.parse_args()

    photos = [cv2.imread(os.path.join(args.images, name), cv2.IMREAD_UNCHANGED)
              for name in sorted(os.listdir(args.images)) if name.endswith(".png")]
    if args.colour_only:
        photos = [p for p in photos if p.ndim == 3]
    rng = np.random.default_rng(12)
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.count):
        photo = photos[i % len(photos)]
        h, w = photo.shape[:2]
        ch, cw = (int(rng.integers(200, min(512, s) + 1)) for s in (h, w))
        y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        params = [cv2.IMWRITE_JPEG_QUALITY, 95] if args.format == "jpg" else []
        cv2.imwrite(os.path.join(args.out, f"crop{i:03d}.{args.format}"), photo[y:y + ch, x:x + cw], params)


if __name__ == "__main__":
    main()
