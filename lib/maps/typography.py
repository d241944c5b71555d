"""Type for maps: the same words set in a serif and a sans-serif face, and the round counters of each.

The talk's advice: serif faces for body text, sans-serif for headings and titles. Each function returns
HTML that the page and the take-home notebook both show (font stacks that every system has a face for).
"""
from __future__ import annotations

SERIF = "Georgia, 'Times New Roman', serif"
SANS = "'Helvetica Neue', Arial, 'Source Sans Pro', sans-serif"
SAMPLE = ("Penryn campus sits above the Penryn River. Its trees, fences and buildings are points, lines and "
          "polygons, each with a row of attributes.")
COUNTER_LETTERS = "aeobdg"  # round letters: their enclosed spaces (counters) show how open a face is


def pairing_html(body: str, size_px: int) -> str:
    """A heading and a paragraph at `size_px`: the paragraph in the `body` face, the heading in the other one."""
    heading = SANS if body == SERIF else SERIF
    label = "sans-serif heading, serif body" if body == SERIF else "serif heading, sans-serif body"
    return (f'<div style="border:1px solid #dde;padding:0.6em;margin-bottom:0.6em">'
            f'<div style="font:600 1.5rem/1.2 {heading}">Maps of Cornwall</div>'
            f'<p style="font-family:{body};font-size:{size_px}px;line-height:1.45;margin:0.4em 0">{SAMPLE}</p>'
            f'<small>{label}</small></div>')


def counters_html(family: str, label: str, size_px: int) -> str:
    """COUNTER_LETTERS in `family` at three times the body size, where their counters are easy to compare."""
    return (f'<div style="font-family:{family};font-size:{size_px * 3}px;line-height:1.1">{COUNTER_LETTERS}</div>'
            f'<small>{label}, counters at {size_px * 3} px</small>')
