"""Pages for people."""
from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("generate/", views.report_generate, name="generate"),
    path("runs/<int:pk>/", views.run_progress, name="run"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/publish/", views.report_publish, name="publish"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="xlsx"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
]
