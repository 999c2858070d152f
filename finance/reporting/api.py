"""Reports API: the list of reports the caller may read, and one report's figures.

- ``GET /api/v1/reports/`` → paginated ``[{quarter, scope, version, status, as_of, sha256, published_at}]``;
- ``GET /api/v1/reports/{quarter}/?scope=province[&version=n]`` →
  ``{"quarter", "scope", "as_of", "version", "status", "sha256", "sections": {...}}`` (the latest published
  version unless ``version`` is given; departments and auditors also see drafts).

Departments and auditors read every report; a bank reads its own bank's scope (``scope=bank:<its id>``): any
other report answers 404 to a bank; other roles 403. Errors are problem+json (RFC 9457) with a stable ``code``
and Chinese and English details: 400 ``invalid_quarter`` / ``invalid_scope`` / ``invalid_number`` naming the
field, 403 ``role_required``, 404 ``not_found``.
"""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.pagination import Pagination
from finance.core.errors import NotFound
from finance.core.inputs import parse_int
from finance.parties.models import Role

from . import selectors
from .quarters import parse_quarter
from .scopes import ScopeKind, parse_scope

# The content of every error answer is the shared Problem component (finance.api.schema); these say when.
ERRORS = {
    400: OpenApiResponse(description="invalid quarter, scope or version (the field is named)"),
    401: OpenApiResponse(description="not authenticated"),
    403: OpenApiResponse(description="the caller's role does not read reports"),
    404: OpenApiResponse(description="no such report for this caller (another bank's: also 404)"),
}


class ReportListOut(serializers.Serializer):
    quarter = serializers.CharField()
    scope = serializers.CharField(source="scope_code")
    version = serializers.IntegerField()
    status = serializers.CharField()
    as_of = serializers.DateField()
    sha256 = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class ReportOut(serializers.Serializer):
    quarter = serializers.CharField()
    scope = serializers.CharField()
    as_of = serializers.DateField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    sha256 = serializers.CharField()
    sections = serializers.DictField()


class ReportListApi(APIView):
    @extend_schema(
        responses={200: ReportListOut(many=True), **ERRORS}, summary="Quarterly reports the caller may read"
    )
    def get(self, request):
        qs = selectors.reports_for(request.user).order_by("-quarter", "scope_kind", "scope_key", "-version")
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ReportListOut(page, many=True).data)


class ReportDetailApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "scope",
                OpenApiTypes.STR,
                description="province (default), city:<code>, programme:<name>, sub_fund:<id>, bank:<id>",
            ),
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="a version; default: the latest published"
            ),
        ],
        responses={200: ReportOut, **ERRORS},
        summary="One quarter's report: figures as of the quarter end",
    )
    def get(self, request, quarter: str):
        selectors.reports_for(request.user)  # other roles: 403 before anything is parsed
        q = parse_quarter(quarter, ended=False)
        scope = parse_scope(request.query_params.get("scope", "province"))
        version = request.query_params.get("version")
        version = (
            parse_int(version, "version", min_value=1, max_value=100000)
            if version not in (None, "")
            else None
        )
        if request.user.has_role(Role.BANK_OFFICER) and not request.user.has_role(*selectors.OVERSIGHT):
            if scope.kind != ScopeKind.BANK or scope.key != str(request.user.organisation_id):
                raise NotFound("报告", "report")
        report = selectors.report_for(request.user, quarter=q.label, scope=scope, version=version)
        c = report.content
        return Response(
            {
                "quarter": c["quarter"],
                "scope": c["scope"],
                "as_of": c["as_of"],
                "version": report.version,
                "status": report.status,
                "sha256": report.sha256,
                "sections": c["sections"],
            }
        )

