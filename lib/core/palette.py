"""Okabe and Ito's (2008) colour-blind-safe colours, defined once for every page and the map tools.

Eight colours chosen to stay distinct for people with the common colour-vision deficiencies.
`OKABE_ITO` is their published order (the maps' "Okabe-Ito" scheme); `CATEGORY_COLOURS` is the order
charts give to categories: the strongest contrasts on white first, yellow left out (too faint on white).
"""
from __future__ import annotations

BLUE = "#0072B2"
ORANGE = "#E69F00"
BLUISH_GREEN = "#009E73"
REDDISH_PURPLE = "#CC79A7"
SKY_BLUE = "#56B4E9"
VERMILLION = "#D55E00"
YELLOW = "#F0E442"
BLACK = "#000000"
GREY = "#999999"  # not Okabe-Ito: context (reference lines, things "as they were") that should recede

OKABE_ITO = (ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE, BLACK)
CATEGORY_COLOURS = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, BLACK)

