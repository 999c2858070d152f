"""The bank API for IP-pledge loans (the contract banks integrate against): one view per operation.

Amounts travel as decimal strings with a ``currency``; a JSON number with a fraction (1000.5) is refused for
money, so no float ever rounds a yuan. Field errors come back in Chinese and English (problem+json).
"""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.fields import AmountField, CheckedField, CurrencyField
from finance.api.idempotency import idempotent
from finance.api.pagination import Pagination
from finance.api.problems import validated
from finance.core.errors import DomainError, PermissionDenied, bi
from finance.core.money import same_currency
from finance.parties.models import OrgKind, Role

from . import services, tasks
from . import validators as v
from .files import loan_file_upload
from .models import IPKind, Loan, LoanCategory, LoanFile, LoanStatus, RepaymentMethod, WriteOffStatus
from .selectors import loan_file_list, loan_get, loan_list


@extend_schema_field({"type": "string", "format": "decimal", "example": "4.35",
                      "description": "annual rate in percent, at most 4 decimal places"})
class RateField(CheckedField):
    check = staticmethod(lambda data, name: v.rate(data, name))


class PledgeIn(serializers.Serializer):
    ip_kind = serializers.ChoiceField(choices=IPKind.choices)
    ip_number = serializers.CharField(max_length=60)
    appraised_value = AmountField(help_text="decimal string, e.g. \"4000000.00\"")
    registration_no = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="",
        help_text="CNIPA pledge registration number (required): patents Y2023980012345 "
                  "(before 2020: 2015990000123); trademarks 2023质字0001234 or ZC20230001234; "
                  "copyrights 软著质登字-2021-L-00001234")
    registered_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="CNIPA pledge registration date (required, not after today)")


class LoanIn(serializers.Serializer):
    external_ref = serializers.CharField(max_length=64)
    borrower_uscc = serializers.CharField(max_length=40)
    borrower_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    principal = AmountField(help_text="decimal string, e.g. \"1000000.00\"")
    currency = CurrencyField(required=False, default="CNY")
    annual_rate = RateField(help_text="percent as a decimal string, e.g. \"4.35\"")
    term_months = serializers.IntegerField(min_value=1, max_value=600)
    repayment_method = serializers.ChoiceField(choices=RepaymentMethod.choices)
    day_count = serializers.ChoiceField(choices=["30/360", "ACT/360", "ACT/365", "ACT/ACT"], required=False,
                                        default="30/360")
    disbursed_on = serializers.DateField()
    category = serializers.ChoiceField(
        choices=LoanCategory.choices, required=False, default=LoanCategory.IP_PLEDGE,
        help_text="ip_pledge (needs pledges) or rd_credit (unsecured: no pledges)")
    pledges = PledgeIn(many=True, required=False, default=list)

    def validate_term_months(self, value):
        if isinstance(self.initial_data.get("term_months"), float):
            raise serializers.ValidationError(bi("期限必须是整数", "term_months must be a whole number"))
        return value


class PledgeOut(serializers.Serializer):
    ip_kind = serializers.CharField(source="asset.kind")
    ip_number = serializers.CharField(source="asset.number")
    appraised_value = serializers.DecimalField(max_digits=18, decimal_places=2)
    ltv_cap = serializers.DecimalField(max_digits=7, decimal_places=4)
    registration_no = serializers.CharField()
    registered_on = serializers.DateField(allow_null=True)
    released_on = serializers.DateField(allow_null=True)


class LoanOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_ref = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    borrower_uscc = serializers.CharField(source="borrower.uscc")
    borrower_name = serializers.CharField(source="borrower.name")
    principal = serializers.DecimalField(max_digits=18, decimal_places=2, source="principal.amount")
    currency = serializers.CharField(source="principal.currency.code")
    principal_outstanding = serializers.DecimalField(max_digits=18, decimal_places=2)
    annual_rate = serializers.DecimalField(max_digits=7, decimal_places=4)
    term_months = serializers.IntegerField()
    repayment_method = serializers.CharField()
    day_count = serializers.CharField()
    disbursed_on = serializers.DateField()
    maturity_on = serializers.DateField()
    dpd = serializers.IntegerField()
    loan_class = serializers.CharField()
    claim_eligible_since = serializers.DateField(allow_null=True)
    defaulted_on = serializers.DateField(allow_null=True)
    policy_snapshot = serializers.DictField()


class LoanDetailOut(LoanOut):
    pledges = PledgeOut(many=True, source="pledges.all")


class InstallmentOut(serializers.Serializer):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    principal = serializers.DecimalField(max_digits=18, decimal_places=2)
    interest = serializers.DecimalField(max_digits=18, decimal_places=2)
    payment = serializers.DecimalField(max_digits=18, decimal_places=2)
    balance = serializers.DecimalField(max_digits=18, decimal_places=2)
    principal_paid = serializers.DecimalField(max_digits=18, decimal_places=2)
    interest_paid = serializers.DecimalField(max_digits=18, decimal_places=2)
    status = serializers.CharField()


class RepaymentIn(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = AmountField(help_text="decimal string")
    currency = CurrencyField(required=False, default=None)


class RepaymentOut(serializers.Serializer):
    id = serializers.IntegerField()
    loan_id = serializers.IntegerField()
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, source="amount.amount")
    currency = serializers.CharField(source="amount.currency.code")
    interest_part = serializers.DecimalField(max_digits=18, decimal_places=2)
    principal_part = serializers.DecimalField(max_digits=18, decimal_places=2)
    on_time = serializers.BooleanField()
    allocation = serializers.DictField()
    loan_status = serializers.CharField(source="loan.status")
    principal_outstanding = serializers.DecimalField(max_digits=18, decimal_places=2,
                                                     source="loan.principal_outstanding")


class DefaultIn(serializers.Serializer):
    declared_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class LoanFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=LoanStatus.choices, required=False)
    borrower_uscc = serializers.CharField(required=False, max_length=40)
    disbursed_from = serializers.DateField(required=False)
    disbursed_to = serializers.DateField(required=False)


def _bank_only(request):
    user = request.user
    org = user.organisation if user.organisation_id else None
    if not user.has_role(Role.BANK_OFFICER) or org is None or org.kind != OrgKind.BANK:
        raise PermissionDenied("只有银行可以提交", "only banks submit loans and reports")
    return user.organisation


def _loan(request, pk) -> Loan:
    try:
        return loan_get(user=request.user, pk=pk)
    except Loan.DoesNotExist:
        raise Http404 from None


def _own_loan(request, pk) -> Loan:
    """A loan the calling bank may write to: a bank officer, and the loan in its scope (its own bank's)."""
    _bank_only(request)
    return _loan(request, pk)


class LoanListCreateApi(APIView):
    @extend_schema(parameters=[LoanFilter], responses=LoanOut(many=True),
                   summary="The caller's loans (a bank: its own; reviewers: all), filtered and paginated")
    def get(self, request):
        f = validated(LoanFilter, request.query_params)
        qs = loan_list(user=request.user, **f).prefetch_related(None)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(LoanOut(page, many=True).data)

    @extend_schema(request=LoanIn, responses={201: LoanDetailOut},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
                   summary="Register a disbursed loan: an IP-pledge loan with its CNIPA-registered "
                           "pledges, or an unsecured R&D credit loan (checks LTV, term, rate, borrower; "
                           "stores the schedule)")
    @idempotent
    def post(self, request):
        bank = _bank_only(request)
        data = validated(LoanIn, request.data)
        loan = services.loan_submit(bank=bank, by=request.user, data=data)
        return Response(LoanDetailOut(loan).data, status=status.HTTP_201_CREATED)


class LoanDetailApi(APIView):
    @extend_schema(responses=LoanDetailOut, summary="One loan (another bank's loan answers 404)")
    def get(self, request, pk: int):
        return Response(LoanDetailOut(_loan(request, pk)).data)


class ScheduleOut(serializers.Serializer):
    loan_id = serializers.IntegerField()
    installments = InstallmentOut(many=True)


class LoanScheduleApi(APIView):
    @extend_schema(responses=ScheduleOut,
                   summary="The loan's repayment schedule and what is paid")
    def get(self, request, pk: int):
        loan = _loan(request, pk)
        return Response({"loan_id": loan.pk, "installments": InstallmentOut(loan.installments.all(),
                                                                            many=True).data})


class RepaymentCreateApi(APIView):
    @extend_schema(request=RepaymentIn, responses={201: RepaymentOut},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
                   summary="Report a repayment; answers with its allocation (overdue interest, overdue "
                           "principal, current interest, principal)")
    @idempotent
    def post(self, request, pk: int):
        loan = _own_loan(request, pk)
        data = validated(RepaymentIn, request.data)
        same_currency(data.get("currency") or loan.currency, loan.currency, field="currency")
        repayment = services.repayment_record(loan=loan, paid_on=data["paid_on"], amount=data["amount"],
                                              by=request.user)
        return Response(RepaymentOut(repayment).data, status=status.HTTP_201_CREATED)


class LoanDefaultApi(APIView):
    @extend_schema(request=DefaultIn, responses=LoanDetailOut,
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
                   summary="Declare the loan in default")
    @idempotent
    def post(self, request, pk: int):
        loan = _own_loan(request, pk)
        data = validated(DefaultIn, request.data)
        loan = services.loan_default(loan=loan, declared_on=data["declared_on"], reason=data["reason"],
                                     by=request.user)
        return Response(LoanDetailOut(loan).data)


class WriteOffIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="why the loan cannot be recovered")
    on = serializers.DateField(required=False, allow_null=True, default=None,
                               help_text="proposal date (default today; not after today, not before the "
                                         "default)")


class WriteOffOut(serializers.Serializer):
    id = serializers.IntegerField()
    loan_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=WriteOffStatus.choices,
                                     help_text="proposed (awaiting the department), approved (the loan is "
                                               "written off), rejected")
    reason = serializers.CharField()
    proposed_on = serializers.DateField()
    principal_outstanding = serializers.DecimalField(max_digits=18, decimal_places=2)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class LoanWriteOffApi(APIView):
    @extend_schema(request=WriteOffIn, responses={201: WriteOffOut},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
                   summary="Propose to write off (核销) a defaulted loan; the department decides "
                           "(maker-checker), then the loan is written off and its pledges released")
    @idempotent
    def post(self, request, pk: int):
        loan = _own_loan(request, pk)
        data = validated(WriteOffIn, request.data)
        write_off = services.write_off_propose(loan=loan, reason=data["reason"], on=data.get("on"),
                                               by=request.user)
        return Response(WriteOffOut(write_off).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- bulk files


class LoanFileOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    original_name = serializers.CharField()
    sha256 = serializers.CharField()
    rows_total = serializers.IntegerField()
    rows_done = serializers.IntegerField()
    rows_created = serializers.IntegerField()
    progress = serializers.SerializerMethodField()
    rows_already_registered = serializers.ListField()
    errors = serializers.ListField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_progress(self, obj) -> int:
        if obj.status == "done":
            return 100
        return int(obj.rows_done * 100 / obj.rows_total) if obj.rows_total else 0


class LoanFileIn(serializers.Serializer):
    file = serializers.FileField()


class LoanFileCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": LoanFileIn}, responses={202: LoanFileOut},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
                   summary="Upload an XLSX or CSV file of loans (one row per loan); processed as a job, "
                           "all or nothing")
    @idempotent
    def post(self, request):
        bank = _bank_only(request)
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("请上传文件（字段 file）", "upload a file in the 'file' field", code="required",
                              field="file")
        loan_file = loan_file_upload(bank=bank, by=request.user, upload=upload,
                                     enqueue=tasks.process_loan_file.delay)
        return Response(LoanFileOut(loan_file).data, status=status.HTTP_202_ACCEPTED)


class LoanFileDetailApi(APIView):
    @extend_schema(responses=LoanFileOut,
                   summary="A file job: status, progress, and every error with row and column")
    def get(self, request, pk: int):
        try:
            loan_file = loan_file_list(user=request.user).get(pk=pk)
        except LoanFile.DoesNotExist:
            raise Http404 from None
        return Response(LoanFileOut(loan_file).data)
