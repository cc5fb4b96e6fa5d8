"""Draws every SVG of a folder with cairosvg and rsvg-convert and checks each drawing.

A drawing passes when it has the SVG's width and height, has ink (pixels neither white nor
transparent) over at least 2% of the page and in the middle of the page (the plot area, not
only a title), and carries about the same ink as the other rasterizer's (within a factor of
1.5: fonts differ a little between them, layout does not). Prints one line per chart and
exits 1 on any failure. PNGs are decoded here with the standard library (zlib), so the suite
needs nothing but the two rasterizers.
"""
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cairosvg


def decode_png(data):
    """(width, height, rows of (r, g, b, a)) of an 8-bit RGB, RGBA, grey or grey+alpha PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and interlace == 0, f"unsupported PNG: depth {depth}, interlace {interlace}"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(line)
        previous = line
    def pixel(line, x):
        v = line[x * channels:(x + 1) * channels]
        if channels == 1:
            return (v[0], v[0], v[0], 255)
        if channels == 2:
            return (v[0], v[0], v[0], v[1])
        if channels == 3:
            return (v[0], v[1], v[2], 255)
        return tuple(v)
    return width, height, [[pixel(line, x) for x in range(width)] for line in rows]


def ink(rows, box=None):
    """Share of pixels (in `box` = (x0, y0, x1, y1) if given) that are drawn: opaque and not white."""
    height, width = len(rows), len(rows[0])
    x0, y0, x1, y1 = box or (0, 0, width, height)
    drawn = total = 0
    for y in range(y0, y1, 2):
        for x in range(x0, x1, 2):
            r, g, b, a = rows[y][x]
            total += 1
            if a > 128 and min(r, g, b) < 235:
                drawn += 1
    return drawn / max(1, total)


def main(svg_dir, png_dir):
    svgs = sorted(Path(svg_dir).glob("*.svg"))
    Path(png_dir).mkdir(parents=True, exist_ok=True)
    kinds = {"latency": "line", "timeline": "stacked", "tornado": "tornado", "costbars": "bars"}
    missing = [name for name in kinds if not (Path(svg_dir) / f"{name}.svg").exists()]
    if len(svgs) < 4 or missing:
        print(f"charts suite: expected the sample charts of every kind, missing {missing or 'all'}")
        return 1
    failures = 0
    for svg in svgs:
        text = svg.read_text()
        size = re.search(r'<svg [^>]*width="(\d+)" height="(\d+)"', text)
        width, height = int(size.group(1)), int(size.group(2))
        drawings = {}
        cairo_png = Path(png_dir) / f"{svg.stem}-cairosvg.png"
        cairosvg.svg2png(url=str(svg), write_to=str(cairo_png))
        drawings["cairosvg"] = cairo_png
        rsvg_png = Path(png_dir) / f"{svg.stem}-rsvg.png"
        subprocess.run(["rsvg-convert", "-o", str(rsvg_png), str(svg)], check=True, timeout=60)
        drawings["rsvg-convert"] = rsvg_png
        measured = {}
        problems = []
        for tool, png in drawings.items():
            w, h, rows = decode_png(png.read_bytes())
            if (w, h) != (width, height):
                problems.append(f"{tool} drew {w}x{h}, not {width}x{height}")
                continue
            whole = ink(rows)
            middle = ink(rows, (w // 5, h // 5, 4 * w // 5, 4 * h // 5))
            measured[tool] = whole
            if whole < 0.02 or middle < 0.01:
                problems.append(f"{tool} drew a blank page ({whole:.1%} ink, {middle:.1%} in the middle)")
        if len(measured) == 2:
            a, b = measured["cairosvg"], measured["rsvg-convert"]
            if max(a, b) > 1.5 * min(a, b):
                problems.append(f"the two drawings differ: {a:.1%} ink in cairosvg, {b:.1%} in rsvg-convert")
        kind = kinds.get(svg.stem, "sample")
        if problems:
            failures += 1
            print(f"FAIL {svg.stem} ({kind}): " + "; ".join(problems))
        else:
            print(f"ok   {svg.stem} ({kind}): {width}x{height}, ink {measured['cairosvg']:.1%} / {measured['rsvg-convert']:.1%}")
    print(f"charts suite: {len(svgs) - failures} of {len(svgs)} charts drawn alike by cairosvg and rsvg-convert")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
