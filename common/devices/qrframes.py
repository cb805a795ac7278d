"""Synthetic camera frames with a QR code in them (perspective, rotation, blur, noise): the scanner
simulator's input, used by tests, benchmarks and the demo."""
from __future__ import annotations

import cv2
import numpy as np
import qrcode


def frame(payload: str, *, angle=0.0, tilt=0.0, blur=0, noise=0.0, size=(720, 1280), seed=0) -> np.ndarray:
    """A grey camera-like frame with the QR code somewhere in it."""
    img = np.array(qrcode.make(payload, box_size=6, border=4).convert("L"), dtype=np.uint8)
    h, w = size
    canvas = np.full((h, w), 200, np.uint8)
    y, x = (h - img.shape[0]) // 2, (w - img.shape[1]) // 2
    canvas[y:y + img.shape[0], x:x + img.shape[1]] = img
    src = np.array([[x, y], [x + img.shape[1], y], [x, y + img.shape[0]], [x + img.shape[1], y + img.shape[0]]], np.float32)
    d = tilt * img.shape[1]
    dst = np.array([[x + d, y], [x + img.shape[1] - d, y + d / 2], [x, y + img.shape[0]], [x + img.shape[1], y + img.shape[0] - d / 2]],
                   np.float32)
    canvas = cv2.warpPerspective(canvas, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=200)
    if angle:
        canvas = cv2.warpAffine(canvas, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h), borderValue=200)
    if blur:
        canvas = cv2.GaussianBlur(canvas, (blur, blur), 0)
    if noise:
        rng = np.random.default_rng(seed)
        canvas = np.clip(canvas + rng.normal(0, noise, canvas.shape), 0, 255).astype(np.uint8)
    return canvas
