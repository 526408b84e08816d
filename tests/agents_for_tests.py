"""Small agents shared by the core-runtime tests."""

from __future__ import annotations

import threading
import time
from typing import Literal

import dspy

from superoptix.core import SuperOptixPipeline, signature


class QA(SuperOptixPipeline):
    """Only a signature: the default forward calls the LM."""

    def get_signature(self) -> type[dspy.Signature]:
        return signature("Answer the question.", question=dspy.InputField(), answer=dspy.OutputField())


class TwoInputs(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature("Answer using the context.", question=dspy.InputField(),
                         context=dspy.InputField(), answer=dspy.OutputField())


class Typed(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Rate the text.", text=dspy.InputField(),
            label=(Literal["good", "bad"], dspy.OutputField()), score=(float, dspy.OutputField()),
        )


class Upper(SuperOptixPipeline):
    """Overrides forward: works with no LM at all."""

    def get_signature(self) -> type[dspy.Signature]:
        return signature("Upper-case the text.", text=dspy.InputField(), shout=dspy.OutputField())

    def forward(self, text: str) -> dspy.Prediction:
        return dspy.Prediction(shout=text.upper())


class NoSignature(SuperOptixPipeline):
    def forward(self, city: str, country: str = "France") -> dspy.Prediction:
        return dspy.Prediction(place=f"{city}, {country}")


class Sleeper(SuperOptixPipeline):
    def __init__(self, seconds: float, **kwargs):
        super().__init__(**kwargs)
        self.seconds = seconds

    def forward(self, text: str) -> dspy.Prediction:
        time.sleep(self.seconds)
        return dspy.Prediction(done=text)


class Flaky(SuperOptixPipeline):
    """Raises a chosen exception the first `failures` times, then answers."""

    def __init__(self, error: Exception, failures: int, **kwargs):
        super().__init__(**kwargs)
        self.error, self.failures, self.calls = error, failures, 0
        self.lock = threading.Lock()

    def forward(self, text: str) -> dspy.Prediction:
        with self.lock:
            self.calls += 1
            fail = self.calls <= self.failures
        if fail:
            raise self.error
        return dspy.Prediction(out=text)


class AlwaysFails(SuperOptixPipeline):
    def forward(self, text: str) -> dspy.Prediction:
        raise RuntimeError("this agent always fails")


class Interrupts(SuperOptixPipeline):
    def forward(self, text: str) -> dspy.Prediction:
        raise KeyboardInterrupt


class InterruptsCaller(SuperOptixPipeline):
    """Simulates Ctrl-C arriving while this step runs; the step itself still finishes."""

    def forward(self, text: str) -> dspy.Prediction:
        import _thread

        _thread.interrupt_main()
        time.sleep(0.3)
        return dspy.Prediction(text=f"{text} (finished)")


def run_in_new_process(script: str, limit_s: float = 50.0) -> tuple[str, str, float]:
    """Run Python code in a fresh interpreter (with these agents importable); stdout, stderr, seconds."""
    import subprocess
    import sys
    from pathlib import Path

    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=limit_s,
                          cwd=Path(__file__).parent)
    return done.stdout.strip(), done.stderr, time.monotonic() - started
