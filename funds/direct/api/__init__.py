"""API of the direct instruments (/api/v1/funds/direct/...), by instrument (routes in ``api_urls``).

Reads for departments, auditors, managers and enterprises (each scoped: another organisation's object is 404);
writes for managers (and an enterprise's own applications and round reports), each with an Idempotency-Key.
Explicit input serializers; every rule lives in the services.
"""
from .gil import GILActionApi, GILDetailApi, GILListApi  # noqa: F401
from .invest_first import (  # noqa: F401
    AgreementActionApi,
    AgreementDetailApi,
    AgreementListApi,
    ClosureDecisionApi,
    ConversionDecisionApi,
)
from .programmes import CapHeadroomApi, ProgrammeListApi  # noqa: F401
from .rounds import CapTableApi, CapTableOcfApi, RoundReportApi  # noqa: F401
from .talent import PositionExitApi, PositionListApi, TalentActionApi, TalentListApi  # noqa: F401
