"""Pages for people."""
app_name = "applications"
urlpatterns: list = []
