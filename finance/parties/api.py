"""Identity and organisation endpoints: who am I, my organisation, registering a borrower enterprise."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.idempotency import idempotent
from finance.api.problems import validated
from finance.core.errors import PermissionDenied

from .models import Organisation, OrgKind, Role
from .selectors import organisation_list
from .services import organisation_create


class OrganisationOut(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "uscc", "dept_level", "region", "tech_sme_number"]


class MeOut(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    organisation = OrganisationOut(allow_null=True)


class MeApi(APIView):
    @extend_schema(responses=MeOut, summary="The caller: user, organisation and roles")
    def get(self, request):
        user = request.user
        return Response(MeOut({"username": user.username, "display_name": user.display_name,
                               "roles": sorted(user.roles()), "organisation": user.organisation}).data)


class OrganisationDetailApi(APIView):
    @extend_schema(
        responses=OrganisationOut, summary="An organisation visible to the caller (others answer 404)"
    )
    def get(self, request, pk: int):
        return Response(OrganisationOut(get_object_or_404(organisation_list(user=request.user), pk=pk)).data)


class EnterpriseIn(serializers.Serializer):
    uscc = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    region = serializers.CharField(max_length=50, required=False, default="")
    tech_sme_number = serializers.CharField(max_length=40, required=False, default="")


class EnterpriseCreateApi(APIView):
    @extend_schema(request=EnterpriseIn, responses={201: OrganisationOut},
                   summary="Register a borrower or applicant enterprise by its social credit code")
    @idempotent
    def post(self, request):
        if not request.user.has_role(Role.BANK_OFFICER, Role.DEPARTMENT_REVIEWER, Role.ADMINISTRATOR):
            raise PermissionDenied(
                "只有银行或主管部门可以登记企业", "only banks and departments can register enterprises"
            )
        data = validated(EnterpriseIn, request.data)
        org = organisation_create(kind=OrgKind.ENTERPRISE, **data)
        return Response(OrganisationOut(org).data, status=status.HTTP_201_CREATED)
