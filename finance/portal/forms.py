"""Forms render the inputs (labels, types, help); the services validate them (one rule, one place). Every
field is optional here so the service's bilingual error, naming the field, is the one the person sees."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentKind, HolderKind, Industry, IPRightKind, IPStatus, TalentProgramme


def _text(label, *, help_text="", input_type="text", **attrs):
    widget = forms.TextInput(attrs={"type": input_type, **attrs})
    return forms.CharField(label=label, required=False, help_text=help_text, widget=widget)


def _choices(choices, *, blank=True):
    return ([("", "—")] if blank else []) + list(choices)


class PortalForm(forms.Form):
    """Bootstrap classes on every widget; an error marks its input invalid and is read out with it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = (
                "form-select"
                if isinstance(field.widget, forms.Select)
                else ("form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control")
            )
            field.widget.attrs.setdefault("class", css)
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self.auto_id % self.add_prefix(name)}-help"

    def mark_invalid(self):
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class ProfileForm(PortalForm):
    founded_on = _text(_("Founding date"), input_type="date")
    registered_capital = _text(_("Registered capital (yuan)"), inputmode="decimal")
    address = _text(_("Registered address"))
    industry = forms.ChoiceField(label=_("Industry"), required=False, choices=_choices(Industry.choices))
    headcount = _text(_("Headcount"), inputmode="numeric")
    rd_staff = _text(_("R&D staff"), inputmode="numeric", help_text=_("At most the headcount."))
    revenue_last_year = _text(_("Revenue last year (yuan)"), inputmode="decimal")
    rd_spend_last_year = _text(_("R&D spend last year (yuan)"), inputmode="decimal")
    tech_sme_number = _text(_("Tech-based SME registration number"), inputmode="numeric")
    tech_sme_year = _text(
        _("Tech-based SME registration year"),
        inputmode="numeric",
        help_text=_("A registration holds for its year."),
    )
    hnte_certificate_number = _text(
        _("High-tech enterprise certificate number"), help_text=_("For example GR202337001234.")
    )
    hnte_expires_on = _text(_("High-tech enterprise certificate expiry"), input_type="date")


class TalentMemberForm(PortalForm):
    name = _text(_("Member name"))
    role = _text(_("Role in the team"))
    programme = forms.ChoiceField(
        label=_("Talent programme"), required=False, choices=_choices(TalentProgramme.choices, blank=False)
    )
    leads_team = forms.BooleanField(label=_("Team lead"), required=False)


class ShareholderForm(PortalForm):
    name = _text(_("Holder name"))
    kind = forms.ChoiceField(
        label=_("Holder kind"), required=False, choices=_choices(HolderKind.choices, blank=False)
    )
    id_number = _text(_("ID card number or credit code"))
    shares = _text(_("Shares held"), inputmode="numeric")
    stake_percent = _text(_("Stake (%)"), inputmode="decimal")


class IPRightForm(PortalForm):
    kind = forms.ChoiceField(label=_("IP kind"), required=False, choices=_choices(IPRightKind.choices))
    number = _text(
        _("Number"),
        help_text=_(
            "Patents: application number with its check digit, e.g. ZL201010191563.5; trademarks: "
            "registration number; software copyrights: e.g. 2023SR0123456."
        ),
    )
    nice_class = _text(_("Nice class (trademarks, 1–45)"), inputmode="numeric")
    title = _text(_("Title of the right"))
    owner_name = _text(_("Owner"), help_text=_("Leave empty for the enterprise itself."))
    granted_on = _text(_("Grant date"), input_type="date")
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_choices(IPStatus.choices, blank=False),
        initial=IPStatus.VALID,
    )
    expires_on = _text(_("Expiry"), input_type="date")


class DocumentForm(PortalForm):
    kind = forms.ChoiceField(label=_("Document kind"), required=False, choices=_choices(DocumentKind.choices))
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, PNG, JPEG, XLSX or DOCX, at most %(mb)s MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx,.docx"}),
    )

    def __init__(self, *args, max_mb: int = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {"mb": max_mb}


class RejectForm(PortalForm):
    reason = forms.CharField(
        label=_("Reason for refusal"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
