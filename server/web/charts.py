"""Charts drawn by the hub as SVG: no chart library in the browser, nothing fetched when a page loads."""
from __future__ import annotations

from markupsafe import Markup

INK, BAR, GRID = "#1E2328", "#4E786E", "#D9D3C5"


def bars(points: list[tuple[str, int]], title: str, width: int = 640, height: int = 260) -> Markup:
    """A bar chart of (label, count), with the counts written over the bars."""
    left, bottom, top = 36, 30, 18
    plot_h = height - bottom - top
    peak = max((n for _, n in points), default=0) or 1
    step = (width - left - 8) / max(len(points), 1)
    grid_step = max(1, -(-peak // 4))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{Markup.escape(title)}" class="chart">']
    for g in range(0, peak + 1, grid_step):
        y = top + plot_h - g / peak * plot_h
        parts.append(f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{INK}">{g}</text>')
    for i, (label, n) in enumerate(points):
        h = n / peak * plot_h
        x = left + i * step + step * 0.15
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" rx="3" fill="{BAR}">'
                     f'<title>{Markup.escape(label)}: {n}</title></rect>')
        if n:
            parts.append(f'<text x="{x + step * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12" '
                         f'fill="{INK}">{n}</text>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - 10}" text-anchor="middle" font-size="12" '
                     f'fill="{INK}">{Markup.escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
