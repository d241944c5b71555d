"""The Kids' projects' teaching text, in one home: the page shows it and the take-home notebook prints it.

Markdown, one constant per passage, named after its story (lib/registry.py's ids).
"""
from __future__ import annotations

from lib.kids.settings import SPY_COPIES

HANDS_INTRO = ("Robot **Rolo** has never seen a human hand. Can you help Rolo learn about yours? Grab a ruler and "
               "measure each finger, from the crease where it meets your hand to the tip.")
HANDS_MEAN = "The mean is what you get if you add up all the fingers of one hand and share the total equally."
GARDEN_INTRO = ("Robot **Rolo** went into the garden and picked up 120 things. Rolo can't see what they are! Rolo can "
                "only measure each one: how **wide**, how **long** and how **heavy** it is. Some are worms, some are "
                "ladybirds and some are stones. Can you help Rolo sort them out?")
GARDEN_K_MEANS = ("**k-means** is a real machine-learning tool. You tell it how many groups (**k**) to find, and it "
                  "puts items that are close together in the same group.")
SPY_INTRO = ("Spy **Jane** sends a secret picture to spy **John**. But a baddie fills every message with random "
             f"**noise**, so Jane sends the same picture **{SPY_COPIES} times**.")
SPY_ADDING = ("The message is the **same** in every copy, so adding copies makes it stronger every time. The noise "
              "is **random**: sometimes up, sometimes down, so it mostly **cancels out**.")
XRAYS_INTRO = ("Far away in the stars of the Swan (Cygnus) there is a strange object called **Cygnus X-3**: a huge "
               "star and a tiny, super-heavy one going round and round, shooting out jets. We can't fly there. The "
               "only clue that reaches Earth is its **radiation**. NASA's **Swift** satellite catches its X-rays, "
               "about once every time Swift goes round the Earth (every 96 minutes).")
XRAYS_MODELLED = ("The shipped data is **modelled**: a computer made it to look like Swift's measurements of Cygnus "
                  "X-3, using facts astronomers have published (a 4.8-hour orbit, two moods called states, flares). "
                  "It also has some **bad data hidden in it** for you to find.")
XRAYS_PERIODOGRAM = ("A periodogram (Lomb-Scargle) tries every beat from 1 to 12 hours, after taking away the slow "
                     "changes that last longer than a day, and scores how well each one fits.")
