"""Forms for the pages; every write still goes through the services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import CounterGuarantee, LoanCategory
from .stress import DEFAULT_LGD, DEFAULT_PD


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class EnrolmentForm(forms.Form):
    pool = forms.ModelChoiceField(queryset=None, label=_("Pool"))
    loan = forms.ModelChoiceField(queryset=None, label=_("Loan"))
    category = forms.ChoiceField(choices=LoanCategory.choices, label=_("Category"))

    def __init__(self, *args, pools, loans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = pools
        self.fields["loan"].queryset = loans


class ClaimForm(forms.Form):
    loan = forms.ModelChoiceField(queryset=None, label=_("Loan"))
    claimed_loss = forms.CharField(max_length=30, label=_("Claimed principal loss"))
    documents = MultipleFileField(required=True, label=_("Evidence documents"))

    def __init__(self, *args, loans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loan"].queryset = loans


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment"))


class RecoveryForm(forms.Form):
    recovered = forms.CharField(max_length=30, label=_("Recovered"))
    costs = forms.CharField(max_length=30, initial="0.00", label=_("Collection costs"))
    recovered_on = forms.DateField(label=_("Recovered on"), widget=forms.DateInput(attrs={"type": "date"}))


class GuaranteeForm(forms.Form):
    bank = forms.ModelChoiceField(queryset=None, label=_("Lending bank"))
    loan_id = forms.IntegerField(min_value=1, label=_("Loan id"))
    amount = forms.CharField(max_length=30, label=_("Guaranteed amount"))
    fee_rate = forms.CharField(max_length=20, label=_("Fee rate (%/yr)"))
    counter_guarantee = forms.ChoiceField(choices=CounterGuarantee.choices, label=_("Counter-guarantee"))
    start_on = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end_on = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from finance.parties.models import Organisation, OrgKind

        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = Organisation.objects.filter(
            kind=OrgKind.BANK, is_active=True
        ).order_by("name")


class PayoutForm(forms.Form):
    amount = forms.CharField(max_length=30, label=_("Payout amount"))
    paid_on = forms.DateField(
        label=pgettext_lazy("pool", "Paid on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class PremiumSubsidyForm(forms.Form):
    year = forms.IntegerField(min_value=1, max_value=100, initial=1, label=_("Guarantee year"))


class StressForm(forms.Form):
    pd_normal = forms.FloatField(min_value=0, max_value=1, initial=DEFAULT_PD["normal"], label=_("PD normal"))
    pd_special_mention = forms.FloatField(
        min_value=0, max_value=1, initial=DEFAULT_PD["special_mention"], label=_("PD special mention")
    )
    pd_substandard = forms.FloatField(
        min_value=0, max_value=1, initial=DEFAULT_PD["substandard"], label=_("PD substandard")
    )
    pd_doubtful = forms.FloatField(
        min_value=0, max_value=1, initial=DEFAULT_PD["doubtful"], label=_("PD doubtful")
    )
    pd_loss = forms.FloatField(min_value=0, max_value=1, initial=DEFAULT_PD["loss"], label=_("PD loss"))
    lgd = forms.FloatField(min_value=0, max_value=1, initial=DEFAULT_LGD, label=_("Loss given default"))
    rho = forms.FloatField(min_value=0, max_value=0.99, initial=0.15, label=_("Asset correlation"))
    scenarios = forms.IntegerField(min_value=100, max_value=20000, initial=5000, label=_("Scenarios"))
    seed = forms.IntegerField(min_value=0, initial=20241121, label=pgettext_lazy("pool", "Seed"))
