#!/usr/bin/python3
"""make_icons.py: draw web/www/static/icon-192.png and icon-512.png (the app's icon, as
icon.svg draws it: three bars on green) with zlib alone, no imaging library."""
import struct
import sys
import zlib

GREEN, WHITE, GOLD = (11, 93, 75, 255), (255, 255, 255, 255), (242, 193, 78, 255)
# (x0, y0, x1, y1, colour) on the 64-unit grid of icon.svg
SHAPES = [(14, 30, 22, 46, WHITE), (28, 20, 36, 46, WHITE), (42, 12, 50, 46, WHITE),
          (10, 50, 54, 54, GOLD)]


def pixel(u, v):
    for x0, y0, x1, y1, c in SHAPES:
        if x0 <= u < x1 and y0 <= v < y1:
            return c
    return GREEN


def png(size):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            row += bytes(pixel(x * 64 / size, y * 64 / size))
        rows.append(bytes(row))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    head = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) +
            chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "web/www/static"
    for n in (192, 512):
        with open(f"{out}/icon-{n}.png", "wb") as f:
            f.write(png(n))
