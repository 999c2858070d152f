"""Pages: a bank's loan book, loan page, file upload with progress and error report, template and export;
the department's all-loans view with totals and the subsidy review queue; a startup's loans and subsidies."""
from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from finance.approvals.services import approval_approver_ids, approval_current, history
from finance.core import inputs
from finance.core.errors import DomainError
from finance.parties.models import OrgKind, Role
from finance.parties.rules import can_see_everything
from finance.parties.selectors import scope_to_caller
from finance.web.permissions import roles_required

from . import files, services, tasks
from .models import Loan, LoanStatus, LoanWriteOff, SubsidyScheme, SubsidyStatus, WriteOffStatus
from .selectors import loan_file_list, loan_list, loan_totals, subsidy_list

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise spreadsheet formula injection: text starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_bank(user) -> bool:
    org = user.organisation if user.organisation_id else None
    return user.has_role(Role.BANK_OFFICER) and org is not None and org.kind == OrgKind.BANK


class LoanFilterForm(forms.Form):
    status = forms.ChoiceField(label=_l("Status"), required=False, choices=[("", "—")] + LoanStatus.choices)
    q = forms.CharField(label=_l("Reference or borrower"), required=False)
    borrower_uscc = forms.CharField(label=_l("Borrower credit code"), required=False)
    disbursed_from = forms.DateField(label=_l("Disbursed from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    disbursed_to = forms.DateField(label=_l("Disbursed to"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))


def _filtered(request):
    form = LoanFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, loan_list(user=request.user, **{k: v for k, v in filters.items() if v})


@login_required
def loan_list_view(request):
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "loans/loan_list.html", {
        "form": form, "page": page, "totals": loan_totals(qs), "query": query.urlencode(),
        "oversight": can_see_everything(request.user), "is_bank": _is_bank(request.user)})


@login_required
def loan_export(request):
    """The caller's loan book (filters applied) as XLSX, with formula injection neutralised."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    qs = _filtered(request)[1]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(_("Loans"))

    def cell(value, number_format=None):
        """Money as numbers with separators, dates as dates: a spreadsheet sums and sorts them."""
        c = WriteOnlyCell(ws, value=safe_cell(value))
        if number_format and value is not None:
            c.number_format = number_format
        return c

    money, day = "#,##0.00", "yyyy-mm-dd"
    ws.append([_("Bank reference"), _("Bank"), _("Borrower"), _("Credit code"), _("Loan category"),
               _("Principal (yuan)"), _("Currency"), _("Outstanding (yuan)"), _("Rate (%)"),
               _("Term (months)"), _("Method"), _("Disbursed on"), _("Maturity"), _("Status"),
               _("Days past due"), _("Classification")])
    for loan in qs.iterator(chunk_size=2000):
        ws.append([
            cell(loan.external_ref), cell(loan.bank.name), cell(loan.borrower.name), cell(loan.borrower.uscc),
            cell(str(loan.get_category_display())), cell(loan.principal.amount, money),
            cell(str(loan.principal.currency)), cell(loan.principal_outstanding, money),
            cell(loan.annual_rate, "0.00##"), cell(loan.term_months),
            cell(str(loan.get_repayment_method_display())),
            cell(loan.disbursed_on, day), cell(loan.maturity_on, day), cell(str(loan.get_status_display())),
            cell(loan.dpd), cell(str(loan.get_loan_class_display()))])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="loans-{inputs.today():%Y%m%d}.xlsx"'
    return response


@login_required
def loan_detail(request, pk: int):
    loan = get_object_or_404(loan_list(user=request.user), pk=pk)
    return render(request, "loans/loan_detail.html", {
        "loan": loan, "installments": loan.installments.all(), "repayments": loan.repayments.all(),
        "class_history": loan.class_history.all(), "pledges": loan.pledges.select_related("asset"),
        "history": history(loan),
        # the loan came through the caller's scope: a bank officer seeing it is its own bank's
        "can_report": _is_bank(request.user),
        "can_propose_write_off": _is_bank(request.user) and loan.status == LoanStatus.DEFAULTED,
        "write_offs": _write_offs(request.user).filter(loan=loan) if request.user.has_role(*WRITE_OFF_ROLES)
        else [],
        "subsidies": subsidy_list(user=request.user).filter(loan=loan)})


class RepaymentForm(forms.Form):
    paid_on = forms.DateField(label=_l("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_l("Amount"))


@login_required
@require_POST
def repayment_create(request, pk: int):
    loan = get_object_or_404(loan_list(user=request.user), pk=pk)
    if not _is_bank(request.user):  # the loan came through the caller's scope: its own bank's
        raise Http404
    form = RepaymentForm(request.POST)
    if form.is_valid():
        try:
            r = services.repayment_record(loan=loan, paid_on=form.cleaned_data["paid_on"],
                                          amount=form.cleaned_data["amount"], by=request.user)
            messages.success(request, _("Repayment recorded: interest %(i)s, principal %(p)s.")
                             % {"i": r.interest_part, "p": r.principal_part})
        except DomainError as exc:
            messages.error(request, exc.detail)
    else:
        messages.error(request, _("Check the date and amount."))
    return redirect("loans:detail", pk=loan.pk)


# ---------------------------------------------------------------- files


class UploadForm(forms.Form):
    file = forms.FileField(label=_l("XLSX or CSV file"))


@login_required
def file_list(request):
    if not _is_bank(request.user) and not can_see_everything(request.user):
        raise DjangoPermissionDenied
    form = UploadForm()
    if request.method == "POST":
        if not _is_bank(request.user):
            raise DjangoPermissionDenied
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                loan_file = files.loan_file_upload(bank=request.user.organisation, by=request.user,
                                                   upload=form.cleaned_data["file"],
                                                   enqueue=tasks.process_loan_file.delay)
                return redirect("loans:file-detail", pk=loan_file.pk)
            except DomainError as exc:
                messages.error(request, exc.detail)
    return render(request, "loans/file_list.html", {"form": form,
                                                    "files": loan_file_list(user=request.user)[:50]})


@login_required
def file_detail(request, pk: int):
    loan_file = get_object_or_404(loan_file_list(user=request.user), pk=pk)
    template = "loans/_file_status.html" if request.htmx else "loans/file_detail.html"
    progress = 100 if loan_file.status == "done" else (
        int(loan_file.rows_done * 100 / loan_file.rows_total) if loan_file.rows_total else 0)
    return render(request, template, {"f": loan_file, "progress": progress,
                                      "running": loan_file.status in ("queued", "processing")})


@login_required
def file_template(request):
    """The Chinese template workbook; its sample row passes every rule (loans.files.template)."""
    response = HttpResponse(files.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="loan-template.xlsx"'
    return response


# ---------------------------------------------------------------- subsidies


class SubsidyForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_l("Scheme"), queryset=SubsidyScheme.objects.filter(is_open=True))
    loan = forms.ModelChoiceField(label=_l("Loan"), queryset=Loan.objects.none())
    loan_year = forms.IntegerField(
        label=_l("Loan year (benchmark rule)"), required=False, min_value=1,
        help_text=_l("Which year of the loan the subsidy is for: 1 = the first 12 months after disbursement, "
                     "2 = the second… (an index, not a calendar year)."))
    appraisal_fee = forms.CharField(label=_l("Appraisal fee paid"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loan"].queryset = loan_list(user=user) if user else Loan.objects.none()


@login_required
def subsidy_list_view(request):
    user = request.user
    org = user.organisation if user.organisation_id else None
    is_applicant = user.has_role(Role.APPLICANT) and org is not None and org.kind == OrgKind.ENTERPRISE
    form = SubsidyForm(user=user) if is_applicant else None
    if request.method == "POST" and is_applicant:
        form = SubsidyForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.subsidy_apply(scheme=d["scheme"], loan=d["loan"], by=user,
                                       loan_year=d.get("loan_year"),
                                       appraisal_fee=d.get("appraisal_fee") or None)
                messages.success(request, _("Application submitted."))
                return redirect("loans:subsidy-list")
            except DomainError as exc:
                messages.error(request, exc.detail)
    apps = subsidy_list(user=user)
    status = request.GET.get("status", "submitted" if user.has_role(Role.DEPARTMENT_REVIEWER) else "")
    if status:
        apps = apps.filter(status=status)
    return render(request, "loans/subsidy_list.html", {
        "form": form, "applications": apps[:200], "status": status, "statuses": SubsidyStatus.choices})


@login_required
@require_POST
@roles_required(Role.DEPARTMENT_REVIEWER)
def subsidy_decide(request, pk: int):
    """One approval level (approve or reject) by a department reviewer; paying is the separate step below."""
    app = get_object_or_404(subsidy_list(user=request.user), pk=pk)
    try:
        app = services.subsidy_approve(application=app, by=request.user,
                                       approve=request.POST.get("decision") == "approve",
                                       comment=request.POST.get("comment", ""))
        if app.status == SubsidyStatus.SUBMITTED:
            messages.success(request, _("Approved at this level; a second approver is needed."))
        else:
            messages.success(request, _("Decision recorded."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("loans:subsidy-detail", pk=pk)


@login_required
@require_POST
@roles_required(Role.DEPARTMENT_REVIEWER)
def subsidy_pay(request, pk: int):
    """Pay an approved subsidy: a department reviewer who neither applied nor approved."""
    app = get_object_or_404(subsidy_list(user=request.user), pk=pk)
    try:
        services.subsidy_pay(application=app, by=request.user)
        messages.success(request, _("Subsidy paid."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("loans:subsidy-detail", pk=pk)


@login_required
def subsidy_detail(request, pk: int):
    app = get_object_or_404(subsidy_list(user=request.user), pk=pk)
    approval = approval_current(app)
    user = request.user
    reviewer = user.has_role(Role.DEPARTMENT_REVIEWER)
    approvers = approval_approver_ids(app) if approval else set()
    decided = approval.decisions.select_related("approver").order_by("level") if approval else []
    return render(request, "loans/subsidy_detail.html", {
        "app": app, "history": history(app), "approval": approval, "decisions": decided,
        "can_decide": reviewer and app.status == SubsidyStatus.SUBMITTED and user.pk not in approvers
        and user.pk != app.applicant_id,
        "can_pay": reviewer and app.status == SubsidyStatus.APPROVED and user.pk not in approvers
        and user.pk != app.applicant_id})


# ------------------------------------------------------ write-offs: the bank proposes, the department decides

#: Who sees write-offs: the lending bank (its own), the department (decides), auditors, administrators.
WRITE_OFF_ROLES = (Role.BANK_OFFICER, Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR)


def _write_offs(user):
    if not user.has_role(*WRITE_OFF_ROLES):
        raise DjangoPermissionDenied
    return scope_to_caller(LoanWriteOff.objects.select_related("loan__borrower", "loan__bank", "proposed_by"),
                           user, "loan__bank")


WRITE_OFF_LABELS = {"reason": _l("Reason"), "on": _l("Proposal date"), "note": _l("Decision note")}


def _error_text(request, exc: DomainError) -> str:
    """The error in the reader's language, led by the field's label instead of its code."""
    zh = request.LANGUAGE_CODE.startswith("zh")
    text = exc.detail_zh if zh else exc.detail_en
    if exc.field in WRITE_OFF_LABELS:
        for sep in ("：", ": "):
            text = text.removeprefix(f"{exc.field}{sep}")
        text = f"{WRITE_OFF_LABELS[exc.field]}{'：' if zh else ': '}{text}"
    return text


@login_required
@roles_required(*WRITE_OFF_ROLES)
def write_off_list(request):
    qs = _write_offs(request.user)
    status = request.GET.get("status", "proposed" if request.user.has_role(Role.DEPARTMENT_REVIEWER) else "")
    if status in WriteOffStatus.values:
        qs = qs.filter(status=status)
    return render(request, "loans/write_off_list.html", {
        "write_offs": qs[:500], "status": status, "statuses": WriteOffStatus.choices})


@login_required
def write_off_new(request, pk: int):
    """The lending bank proposes to write off its defaulted loan (reason and date)."""
    loan = get_object_or_404(loan_list(user=request.user), pk=pk)
    if not _is_bank(request.user):
        raise DjangoPermissionDenied
    if request.method == "POST":
        try:
            wo = services.write_off_propose(loan=loan, reason=request.POST.get("reason", ""), by=request.user,
                                            on=request.POST.get("on") or None)
            messages.success(request, _("Write-off proposed: the department decides."))
            return redirect("loans:write-off-detail", pk=wo.pk)
        except DomainError as exc:
            messages.error(request, _error_text(request, exc))
    return render(request, "loans/write_off_new.html", {
        "loan": loan, "form": request.POST or {"on": inputs.today().isoformat()},
        "today": inputs.today().isoformat()})


@login_required
@roles_required(*WRITE_OFF_ROLES)
def write_off_detail(request, pk: int):
    wo = get_object_or_404(_write_offs(request.user), pk=pk)
    approval = approval_current(wo)
    user = request.user
    return render(request, "loans/write_off_detail.html", {
        "wo": wo, "history": history(wo), "approval": approval,
        "decisions": approval.decisions.select_related("approver").order_by("level") if approval else [],
        "can_decide": (user.has_role(Role.DEPARTMENT_REVIEWER) and wo.status == WriteOffStatus.PROPOSED
                       and user.pk != wo.proposed_by_id and user.pk not in approval_approver_ids(wo))})


@login_required
@require_POST
@roles_required(Role.DEPARTMENT_REVIEWER)
def write_off_decide(request, pk: int):
    """A department reviewer approves (the loan is written off, its pledges released) or refuses."""
    wo = get_object_or_404(_write_offs(request.user), pk=pk)
    try:
        wo = services.write_off_decide(write_off=wo, by=request.user,
                                       approve=request.POST.get("decision") == "approve",
                                       note=request.POST.get("note", ""))
        messages.success(request, _("Decision recorded."))
    except DomainError as exc:
        messages.error(request, _error_text(request, exc))
    return redirect("loans:write-off-detail", pk=wo.pk)
