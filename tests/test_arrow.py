"""Arrow conversion on the asking thread: what Home.py sets once per process."""
from __future__ import annotations

import json

from tests.test_speed import run_python


def test_frames_are_converted_without_a_thread_pool_once_the_app_has_started() -> None:
    out = json.loads(run_python("""
        import json, threading
        from concurrent import futures
        import numpy as np, pandas as pd, pyarrow
        from streamlit import dataframe_util
        from lib.core.arrow import convert_frames_on_one_thread

        pools = []
        original = futures.ThreadPoolExecutor.__init__
        def counted(self, *args, **kwargs):
            pools.append(1)
            original(self, *args, **kwargs)
        futures.ThreadPoolExecutor.__init__ = counted
        cores = pyarrow.cpu_count()
        frame = pd.DataFrame({"time": np.arange(570.0), "rate": np.linspace(0, 1, 570)})
        before = dataframe_util.convert_anything_to_arrow_bytes(frame)
        pooled = len(pools)
        convert_frames_on_one_thread()
        convert_frames_on_one_thread()
        after = dataframe_util.convert_anything_to_arrow_bytes(frame)
        print(json.dumps({"cores": cores, "pooled": pooled, "later": len(pools) - pooled, "cpus": pyarrow.cpu_count(),
                          "same": before == after}))
    """))
    assert out["pooled"] == (1 if out["cores"] > 1 else 0)  # without the setting, 570 rows get a pool of their own
    assert out["later"] == 0
    assert out["cpus"] == 1 and out["same"]
