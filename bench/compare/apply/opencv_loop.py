#!/usr/bin/python3
"""The loop a user would write with OpenCV to do what `convsharp apply IN -k KERNEL -o OUT` does,
one image at a time: cv2.imread → /255 → cv2.filter2D (BORDER_REFLECT_101, ConvSharp's default
border) → map → 8 bits → cv2.imwrite, with OpenCV's default encoder settings.

    /usr/bin/python3 opencv_loop.py IN_DIR OUT_DIR sobel-x|gaussian:SIGMA

sobel-x is mapped as `--map abs` without ConvSharp's 99.5th-percentile scaling (|v| clipped
to [0, 1]), which spares OpenCV a pass; gaussian is clipped to [0, 1] (`--map clamp`).
"""
import math
import os
import sys

import cv2
import numpy as np


def kernel(name):
    if name == "sobel-x":
        return np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)
    sigma = float(name.split(":")[1])
    size = 2 * math.ceil(3 * sigma) + 1
    g = cv2.getGaussianKernel(size, sigma, cv2.CV_32F)
    return (g @ g.T).astype(np.float32)


def main():
    source, target, name = sys.argv[1:4]
    k = kernel(name)
    os.makedirs(target, exist_ok=True)
    for file in sorted(os.listdir(source)):
        image = cv2.imread(os.path.join(source, file), cv2.IMREAD_UNCHANGED).astype(np.float32) / 255
        response = cv2.filter2D(image, -1, k, borderType=cv2.BORDER_REFLECT_101)
        if name == "sobel-x":
            response = np.abs(response)
        picture = np.clip(response * 255 + 0.5, 0, 255).astype(np.uint8)
        cv2.imwrite(os.path.join(target, file), picture)


if __name__ == "__main__":
    main()
