"""The Maps and projections demos' teaching text, in one home: the page shows it and the take-home notebook prints it.

Markdown, one constant per passage, named after its demo (lib/registry.py's ids).
"""
from __future__ import annotations

PROJECTIONS_WHY = ("**Mercator** keeps angles and local shapes (good for navigation, so web maps use it) but inflates "
                   "area by 1/cos²(latitude): four times at 60°. **Equal-area** projections keep area and bend shapes "
                   "instead. Circles of equal size on the ground (Tissot's indicatrices) make the stretch visible.")
MOVE_COUNTRY_WHY = ("On a Mercator map Japan and Britain look about the same size. Move Japan next to Britain **on the "
                    "globe** (a rotation of the sphere, so its shape and area on the ground are kept) and it is "
                    "plainly larger.")
COLOUR_WHY = ("About 1 in 12 men and 1 in 200 women see colour differently, most often confusing red with green. "
              "Pick a scheme for the kind of data (sequential for amounts, diverging for above/below a midpoint, "
              "qualitative for categories), keep a key to at most seven colours, and check it as others see it.")
TYPE_WHY = ("The talk's advice: **serif** faces for body text, **sans-serif** for headings and titles. Compare the "
            "same words set each way. Then look at the round *counters*, the enclosed spaces inside a, e, o, b and d: "
            "at the same point size a face with a taller x-height and bigger, more open counters stays readable "
            "smaller and further away, which is what matters for labels on a map or a slide.")
