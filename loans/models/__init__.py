"""IP-pledge loans (知识产权质押贷款): fields only, by subdomain (``core``: assets, loans, pledges, schedules,
repayments, classification, bank files; ``subsidies``; ``write_offs``). Every name stays importable from
``loans.models``; every workflow lives in ``loans.services``."""
from .core import (  # noqa: F401
    CURRENCIES,
    DayCount,
    Installment,
    InstallmentStatus,
    IPAsset,
    IPKind,
    Loan,
    LoanCategory,
    LoanClass,
    LoanClassHistory,
    LoanFile,
    LoanFileStatus,
    LoanStatus,
    Pledge,
    Repayment,
    RepaymentMethod,
)
from .subsidies import SubsidyApplication, SubsidyKind, SubsidyScheme, SubsidyStatus  # noqa: F401
from .write_offs import LoanWriteOff, WriteOffStatus  # noqa: F401
