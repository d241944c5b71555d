"""Run-sheets: a talk as an ordered list of the app's views, with titles and speaker notes (docs/presenting.md)."""
from __future__ import annotations

from lib.runsheets.sheet import MAX_FILE_BYTES, MAX_STEPS, VERSION, RunSheet, RunSheetError, Step, dump, load
from lib.runsheets.shipped import TALKS, shipped, talk_titles
from lib.runsheets.takehome import TakeHomeLink, take_home_links, take_home_zip

__all__ = ["MAX_FILE_BYTES", "MAX_STEPS", "TALKS", "VERSION", "RunSheet", "RunSheetError", "Step", "TakeHomeLink",
           "dump", "load", "shipped", "take_home_links", "take_home_zip", "talk_titles"]
