"""Pages for people."""
from django.urls import path

from . import views

app_name = "loans"
urlpatterns = [
    path("", views.loan_list_view, name="list"),
    path("export.xlsx", views.loan_export, name="export"),
    path("<int:pk>/", views.loan_detail, name="detail"),
    path("<int:pk>/repayments/", views.repayment_create, name="repayment-create"),
    path("<int:pk>/write-off/", views.write_off_new, name="write-off-new"),
    path("write-offs/", views.write_off_list, name="write-off-list"),
    path("write-offs/<int:pk>/", views.write_off_detail, name="write-off-detail"),
    path("write-offs/<int:pk>/decide/", views.write_off_decide, name="write-off-decide"),
    path("files/", views.file_list, name="file-list"),
    path("files/template.xlsx", views.file_template, name="file-template"),
    path("files/<int:pk>/", views.file_detail, name="file-detail"),
    path("subsidies/", views.subsidy_list_view, name="subsidy-list"),
    path("subsidies/<int:pk>/", views.subsidy_detail, name="subsidy-detail"),
    path("subsidies/<int:pk>/decide/", views.subsidy_decide, name="subsidy-decide"),
    path("subsidies/<int:pk>/pay/", views.subsidy_pay, name="subsidy-pay"),
]
