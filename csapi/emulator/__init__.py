"""The CS emulator: a stand-in for Huawei Cloud Stream Service, for development, tests and benchmarks.

It serves every operation of the CS API reference (and the IAM token call) over HTTP, with the
reference's request rules, limits, error codes and response shapes, both authentication schemes,
state that lives with an injectable clock, and switchable faults. It imports nothing from Django and
reuses csapi's vocabulary, limits, error table and signature verifier.

- ``python -m csapi.emulator --port 8900 --seed demo`` runs it (see :mod:`csapi.emulator.__main__`);
- :class:`csapi.emulator.testing.EmulatorServer` runs it in-process for tests;
- :data:`csapi.emulator.seed.DEMO_TENANTS` holds the demo accounts.
"""

from .app import Emulator
from .clock import Clock
from .faults import FaultRule, Faults
from .seed import DEFAULT_PASSWORD, DEMO_TENANTS, Tenant

__all__ = ["Clock", "DEFAULT_PASSWORD", "DEMO_TENANTS", "Emulator", "FaultRule", "Faults", "Tenant"]
