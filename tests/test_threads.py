"""Work on the asking thread (Arrow conversion, OpenBLAS): what Home.py sets once per process."""
from __future__ import annotations

import json

from tests.test_speed import run_python


def test_frames_are_converted_without_a_thread_pool_once_the_app_has_started() -> None:
    out = json.loads(run_python("""
        import json, threading
        from concurrent import futures
        import numpy as np, pandas as pd, pyarrow
        from streamlit import dataframe_util
        from lib.core.threads import convert_frames_on_one_thread

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


def test_openblas_runs_on_one_thread_and_pytorch_keeps_its_own() -> None:
    out = json.loads(run_python("""
        import json
        import numpy, torch
        from threadpoolctl import threadpool_info
        from lib.core.threads import blas_on_one_thread

        torch_threads = torch.get_num_threads()
        blas_on_one_thread()
        import scipy.linalg  # loaded after the call: its OpenBLAS too
        scipy.linalg.lu_factor(numpy.eye(3))
        pools = [(pool["internal_api"], pool["prefix"], pool["num_threads"]) for pool in threadpool_info()]
        print(json.dumps({"pools": pools, "torch": [torch_threads, torch.get_num_threads()]}))
    """))
    openblas = [pool for pool in out["pools"] if pool[0] == "openblas"]
    assert len(openblas) >= 2 and all(threads == 1 for _, _, threads in openblas)  # numpy's and SciPy's
    assert out["torch"][0] == out["torch"][1]


def test_sessions_parsing_python_at_once_take_turns_under_the_apps_gc_hook() -> None:
    """The app's gc callback runs Python inside CPython 3.11's ast conversion, where another thread may then parse
    and both fail ("AST constructor recursion depth mismatch"); under PYTHON_PARSING, as the notebook button, the
    code expander and the autograd formula parse, eight threads reading lib's source and building every notebook
    (a room's first visits) raise nothing."""
    out = json.loads(run_python("""
        import json, threading
        from lib.core.gc_pauses import freeze_after_full_collections
        from lib.core.parsing import PYTHON_PARSING
        from lib.notebooks import DEMOS, build_notebook
        from lib.core import notebook_cells

        freeze_after_full_collections()
        errors, built = [], []
        def visitor():
            for _ in range(3):
                for demo_id in DEMOS:
                    try:
                        with PYTHON_PARSING:
                            notebook_cells._source.cache_clear()
                            notebook_cells._constants_source.cache_clear()
                            built.append(len(build_notebook(demo_id, {}).cells))
                    except SystemError as error:
                        errors.append(str(error))
        threads = [threading.Thread(target=visitor) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(json.dumps({"errors": errors[:3], "built": len(built)}))
    """, timeout=600))
    assert out["errors"] == []
    assert out["built"] == 8 * 3 * 24
