"""Forms of the identity pages: the login (with mandatory email verification), the enterprise sign-up, the
invitation acceptance, invitations, API keys and the authenticator enrolment."""
from __future__ import annotations

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SignupForm
from allauth.account.internal.flows.email_verification import send_verification_email_for_user
from allauth.account.models import EmailAddress
from allauth.account.utils import setup_user_email
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from finance.core.errors import DomainError

from . import services
from .models import Role, is_shandong_uscc


def bootstrap(form: forms.Form) -> forms.Form:
    """Bootstrap classes on every widget (the templates render fields with parties/_fields.html)."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-check-input" if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput) \
            else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


def email_verification_pending(user) -> bool:
    """Self-registered accounts have an email address to confirm; until one is confirmed they cannot log in.
    Accounts created by the platform (commands, services, invitations) carry no pending address."""
    addresses = EmailAddress.objects.filter(user=user)
    return addresses.exists() and not addresses.filter(verified=True).exists()


class LoginForm(AuthenticationForm):
    """Django's login form (django-axes counts its failures) that refuses an account whose email address is
    not confirmed yet and sends the confirmation link again (allauth's rate limit applies)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "email_unverified": _("Confirm your email address first: we have sent the confirmation link again. "
                              "Open the link in the email, then log in."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if email_verification_pending(user):
            send_verification_email_for_user(self.request, user)
            raise ValidationError(self.error_messages["email_unverified"], code="email_unverified")


def _apply_domain_error(form: forms.Form, exc: DomainError, default_field: str | None = None) -> None:
    """Show a service's refusal on the form: on its field when the form has it, else on the form."""
    field = exc.field if exc.field in form.fields else default_field
    form.add_error(field, exc.detail_zh if _zh() else exc.detail_en)


def _zh() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").startswith("zh")


class EnterpriseSignupForm(SignupForm):
    """Enterprise self-registration: the enterprise's identity and contacts, then the first user's login.
    Registers through ``services.enterprise_register`` (claims an enterprise a bank registered; refuses a
    credit code whose enterprise already has an account)."""

    uscc = forms.CharField(label=_("Unified social credit code"), max_length=24,
                           help_text=_("18 characters, on the business licence"),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    name = forms.CharField(label=_("Enterprise name"), max_length=200)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    mobile = forms.CharField(label=_("Mobile"), max_length=20,
                             help_text=_("Mainland mobile number, 11 digits"),
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    field_order = ["uscc", "name", "legal_representative", "contact_name", "mobile", "email", "username",
                   "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.claimed = None
        self.shandong = None
        self.uscc_normalised = None
        self.fields["email"].label = _("Email")
        self.fields["email"].help_text = _("The confirmation link is sent here")
        self.fields["username"].label = _("Username")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        self.fields["uscc"].widget.attrs.update({
            "hx-get": reverse_lazy("accounts:uscc-check"), "hx-trigger": "keyup changed delay:400ms, change",
            "hx-target": "#uscc-check", "aria-describedby": "uscc-check id_uscc_helptext"})
        bootstrap(self)

    def clean_uscc(self):
        try:
            code, self.claimed = services.enterprise_registration_check(self.cleaned_data["uscc"])
        except DomainError as exc:
            raise ValidationError(exc.detail_zh if _zh() else exc.detail_en, code=exc.code) from None
        self.shandong, self.uscc_normalised = is_shandong_uscc(code), code
        return code

    def clean_mobile(self):
        try:
            return services.validate_mobile(self.cleaned_data["mobile"])
        except DomainError as exc:
            raise ValidationError(exc.detail_zh if _zh() else exc.detail_en, code=exc.code) from None

    def save(self, request):
        data = self.cleaned_data
        user = services.enterprise_register(
            uscc=data["uscc"], name=data["name"], legal_representative=data["legal_representative"],
            contact_name=data["contact_name"], mobile=data["mobile"], email=data["email"],
            username=data["username"], password=data["password1"])
        setup_user_email(request, user, [EmailAddress(email=user.email)])
        return user


class BootstrapForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class InvitationAcceptForm(BootstrapForm):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    display_name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password (again)"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("You must type the same password each time."))
        return data


class InviteForm(BootstrapForm):
    email = forms.EmailField(label=_("Email"))
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r, Role(r).label) for r in roles]


class ApiKeyForm(BootstrapForm):
    name = forms.CharField(label=_("Key name"), max_length=50, initial="bank system",
                           help_text=_("Which of your systems uses it"))
    expiry_date = forms.DateTimeField(label=_("Expires at"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
                                      help_text=_("Optional; after this moment the key is refused"))


class ApiKeyExpiryForm(BootstrapForm):
    expiry_date = forms.DateTimeField(label=_("Expires at"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])


class OtpConfirmForm(BootstrapForm):
    token = forms.CharField(label=_("Code from the authenticator"), max_length=8,
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "one-time-code"}))


class ResetPasswordForm(AllauthResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email")
        self.fields["email"].widget.attrs.pop("placeholder", None)
        bootstrap(self)


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        bootstrap(self)
