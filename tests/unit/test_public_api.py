import subprocess
import sys

import seqpred


def test_all_lists_exactly_the_public_names():
    exported = set(seqpred.__all__)
    assert all(hasattr(seqpred, name) for name in exported)
    defined = {
        name
        for name, value in vars(seqpred).items()
        if not name.startswith("_")
        and callable(value)
        and getattr(value, "__module__", "").startswith("seqpred")
    }
    assert defined == exported - {"__version__"}


def test_import_does_not_need_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import seqpred, seqpred.models.next_item.markov, seqpred.data\n"
        "m = seqpred.create('markov').fit([[1, 2, 3]])\n"
        "assert 'torch' not in sys.modules or sys.modules['torch'] is None\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
