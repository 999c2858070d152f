"""Programmes with their exposure, and an enterprise's talent-cap headroom."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.core.inputs import today

from .. import selectors
from ..caps import cap_state
from ._common import M, cap_figures, check_enterprise_visible


class ExposureOut(serializers.Serializer):
    budget = serializers.DecimalField(**M)
    funded = serializers.DecimalField(**M)
    cash = serializers.DecimalField(**M)
    project_funding = serializers.DecimalField(**M)
    equity = serializers.DecimalField(**M)
    grant_expense = serializers.DecimalField(**M)
    other_projects = serializers.DecimalField(**M)
    gains = serializers.DecimalField(**M)
    exposure = serializers.DecimalField(**M)
    support_given = serializers.DecimalField(**M)


class ProgrammeOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    owner_department = serializers.CharField(source="owner_department.name")
    manager = serializers.CharField(source="manager.name")
    currency = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    exposure = ExposureOut()


class ProgrammeListApi(APIView):
    @extend_schema(
        responses=ProgrammeOut(many=True), summary="Programmes of direct instruments with their exposure"
    )
    def get(self, request):
        rows = list(selectors.programme_list(user=request.user).select_related("owner_department", "manager"))
        for p in rows:
            p.exposure = selectors.programme_exposure(p)
        return Response(ProgrammeOut(rows, many=True).data)


class CapHeadroomApi(APIView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="Talent-cap headroom of an enterprise (what an application page shows)",
    )
    def get(self, request, pk: int):
        check_enterprise_visible(request, pk)
        s = cap_state(pk, on=today())
        return Response({**cap_figures(s),
                         "items": [{**i, "amount": str(i["amount"])} for i in s.items]})
